package dev.ocomms.search;

import dev.ocomms.shared.events.EventStream;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.events.StreamCursor;
import dev.ocomms.shared.events.StreamEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.SqlConnection;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Keeps the index in step with messaging's durable event stream: a new or edited message is (re)indexed as it is now,
 * a deleted one leaves the index. Each page's documents and the cursor after it are stored in one transaction, and
 * only if the stored cursor is still the one the page was read after (the search verticle may run on several nodes,
 * each following the stream); so every change is applied once, and a restarted verticle resumes where the index
 * stands. Indexing is never part of a send: messaging only appends to its stream.
 */
final class SearchIndex {
  static final int PAGE_SIZE = 500;

  private final Pool pg;
  private final EventStream stream;
  private final Timer freshness;
  /** Months known to have their partition (by their first day). */
  private final Set<LocalDate> monthsWithPartitions = new HashSet<>();

  SearchIndex(Vertx vertx, Pool pg, MeterRegistry meters) {
    this.pg = pg;
    this.stream = new EventStream(vertx, "search", PAGE_SIZE, this::storedCursor, this::apply);
    this.freshness = Timer.builder("ocomms.search.freshness")
        .description("From a message's creation to its document being committed to the search index")
        .publishPercentiles(0.5, 0.95, 0.99)
        .register(meters);
  }

  Completable start() {
    return stream.start();
  }

  Completable stop() {
    return stream.stop();
  }

  /**
   * Drops every document and starts the stream over: every follower finds the cursor moved and reads from the first
   * event again. Searches meanwhile find less until the index has caught up.
   */
  Completable reindex() {
    return pg.rxWithTransaction(connection -> connection
            .query("SELECT tx FROM search.stream_cursor FOR UPDATE").rxExecute()
            .flatMap(locked -> connection.query("TRUNCATE search.documents").rxExecute())
            .flatMap(truncated -> connection.query("UPDATE search.stream_cursor SET tx = 0, position = 0").rxExecute())
            .toMaybe())
        .ignoreElement();
  }

  /** After a reindex (on any node): read from the stored cursor, which is the stream's start again. */
  void reset() {
    stream.reloadStoredCursor();
  }

  private Single<StreamCursor> storedCursor() {
    return pg.query("SELECT tx, position FROM search.stream_cursor").rxExecute()
        .map(rows -> {
          var row = rows.iterator().next();
          return new StreamCursor(row.getLong("tx"), row.getLong("position"));
        });
  }

  /** Stores one page: documents first, then the cursor, all or nothing. */
  private Completable apply(EventStream.Page page) {
    List<StreamEvent> events = page.events();
    StreamCursor next = page.next();
    StreamCursor after = stream.cursor();
    // The events carry each message as it is now, so the last event of a message in the page says it all.
    Map<UUID, JsonObject> latest = new LinkedHashMap<>();
    for (StreamEvent event : events) {
      EventType type = event.type().orElseThrow();
      if (type == EventType.MESSAGE_NEW || type == EventType.MESSAGE_UPDATED || type == EventType.MESSAGE_DELETED) {
        JsonObject message = event.json().getJsonObject("message");
        // System messages (a join, a rename...) say what happened to the chat, not what anyone wrote: not searchable.
        if (!"system".equals(message.getString("kind"))) {
          latest.put(UUID.fromString(message.getString("id")), message);
        }
      }
    }
    List<Document> indexed = new ArrayList<>();
    List<UUID> removed = new ArrayList<>();
    latest.forEach((id, message) -> {
      if (message.getBoolean("deleted", false)) {
        removed.add(id);
      } else {
        indexed.add(Document.of(message));
      }
    });
    Set<LocalDate> months = new TreeSet<>();
    indexed.forEach(document -> months.add(month(document.createdAt())));
    months.removeAll(monthsWithPartitions);
    return pg.rxWithTransaction(connection -> moveCursor(connection, after, next)
            .andThen(remove(connection, removed))
            .andThen(makePartitions(connection, months))
            .andThen(upsert(connection, indexed))
            .andThen(markThreadRoots(connection, indexed))
            .toMaybe())
        .ignoreElement()
        .doOnComplete(() -> {
          monthsWithPartitions.addAll(months);
          // Only at the stream's end: while catching up (after a restart, a reindex or a bulk load) the lag is how
          // old the history is, not how fresh the index.
          if (!page.hasMore()) {
            recordFreshness(events);
          }
        });
  }

  private static Completable moveCursor(SqlConnection connection, StreamCursor after, StreamCursor next) {
    return connection.preparedQuery("""
            UPDATE search.stream_cursor SET tx = $1, position = $2 WHERE tx = $3 AND position = $4""")
        .rxExecute(Tuple.of(next.tx(), next.position(), after.tx(), after.position()))
        .flatMapCompletable(rows -> rows.rowCount() == 1 ? Completable.complete()
            : Completable.error(new EventStream.CursorMoved()));
  }

  /** The first day of a time's month in UTC: what names its partition. */
  static LocalDate month(OffsetDateTime time) {
    return time.atZoneSameInstant(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1);
  }

