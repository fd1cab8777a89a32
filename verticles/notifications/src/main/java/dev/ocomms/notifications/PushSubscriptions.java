package dev.ocomms.notifications;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.Tuple;
import nl.martijndwars.webpush.Utils;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The browsers' Web Push subscriptions, registered and removed over REST on the caller's behalf. An endpoint belongs
 * to one user: registering it again updates its keys and gives it to the caller (a browser shared by two accounts
 * one after the other). A user keeps at most {@value #MAX_PER_USER}; a further one replaces the oldest.
 */
final class PushSubscriptions {
  static final int MAX_PER_USER = 10;
  static final int MAX_ENDPOINT_LENGTH = 2048;
  private static final int P256DH_BYTES = 65;
  private static final int AUTH_BYTES = 16;

  private final Pool pg;
  private final VapidKeys vapid;
  private final boolean allowHttpLoopback;

  PushSubscriptions(Pool pg, VapidKeys vapid, boolean allowHttpLoopback) {
    this.pg = pg;
    this.vapid = vapid;
    this.allowHttpLoopback = allowHttpLoopback;
  }

  /** {@code notifications.push.key {}} → {publicKey}. */
  Single<JsonObject> publicKey(BusRequest request) {
    return Single.just(new JsonObject().put("publicKey", vapid.publicKey()));
  }

  /**
   * {@code notifications.push.subscribe {endpoint, keys: {p256dh, auth}, expirationTime?}} →
   * {subscription: {id, endpoint, createdAt}}.
   */
  Single<JsonObject> subscribe(BusRequest request) {
    Input body = request.body();
    String endpoint = endpoint(body.string("endpoint"), allowHttpLoopback);
    JsonObject keys = body.object("keys");
    String p256dh = key(keys, "p256dh", P256DH_BYTES);
    String auth = key(keys, "auth", AUTH_BYTES);
    try {
      Utils.loadPublicKey(Base64.getUrlDecoder().decode(p256dh));
    } catch (Exception notAPoint) {
      throw Input.invalid("keys.p256dh", "keys.p256dh must be a P-256 public key (uncompressed point)");
    }
    OffsetDateTime expires = expirationTime(body.optionalLong("expirationTime", 0, 253_402_300_799_999L));
    UUID caller = request.caller();
    UUID session = Ids.parse(request.sessionId()).orElse(null);
    return pg.rxWithTransaction(tx -> tx.preparedQuery("""
                INSERT INTO notifications.push_subscriptions AS s
                       (id, user_id, endpoint, p256dh, auth, expiration_time, session_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (endpoint) DO UPDATE SET user_id = $2, p256dh = $4, auth = $5, expiration_time = $6,
                       session_id = $7, created_at = CASE WHEN s.user_id = $2 THEN s.created_at ELSE now() END
                RETURNING id, endpoint, created_at""")
            .rxExecute(Tuple.of(Ids.next(), caller, endpoint, p256dh, auth, expires).addValue(session))
            .flatMap(rows -> tx.preparedQuery("""
                    DELETE FROM notifications.push_subscriptions WHERE id IN (
                      SELECT id FROM notifications.push_subscriptions WHERE user_id = $1
                      ORDER BY created_at DESC, id DESC OFFSET $2)""")
                .rxExecute(Tuple.of(caller, MAX_PER_USER))
                .map(trimmed -> rows.iterator().next()))
            .toMaybe())
        .toSingle()
        .map(row -> new JsonObject().put("subscription", new JsonObject()
            .put("id", row.getUUID("id").toString())
            .put("endpoint", row.getString("endpoint"))
            .put("createdAt", instant(row.getOffsetDateTime("created_at")))));
  }

  /**
   * Removes the subscriptions a revoked session registered ({@code accounts.session.revoked}): a signed-out browser
   * gets no more pushes.
   */
  Completable sessionRevoked(JsonObject announcement) {
    Optional<UUID> session = Ids.parse(announcement.getString("sessionId"));
    if (session.isEmpty()) {
      return Completable.complete();
    }
    return pg.preparedQuery("DELETE FROM notifications.push_subscriptions WHERE session_id = $1")
        .rxExecute(Tuple.of(session.get()))
        .ignoreElement();
  }

  /** {@code notifications.push.unsubscribe {endpoint} | {id}} → {}; not_found unless it is the caller's. */
  Single<JsonObject> unsubscribe(BusRequest request) {
    Input body = request.body();
    UUID caller = request.caller();
    Single<Integer> removed;
    if (body.has("id")) {
      Optional<UUID> id = Ids.parse(body.string("id"));
      if (id.isEmpty()) {
        return Single.error(new OcommsException(ErrorCode.NOT_FOUND, "no such push subscription"));
      }
      removed = pg.preparedQuery("DELETE FROM notifications.push_subscriptions WHERE id = $1 AND user_id = $2")
          .rxExecute(Tuple.of(id.get(), caller)).map(rows -> rows.rowCount());
    } else {
      String endpoint = body.string("endpoint");
      removed = pg.preparedQuery("DELETE FROM notifications.push_subscriptions WHERE endpoint = $1 AND user_id = $2")
          .rxExecute(Tuple.of(endpoint, caller)).map(rows -> rows.rowCount());
    }
    return removed.flatMap(count -> count > 0 ? Single.just(new JsonObject())
        : Single.error(new OcommsException(ErrorCode.NOT_FOUND, "no such push subscription")));
  }

  /** {@code notifications.push.list {}} → {subscriptions: [{id, origin, createdAt, lastSuccessAt}]}, newest first. */
  Single<JsonObject> list(BusRequest request) {
    return pg.preparedQuery("""
            SELECT id, endpoint, created_at, last_success_at FROM notifications.push_subscriptions
            WHERE user_id = $1 ORDER BY created_at DESC, id DESC""")
        .rxExecute(Tuple.of(request.caller()))
        .map(rows -> {
          JsonArray list = new JsonArray();
          for (Row row : rows) {
            list.add(new JsonObject().put("id", row.getUUID("id").toString())
                .put("origin", origin(row.getString("endpoint")))
                .put("createdAt", instant(row.getOffsetDateTime("created_at")))
                .put("lastSuccessAt", instant(row.getOffsetDateTime("last_success_at"))));
          }
          return new JsonObject().put("subscriptions", list);
        });
  }

  // Validation

  /**
   * An endpoint the sender may post to: an absolute https URL (http only to a loopback host, and only when allowed:
   * a push endpoint run by a test), without user info or fragment.
   */
  static String endpoint(String endpoint, boolean allowHttpLoopback) {
    if (endpoint.length() > MAX_ENDPOINT_LENGTH) {
      throw Input.invalid("endpoint", "endpoint must be at most " + MAX_ENDPOINT_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw Input.invalid("endpoint", "endpoint must be an https URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean https = scheme.equals("https");
    boolean loopbackHttp = scheme.equals("http") && allowHttpLoopback && loopback(uri.getHost());
    if (!uri.isAbsolute() || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null
        || !(https || loopbackHttp)) {
      throw Input.invalid("endpoint", "endpoint must be an https URL");
    }
    return endpoint;
  }

  private static boolean loopback(String host) {
    if ("localhost".equalsIgnoreCase(host)) {
      return true;
    }
    // Only literal addresses: no name is looked up here.
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!literal.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false;
    }
    try {
      return InetAddress.getByName(literal).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** A key of the subscription, base64url (padding allowed) of exactly {@code bytes} bytes. */
  private static String key(JsonObject keys, String name, int bytes) {
    String field = "keys." + name;
    if (!(keys.getValue(name) instanceof String text)) {
      throw Input.invalid(field, field + " is required and must be a string");
    }
    String key = text.replace("=", "");
    byte[] decoded;
    try {
      decoded = Base64.getUrlDecoder().decode(key);
    } catch (IllegalArgumentException e) {
      throw Input.invalid(field, field + " must be base64url");
    }
    if (decoded.length != bytes) {
      throw Input.invalid(field, field + " must be " + bytes + " bytes");
    }
    return key;
  }

  private static OffsetDateTime expirationTime(Optional<Long> millis) {
    return millis.map(ms -> OffsetDateTime.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.UTC)).orElse(null);
  }

  /** scheme://host[:port] of an endpoint: enough for a user to tell their browsers' push services apart. */
  static String origin(String endpoint) {
    try {
      URI uri = new URI(endpoint);
      return uri.getScheme() + "://" + uri.getRawAuthority();
    } catch (URISyntaxException e) {
      return "";
    }
  }

  private static String instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
