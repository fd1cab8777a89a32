package dev.ocomms.search;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.Requests;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Keeps the channel notes searchable: reads the notes saved since it last looked ({@code notes.chat.changes}) when
 * notes says one was saved ({@code notes.chat.saved}), and every {@link #POLL} anyway (a wake-up is not durable; the
 * notes verticle may have been away). Saves commit out of the order of their timestamps, so each read starts
 * {@link #OVERLAP} before the cursor; a version already stored is not stored again. Runs on the search follower.
 */
final class NoteIndex {
  private static final Logger LOG = LoggerFactory.getLogger(NoteIndex.class);
  static final Duration POLL = Duration.ofSeconds(30);
  static final Duration OVERLAP = Duration.ofSeconds(30);
  private static final int PAGE = 200;
  private static final long ASK_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final Pool pg;
  private MessageConsumer<JsonObject> wakeUps;
  private long timer = -1;
  private boolean reading;
  private boolean again;

  NoteIndex(Vertx vertx, Pool pg) {
    this.vertx = vertx;
    this.pg = pg;
  }

  Completable start() {
    wakeUps = vertx.eventBus().consumer(Addresses.NOTES_CHAT_SAVED, message -> catchUp());
    timer = vertx.setPeriodic(POLL.toMillis(), id -> catchUp());
    return wakeUps.rxCompletion().doOnComplete(this::catchUp);
  }

  Completable stop() {
    vertx.cancelTimer(timer);
    return wakeUps == null ? Completable.complete() : wakeUps.rxUnregister();
  }

  /** Reads and stores what was saved since the cursor, page by page; one catch-up at a time, another after it if asked. */
  void catchUp() {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    again = false;
    cursor().flatMapCompletable(this::readFrom)
        .doFinally(() -> {
          reading = false;
          if (again) {
            catchUp();
          }
        })
        .subscribe(() -> { }, failure -> LOG.debug("notes not indexed now; next try within {}", POLL, failure));
  }

  private Completable readFrom(JsonObject after) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS);
    return Requests.<JsonObject>request(vertx, Addresses.NOTES_CHAT_CHANGES, after.copy().put("limit", PAGE), options)
        .map(reply -> reply.body())
        .flatMapCompletable(page -> {
          JsonArray notes = page.getJsonArray("notes", new JsonArray());
          if (notes.isEmpty()) {
            return Completable.complete();
          }
          JsonObject last = notes.getJsonObject(notes.size() - 1);
          JsonObject next = new JsonObject().put("afterTime", last.getString("updatedAt"))
              .put("afterChatId", last.getString("chatId"));
          return store(notes, last)
              .andThen(Completable.defer(() -> page.getBoolean("hasMore", false) ? readFrom(next)
                  : Completable.complete()));
        });
  }

  /** Where the next read starts: {@link #OVERLAP} before the last note stored. */
  private Single<JsonObject> cursor() {
    return pg.query("SELECT updated_at FROM search.notes_cursor").rxExecute()
        .map(rows -> rows.iterator().next().getOffsetDateTime("updated_at").toInstant())
        .map(last -> {
          Instant from = last.minus(OVERLAP);
          return from.isBefore(Instant.EPOCH) ? new JsonObject()
              : new JsonObject().put("afterTime", from.toString());
        });
  }

  private Completable store(JsonArray notes, JsonObject last) {
    int n = notes.size();
    UUID[] chats = new UUID[n];
    Integer[] versions = new Integer[n];
    String[] contents = new String[n];
    OffsetDateTime[] times = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      JsonObject note = notes.getJsonObject(i);
      chats[i] = UUID.fromString(note.getString("chatId"));
      versions[i] = note.getInteger("version");
      contents[i] = Document.indexable(note.getString("content"));
      times[i] = Instant.parse(note.getString("updatedAt")).atOffset(ZoneOffset.UTC);
    }
    OffsetDateTime lastTime = Instant.parse(last.getString("updatedAt")).atOffset(ZoneOffset.UTC);
    return pg.rxWithTransaction(connection -> connection.preparedQuery("""
                INSERT INTO search.notes (chat_id, version, content, lexemes, updated_at)
                SELECT n.chat, n.version, n.content,
                       to_tsvector('search.words', n.content) || to_tsvector('search.exact', n.content), n.updated
                  FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::timestamptz[])
                       AS n(chat, version, content, updated)
                ON CONFLICT (chat_id) DO UPDATE SET version = EXCLUDED.version, content = EXCLUDED.content,
                  lexemes = EXCLUDED.lexemes, updated_at = EXCLUDED.updated_at
                WHERE search.notes.version < EXCLUDED.version""")
            .rxExecute(Tuple.of(chats, versions, contents, times))
            .flatMap(stored -> connection.preparedQuery("""
                    UPDATE search.notes_cursor SET updated_at = $1, chat_id = $2
                     WHERE (updated_at, chat_id) < ($1, $2)""")
                .rxExecute(Tuple.of(lastTime, UUID.fromString(last.getString("chatId")))))
            .toMaybe())
        .ignoreElement();
  }
}
