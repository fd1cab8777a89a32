package dev.ocomms.notifications;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.SqlClient;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The notification settings, global and per chat: read and changed over REST on the caller's behalf, and every change
 * published to the caller's devices ({@code notification.settings} on {@code user.<id>}). Whether the caller is a
 * member of a chat is messaging's to say ({@code messaging.chat.access}).
 */
final class Settings {
  private static final long ACCESS_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final Pool pg;

  Settings(Vertx vertx, Pool pg) {
    this.vertx = vertx;
    this.pg = pg;
  }

  /**
   * {@code notifications.settings.get {}} → {settings, chats}: {@code chats} are the caller's chats whose settings
   * differ from the defaults, so that a client learns all of them in one request (the others are the defaults).
   */
  Single<JsonObject> getUser(BusRequest request) {
    UUID caller = request.caller();
    return user(pg, caller).flatMap(settings -> pg.preparedQuery("""
            SELECT chat_id, level, muted FROM notifications.chat_settings
            WHERE user_id = $1 AND (level <> $2 OR muted)""")
        .rxExecute(Tuple.of(caller, ChatSettings.DEFAULTS.level().wireName))
        .map(rows -> {
          JsonArray chats = new JsonArray();
          for (Row row : rows) {
            chats.add(new ChatSettings(ChatSettings.Level.find(row.getString("level"))
                .orElse(ChatSettings.Level.MENTIONS), row.getBoolean("muted"))
                .toJson(row.getUUID("chat_id").toString()));
          }
          return envelope(settings).put("chats", chats);
        }));
  }

  /**
   * {@code notifications.settings.save {desktop?, sound?, dnd?: {until?} | null, schedule?: {..} | null}}: the fields
   * given replace the stored ones; {@code dnd} null ends DND set by hand, {@code schedule} null removes the schedule.
   */
  Single<JsonObject> saveUser(BusRequest request) {
    Input body = request.body();
    var desktop = body.optionalBool("desktop");
    var sound = body.optionalBool("sound");
    boolean dndGiven = body.given("dnd");
    boolean dndOn = body.has("dnd");
    Instant dndUntil = dndOn ? until(body.object("dnd")) : null;
    boolean scheduleGiven = body.given("schedule");
    DndSchedule schedule = body.has("schedule") ? DndSchedule.parse(body.object("schedule")) : null;
    if (desktop.isEmpty() && sound.isEmpty() && !dndGiven && !scheduleGiven) {
      throw Input.invalid("desktop", "give at least one of desktop, sound, dnd and schedule");
    }
    DndSchedule newSchedule = schedule;
    UUID caller = request.caller();
    return pg.rxWithTransaction(tx -> user(tx, caller).flatMap(old -> {
          UserSettings changed = new UserSettings(desktop.orElse(old.desktop()), sound.orElse(old.sound()),
              dndGiven ? dndOn : old.dndOn(), dndGiven ? dndUntil : old.dndUntil(),
              scheduleGiven ? newSchedule : old.schedule());
          return tx.preparedQuery("""
                  INSERT INTO notifications.user_settings AS s
                         (user_id, desktop, sound, dnd_on, dnd_until, dnd_schedule, updated_at)
                  VALUES ($1, $2, $3, $4, $5, $6, now())
                  ON CONFLICT (user_id) DO UPDATE SET desktop = $2, sound = $3, dnd_on = $4, dnd_until = $5,
                         dnd_schedule = $6, updated_at = now()""")
              .rxExecute(Tuple.of(caller, changed.desktop(), changed.sound(), changed.dndOn(),
                  changed.dndUntil() == null ? null : OffsetDateTime.ofInstant(changed.dndUntil(), ZoneOffset.UTC),
                  changed.schedule() == null ? null : changed.schedule().toJson()))
              .map(done -> changed);
        }).toMaybe())
        .toSingle()
        .map(changed -> {
          JsonObject json = changed.toJson(Instant.now());
          Events.publish(vertx.eventBus(), new Event.NotificationSettings(caller.toString(), null, json));
          return new JsonObject().put("settings", json);
        });
  }

  /** {@code notifications.chat.settings.get {chatId}} → {chatId, level, muted}; not_found unless a member. */
  Single<JsonObject> getChat(BusRequest request) {
    UUID chatId = request.body().id("chatId");
    return member(request, chatId)
        .andThen(Single.defer(() -> chats(pg, List.of(request.caller()), List.of(chatId))))
        .map(found -> found.getOrDefault(key(request.caller(), chatId), ChatSettings.DEFAULTS)
            .toJson(chatId.toString()));
  }

