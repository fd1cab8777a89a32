package dev.ocomms.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a population's sessions alive as browsers do: access tokens live 15 minutes and a connection whose token has
 * expired is closed by the server a minute later, so a run longer than that refreshes every session (rotating its
 * refresh token) and hands the new access tokens to the connections, whose next ping presents them.
 */
final class Sessions {
  /** Well inside the 15 minutes an access token lives. */
  static final int RENEW_EVERY_SECONDS = 600;

  private final List<Api> nodes = new ArrayList<>();
  private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
  private final int concurrency;
  private final long renewEveryNanos;
  private long renewedAt = System.nanoTime();
  private Future<Map<String, String>> renewing;

  Sessions(WebClient web, Target target, List<Population.User> users, int concurrency, int renewEverySeconds) {
    for (int node = 0; node < target.size(); node++) {
      nodes.add(new Api(web, target.host, target.port(node)));
    }
    users.forEach(user -> refreshTokens.put(user.userId(), user.refreshToken()));
    this.concurrency = concurrency;
    this.renewEveryNanos = TimeUnit.SECONDS.toNanos(renewEverySeconds);
  }

  /**
   * Called from a scenario's polling loop: starts a renewal when one is due, and returns the new access tokens (user
   * id to token) once, when a renewal has finished; null otherwise. A failed renewal is retried at the next call.
   */
  Map<String, String> poll() {
    if (renewing == null) {
      if (System.nanoTime() - renewedAt >= renewEveryNanos) {
        renewing = renewAll();
      }
      return null;
    }
    if (!renewing.isComplete()) {
      return null;
    }
    Future<Map<String, String>> done = renewing;
    renewing = null;
    if (done.failed()) {
      System.err.println("session renewal failed, retrying: " + done.cause().getMessage());
      renewing = renewAll();
      return null;
    }
    return done.result();
  }

  /** Refreshes every session now; the new access tokens by user id. */
  Future<Map<String, String>> renewAll() {
    renewedAt = System.nanoTime();
    List<String> userIds = new ArrayList<>(refreshTokens.keySet());
    Map<String, String> accessTokens = new ConcurrentHashMap<>();
    return Lanes.bounded(userIds.size(), concurrency, i -> {
      String userId = userIds.get(i);
      return nodes.get(i % nodes.size()).refresh(refreshTokens.get(userId)).map(tokens -> {
        refreshTokens.put(userId, tokens.getString("refreshToken"));
        accessTokens.put(userId, tokens.getString("accessToken"));
        return (JsonObject) null;
      });
    }).map(all -> accessTokens);
  }
}
