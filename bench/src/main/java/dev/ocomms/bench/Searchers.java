package dev.ocomms.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The search scenario's bridge connections, one per user, taken in turn so that the load is spread over users: the
 * server allows 5 searches per second per user, and each user here searches at most once per {@code gap} (250 ms by
 * default: 4 a second). A search is {@code search.query} over the user's connection, timed from the request to its
 * reply on the connection's event loop, and given up after {@link #TIMEOUT_MS}.
 */
final class Searchers {
  /** A search with no reply by then counts as {@code timeout}. */
  static final long TIMEOUT_MS = 5000;

  /** One user's connection, with the time its next search may go out. */
  static final class Searcher {
    final SearchWorkspace.User user;
    final BridgeClient bridge;
    private long nextFreeNanos;

    Searcher(SearchWorkspace.User user, BridgeClient bridge) {
      this.user = user;
      this.bridge = bridge;
    }

    /** Books this user's next search slot; how long to wait for it (0: now). */
    synchronized long reserve(long gapNanos) {
      long now = System.nanoTime();
      long slot = Math.max(now, nextFreeNanos);
      nextFreeNanos = slot + gapNanos;
      return slot - now;
    }

    /** Books a slot only when one is free now. */
    synchronized boolean tryReserve(long gapNanos) {
      long now = System.nanoTime();
      if (nextFreeNanos > now) {
        return false;
      }
      nextFreeNanos = now + gapNanos;
      return true;
    }
  }

  /** A search's outcome: its reply (null when it failed), its error code (null when it did not) and its time. */
  record Answer(JsonObject reply, String error, long nanos) {
    int resultCount() {
      return reply == null ? 0 : reply.getJsonArray("results", new JsonArray()).size();
    }

    /** Whether a message result has this id. */
    boolean finds(String messageId) {
      return reply != null && reply.getJsonArray("results", new JsonArray()).stream()
          .anyMatch(result -> result instanceof JsonObject json && messageId.equals(json.getString("messageId")));
    }
  }

  private final Vertx vertx;
  private final List<Searcher> searchers;
  private final String workspaceId;
  private final long gapNanos;
  private final AtomicInteger turn = new AtomicInteger();

  Searchers(Vertx vertx, List<Searcher> searchers, String workspaceId, long gapMs) {
    this.vertx = vertx;
    this.searchers = searchers;
    this.workspaceId = workspaceId;
    this.gapNanos = TimeUnit.MILLISECONDS.toNanos(gapMs);
  }

  List<Searcher> all() {
    return searchers;
  }

  /** The next user in turn; the search goes out once that user's pace allows. */
  Future<Answer> next(String q) {
    Searcher searcher = searchers.get(Math.floorMod(turn.getAndIncrement(), searchers.size()));
    return by(searcher, q);
  }

  /** A lookup of people or channels by prefix ({@code scope}) by the next user in turn, at once (its own allowance). */
  Future<Answer> suggest(String scope, String prefix) {
    Searcher searcher = searchers.get(Math.floorMod(turn.getAndIncrement(), searchers.size()));
    return send(searcher, new JsonObject().put("workspaceId", workspaceId).put("q", prefix).put("scope", scope));
  }

  /** A search by the next user in turn that may search right now; null when none may. */
  Future<Answer> nextFree(String q) {
    for (int tries = 0; tries < searchers.size(); tries++) {
      Searcher searcher = searchers.get(Math.floorMod(turn.getAndIncrement(), searchers.size()));
      if (searcher.tryReserve(gapNanos)) {
        return send(searcher, q);
      }
    }
    return null;
  }

  /** A search by this user, once its pace allows. */
  Future<Answer> by(Searcher searcher, String q) {
    long waitNanos = searcher.reserve(gapNanos);
    if (waitNanos <= 0) {
      return send(searcher, q);
    }
    Promise<Answer> later = Promise.promise();
    vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)), id -> send(searcher, q).onComplete(later));
    return later.future();
  }

  private Future<Answer> send(Searcher searcher, String q) {
    return send(searcher, new JsonObject().put("workspaceId", workspaceId).put("q", q));
  }

  private Future<Answer> send(Searcher searcher, JsonObject body) {
    Promise<Answer> answer = Promise.promise();
    // On the connection's own event loop: a connection is used from one thread only.
    searcher.bridge.context().runOnContext(v -> {
      long start = System.nanoTime();
      long timer = vertx.setTimer(TIMEOUT_MS, id -> answer.tryComplete(new Answer(null, "timeout",
          System.nanoTime() - start)));
      searcher.bridge.request("search.query", body).onComplete(done -> {
        vertx.cancelTimer(timer);
        long nanos = System.nanoTime() - start;
        if (done.succeeded()) {
          answer.tryComplete(new Answer(done.result(), null, nanos));
        } else {
          answer.tryComplete(new Answer(null, done.cause() instanceof BridgeClient.BenchFailure failure
              ? codeOf(failure) : done.cause().getClass().getSimpleName(), nanos));
        }
      });
    });
    return answer.future();
  }

  /** The error's code, with its reason when it has one ({@code unavailable/search_unavailable}). */
  private static String codeOf(BridgeClient.BenchFailure failure) {
    String reason = failure.problem.getString("reason");
    return failure.code() + (reason == null ? "" : "/" + reason);
  }

  /** Counts of error codes as JSON. */
  static JsonObject counts(Map<String, ? extends Number> counts) {
    JsonObject json = new JsonObject();
    counts.forEach((code, count) -> json.put(code, count.longValue()));
    return json;
  }
}
