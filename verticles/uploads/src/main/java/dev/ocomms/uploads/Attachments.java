package dev.ocomms.uploads;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.events.EventStream;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.events.StreamCursor;
import dev.ocomms.shared.events.StreamEvent;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.SqlConnection;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Files on messages. Messaging claims a message's files before it stores the message ({@code uploads.files.claim}):
 * they must be the sender's, and from then on the chat's members may download them. The follower of messaging's event
 * stream then confirms the claim when the message's {@code message.new} comes by, and drops it when the message is
 * deleted (the file's grace period starts when no message carries it any more).
 */
final class Attachments {
  static final int MAX_FILES = 10;
  private static final int PAGE_SIZE = 500;

  private final Pool pg;
  private final FileStore store;
  private final EventStream stream;

  Attachments(Vertx vertx, Pool pg, FileStore store) {
    this.pg = pg;
    this.store = store;
    this.stream = new EventStream(vertx, "uploads", PAGE_SIZE, this::storedCursor, this::apply);
  }

  /** {@code uploads.files.claim {userId, chatId, messageId, fileIds}} → {@code {attachments}}. */
  Single<JsonObject> claim(Input body) {
    UUID sender = body.id("userId");
    UUID chatId = body.id("chatId");
    UUID messageId = body.id("messageId");
    JsonArray given = body.array("fileIds");
    List<UUID> fileIds = new ArrayList<>();
    for (Object id : given) {
      fileIds.add(Ids.parse(id instanceof String text ? text : "")
          .orElseThrow(() -> Input.invalid("fileIds", "fileIds must be file ids")));
    }
    if (fileIds.isEmpty() || fileIds.size() > MAX_FILES) {
      throw Input.invalid("fileIds", "a message carries 1 to " + MAX_FILES + " files");
    }
    return store.claim(sender, chatId, messageId, fileIds)
        .map(files -> new JsonObject().put("attachments",
            new JsonArray(files.stream().map(UploadedFile::asAttachment).toList())));
  }

  Completable start() {
    return stream.start();
  }

  Completable stop() {
    return stream.stop();
  }

  private Single<StreamCursor> storedCursor() {
    return pg.query("SELECT tx, position FROM uploads.stream_cursor").rxExecute()
        .map(rows -> {
          var row = rows.iterator().next();
          return new StreamCursor(row.getLong("tx"), row.getLong("position"));
        });
  }

  /** One page: confirmations and detachments, then the cursor, all or nothing. */
  private Completable apply(EventStream.Page page) {
    StreamCursor after = stream.cursor();
    // Events carry each message as it is now, so the last event of a message in the page says it all.
    Map<UUID, JsonObject> latest = new LinkedHashMap<>();
    for (StreamEvent event : page.events()) {
      EventType type = event.type().orElseThrow();
      if (type == EventType.MESSAGE_NEW || type == EventType.MESSAGE_DELETED) {
        JsonObject message = event.json().getJsonObject("message");
        latest.put(UUID.fromString(message.getString("id")), message);
      }
    }
    List<UUID> stored = new ArrayList<>();
    List<UUID> deleted = new ArrayList<>();
    latest.forEach((id, message) -> {
      if (message.getBoolean("deleted", false)) {
        deleted.add(id);
      } else if (!message.getJsonArray("attachments", new JsonArray()).isEmpty()) {
        stored.add(id);
      }
    });
    return pg.rxWithTransaction(connection -> moveCursor(connection, after, page)
            .andThen(FileStore.confirm(connection, stored))
            .andThen(FileStore.detach(connection, deleted))
            .toMaybe())
        .ignoreElement();
  }

  private static Completable moveCursor(SqlConnection connection, StreamCursor after, EventStream.Page page) {
    StreamCursor next = page.next();
    return connection.preparedQuery("""
            UPDATE uploads.stream_cursor SET tx = $1, position = $2,
                   caught_up_at = CASE WHEN $5 THEN now() ELSE caught_up_at END
            WHERE tx = $3 AND position = $4""")
        .rxExecute(Tuple.of(next.tx(), next.position(), after.tx(), after.position(), !page.hasMore()))
        .flatMapCompletable(rows -> rows.rowCount() == 1 ? Completable.complete()
            : Completable.error(new EventStream.CursorMoved()));
  }
}
