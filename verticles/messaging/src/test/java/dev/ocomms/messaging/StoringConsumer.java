package dev.ocomms.messaging;

import dev.ocomms.shared.events.EventStream;
import dev.ocomms.shared.events.StreamCursor;
import dev.ocomms.shared.events.StreamEvent;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.core.Context;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A follower of the event stream as search or notifications would be one: it stores each page's events (chat,
 * message, type, seq, position) and the cursor after the page in ONE transaction, in its own schema
 * ({@code stream_test_<random>}, dropped on close), and loads that cursor when it starts. Each {@link #start} is a
 * new {@link EventStream}, as after a restart; it runs on one event-loop context of the given node.
 */
final class StoringConsumer implements AutoCloseable {
  private final Vertx vertx;
  private final Pool pool;
  private final String schema;
  /** The number of events in each page applied, in order. */
  private final List<Integer> pages = new CopyOnWriteArrayList<>();
  private Context context;
  private EventStream stream;
  private volatile long applyDelayMs;

  private StoringConsumer(Vertx vertx, Pool pool, String schema) {
    this.vertx = vertx;
    this.pool = pool;
    this.schema = schema;
  }

  /** A consumer with its own schema, positioned at {@code cursor} (as if it had followed the stream up to there). */
  static StoringConsumer create(Vertx vertx, Pool pool, StreamCursor cursor) {
    String schema = "stream_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    pool.query("CREATE SCHEMA " + schema).rxExecute().blockingGet();
    pool.query("CREATE TABLE " + schema + ".applied (n bigserial PRIMARY KEY, chat_id text, message_id text,"
        + " type text NOT NULL, seq bigint NOT NULL, position text NOT NULL)").rxExecute().blockingGet();
    pool.query("CREATE TABLE " + schema + ".cursor (id int PRIMARY KEY, tx bigint NOT NULL, position bigint NOT NULL)")
        .rxExecute().blockingGet();
    pool.preparedQuery("INSERT INTO " + schema + ".cursor (id, tx, position) VALUES (1, $1, $2)")
        .rxExecute(Tuple.of(cursor.tx(), cursor.position())).blockingGet();
    return new StoringConsumer(vertx, pool, schema);
  }

  /** Starts a new follower (loading the stored cursor); returns once it follows. */
  void start(int pageSize) {
    context = vertx.getOrCreateContext();
    stream = new EventStream(vertx, "stream-test " + schema, pageSize, this::loadCursor, this::apply);
    onContext(stream::start);
  }

  /** Stops the follower. */
  void stop() {
    EventStream stopping = stream;
    stream = null;
    onContext(stopping::stop);
  }

  /** From now on, each page waits this long (on the follower's event loop) before its transaction. */
  void slowApply(java.time.Duration delay) {
    applyDelayMs = delay.toMillis();
  }

  /** The stored cursor. */
  StreamCursor storedCursor() {
    return loadCursor().blockingGet();
  }

  /** Events per applied page, in order. */
  List<Integer> pages() {
    return List.copyOf(pages);
  }

  /** What was applied for one chat, in the order applied (one row per application). */
  List<EventStreamTest.Expected> applied(String chatId) {
    List<EventStreamTest.Expected> applied = new ArrayList<>();
    pool.preparedQuery("SELECT message_id, type, seq FROM " + schema + ".applied WHERE chat_id = $1 ORDER BY n")
        .rxExecute(Tuple.of(chatId)).blockingGet()
        .forEach(row -> applied.add(new EventStreamTest.Expected(row.getLong("seq"), row.getString("type"),
            row.getString("message_id"))));
    return applied;
  }

  /** How many events of the chat were applied. */
  long count(String chatId) {
    return pool.preparedQuery("SELECT count(*) FROM " + schema + ".applied WHERE chat_id = $1")
        .rxExecute(Tuple.of(chatId)).blockingGet().iterator().next().getLong(0);
  }

  private Single<StreamCursor> loadCursor() {
    return pool.query("SELECT tx, position FROM " + schema + ".cursor WHERE id = 1").rxExecute()
        .map(rows -> rows.size() == 0 ? StreamCursor.START
            : new StreamCursor(rows.iterator().next().getLong("tx"), rows.iterator().next().getLong("position")));
  }

  /** The page's events and the cursor after it, in one transaction. */
  private Completable apply(EventStream.Page page) {
    List<StreamEvent> events = page.events();
    StreamCursor next = page.next();
    pages.add(events.size());
    List<Tuple> rows = events.stream().map(event -> Tuple.of(event.chatId(),
        event.json().getString("messageId", event.json().getJsonObject("message").getString("id")),
        event.json().getString("type"), event.seq(), event.cursor().wire())).toList();
    Completable delay = applyDelayMs == 0 ? Completable.complete()
        : Completable.timer(applyDelayMs, TimeUnit.MILLISECONDS, io.vertx.rxjava3.core.RxHelper.scheduler(context));
    return delay.andThen(pool.rxWithTransaction(connection -> {
      Completable insert = rows.isEmpty() ? Completable.complete()
          : connection.preparedQuery("INSERT INTO " + schema + ".applied (chat_id, message_id, type, seq, position)"
              + " VALUES ($1, $2, $3, $4, $5)").rxExecuteBatch(rows).ignoreElement();
      return insert
          .andThen(connection.preparedQuery("UPDATE " + schema + ".cursor SET tx = $1, position = $2 WHERE id = 1")
              .rxExecute(Tuple.of(next.tx(), next.position())).ignoreElement())
          .andThen(Maybe.<Object>empty());
    }).ignoreElement());
  }

  private void onContext(Supplier<Completable> work) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(ignored -> work.get().subscribe(() -> done.complete(null), done::completeExceptionally));
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the follower did not start or stop", e);
    }
  }

  @Override
  public void close() {
    try {
      if (stream != null) {
        stop();
      }
    } finally {
      pool.query("DROP SCHEMA " + schema + " CASCADE").rxExecute().blockingGet();
    }
  }
}
