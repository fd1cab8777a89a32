package dev.ocomms.messaging;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.rxjava3.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Unread and mention counts per member of a chat, cached in Redis (one hash per chat: {@code <userId>} and
 * {@code m:<userId>}, plus a {@code _} field that says the hash is complete). PostgreSQL is the truth: a chat whose
 * hash is missing (Redis restarted or flushed) is rebuilt from the messages after each member's read watermark.
 * Redis failures never fail a send or a read; they are logged and the counts heal on the next rebuild.
 */
final class UnreadCounters {
  private static final Logger LOG = LoggerFactory.getLogger(UnreadCounters.class);
  private static final String KEY = "ocomms:unread:";

  // ARGV: the sender, the count of recipients, the recipients (each counts one unread), then the mentioned ones.
  // The sender has read the chat up to their own message, so their counts become 0. Returns -1 when the hash is not
  // complete (the caller rebuilds it); else whether the sender had anything unread, then each recipient's counts.
  private static final String COUNT_MESSAGE = """
      if redis.call('HEXISTS', KEYS[1], '_') == 0 then return -1 end
      local sender = ARGV[1] local n = tonumber(ARGV[2]) local mentioned = {}
      for i = n + 3, #ARGV do mentioned[ARGV[i]] = true end
      local had = tonumber(redis.call('HGET', KEYS[1], sender) or '0') + tonumber(redis.call('HGET', KEYS[1], 'm:' .. sender) or '0')
      redis.call('HSET', KEYS[1], sender, 0, 'm:' .. sender, 0)
      local result = {had}
      for i = 3, n + 2 do
        local unread = redis.call('HINCRBY', KEYS[1], ARGV[i], 1)
        local mentions
        if mentioned[ARGV[i]] then mentions = redis.call('HINCRBY', KEYS[1], 'm:' .. ARGV[i], 1)
        else mentions = tonumber(redis.call('HGET', KEYS[1], 'm:' .. ARGV[i]) or '0') end
        table.insert(result, unread) table.insert(result, mentions)
      end
      return result""";
  // KEYS: chat hashes; ARGV[1]: the user. Per key: {complete, unread, mentions}.
  private static final String READ_MANY = """
      local result = {}
      for i = 1, #KEYS do
        table.insert(result, redis.call('HEXISTS', KEYS[i], '_'))
        table.insert(result, tonumber(redis.call('HGET', KEYS[i], ARGV[1]) or '0'))
        table.insert(result, tonumber(redis.call('HGET', KEYS[i], 'm:' .. ARGV[1]) or '0'))
      end
      return result""";

  /** One member's counts in one chat. */
  record Counts(long unread, long mentions) {
  }

  private final Redis redis;
  private final MessageStore store;

  UnreadCounters(Redis redis, MessageStore store) {
    this.redis = redis;
    this.store = store;
  }

  /**
   * Counts a new message for its recipients and clears the sender's counts; the counts of everyone whose counts
   * changed (the sender only when they had something unread).
   */
  Single<Map<UUID, Counts>> countMessage(UUID chatId, UUID sender, List<UUID> recipients, Set<UUID> mentioned) {
    Request request = Request.cmd(Command.EVAL).arg(COUNT_MESSAGE).arg(1).arg(KEY + chatId)
        .arg(sender.toString()).arg(recipients.size());
    recipients.forEach(id -> request.arg(id.toString()));
    mentioned.forEach(id -> request.arg(id.toString()));
    return redis.rxSend(request)
        .toSingle()
        .flatMap(reply -> {
          if (reply.type() == io.vertx.redis.client.ResponseType.NUMBER) {
            return rebuild(chatId).map(all -> {
              Map<UUID, Counts> counts = onlyRecipients(all, recipients);
              counts.put(sender, all.getOrDefault(sender, new Counts(0, 0)));
              return counts;
            });
          }
          Map<UUID, Counts> counts = new HashMap<>();
          if (reply.get(0).toLong() > 0) {
            counts.put(sender, new Counts(0, 0));
          }
          for (int i = 0; i < recipients.size(); i++) {
            counts.put(recipients.get(i), new Counts(reply.get(1 + 2 * i).toLong(), reply.get(2 + 2 * i).toLong()));
          }
          return Single.just(counts);
        })
        .onErrorResumeNext(failure -> {
          LOG.warn("unread counts not updated: chatId={} reason={}", chatId, failure.toString());
          return Single.just(Map.of());
        });
  }

