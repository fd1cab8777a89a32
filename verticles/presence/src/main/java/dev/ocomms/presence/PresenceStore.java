package dev.ocomms.presence;

import io.reactivex.rxjava3.core.Single;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.rxjava3.redis.client.Redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Presence in Redis, every step one atomic Lua script with Redis's own clock:
 * <ul>
 *   <li>{@code sessions:<user>}: the user's connections, each with an expiry that heartbeats push forward, so that
 *       the sessions of a crashed node lapse by themselves ({@code OCOMMS_PRESENCE_SESSION_TTL_SECONDS});</li>
 *   <li>{@code state:<user>}: chosen status, idle flag, online flag, last seen;</li>
 *   <li>{@code deadlines}: when each online user's last session lapses, for the sweep that announces it;</li>
 *   <li>{@code subscribers:<user>}: who wants to hear about the user, each until their subscription lapses.</li>
 * </ul>
 */
final class PresenceStore {
  static final long SUBSCRIPTION_TTL_MS = 600_000;
  private static final String P = "ocomms:presence:";

  private static final String NOW = """
      if redis.replicate_commands then redis.replicate_commands() end
      local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)
      """;
  // ARGV: ttl, then user/connection pairs. Returns the users that just came online.
  private static final String REFRESH_SESSIONS = NOW + """
      local ttl = tonumber(ARGV[1]) local came = {}
      for i = 2, #ARGV, 2 do
        local user = ARGV[i] local sessions = 'ocomms:presence:sessions:' .. user
        local state = 'ocomms:presence:state:' .. user
        redis.call('ZADD', sessions, now + ttl, ARGV[i + 1]) redis.call('PEXPIRE', sessions, ttl * 2)
        redis.call('ZADD', 'ocomms:presence:deadlines', 'GT', now + ttl, user)
        if redis.call('HGET', state, 'online') ~= '1' then
          redis.call('HSET', state, 'online', '1') table.insert(came, user)
        end
        redis.call('EXPIRE', state, 2592000)
      end
      return came""";
  // ARGV: user, connection. Returns the lastSeen when the user just went offline, else 0.
  private static final String CLOSE_SESSION = NOW + """
      local sessions = 'ocomms:presence:sessions:' .. ARGV[1] local state = 'ocomms:presence:state:' .. ARGV[1]
      redis.call('ZREM', sessions, ARGV[2]) redis.call('ZREMRANGEBYSCORE', sessions, '-inf', now)
      if redis.call('ZCARD', sessions) > 0 then return 0 end
      redis.call('ZREM', 'ocomms:presence:deadlines', ARGV[1])
      if redis.call('HGET', state, 'online') ~= '1' then return 0 end
      redis.call('HSET', state, 'online', '0', 'lastSeen', now) return now""";
  // ARGV: how many at most. Returns user, lastSeen pairs of users whose last session lapsed.
  private static final String SWEEP = NOW + """
      local due = redis.call('ZRANGEBYSCORE', 'ocomms:presence:deadlines', '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
      local gone = {}
      for _, user in ipairs(due) do
        local sessions = 'ocomms:presence:sessions:' .. user local state = 'ocomms:presence:state:' .. user
        redis.call('ZREMRANGEBYSCORE', sessions, '-inf', now)
        if redis.call('ZCARD', sessions) == 0 then
          redis.call('ZREM', 'ocomms:presence:deadlines', user)
          if redis.call('HGET', state, 'online') == '1' then
            redis.call('HSET', state, 'online', '0', 'lastSeen', now)
            table.insert(gone, user) table.insert(gone, now)
          end
        else
          local last = redis.call('ZRANGE', sessions, -1, -1, 'WITHSCORES')
          redis.call('ZADD', 'ocomms:presence:deadlines', last[2], user)
        end
      end
      return gone""";
  // ARGV: users. Per user: online, status, idle, lastSeen.
  private static final String READ = """
      local result = {}
      for i = 1, #ARGV do
        local s = redis.call('HMGET', 'ocomms:presence:state:' .. ARGV[i], 'online', 'status', 'idle', 'lastSeen')
        table.insert(result, s[1] or '0') table.insert(result, s[2] or '') table.insert(result, s[3] or '0')
        table.insert(result, s[4] or '')
      end
      return result""";
  // ARGV: subscriber, ttl, targets.
  private static final String SUBSCRIBE = NOW + """
      for i = 3, #ARGV do
        local key = 'ocomms:presence:subscribers:' .. ARGV[i]
        redis.call('ZADD', key, now + tonumber(ARGV[2]), ARGV[1]) redis.call('PEXPIRE', key, tonumber(ARGV[2]))
      end
      return 1""";
  private static final String SUBSCRIBERS = NOW + """
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) return redis.call('ZRANGE', KEYS[1], 0, -1)""";

