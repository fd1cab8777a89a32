package dev.ocomms.presence;

import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.rxjava3.redis.client.Redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Presence and typing in Redis, every step one atomic Lua script with Redis's own clock, so that every node of the
 * cluster sees and changes the same state and no node's timers matter (keys under {@code ocomms:{presence}:}):
 * <ul>
 *   <li>{@code sessions:<user>}: the user's connections, each with an expiry that heartbeats push forward, so that
 *       the sessions of a crashed node lapse by themselves ({@code OCOMMS_PRESENCE_SESSION_TTL_SECONDS});</li>
 *   <li>{@code state:<user>}: chosen status, idle flag, online flag, last seen;</li>
 *   <li>{@code deadlines}: when each online user's last session lapses, for the sweep that takes them offline;</li>
 *   <li>{@code subscribers:<user>}: who wants to hear about the user, each until their subscription lapses;</li>
 *   <li>{@code due}: users whose state changed, each with when to announce it: the first change of a batch sets it
 *       2 s ahead and later ones join it; a status update waits for the end of the user's 10-second window
 *       ({@code window:<user>}, set when an update is announced; {@code updates} marks the users whose next
 *       announcement carries one). Whichever node runs {@link #takeDue} first announces a user, exactly once;</li>
 *   <li>{@code typing}: who types where ({@code "<chatId> <userId>"}), until when; {@code typing-start:<chatId> <userId>}
 *       rations starts to one a second.</li>
 * </ul>
 */
final class PresenceStore {
  static final long SUBSCRIPTION_TTL_MS = 600_000;
  /**
   * Every key shares the hash tag {@code {presence}}: a script reads and writes many users' keys at once, which a Redis
   * Cluster allows only within one hash slot. Each script names {@link #SLOT_KEY} as its one key, so that a cluster
   * client sends it to the master of that slot.
   */
  private static final String P = "ocomms:{presence}:";
  private static final String SLOT_KEY = P + "due";

  private static final String NOW = """
      if redis.replicate_commands then redis.replicate_commands() end
      local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)
      local P = 'ocomms:{presence}:'
      """;
  // ARGV: ttl, batch window, then user/connection pairs. Returns how many users came online.
  private static final String REFRESH_SESSIONS = NOW + """
      local ttl = tonumber(ARGV[1]) local came = 0
      for i = 3, #ARGV, 2 do
        local user = ARGV[i] local sessions = P .. 'sessions:' .. user local state = P .. 'state:' .. user
        redis.call('ZADD', sessions, now + ttl, ARGV[i + 1]) redis.call('PEXPIRE', sessions, ttl * 2)
        redis.call('ZADD', P .. 'deadlines', 'GT', now + ttl, user)
        if redis.call('HGET', state, 'online') ~= '1' then
          redis.call('HSET', state, 'online', '1')
          redis.call('ZADD', P .. 'due', 'LT', now + tonumber(ARGV[2]), user) came = came + 1
        end
        redis.call('EXPIRE', state, 2592000)
      end
      return came""";
  // ARGV: user, connection, batch window. Returns the lastSeen when the user just went offline, else 0.
  private static final String CLOSE_SESSION = NOW + """
      local sessions = P .. 'sessions:' .. ARGV[1] local state = P .. 'state:' .. ARGV[1]
      redis.call('ZREM', sessions, ARGV[2]) redis.call('ZREMRANGEBYSCORE', sessions, '-inf', now)
      if redis.call('ZCARD', sessions) > 0 then return 0 end
      redis.call('ZREM', P .. 'deadlines', ARGV[1])
      if redis.call('HGET', state, 'online') ~= '1' then return 0 end
      redis.call('HSET', state, 'online', '0', 'lastSeen', now)
      redis.call('ZADD', P .. 'due', 'LT', now + tonumber(ARGV[3]), ARGV[1])
      return now""";
  // ARGV: how many at most, batch window. Takes offline the users whose last session lapsed; how many.
  private static final String SWEEP = NOW + """
      local due = redis.call('ZRANGEBYSCORE', P .. 'deadlines', '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
      local gone = 0
      for _, user in ipairs(due) do
        local sessions = P .. 'sessions:' .. user local state = P .. 'state:' .. user
        redis.call('ZREMRANGEBYSCORE', sessions, '-inf', now)
        if redis.call('ZCARD', sessions) == 0 then
          redis.call('ZREM', P .. 'deadlines', user)
          if redis.call('HGET', state, 'online') == '1' then
            redis.call('HSET', state, 'online', '0', 'lastSeen', now)
            redis.call('ZADD', P .. 'due', 'LT', now + tonumber(ARGV[2]), user) gone = gone + 1
          end
        else
          local last = redis.call('ZRANGE', sessions, -1, -1, 'WITHSCORES')
          redis.call('ZADD', P .. 'deadlines', last[2], user)
        end
      end
      return gone""";
  // ARGV: users. Per user: online, status, idle, lastSeen.
  private static final String READ = """
      local result = {}
      for i = 1, #ARGV do
        local s = redis.call('HMGET', 'ocomms:{presence}:state:' .. ARGV[i], 'online', 'status', 'idle', 'lastSeen')
        table.insert(result, s[1] or '0') table.insert(result, s[2] or '') table.insert(result, s[3] or '0')
        table.insert(result, s[4] or '')
      end
      return result""";
  // ARGV: user, batch window, status ('' = unchanged), idle ('' = unchanged). Returns online, status, idle, lastSeen.
  private static final String UPDATE = NOW + """
      local user = ARGV[1] local state = P .. 'state:' .. user
      if ARGV[3] ~= '' then redis.call('HSET', state, 'status', ARGV[3]) end
      if ARGV[4] ~= '' then redis.call('HSET', state, 'idle', ARGV[4]) end
      redis.call('EXPIRE', state, 2592000)
      local left = redis.call('PTTL', P .. 'window:' .. user)
      redis.call('ZADD', P .. 'due', 'LT', now + math.max(left, tonumber(ARGV[2])), user)
      redis.call('SADD', P .. 'updates', user)
      local s = redis.call('HMGET', state, 'online', 'status', 'idle', 'lastSeen')
      return {s[1] or '0', s[2] or '', s[3] or '0', s[4] or ''}""";
  // ARGV: how many at most, update window. Takes the users whose announcement is due, each exactly once:
  // per user {user, online, status, idle, lastSeen, {subscribers}} (users nobody follows are left out).
  private static final String TAKE_DUE = NOW + """
      local due = redis.call('ZRANGEBYSCORE', P .. 'due', '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
      local result = {}
      for _, user in ipairs(due) do
        redis.call('ZREM', P .. 'due', user)
        if redis.call('SREM', P .. 'updates', user) == 1 then
          redis.call('SET', P .. 'window:' .. user, '1', 'PX', tonumber(ARGV[2]))
        end
        local followers = P .. 'subscribers:' .. user
        redis.call('ZREMRANGEBYSCORE', followers, '-inf', now)
        local subscribers = redis.call('ZRANGE', followers, 0, -1)
        if #subscribers > 0 then
          local s = redis.call('HMGET', P .. 'state:' .. user, 'online', 'status', 'idle', 'lastSeen')
          table.insert(result, {user, s[1] or '0', s[2] or '', s[3] or '0', s[4] or '', subscribers})
        end
      end
      return result""";
  // ARGV: subscriber, ttl, targets.
  private static final String SUBSCRIBE = NOW + """
      for i = 3, #ARGV do
        local key = P .. 'subscribers:' .. ARGV[i]
        redis.call('ZADD', key, now + tonumber(ARGV[2]), ARGV[1]) redis.call('PEXPIRE', key, tonumber(ARGV[2]))
      end
      return 1""";
  // ARGV: "<chatId> <userId>", expiry, minimum interval between starts.
  // Returns -1 when a start came less than the interval ago, 1 when typing starts, 0 when it goes on.
  private static final String TYPING_START = NOW + """
      if not redis.call('SET', P .. 'typing-start:' .. ARGV[1], '1', 'PX', tonumber(ARGV[3]), 'NX') then
        return -1
      end
      local was = redis.call('ZSCORE', P .. 'typing', ARGV[1])
      redis.call('ZADD', P .. 'typing', now + tonumber(ARGV[2]), ARGV[1])
      if was then return 0 end
      return 1""";
  // ARGV: "<chatId> <userId>". Returns 1 when that typing was going on (and has now ended), else 0.
  private static final String TYPING_STOP = """
      redis.call('DEL', 'ocomms:{presence}:typing-start:' .. ARGV[1])
      return redis.call('ZREM', 'ocomms:{presence}:typing', ARGV[1])""";
  // ARGV: how many at most. Ends the typing that expired; each "<chatId> <userId>" is returned to one caller.
  private static final String TYPING_EXPIRED = NOW + """
      local ended = redis.call('ZRANGEBYSCORE', P .. 'typing', '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
      for _, member in ipairs(ended) do redis.call('ZREM', P .. 'typing', member) end
      return ended""";

  /** One announcement: the user's state and who subscribed to it. */
  record Change(PresenceState state, List<String> subscribers) {
  }

  private final Redis redis;
  private final long sessionTtlMs;
  private final long batchWindowMs;
  private final long updateIntervalMs;

  PresenceStore(Redis redis, long sessionTtlMs, long batchWindowMs, long updateIntervalMs) {
    this.redis = redis;
    this.sessionTtlMs = sessionTtlMs;
    this.batchWindowMs = batchWindowMs;
    this.updateIntervalMs = updateIntervalMs;
  }

  /** Marks connections live for another session lifetime; users who were offline until now become due. */
  Single<Long> refreshSessions(Collection<String[]> userConnectionPairs) {
    if (userConnectionPairs.isEmpty()) {
      return Single.just(0L);
    }
    Request request = eval(REFRESH_SESSIONS).arg(sessionTtlMs).arg(batchWindowMs);
    userConnectionPairs.forEach(pair -> request.arg(pair[0]).arg(pair[1]));
    return send(request).map(Response::toLong);
  }

  /** Ends a connection; the user's lastSeen (epoch ms) when it was their last one (they become due), else 0. */
  Single<Long> closeSession(String userId, String connectionId) {
    return send(eval(CLOSE_SESSION).arg(userId).arg(connectionId).arg(batchWindowMs)).map(Response::toLong);
  }

  /** Takes offline the users whose sessions all lapsed (a crashed node's users); how many. */
  Single<Long> sweep(int limit) {
    return send(eval(SWEEP).arg(limit).arg(batchWindowMs)).map(Response::toLong);
  }

  Single<List<PresenceState>> read(List<String> userIds) {
    if (userIds.isEmpty()) {
      return Single.just(List.of());
    }
    Request request = eval(READ);
    userIds.forEach(request::arg);
    return send(request).map(reply -> {
      List<PresenceState> states = new ArrayList<>();
      for (int i = 0; i < userIds.size(); i++) {
        states.add(state(userIds.get(i), reply, 4 * i));
      }
      return states;
    });
  }

  /**
   * Sets the chosen status and/or idle flag; the user's state now, as others will see it while the user is connected
   * (the report of their connection may still be on its way). Its announcement waits for the user's window.
   */
  Single<PresenceState> update(String userId, String status, Boolean idle) {
    Request request = eval(UPDATE).arg(userId).arg(batchWindowMs).arg(status == null ? "" : status)
        .arg(idle == null ? "" : idle ? "1" : "0");
    return send(request).map(reply -> PresenceState.of(userId, true, reply.get(1).toString(),
        "1".equals(reply.get(2).toString()), null));
  }

  /** The announcements due now, each taken by exactly one node. */
  Single<List<Change>> takeDue(int limit) {
    return send(eval(TAKE_DUE).arg(limit).arg(updateIntervalMs)).map(reply -> {
      List<Change> changes = new ArrayList<>();
      for (Response entry : reply) {
        List<String> subscribers = strings(entry.get(5));
        changes.add(new Change(state(entry.get(0).toString(), entry, 1), subscribers));
      }
      return changes;
    });
  }

  Single<Boolean> subscribe(String subscriberId, List<String> targets) {
    Request request = eval(SUBSCRIBE).arg(subscriberId).arg(SUBSCRIPTION_TTL_MS);
    targets.forEach(request::arg);
    return send(request).map(reply -> true);
  }

  Single<Boolean> unsubscribe(String subscriberId, List<String> targets) {
    return Observable.fromIterable(targets)
        .concatMapSingle(target -> send(Request.cmd(Command.ZREM).arg(P + "subscribers:" + target).arg(subscriberId)))
        .ignoreElements()
        .toSingleDefault(true);
  }

  /** A start of typing: -1 when dropped (another start less than {@code minIntervalMs} ago), 1 when new, 0 when not. */
  Single<Long> startTyping(String chatId, String userId, long expiryMs, long minIntervalMs) {
    return send(eval(TYPING_START).arg(typingKey(chatId, userId)).arg(expiryMs).arg(minIntervalMs))
        .map(Response::toLong);
  }

  /** Whether the user was typing in the chat; it has ended now. */
  Single<Boolean> stopTyping(String chatId, String userId) {
    return send(eval(TYPING_STOP).arg(typingKey(chatId, userId))).map(reply -> reply.toLong() > 0);
  }

  /** Typing that expired, as {chatId, userId} pairs, each returned to one caller. */
  Single<List<String[]>> expiredTyping(int limit) {
    return send(eval(TYPING_EXPIRED).arg(limit))
        .map(reply -> strings(reply).stream().map(member -> member.split(" ", 2)).toList());
  }

  private static String typingKey(String chatId, String userId) {
    return chatId + " " + userId;
  }

  /** online, status, idle, lastSeen at {@code from} in a script's reply. */
  private static PresenceState state(String userId, Response reply, int from) {
    String lastSeen = reply.get(from + 3).toString();
    return PresenceState.of(userId, "1".equals(reply.get(from).toString()), reply.get(from + 1).toString(),
        "1".equals(reply.get(from + 2).toString()), lastSeen.isEmpty() ? null : Long.parseLong(lastSeen));
  }

  private static Request eval(String script) {
    return Request.cmd(Command.EVAL).arg(script).arg(1).arg(SLOT_KEY);
  }

  private Single<Response> send(Request request) {
    return redis.rxSend(request).toSingle();
  }

  private static List<String> strings(Response reply) {
    List<String> values = new ArrayList<>();
    if (reply != null) {
      reply.forEach(item -> values.add(item.toString()));
    }
    return values;
  }
}