  /** Sets one member's counts from PostgreSQL (after a read); the counts. */
  Single<Counts> refresh(UUID chatId, UUID userId) {
    return store.unreadOfMembers(chatId, Optional.of(userId))
        .flatMap(all -> {
          long[] values = all.getOrDefault(userId, new long[2]);
          Counts counts = new Counts(values[0], values[1]);
          return redis.rxSend(Request.cmd(Command.EVAL)
                  .arg("if redis.call('HEXISTS', KEYS[1], '_') == 1 then"
                      + " redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], 'm:' .. ARGV[1], ARGV[3]) end return 1")
                  .arg(1).arg(KEY + chatId).arg(userId.toString()).arg(counts.unread()).arg(counts.mentions()))
              .ignoreElement()
              .onErrorComplete()
              .andThen(Single.just(counts));
        });
  }

  /** The caller's counts in each chat, rebuilding chats whose cache is missing. */
  Single<Map<UUID, Counts>> countsOf(UUID userId, List<UUID> chatIds) {
    if (chatIds.isEmpty()) {
      return Single.just(Map.of());
    }
    Request request = Request.cmd(Command.EVAL).arg(READ_MANY).arg(chatIds.size());
    chatIds.forEach(id -> request.arg(KEY + id));
    request.arg(userId.toString());
    return redis.rxSend(request).toSingle()
        .flatMap(reply -> {
          Map<UUID, Counts> counts = new HashMap<>();
          List<UUID> missing = new ArrayList<>();
          for (int i = 0; i < chatIds.size(); i++) {
            if (reply.get(3 * i).toLong() == 1) {
              counts.put(chatIds.get(i), new Counts(reply.get(3 * i + 1).toLong(), reply.get(3 * i + 2).toLong()));
            } else {
              missing.add(chatIds.get(i));
            }
          }
          return Observable.fromIterable(missing)
              .concatMapSingle(chatId -> rebuild(chatId).map(all -> Map.entry(chatId, all)))
              .doOnNext(entry -> counts.put(entry.getKey(), entry.getValue().getOrDefault(userId, new Counts(0, 0))))
              .ignoreElements()
              .andThen(Single.just(counts));
        })
        .onErrorResumeNext(failure -> {
          // Redis is down: answer from PostgreSQL directly.
          LOG.warn("unread counts read from PostgreSQL, Redis unavailable: {}", failure.toString());
          return Observable.fromIterable(chatIds)
              .concatMapSingle(chatId -> store.unreadOfMembers(chatId, Optional.of(userId))
                  .map(all -> Map.entry(chatId, toCounts(all.getOrDefault(userId, new long[2])))))
              .toMap(Map.Entry::getKey, Map.Entry::getValue)
              .map(map -> (Map<UUID, Counts>) new HashMap<>(map));
        });
  }

  /** Recomputes a whole chat's hash from PostgreSQL and marks it complete. */
  Single<Map<UUID, Counts>> rebuild(UUID chatId) {
    return store.unreadOfMembers(chatId, Optional.empty()).flatMap(all -> {
      Request request = Request.cmd(Command.HSET).arg(KEY + chatId).arg("_").arg(1);
      Map<UUID, Counts> counts = new HashMap<>();
      all.forEach((user, values) -> {
        counts.put(user, toCounts(values));
        request.arg(user.toString()).arg(values[0]).arg("m:" + user).arg(values[1]);
      });
      return redis.rxSend(request).ignoreElement().onErrorComplete().andThen(Single.just(counts));
    });
  }

  /** Forgets a chat's cache, so that the next reader rebuilds it (after changes that are hard to count). */
  Completable invalidate(UUID chatId) {
    return redis.rxSend(Request.cmd(Command.DEL).arg(KEY + chatId)).ignoreElement().onErrorComplete();
  }

  private static Map<UUID, Counts> onlyRecipients(Map<UUID, Counts> all, List<UUID> recipients) {
    Map<UUID, Counts> counts = new HashMap<>();
    recipients.forEach(id -> counts.put(id, all.getOrDefault(id, new Counts(0, 0))));
    return counts;
  }

  private static Counts toCounts(long[] values) {
    return new Counts(values[0], values[1]);
  }

}