  private final Redis redis;
  private final long sessionTtlMs;

  PresenceStore(Redis redis, long sessionTtlMs) {
    this.redis = redis;
    this.sessionTtlMs = sessionTtlMs;
  }

  /** Marks connections live for another session lifetime; the users who were offline until now. */
  Single<List<String>> refreshSessions(Collection<String[]> userConnectionPairs) {
    if (userConnectionPairs.isEmpty()) {
      return Single.just(List.of());
    }
    Request request = eval(REFRESH_SESSIONS).arg(sessionTtlMs);
    userConnectionPairs.forEach(pair -> request.arg(pair[0]).arg(pair[1]));
    return send(request).map(PresenceStore::strings);
  }

  /** Ends a connection; the user's lastSeen (epoch ms) when it was their last one, else 0. */
  Single<Long> closeSession(String userId, String connectionId) {
    return send(eval(CLOSE_SESSION).arg(userId).arg(connectionId)).map(Response::toLong);
  }

  /** Users whose sessions all lapsed since the last sweep, with their lastSeen; each is returned to one sweeper. */
  Single<List<PresenceState>> sweep(int limit) {
    return send(eval(SWEEP).arg(limit)).map(reply -> {
      List<PresenceState> gone = new ArrayList<>();
      for (int i = 0; i + 1 < reply.size(); i += 2) {
        gone.add(new PresenceState(reply.get(i).toString(), "offline", reply.get(i + 1).toLong()));
      }
      return gone;
    });
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
        String lastSeen = reply.get(4 * i + 3).toString();
        states.add(PresenceState.of(userIds.get(i), "1".equals(reply.get(4 * i).toString()),
            reply.get(4 * i + 1).toString(), "1".equals(reply.get(4 * i + 2).toString()),
            lastSeen.isEmpty() ? null : Long.parseLong(lastSeen)));
      }
      return states;
    });
  }

  Single<Boolean> setChosen(String userId, String status, Boolean idle) {
    Request request = Request.cmd(Command.HSET).arg(P + "state:" + userId);
    if (status != null) {
      request.arg("status").arg(status);
    }
    if (idle != null) {
      request.arg("idle").arg(idle ? "1" : "0");
    }
    return send(request).map(reply -> true);
  }

  Single<Boolean> subscribe(String subscriberId, List<String> targets) {
    Request request = eval(SUBSCRIBE).arg(subscriberId).arg(SUBSCRIPTION_TTL_MS);
    targets.forEach(request::arg);
    return send(request).map(reply -> true);
  }

  Single<Boolean> unsubscribe(String subscriberId, List<String> targets) {
    if (targets.isEmpty()) {
      return Single.just(true);
    }
    return io.reactivex.rxjava3.core.Observable.fromIterable(targets)
        .concatMapSingle(target -> send(Request.cmd(Command.ZREM).arg(P + "subscribers:" + target).arg(subscriberId)))
        .ignoreElements()
        .toSingleDefault(true);
  }

  Single<List<String>> subscribers(String userId) {
    return send(Request.cmd(Command.EVAL).arg(SUBSCRIBERS).arg(1).arg(P + "subscribers:" + userId))
        .map(PresenceStore::strings);
  }

  private static Request eval(String script) {
    return Request.cmd(Command.EVAL).arg(script).arg(0);
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
