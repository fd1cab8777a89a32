package dev.ocomms.messaging;

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
 * Unread and mention counts per member of a chat, cached in Redis: one hash per chat with {@code <userId>} (unread),
 * {@code m:<userId>} (mentions) and {@code c:<userId>} (the chat seq those counts are exact through), plus a
 * {@code _} field that says the hash is complete and holds the seq it was built at (the default for members without a
 * {@code c:} field, who joined later).
 *
 * <p>PostgreSQL is the truth. Counting runs after each commit, on any node, so increments arrive in any order and can
 * overtake a recount: every recount from PostgreSQL is taken together with the chat's {@code last_seq} (changes commit
 * in seq order, so that snapshot holds exactly the changes up to it), a recount only replaces counts that are older
 * than it (keeping the messages counted after its snapshot, remembered per member), and a message only counts for a
 * member whose counts are older than the message. Whatever the interleaving,
 * the cache ends where PostgreSQL is. A chat whose hash is missing (Redis restarted or flushed) is rebuilt. Redis
 * failures never fail a send or a read; they are logged and the counts heal on the next rebuild.
 */
final class UnreadCounters {
  private static final Logger LOG = LoggerFactory.getLogger(UnreadCounters.class);
  private static final String KEY = "ocomms:unread:";

  // ARGV: the message's seq, the count of recipients, the recipients (each counts one unread), then the mentioned
  // ones. Returns -1 when the hash is not complete (the caller rebuilds it); else per recipient {changed, unread,
  // mentions}.
  private static final String COUNT_MESSAGE = """
      local base = redis.call('HGET', KEYS[1], '_')
      if not base then return -1 end
      local seq = tonumber(ARGV[1]) local n = tonumber(ARGV[2]) local mentioned = {}
      for i = n + 3, #ARGV do mentioned[ARGV[i]] = true end
      local result = {}
      for i = 3, n + 2 do
        local user = ARGV[i]
        local through = tonumber(redis.call('HGET', KEYS[1], 'c:' .. user) or base)
        local changed = 0
        if seq > through then
          changed = 1
          redis.call('HINCRBY', KEYS[1], user, 1)
          -- Remember what was counted past the last recount, so that a recount from an older snapshot that lands
          -- later keeps it (the newest 200 are plenty: only messages still in flight matter).
          local counted = KEYS[1] .. ':counted:' .. user
          redis.call('ZADD', counted, seq, seq) redis.call('ZREMRANGEBYRANK', counted, 0, -201)
          if mentioned[user] then
            redis.call('HINCRBY', KEYS[1], 'm:' .. user, 1)
            local mentionedKey = KEYS[1] .. ':mentioned:' .. user
            redis.call('ZADD', mentionedKey, seq, seq) redis.call('ZREMRANGEBYRANK', mentionedKey, 0, -201)
          end
        end
        table.insert(result, changed)
        table.insert(result, tonumber(redis.call('HGET', KEYS[1], user) or '0'))
        table.insert(result, tonumber(redis.call('HGET', KEYS[1], 'm:' .. user) or '0'))
      end
      return result""";
  // ARGV: the seq the counts were taken at, 1 to create a missing hash (else leave it missing), then per member
  // {user, unread, mentions}. Counts older than the snapshot are replaced. Returns per member {changed, unread,
  // mentions} as the cache now holds them (the given counts when the hash is missing and not created).
  private static final String SET_COUNTS = """
      local snapshot = tonumber(ARGV[1])
      local base = redis.call('HGET', KEYS[1], '_')
      local store = true
      if not base then
        if ARGV[2] == '1' then redis.call('HSET', KEYS[1], '_', snapshot) base = snapshot else store = false end
      end
      local result = {}
      for i = 3, #ARGV, 3 do
        local user = ARGV[i] local unread = tonumber(ARGV[i + 1]) local mentions = tonumber(ARGV[i + 2])
        local changed = 0
        if store then
          local before = tonumber(redis.call('HGET', KEYS[1], user) or '0')
          local mentionsBefore = tonumber(redis.call('HGET', KEYS[1], 'm:' .. user) or '0')
          local through = tonumber(redis.call('HGET', KEYS[1], 'c:' .. user) or base)
          if snapshot >= through then
            -- Messages counted after this snapshot was taken are not in it: add them back.
            local counted = KEYS[1] .. ':counted:' .. user local mentionedKey = KEYS[1] .. ':mentioned:' .. user
            unread = unread + redis.call('ZCOUNT', counted, '(' .. snapshot, '+inf')
            mentions = mentions + redis.call('ZCOUNT', mentionedKey, '(' .. snapshot, '+inf')
            redis.call('ZREMRANGEBYSCORE', counted, '-inf', snapshot)
            redis.call('ZREMRANGEBYSCORE', mentionedKey, '-inf', snapshot)
            redis.call('HSET', KEYS[1], user, unread, 'm:' .. user, mentions, 'c:' .. user, snapshot)
          else
            unread = before mentions = mentionsBefore
          end
          if unread ~= before or mentions ~= mentionsBefore then changed = 1 end
        end
        table.insert(result, changed) table.insert(result, unread) table.insert(result, mentions)
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
   * Counts a new message for its recipients (the members whose read watermark is below it, sender excluded); the
   * counts of everyone whose counts changed.
   */
  Single<Map<UUID, Counts>> countMessage(UUID chatId, long seq, List<UUID> recipients, Set<UUID> mentioned) {
    if (recipients.isEmpty()) {
      return Single.just(Map.of());
    }
    Request request = Request.cmd(Command.EVAL).arg(COUNT_MESSAGE).arg(1).arg(KEY + chatId)
        .arg(seq).arg(recipients.size());
    recipients.forEach(id -> request.arg(id.toString()));
    mentioned.forEach(id -> request.arg(id.toString()));
    return redis.rxSend(request)
        .toSingle()
        .flatMap(reply -> {
          if (reply.type() == io.vertx.redis.client.ResponseType.NUMBER) {
            // The rebuilt counts include this message: it committed before the recount's snapshot.
            return rebuild(chatId);
          }
          Map<UUID, Counts> changed = new HashMap<>();
          for (int i = 0; i < recipients.size(); i++) {
            if (reply.get(3 * i).toLong() == 1) {
              changed.put(recipients.get(i), new Counts(reply.get(3 * i + 1).toLong(), reply.get(3 * i + 2).toLong()));
            }
          }
          return Single.just(changed);
        })
        .onErrorResumeNext(failure -> {
          LOG.warn("unread counts not updated: chatId={} reason={}", chatId, failure.toString());
          return Single.just(Map.of());
        });
  }

  /** One member's counts after their watermark moved: recounted from PostgreSQL, and whether the cache changed. */
  record Refreshed(Counts counts, boolean changed) {
  }

  /** Recounts one member from PostgreSQL (after a read, or after their own message); their counts now. */
  Single<Refreshed> refresh(UUID chatId, UUID userId) {
    return store.unreadOfMembers(chatId, Optional.of(userId))
        .flatMap(snapshot -> setCounts(chatId, snapshot, false)
            .map(all -> all.getOrDefault(userId, new Refreshed(new Counts(0, 0), false))));
  }

  /**
   * Sets members' counts known exactly as of the chat's {@code seq} without asking PostgreSQL (the senders of a batch
   * that ended at {@code seq}); per member, the counts now and whether the cache changed.
   */
  Single<Map<UUID, Refreshed>> setAt(UUID chatId, long seq, Map<UUID, long[]> counts) {
    return setCounts(chatId, new MessageStore.UnreadSnapshot(seq, counts), false);
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
              .concatMapSingle(chatId -> store.unreadOfMembers(chatId, Optional.empty())
                  .flatMap(snapshot -> setCounts(chatId, snapshot, true))
                  .map(all -> Map.entry(chatId, all)))
              .doOnNext(entry -> counts.put(entry.getKey(), Optional.ofNullable(entry.getValue().get(userId))
                  .map(Refreshed::counts).orElse(new Counts(0, 0))))
              .ignoreElements()
              .andThen(Single.just(counts));
        })
        .onErrorResumeNext(failure -> {
          // Redis is down: answer from PostgreSQL directly.
          LOG.warn("unread counts read from PostgreSQL, Redis unavailable: {}", failure.toString());
          return Observable.fromIterable(chatIds)
              .concatMapSingle(chatId -> store.unreadOfMembers(chatId, Optional.of(userId))
                  .map(snapshot -> Map.entry(chatId, toCounts(snapshot.counts().getOrDefault(userId, new long[2])))))
              .toMap(Map.Entry::getKey, Map.Entry::getValue)
              .map(map -> (Map<UUID, Counts>) new HashMap<>(map));
        });
  }

  /**
   * Recounts a whole chat from PostgreSQL (creating its hash when missing), after changes that are hard to count
   * one by one (a deleted message, edited mentions); the counts of everyone whose counts changed.
   */
  Single<Map<UUID, Counts>> rebuild(UUID chatId) {
    return store.unreadOfMembers(chatId, Optional.empty())
        .flatMap(snapshot -> setCounts(chatId, snapshot, true))
        .map(all -> {
          Map<UUID, Counts> changed = new HashMap<>();
          all.forEach((user, refreshed) -> {
            if (refreshed.changed()) {
              changed.put(user, refreshed.counts());
            }
          });
          return changed;
        });
  }

  private Single<Map<UUID, Refreshed>> setCounts(UUID chatId, MessageStore.UnreadSnapshot snapshot, boolean create) {
    List<UUID> users = new ArrayList<>(snapshot.counts().keySet());
    Map<UUID, Refreshed> fromPg = new HashMap<>();
    users.forEach(user -> fromPg.put(user, new Refreshed(toCounts(snapshot.counts().get(user)), false)));
    if (users.isEmpty()) {
      return Single.just(fromPg);
    }
    Request request = Request.cmd(Command.EVAL).arg(SET_COUNTS).arg(1).arg(KEY + chatId)
        .arg(snapshot.seq()).arg(create ? 1 : 0);
    users.forEach(user -> {
      long[] values = snapshot.counts().get(user);
      request.arg(user.toString()).arg(values[0]).arg(values[1]);
    });
    return redis.rxSend(request).toSingle()
        .map(reply -> {
          Map<UUID, Refreshed> result = new HashMap<>();
          for (int i = 0; i < users.size(); i++) {
            result.put(users.get(i), new Refreshed(
                new Counts(reply.get(3 * i + 1).toLong(), reply.get(3 * i + 2).toLong()),
                reply.get(3 * i).toLong() == 1));
          }
          return result;
        })
        .onErrorReturn(failure -> {
          LOG.warn("unread counts not cached: chatId={} reason={}", chatId, failure.toString());
          return fromPg;
        });
  }

  private static Counts toCounts(long[] values) {
    return new Counts(values[0], values[1]);
  }
}
