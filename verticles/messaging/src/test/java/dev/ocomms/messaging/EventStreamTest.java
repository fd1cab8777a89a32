package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.EventStream;
import dev.ocomms.shared.events.StreamCursor;
import io.reactivex.rxjava3.core.Observable;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.rxjava3.pgclient.PgBuilder;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.SqlConnection;
import io.vertx.rxjava3.sqlclient.Transaction;
import io.vertx.rxjava3.sqlclient.Tuple;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static dev.ocomms.messaging.MessagingApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The durable event stream as other verticles read it: {@code messaging.events.read} on the clustered bus (asked from
 * node 1, served on node 0), and {@link EventStream} followers that store what they apply together with their cursor.
 * The stream is global: every assertion filters on the chats its test created.
 */
@DisplayName("The durable event stream: every committed change once, in order, resumable from a stored cursor")
class EventStreamTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.start();
  private static Pool pool;

  @BeforeAll
  static void openPool() {
    pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(api.config().pgUrl().orElseThrow()))
        .using(api.client()).build();
  }

  @AfterAll
  static void closePool() {
    pool.rxClose().blockingAwait();
  }

  /** One change as a test expects it in the stream. */
  record Expected(long seq, String type, String messageId) {
  }

  @Test
  @DisplayName("every sent message, edit, delete and reaction appears once in the stream, in seq order per chat, with its position")
  void everyChangeAppearsOnceInOrder() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    StreamCursor before = StreamReads.end();

    String first = api.send(alice, chatId, "one").getString("id");
    String second = api.send(bob, chatId, "two").getString("id");
    String third = api.send(alice, chatId, "three").getString("id");
    api.edit(alice, first, "one, edited");
    api.react(bob, second, "👍", "add");
    api.react(bob, second, "👍", "remove");
    api.delete(alice, third);
    List<Expected> expected = List.of(
        new Expected(1, "message.new", first),
        new Expected(2, "message.new", second),
        new Expected(3, "message.new", third),
        new Expected(4, "message.updated", first),
        new Expected(5, "message.reaction", second),
        new Expected(6, "message.reaction", second),
        new Expected(7, "message.deleted", third));

    List<JsonObject> events = StreamReads.eventually(before, chatId, expected.size());

    assertThat(events).extracting(StreamReads::expected).containsExactlyElementsOf(expected);
    List<StreamCursor> positions = events.stream()
        .map(event -> StreamCursor.parse(event.getString("position")).orElseThrow(
            () -> new AssertionError("no valid position in " + event)))
        .toList();
    assertThat(positions).as("positions increase in stream order").isSorted().doesNotHaveDuplicates();
    assertThat(positions.get(0)).isGreaterThan(before);
    assertThat(events).allSatisfy(event -> assertThat(event.getString("chatId")).isEqualTo(chatId));
    assertThat(events.get(4).getString("action")).isEqualTo("add");
    assertThat(events.get(5).getString("action")).isEqualTo("remove");
    assertThat(events.get(4).getString("emoji")).isEqualTo("👍");
    assertThat(events.get(0).getJsonObject("message").getString("content"))
        .as("a stream event carries the message as it is now").isEqualTo("one, edited");

    // A cursor is a place in the stream: reading after an event's position gives exactly what follows it.
    assertThat(StreamReads.allAfter(positions.get(2)).stream().filter(event -> chatId.equals(event.getString("chatId"))))
        .extracting(StreamReads::expected).containsExactlyElementsOf(expected.subList(3, 7));
    assertThat(StreamReads.allAfter(positions.get(6)))
        .filteredOn(event -> chatId.equals(event.getString("chatId"))).isEmpty();
  }

  @Test
  @DisplayName("a consumer stopped between two batches catches up after a restart with nothing lost and nothing applied twice")
  void consumerResumesFromItsStoredCursor() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    List<Expected> expected = new ArrayList<>();
    try (StoringConsumer consumer = StoringConsumer.create(api.client(), pool, StreamReads.end())) {
      consumer.start(100);

      // Batch 1, followed live.
      List<JsonObject> acks = api.sendMany(List.of(alice, bob), chatId, 3);
      acks.forEach(ack -> expected.add(new Expected(ack.getLong("seq"), "message.new", ack.getString("id"))));
      api.edit(alice, acks.get(0).getString("id"), "edited in batch 1");
      expected.add(new Expected(7, "message.updated", acks.get(0).getString("id")));
      api.react(alice, acks.get(1).getString("id"), "🎉", "add");
      expected.add(new Expected(8, "message.reaction", acks.get(1).getString("id")));
      assertThat(eventually(() -> consumer.count(chatId), 8L)).isEqualTo(8);
      StreamCursor afterBatch1 = consumer.storedCursor();
      consumer.stop();

      // Batch 2, while it is stopped.
      List<JsonObject> more = api.sendMany(List.of(alice, bob), chatId, 2);
      more.forEach(ack -> expected.add(new Expected(ack.getLong("seq"), "message.new", ack.getString("id"))));
      api.delete(bob, more.get(1).getString("id"));
      expected.add(new Expected(13, "message.deleted", more.get(1).getString("id")));
      api.react(alice, acks.get(1).getString("id"), "🎉", "remove");
      expected.add(new Expected(14, "message.reaction", acks.get(1).getString("id")));
      api.edit(alice, more.get(0).getString("id"), "edited in batch 2");
      expected.add(new Expected(15, "message.updated", more.get(0).getString("id")));
      assertThat(StreamReads.eventually(afterBatch1, chatId, 7)).as("batch 2 is in the stream").hasSize(7);
      assertThat(consumer.applied(chatId)).as("a stopped consumer applies nothing")
          .containsExactlyElementsOf(expected.subList(0, 8));
      assertThat(consumer.storedCursor()).isEqualTo(afterBatch1);

      // A new follower (small pages: several of them) resumes from the stored cursor.
      consumer.start(3);
      assertThat(eventually(() -> consumer.count(chatId), 15L)).isEqualTo(15);
      pause(EventProbe.QUIET);

      assertThat(consumer.applied(chatId)).as("every event of both batches, once, in order")
          .containsExactlyElementsOf(expected);
      assertThat(consumer.storedCursor()).isGreaterThan(afterBatch1);
    }
  }

  @Test
  @DisplayName("a consumer stopped while a page is being applied, and restarted at once, applies that page once")
  void stopWaitsForThePageBeingApplied() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    try (StoringConsumer consumer = StoringConsumer.create(api.client(), pool, StreamReads.end())) {
      consumer.slowApply(Duration.ofMillis(1_000));
      consumer.start(100);
      String sent = api.send(alice, chatId, "applied slowly").getString("id");
      assertThat(eventually(() -> consumer.pages().size(), 1)).as("a page is being applied").isEqualTo(1);

      consumer.stop();
      List<Expected> whenStopped = consumer.applied(chatId);

      consumer.slowApply(Duration.ZERO);
      consumer.start(100);
      pause(Duration.ofMillis(1_500));
      SoftAssertions.assertSoftly(softly -> {
        softly.assertThat(whenStopped).as("stop completes once the page being applied is stored")
            .containsExactly(new Expected(1, "message.new", sent));
        softly.assertThat(consumer.applied(chatId)).as("the restarted consumer does not apply it again")
            .containsExactly(new Expected(1, "message.new", sent));
      });
    }
  }

  @Test
  @Timeout(30)
  @DisplayName("a consumer that was down for 10,000 events catches up in pages")
  void consumerCatchesUpInPages() {
    UUID owner = newUser();
    String chatText = api.general(owner);
    UUID chatId = UUID.fromString(chatText);
    try (StoringConsumer consumer = StoringConsumer.create(api.client(), pool, StreamReads.end())) {
      // 10,000 messages while the consumer is down, stored as sends are: batches of at most 200, one statement each.
      MessageStore store = new MessageStore(pool);
      JsonObject noMentions = new JsonObject().put("users", new JsonArray()).put("channel", false).put("here", false);
      List<String> ids = new ArrayList<>();
      Observable.range(0, 50)
          .concatMapSingle(batch -> {
            List<MessageStore.NewMessage> messages = IntStream.range(0, SendBatches.MAX_BATCH).mapToObj(i -> {
              UUID id = UUID.randomUUID();
              ids.add(id.toString());
              return new MessageStore.NewMessage(chatId, id, UUID.randomUUID(), owner, "bulk " + (batch * 200 + i), null,
                  noMentions, "normal", new JsonArray());
            }).toList();
            return store.storeBatch(messages);
          })
          .blockingForEach(outcomes -> assertThat(outcomes).allMatch(SendDecision.Stored.class::isInstance));
      assertThat(ids).hasSize(10_000);

      consumer.start(500);
      assertThat(eventually(() -> consumer.count(chatText), 10_000L, Duration.ofSeconds(20))).isEqualTo(10_000);
      pause(EventProbe.QUIET);

      assertThat(consumer.applied(chatText)).as("all 10,000, once, in seq order")
          .containsExactlyElementsOf(IntStream.range(0, 10_000)
              .mapToObj(i -> new Expected(i + 1, "message.new", ids.get(i))).toList());
      assertThat(consumer.pages()).as("pages applied").allSatisfy(size -> assertThat(size).isBetween(0, 500));
      assertThat(consumer.pages().stream().filter(size -> size > 0).count()).isGreaterThanOrEqualTo(20);
    }
  }

  @Test
  @DisplayName("the stream refuses a malformed cursor with validation_failed")
  void malformedCursorIsRefused() {
    for (Object after : List.of("", "garbage", "12", "12.", ".5", "-1.5", "1.-5", "a.b", "1.2.3", "1 .2", 12, 1.5,
        new JsonObject(), new JsonArray().add(1))) {
      OcommsException failure = api.fails(ErrorCode.VALIDATION_FAILED, Addresses.EVENTS_READ,
          new JsonObject().put("after", after).put("limit", 10), new DeliveryOptions());
      assertThat(failure.details().getString("field")).as("after = %s", after).isEqualTo("after");
    }
  }

  @Test
  @DisplayName("limit out of 1..1000 is validation_failed; 1 and 1000 are served")
  void limitOutOfRangeIsRefused() {
    for (Object limit : List.of(0, -1, 1001, Integer.MAX_VALUE, Long.MAX_VALUE, "10", 1.5, true)) {
      OcommsException failure = api.fails(ErrorCode.VALIDATION_FAILED, Addresses.EVENTS_READ,
          new JsonObject().put("limit", limit), new DeliveryOptions());
      assertThat(failure.details().getString("field")).as("limit = %s", limit).isEqualTo("limit");
    }
    assertThat(StreamReads.page(StreamCursor.START, 1).getJsonArray("events").size()).isLessThanOrEqualTo(1);
    assertThat(StreamReads.page(StreamCursor.START, 1000).getJsonArray("events").size()).isLessThanOrEqualTo(1000);
  }

  @Test
  @DisplayName("an event whose transaction commits after a later-positioned one is not skipped")
  void lateCommitIsNotSkipped() {
    UUID alice = newUser();
    String workspaceId = api.workspace(alice);
    String slowChat = api.chatNamed(alice, "general").getString("id");
    String fastChat = api.createChannel(alice, workspaceId, "fast", false).getString("id");
    String edited = api.send(alice, slowChat, "edited by a slow transaction").getString("id");
    StreamCursor cursor = StreamReads.eventuallyCaughtUp(slowChat, 1);

    SqlConnection connection = pool.rxGetConnection().blockingGet();
    try {
      // T1: takes the slow chat's next seq and records an event for it, then stays open.
      Transaction t1 = connection.rxBegin().blockingGet();
      long seq = connection.preparedQuery(
              "UPDATE messaging.chats SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq")
          .rxExecute(Tuple.of(UUID.fromString(slowChat))).blockingGet().iterator().next().getLong(0);
      Row slow = connection.preparedQuery("INSERT INTO messaging.chat_events (chat_id, seq, type, message_id)"
              + " VALUES ($1, $2, 'message.updated', $3) RETURNING tx::text::bigint AS tx, position")
          .rxExecute(Tuple.of(UUID.fromString(slowChat), seq, UUID.fromString(edited))).blockingGet().iterator().next();
      StreamCursor slowPlace = new StreamCursor(slow.getLong("tx"), slow.getLong("position"));

      // T2: a send in another chat, committed (and acked) while T1 is still open.
      String fast = api.send(alice, fastChat, "committed first").getString("id");
      Row fastRow = pool.preparedQuery("SELECT tx::text::bigint AS tx, position FROM messaging.chat_events"
              + " WHERE chat_id = $1 AND seq = 1")
          .rxExecute(Tuple.of(UUID.fromString(fastChat))).blockingGet().iterator().next();
      StreamCursor fastPlace = new StreamCursor(fastRow.getLong("tx"), fastRow.getLong("position"));
      assertThat(fastPlace.position()).as("the committed event has the later position").isGreaterThan(slowPlace.position());
      assertThat(fastPlace.tx()).as("and the younger transaction").isGreaterThan(slowPlace.tx());

      // While T1 runs, neither event is read, and the cursor does not move past T1's event: a reader that took the
      // committed event now would have moved its cursor past T1's position and never see T1's event.
      for (int i = 0; i < 3; i++) {
        JsonObject page = StreamReads.page(cursor, 1000);
        assertThat(MessagingApi.objects(page.getJsonArray("events")))
            .filteredOn(event -> slowChat.equals(event.getString("chatId")) || fastChat.equals(event.getString("chatId")))
            .isEmpty();
        StreamCursor next = StreamCursor.parse(page.getString("next")).orElseThrow();
        assertThat(next).as("the cursor stays before the running transaction's event").isLessThan(slowPlace);
        pause(Duration.ofMillis(100));
      }

      t1.rxCommit().blockingAwait();

      // From the same cursor, both arrive: T1's first (its transaction is older), then the one committed before it.
      List<JsonObject> arrived = StreamReads.allAfter(cursor).stream()
          .filter(event -> slowChat.equals(event.getString("chatId")) || fastChat.equals(event.getString("chatId")))
          .toList();
      assertThat(arrived).extracting(StreamReads::expected).containsExactly(
          new Expected(seq, "message.updated", edited),
          new Expected(1, "message.new", fast));
      assertThat(arrived).extracting(event -> event.getString("position"))
          .containsExactly(slowPlace.wire(), fastPlace.wire());
    } finally {
      connection.rxClose().onErrorComplete().blockingAwait();
    }
  }

  @Test
  @DisplayName("a follower goes past an event of a type this version does not know (a newer node's), applying the "
      + "events around it")
  void unknownEventTypeIsSkipped() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    // What a newer version's expand migration does before its nodes write a new type of event.
    pool.query("ALTER TABLE messaging.chat_events DROP CONSTRAINT IF EXISTS chat_events_type_check").rxExecute()
        .blockingGet();
    try (StoringConsumer consumer = StoringConsumer.create(api.client(), pool, StreamReads.end())) {
      consumer.start(100);
      JsonObject before = api.send(alice, chatId, "before the newer event");
      Row unknown = pool.rxWithTransaction(connection -> connection.preparedQuery(
                  "UPDATE messaging.chats SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq")
              .rxExecute(Tuple.of(UUID.fromString(chatId)))
              .flatMap(seqs -> connection.preparedQuery("INSERT INTO messaging.chat_events (chat_id, seq, type,"
                      + " message_id) VALUES ($1, $2, 'message.bookmarked', $3)"
                      + " RETURNING tx::text::bigint AS tx, position")
                  .rxExecute(Tuple.of(UUID.fromString(chatId), seqs.iterator().next().getLong(0),
                      UUID.fromString(before.getString("id")))))
              .map(rows -> rows.iterator().next())
              .toMaybe())
          .blockingGet();
      StreamCursor unknownPlace = new StreamCursor(unknown.getLong("tx"), unknown.getLong("position"));
      JsonObject after = api.send(alice, chatId, "after the newer event");

      assertThat(eventually(() -> consumer.count(chatId), 2L)).isEqualTo(2);
      pause(EventProbe.QUIET);

      assertThat(consumer.applied(chatId)).as("the events of known types, in order").containsExactly(
          new Expected(before.getLong("seq"), "message.new", before.getString("id")),
          new Expected(after.getLong("seq"), "message.new", after.getString("id")));
      assertThat(after.getLong("seq")).as("the unknown event took a seq between them")
          .isEqualTo(before.getLong("seq") + 2);
      assertThat(consumer.storedCursor()).as("the stored cursor is past the unknown event").isGreaterThan(unknownPlace);
    }
  }

  /** {@code value} once it equals {@code expected}, or its last value after 10 s (for the assertion to report). */
  static <T> T eventually(java.util.function.Supplier<T> value, T expected) {
    return eventually(value, expected, Duration.ofSeconds(10));
  }

  static <T> T eventually(java.util.function.Supplier<T> value, T expected, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    T current = value.get();
    while (!current.equals(expected) && System.nanoTime() < deadline) {
      pause(Duration.ofMillis(50));
      current = value.get();
    }
    return current;
  }

  /** A test's wait without busy-looping. */
  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Reading {@code messaging.events.read} from node 1 as an internal client (no caller header). */
  static final class StreamReads {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private StreamReads() {
    }

    static JsonObject page(StreamCursor after, int limit) {
      return api.client().eventBus().<JsonObject>rxRequest(Addresses.EVENTS_READ,
          new JsonObject().put("after", after.wire()).put("limit", limit)).blockingGet().body();
    }

    /** Every event readable after {@code after} now, page by page. */
    static List<JsonObject> allAfter(StreamCursor after) {
      List<JsonObject> events = new ArrayList<>();
      StreamCursor cursor = after;
      while (true) {
        JsonObject page = page(cursor, 1000);
        events.addAll(MessagingApi.objects(page.getJsonArray("events")));
        cursor = StreamCursor.parse(page.getString("next")).orElseThrow();
        if (!page.getBoolean("hasMore")) {
          return events;
        }
      }
    }

    /** The cursor after every event readable now. */
    static StreamCursor end() {
      StreamCursor cursor = StreamCursor.START;
      while (true) {
        JsonObject page = page(cursor, 1000);
        cursor = StreamCursor.parse(page.getString("next")).orElseThrow();
        if (!page.getBoolean("hasMore")) {
          return cursor;
        }
      }
    }

    /**
     * The chat's events after {@code after} once there are {@code count} of them (events become readable once every
     * older transaction has ended), or what there is after {@link #PATIENCE}, for the caller's assertion to report.
     */
    static List<JsonObject> eventually(StreamCursor after, String chatId, int count) {
      long deadline = System.nanoTime() + PATIENCE.toNanos();
      List<JsonObject> events;
      do {
        events = allAfter(after).stream().filter(event -> chatId.equals(event.getString("chatId"))).toList();
        if (events.size() >= count) {
          return events;
        }
        pause(Duration.ofMillis(20));
      } while (System.nanoTime() < deadline);
      return events;
    }

    /** The end of the stream once the chat's first {@code count} events are readable. */
    static StreamCursor eventuallyCaughtUp(String chatId, int count) {
      assertThat(eventually(StreamCursor.START, chatId, count)).hasSize(count);
      return end();
    }

    /** An event as (seq, type, messageId). */
    static Expected expected(JsonObject event) {
      String messageId = event.getString("messageId", event.getJsonObject("message").getString("id"));
      return new Expected(event.getLong("seq"), event.getString("type"), messageId);
    }
  }
}
