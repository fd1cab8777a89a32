package dev.ocomms.notifications;

import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.Ids;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which chat each device of a user shows (clients report it: {@code chat.focus {chatId | null}}), kept in Redis
 * because a user's connections land on any node and any node's follower decides. One hash per user, a field per
 * session (device) holding "chatId|expiresAtMs": a report lasts {@link #TTL_MS} unless repeated, so a device that
 * vanished stops suppressing toasts on its own.
 */
final class Focus {
  private static final Logger LOG = LoggerFactory.getLogger(Focus.class);
  static final long TTL_MS = 120_000;
  /** One hash slot for all users' focus (the hash tag), so that one batch reads many users on a Redis Cluster too. */
  private static final String KEY = "ocomms:{focus}:";

  private final Redis redis;

  Focus(Redis redis) {
    this.redis = redis;
  }

  /** {@code chat.focus {chatId | null}}: the chat the caller's device shows now, or none. */
  Single<JsonObject> report(BusRequest request) {
    Input body = request.body();
    String chatId = body.has("chatId")
        ? Ids.parse(body.string("chatId")).orElseThrow(() -> Input.invalid("chatId", "chatId must be a chat id"))
            .toString()
        : null;
    String key = KEY + request.caller();
    String device = request.sessionId() == null ? "-" : request.sessionId();
    Request change = chatId == null
        ? Request.cmd(Command.HDEL).arg(key).arg(device)
        : Request.cmd(Command.HSET).arg(key).arg(device).arg(chatId + "|" + (System.currentTimeMillis() + TTL_MS));
    return redis.rxSend(change).toSingle()
        .flatMap(done -> redis.rxSend(Request.cmd(Command.PEXPIRE).arg(key).arg(TTL_MS)).toSingle())
        .map(done -> new JsonObject().put("chatId", chatId).put("expiresInMs", chatId == null ? 0 : TTL_MS));
  }

  /**
   * The chats each of these users shows on some device now. Without Redis no chat counts as focused: a toast too
   * many is better than a notification lost.
   */
  Single<Map<String, Set<String>>> focused(Collection<String> userIds) {
    if (userIds.isEmpty()) {
      return Single.just(Map.of());
    }
    List<String> users = new ArrayList<>(userIds);
    List<Request> reads = users.stream().map(user -> Request.cmd(Command.HVALS).arg(KEY + user)).toList();
    return redis.rxBatch(reads).map(replies -> {
      long now = System.currentTimeMillis();
      Map<String, Set<String>> focused = new HashMap<>();
      for (int i = 0; i < users.size(); i++) {
        Response values = replies.get(i);
        Set<String> chats = new HashSet<>();
        if (values != null) {
          for (Response entry : values) {
            String value = entry.toString();
            int bar = value.indexOf('|');
            if (bar > 0 && Long.parseLong(value.substring(bar + 1)) > now) {
              chats.add(value.substring(0, bar));
            }
          }
        }
        focused.put(users.get(i), chats);
      }
      return focused;
    }).onErrorReturn(failure -> {
      LOG.warn("focus not read, no chat counts as focused: reason={}", failure.toString());
      return Map.of();
    });
  }
}