  /** {@code notifications.chat.settings.save {chatId, level?, muted?}} → {chatId, level, muted}. */
  Single<JsonObject> saveChat(BusRequest request) {
    Input body = request.body();
    UUID chatId = body.id("chatId");
    var level = body.has("level") ? Optional.of(ChatSettings.Level.find(body.string("level"))
        .orElseThrow(() -> Input.invalid("level", "level must be all, mentions or nothing")))
        : Optional.<ChatSettings.Level>empty();
    var muted = body.optionalBool("muted");
    if (level.isEmpty() && muted.isEmpty()) {
      throw Input.invalid("level", "give level and/or muted");
    }
    UUID caller = request.caller();
    return member(request, chatId).andThen(pg.rxWithTransaction(tx ->
            chats(tx, List.of(caller), List.of(chatId)).flatMap(found -> {
              ChatSettings old = found.getOrDefault(key(caller, chatId), ChatSettings.DEFAULTS);
              ChatSettings changed = new ChatSettings(level.orElse(old.level()), muted.orElse(old.muted()));
              return tx.preparedQuery("""
                      INSERT INTO notifications.chat_settings (user_id, chat_id, level, muted, updated_at)
                      VALUES ($1, $2, $3, $4, now())
                      ON CONFLICT (user_id, chat_id) DO UPDATE SET level = $3, muted = $4, updated_at = now()""")
                  .rxExecute(Tuple.of(caller, chatId, changed.level().wireName, changed.muted()))
                  .map(done -> changed);
            }).toMaybe()).toSingle())
        .map(changed -> {
          JsonObject json = changed.toJson(chatId.toString());
          Events.publish(vertx.eventBus(), new Event.NotificationSettings(caller.toString(), chatId.toString(),
              json.copy()));
          return json;
        });
  }

  // Reading, for the follower as well

  static Single<UserSettings> user(SqlClient client, UUID userId) {
    return users(client, List.of(userId)).map(found -> found.getOrDefault(userId, UserSettings.DEFAULTS));
  }

  /** The stored global settings of these users (those without a row are left out: they have the defaults). */
  static Single<Map<UUID, UserSettings>> users(SqlClient client, List<UUID> userIds) {
    return client.preparedQuery("""
            SELECT user_id, desktop, sound, dnd_on, dnd_until, dnd_schedule FROM notifications.user_settings
            WHERE user_id = ANY($1)""")
        .rxExecute(Tuple.of(userIds.toArray(UUID[]::new)))
        .map(rows -> {
          Map<UUID, UserSettings> found = new HashMap<>();
          for (Row row : rows) {
            OffsetDateTime until = row.getOffsetDateTime("dnd_until");
            Object schedule = row.getValue("dnd_schedule");
            found.put(row.getUUID("user_id"), new UserSettings(row.getBoolean("desktop"), row.getBoolean("sound"),
                row.getBoolean("dnd_on"), until == null ? null : until.toInstant(),
                schedule instanceof JsonObject json ? DndSchedule.parse(json) : null));
          }
          return found;
        });
  }

  /** The stored settings of these users in these chats, by {@link #key}. */
  static Single<Map<String, ChatSettings>> chats(SqlClient client, List<UUID> userIds, List<UUID> chatIds) {
    return client.preparedQuery("""
            SELECT user_id, chat_id, level, muted FROM notifications.chat_settings
            WHERE user_id = ANY($1) AND chat_id = ANY($2)""")
        .rxExecute(Tuple.of(userIds.toArray(UUID[]::new), chatIds.toArray(UUID[]::new)))
        .map(rows -> {
          Map<String, ChatSettings> found = new HashMap<>();
          for (Row row : rows) {
            found.put(key(row.getUUID("user_id"), row.getUUID("chat_id")), new ChatSettings(
                ChatSettings.Level.find(row.getString("level")).orElse(ChatSettings.Level.MENTIONS),
                row.getBoolean("muted")));
          }
          return found;
        });
  }

  static String key(UUID userId, UUID chatId) {
    return userId + "/" + chatId;
  }

  // Helpers

  private Completable member(BusRequest request, UUID chatId) {
    DeliveryOptions options = new Caller(request.caller().toString(), request.sessionId()).deliveryOptions()
        .setSendTimeout(ACCESS_TIMEOUT_MS);
    return Requests.<JsonObject>request(vertx, Addresses.CHAT_ACCESS, new JsonObject().put("chatId",
            chatId.toString()), options)
        .flatMapCompletable(reply -> reply.body().getBoolean("member", false)
            ? Completable.complete()
            : Completable.error(new OcommsException(ErrorCode.NOT_FOUND, "no such chat")));
  }

  private static JsonObject envelope(UserSettings settings) {
    return new JsonObject().put("settings", settings.toJson(Instant.now()));
  }

  private static Instant until(JsonObject dnd) {
    Object until = dnd.getValue("until");
    if (until == null) {
      return null;
    }
    try {
      return Instant.parse(until instanceof String text ? text : "");
    } catch (DateTimeParseException e) {
      throw Input.invalid("dnd", "dnd.until must be an ISO instant such as 2026-01-31T18:00:00Z");
    }
  }
}
