package dev.ocomms.notifications;

import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.util.UUID;

/**
 * Acknowledging urgent messages: an urgent message stays shown to each recipient until they acknowledge it, and its
 * sender sees each acknowledgement ({@code notification.acked} on {@code user.<senderId>}, and on the recipient's own
 * address so that their other devices take the banner down).
 */
final class Acknowledgements {
  /** The most pending urgent messages listed (messaging lets a sender send 3 an hour). */
  static final int MAX_PENDING = 100;
  /** How far back a sender's own urgent messages are listed with their acknowledgements. */
  static final int SENT_DAYS = 7;

  private final Vertx vertx;
  private final Pool pg;

  Acknowledgements(Vertx vertx, Pool pg) {
    this.vertx = vertx;
    this.pg = pg;
  }

  /**
   * {@code notification.ack {messageId}} → {messageId, acknowledgedAt}; not_found unless the message is urgent and
   * was sent to the caller. Acknowledging again answers the first acknowledgement and tells no one again.
   */
  Single<JsonObject> acknowledge(BusRequest request) {
    UUID messageId = request.body().id("messageId");
    UUID caller = request.caller();
    return pg.preparedQuery("""
            UPDATE notifications.urgent SET acknowledged_at = now()
            WHERE message_id = $1 AND user_id = $2 AND acknowledged_at IS NULL
            RETURNING chat_id, sender_id, acknowledged_at""")
        .rxExecute(Tuple.of(messageId, caller))
        .flatMap(rows -> {
          if (rows.size() == 1) {
            Row row = rows.iterator().next();
            String at = row.getOffsetDateTime("acknowledged_at").toInstant().toString();
            String chatId = row.getUUID("chat_id").toString();
            for (UUID audience : new UUID[] {row.getUUID("sender_id"), caller}) {
              Events.publish(vertx.eventBus(), new Event.NotificationAcked(audience.toString(), chatId,
                  messageId.toString(), caller.toString(), at));
            }
            return Single.just(answer(messageId, at));
          }
          return pg.preparedQuery("""
                  SELECT acknowledged_at FROM notifications.urgent WHERE message_id = $1 AND user_id = $2""")
              .rxExecute(Tuple.of(messageId, caller))
              .map(found -> {
                if (found.size() == 0) {
                  throw new OcommsException(ErrorCode.NOT_FOUND, "no urgent message of that id for you");
                }
                return answer(messageId, found.iterator().next().getOffsetDateTime("acknowledged_at").toInstant()
                    .toString());
              });
        });
  }

  /**
   * {@code notifications.urgent.pending {}} → {urgent, sent}: the caller's unacknowledged urgent messages, newest
   * first, with their banner text; and the urgent messages the caller sent in the last {@link #SENT_DAYS} days, with
   * who acknowledged them, so that a client shows both again after a reload.
   */
  Single<JsonObject> pending(BusRequest request) {
    UUID caller = request.caller();
    return pg.preparedQuery("""
            SELECT message_id, chat_id, sender_id, created_at, title, body FROM notifications.urgent
            WHERE user_id = $1 AND acknowledged_at IS NULL ORDER BY created_at DESC LIMIT $2""")
        .rxExecute(Tuple.of(caller, MAX_PENDING))
        .flatMap(rows -> {
          JsonArray urgent = new JsonArray();
          for (Row row : rows) {
            urgent.add(new JsonObject().put("messageId", row.getUUID("message_id").toString())
                .put("chatId", row.getUUID("chat_id").toString()).put("senderId", row.getUUID("sender_id").toString())
                .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
                .put("title", row.getString("title")).put("body", row.getString("body")));
          }
          return sent(caller).map(sent -> new JsonObject().put("urgent", urgent).put("sent", sent));
        });
  }

  private Single<JsonArray> sent(UUID sender) {
    return pg.preparedQuery("""
            SELECT message_id, min(chat_id::text) AS chat_id, min(created_at) AS created_at, count(*) AS recipients,
                   coalesce(array_agg(user_id ORDER BY acknowledged_at) FILTER (WHERE acknowledged_at IS NOT NULL),
                            '{}') AS acknowledged_by
            FROM notifications.urgent
            WHERE sender_id = $1 AND created_at > now() - make_interval(days => $2)
            GROUP BY message_id ORDER BY min(created_at) DESC LIMIT $3""")
        .rxExecute(Tuple.of(sender, SENT_DAYS, MAX_PENDING))
        .map(rows -> {
          JsonArray sent = new JsonArray();
          for (Row row : rows) {
            JsonArray by = new JsonArray();
            for (UUID user : row.getArrayOfUUIDs("acknowledged_by")) {
              by.add(user.toString());
            }
            sent.add(new JsonObject().put("messageId", row.getUUID("message_id").toString())
                .put("chatId", row.getString("chat_id"))
                .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
                .put("recipients", row.getLong("recipients")).put("acknowledgedBy", by));
          }
          return sent;
        });
  }

  private static JsonObject answer(UUID messageId, String at) {
    return new JsonObject().put("messageId", messageId.toString()).put("acknowledgedAt", at);
  }
}