  /** The partitions for months the index had no document of yet (made once; kept through reindexing). */
  private static Completable makePartitions(SqlConnection connection, Set<LocalDate> months) {
    if (months.isEmpty()) {
      return Completable.complete();
    }
    return connection.preparedQuery("SELECT search.make_month_partitions($1)")
        .rxExecute(Tuple.of(months.toArray(LocalDate[]::new)))
        .ignoreElement();
  }

  private static Completable remove(SqlConnection connection, List<UUID> removed) {
    if (removed.isEmpty()) {
      return Completable.complete();
    }
    return connection.preparedQuery("DELETE FROM search.documents WHERE message_id = ANY($1)")
        .rxExecute(Tuple.of(removed.toArray(UUID[]::new)))
        .ignoreElement();
  }

  /** All documents of the page in one statement; an edit replaces the text and what it has. */
  private static Completable upsert(SqlConnection connection, List<Document> documents) {
    if (documents.isEmpty()) {
      return Completable.complete();
    }
    int n = documents.size();
    UUID[] ids = new UUID[n];
    UUID[] chats = new UUID[n];
    Long[] seqs = new Long[n];
    UUID[] senders = new UUID[n];
    UUID[] roots = new UUID[n];
    Boolean[] inThread = new Boolean[n];
    OffsetDateTime[] created = new OffsetDateTime[n];
    OffsetDateTime[] edited = new OffsetDateTime[n];
    Boolean[] hasFile = new Boolean[n];
    Boolean[] hasImage = new Boolean[n];
    Boolean[] hasLink = new Boolean[n];
    String[] mentions = new String[n];
    String[] contents = new String[n];
    for (int i = 0; i < n; i++) {
      Document d = documents.get(i);
      ids[i] = d.messageId();
      chats[i] = d.chatId();
      seqs[i] = d.seq();
      senders[i] = d.senderId();
      roots[i] = d.rootId();
      inThread[i] = d.inThread();
      created[i] = d.createdAt();
      edited[i] = d.editedAt();
      hasFile[i] = d.hasFile();
      hasImage[i] = d.hasImage();
      hasLink[i] = d.hasLink();
      // A per-row array cannot be unnested beside the others (unnest flattens), so the ids travel as one text each.
      mentions[i] = d.mentions().stream().map(UUID::toString).collect(Collectors.joining(","));
      contents[i] = d.content();
    }
    return connection.preparedQuery("""
            INSERT INTO search.documents (message_id, chat_id, seq, sender_id, root_id, in_thread, created_at,
                                          edited_at, has_file, has_image, has_link, mentions, content, lexemes)
            SELECT d.id, d.chat, d.seq, d.sender, d.root, d.in_thread, d.created, d.edited, d.has_file, d.has_image,
                   d.has_link, COALESCE(string_to_array(NULLIF(d.mentions, ''), ',')::uuid[], '{}'), d.content,
                   to_tsvector('search.words', d.content) || to_tsvector('search.exact', d.content)
              FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::uuid[], $5::uuid[], $6::boolean[],
                          $7::timestamptz[], $8::timestamptz[], $9::boolean[], $10::boolean[], $11::boolean[],
                          $12::text[], $13::text[])
                   AS d(id, chat, seq, sender, root, in_thread, created, edited, has_file, has_image, has_link,
                        mentions, content)
            ON CONFLICT (message_id, created_at) DO UPDATE SET
              edited_at = EXCLUDED.edited_at, has_file = EXCLUDED.has_file, has_image = EXCLUDED.has_image,
              has_link = EXCLUDED.has_link, mentions = EXCLUDED.mentions, content = EXCLUDED.content,
              lexemes = EXCLUDED.lexemes, in_thread = search.documents.in_thread OR EXCLUDED.in_thread""")
        .rxExecute(tuple(ids, chats, seqs, senders, roots, inThread, created, edited, hasFile, hasImage, hasLink,
            mentions, contents))
        .ignoreElement();
  }

  private static Tuple tuple(Object... values) {
    Tuple tuple = Tuple.tuple();
    for (Object value : values) {
      tuple.addValue(value);
    }
    return tuple;
  }

  /** A thread's root is in a thread from its first reply on (its own events do not say so). */
  private static Completable markThreadRoots(SqlConnection connection, List<Document> documents) {
    Set<UUID> roots = new LinkedHashSet<>();
    documents.stream().filter(d -> d.rootId() != null).forEach(d -> roots.add(d.rootId()));
    if (roots.isEmpty()) {
      return Completable.complete();
    }
    return connection.preparedQuery(
            "UPDATE search.documents SET in_thread = true WHERE message_id = ANY($1) AND NOT in_thread")
        .rxExecute(Tuple.of(roots.toArray(UUID[]::new)))
        .ignoreElement();
  }

  private void recordFreshness(List<StreamEvent> events) {
    OffsetDateTime now = OffsetDateTime.now();
    for (StreamEvent event : events) {
      if (event.type().orElseThrow() == EventType.MESSAGE_NEW) {
        String created = event.json().getJsonObject("message").getString("createdAt");
        Duration lag = Duration.between(OffsetDateTime.parse(created), now);
        if (!lag.isNegative()) {
          freshness.record(lag);
        }
      }
    }
  }
}
