package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.rxjava3.core.Context;
import io.vertx.rxjava3.pgclient.PgBuilder;
import io.vertx.rxjava3.sqlclient.Pool;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static dev.ocomms.messaging.MessagingApi.message;
import static dev.ocomms.messaging.MessagingApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Sends to one chat share transactions (batches) and stay exact")
class SendBatchingTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.startOnBothNodes();

  @Test
  @DisplayName("120 sends at the same instant from both nodes: seqs 1..120, each acked once and published once, some sharing a commit")
  void burstGetsDistinctGapFreeSeqs() {
    UUID owner = newUser();
    List<UUID> team = IntStream.range(0, 40).mapToObj(i -> newUser()).toList();
    api.workspace(owner, team.toArray(UUID[]::new));
    String chatId = api.chatNamed(owner, "general").getString("id");
    try (EventProbe chat = api.listenToChat(chatId)) {
      // Three each: within every sender's burst allowance of the rate limit.
      List<JsonObject> acks = Observable.range(0, team.size() * 3)
          .flatMapSingle(i -> api.request(i % 2, team.get(i % team.size()), Addresses.CHAT_MESSAGE_SEND,
              message(chatId, "burst " + i)))
          .toList().blockingGet();

      assertThat(acks).extracting(ack -> ack.getLong("seq"))
          .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 120).boxed().toList());
      assertThat(api.allMessages(0, owner, chatId)).extracting(m -> m.getString("id"))
          .containsExactlyInAnyOrderElementsOf(acks.stream().map(ack -> ack.getString("id")).toList());
      assertThat(acks.stream().map(ack -> ack.getString("createdAt")).distinct().count())
          .as("messages of one batch are created in one transaction").isLessThan(120);
      assertThat(MessagingApi.eventually(() -> chat.ofType("message.new").size(), 120)).isEqualTo(120);
      assertThat(chat.settled()).filteredOn(event -> "message.new".equals(event.getString("type")))
          .extracting(event -> event.getLong("seq")).doesNotHaveDuplicates().hasSize(120);
      assertThat(api.chat(owner, chatId).getLong("lastSeq")).isEqualTo(120);
    }
  }

  @Test
  @DisplayName("the same clientId sent five times at once among other sends: one message, five identical acks, no gap")
  void concurrentRetriesStoreOnce() {
    UUID owner = newUser();
    List<UUID> team = IntStream.range(0, 10).mapToObj(i -> newUser()).toList();
    api.workspace(owner, team.toArray(UUID[]::new));
    String chatId = api.chatNamed(owner, "general").getString("id");
    JsonObject retried = message(chatId, "sent once");

    List<Single<JsonObject>> requests = new ArrayList<>();
    IntStream.range(0, 5).forEach(i -> requests.add(api.request(i % 2, owner, Addresses.CHAT_MESSAGE_SEND, retried)));
    IntStream.range(0, 20).forEach(i -> requests.add(api.request(i % 2, team.get(i % team.size()),
        Addresses.CHAT_MESSAGE_SEND, message(chatId, "other " + i))));
    List<JsonObject> acks = Single.merge(requests).toList().blockingGet();

    List<JsonObject> retriedAcks = acks.stream()
        .filter(ack -> retried.getString("clientId").equals(ack.getString("clientId"))).toList();
    assertThat(retriedAcks).hasSize(5);
    assertThat(retriedAcks.stream().distinct()).as("every retry answers the one stored message").hasSize(1);
    List<JsonObject> stored = api.allMessages(0, owner, chatId);
    assertThat(stored).extracting(m -> m.getLong("seq"))
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 21).boxed().toList());
    assertThat(stored).filteredOn(m -> m.getString("clientId").equals(retried.getString("clientId"))).hasSize(1);
  }

  @Test
  @DisplayName("in one batch, a refused send (not a member, an already stored clientId) leaves the others stored under consecutive seqs")
  void refusalInABatchDoesNotAffectTheOthers() throws Exception {
    UUID owner = newUser();
    api.workspace(owner);
    String chatText = api.chatNamed(owner, "general").getString("id");
    UUID chatId = UUID.fromString(chatText);
    JsonObject first = api.send(owner, chatText, "already here");
    UUID storedClientId = UUID.fromString(first.getString("clientId"));
    UUID stranger = newUser();

    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(api.config().pgUrl().orElseThrow()))
        .using(api.client()).build();
    try {
      List<List<Long>> committed = new CopyOnWriteArrayList<>();
      SendBatches batches = new SendBatches(new MessageStore(pool),
          batch -> committed.add(batch.stream().map(Message::seq).toList()));
      MessageActions.MentionSet noMentions = new MessageActions.MentionSet(Set.of(), false, false);
      Context context = api.client().getOrCreateContext();
      CompletableFuture<List<Object>> outcomes = new CompletableFuture<>();
      context.runOnContext(ignored -> {
        // Queued in one go on the instance's event loop: the first starts a transaction, the rest share the next one.
        List<Single<Object>> sends = List.of(
            send(batches, chatId, owner, UUID.randomUUID(), noMentions),
            send(batches, chatId, owner, UUID.randomUUID(), noMentions),
            send(batches, chatId, stranger, UUID.randomUUID(), noMentions),
            send(batches, chatId, owner, storedClientId, noMentions),
            send(batches, chatId, owner, UUID.randomUUID(), noMentions));
        Single.concat(sends).toList().subscribe(outcomes::complete, outcomes::completeExceptionally);
      });
      List<Object> results = outcomes.get(10, TimeUnit.SECONDS);

      assertThat(results.get(0)).isInstanceOf(Message.class);
      assertThat(results.get(1)).isInstanceOf(Message.class);
      assertThat(results.get(2)).isInstanceOfSatisfying(OcommsException.class, refusal -> {
        assertThat(refusal.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(refusal.details().containsKey("reason")).as("not a member: no reason").isFalse();
      });
      assertThat(results.get(3)).isInstanceOf(SendDecision.AlreadyStored.class);
      assertThat(results.get(4)).isInstanceOf(Message.class);
      assertThat(List.of(results.get(0), results.get(1), results.get(4)))
          .extracting(result -> ((Message) result).seq()).containsExactly(2L, 3L, 4L);
      assertThat(committed).as("batches, each in seq order").containsExactly(List.of(2L), List.of(3L, 4L));
      assertThat(api.allMessages(0, owner, chatText)).extracting(m -> m.getLong("seq")).containsExactly(1L, 2L, 3L, 4L);
      assertThat(api.chat(owner, chatText).getLong("lastSeq")).isEqualTo(4);
      CompletableFuture<Integer> active = new CompletableFuture<>();
      context.runOnContext(ignored -> active.complete(batches.activeChats()));
      assertThat(active.get(5, TimeUnit.SECONDS)).as("an idle chat is forgotten").isZero();
    } finally {
      pool.rxClose().blockingAwait();
    }
  }

  @Test
  @DisplayName("sends to several chats that wait for the same statement share one commit; each chat keeps its own gap-free seqs, and an archived chat's send is refused alone")
  void sendsToSeveralChatsShareOneCommit() throws Exception {
    UUID owner = newUser();
    String workspaceId = api.workspace(owner);
    UUID first = UUID.fromString(api.chatNamed(owner, "general").getString("id"));
    UUID second = UUID.fromString(api.createChannel(owner, workspaceId, "second", false).getString("id"));
    String archivedText = api.createChannel(owner, workspaceId, "archived", false).getString("id");
    api.call(owner, Addresses.CHAT_UPDATE, new JsonObject().put("chatId", archivedText).put("archived", true));
    UUID archived = UUID.fromString(archivedText);

    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(api.config().pgUrl().orElseThrow()))
        .using(api.client()).build();
    try {
      List<List<String>> committed = new CopyOnWriteArrayList<>();
      SendBatches batches = new SendBatches(new MessageStore(pool), batch -> committed.add(batch.stream()
          .map(message -> message.chatId() + ":" + message.seq()).toList()));
      MessageActions.MentionSet noMentions = new MessageActions.MentionSet(Set.of(), false, false);
      Context context = api.client().getOrCreateContext();
      CompletableFuture<List<Object>> outcomes = new CompletableFuture<>();
      context.runOnContext(ignored -> {
        // The first send starts a statement at once; the other four wait for it and then share the next one.
        List<Single<Object>> sends = List.of(
            send(batches, first, owner, UUID.randomUUID(), noMentions),
            send(batches, second, owner, UUID.randomUUID(), noMentions),
            send(batches, first, owner, UUID.randomUUID(), noMentions),
            send(batches, archived, owner, UUID.randomUUID(), noMentions),
            send(batches, second, owner, UUID.randomUUID(), noMentions));
        Single.concat(sends).toList().subscribe(outcomes::complete, outcomes::completeExceptionally);
      });
      List<Object> results = outcomes.get(10, TimeUnit.SECONDS);

      assertThat(List.of(results.get(0), results.get(1), results.get(2), results.get(4)))
          .extracting(result -> ((Message) result).chatId() + ":" + ((Message) result).seq())
          .containsExactly(first + ":1", second + ":1", first + ":2", second + ":2");
      assertThat(results.get(3)).isInstanceOfSatisfying(OcommsException.class, refusal -> {
        assertThat(refusal.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(refusal.details().getString("reason")).isEqualTo("chat_archived");
      });
      assertThat(List.of(results.get(1), results.get(2), results.get(4)))
          .extracting(result -> ((Message) result).createdAt()).as("one transaction").containsOnly(
              ((Message) results.get(1)).createdAt());
      assertThat(committed).as("one call per chat of each commit, in seq order").containsExactly(
          List.of(first + ":1"), List.of(second + ":1", second + ":2"), List.of(first + ":2"));
      assertThat(api.chat(owner, archivedText).getLong("lastSeq"))
          .as("nothing stored in the archived chat but the system message of its archiving").isEqualTo(1);
    } finally {
      pool.rxClose().blockingAwait();
    }
  }

  @Test
  @DisplayName("a send the database refuses fails alone: the other sends of its batch are stored under consecutive seqs and acked")
  void databaseFailureOfOneSendDoesNotFailItsBatch() throws Exception {
    UUID owner = newUser();
    api.workspace(owner);
    String chatText = api.chatNamed(owner, "general").getString("id");
    UUID chatId = UUID.fromString(chatText);

    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(api.config().pgUrl().orElseThrow()))
        .using(api.client()).build();
    try {
      List<List<Long>> committed = new CopyOnWriteArrayList<>();
      SendBatches batches = new SendBatches(new MessageStore(pool),
          batch -> committed.add(batch.stream().map(Message::seq).toList()));
      MessageActions.MentionSet noMentions = new MessageActions.MentionSet(Set.of(), false, false);
      Context context = api.client().getOrCreateContext();
      CompletableFuture<List<Object>> outcomes = new CompletableFuture<>();
      context.runOnContext(ignored -> {
        // Straight to the batches, past validation: PostgreSQL refuses a NUL in text, and so the whole statement.
        // The first send starts a statement at once; the other four share the next one.
        List<Single<Object>> sends = List.of(
            send(batches, chatId, owner, "first", noMentions),
            send(batches, chatId, owner, "second", noMentions),
            send(batches, chatId, owner, "bad\u0000", noMentions),
            send(batches, chatId, owner, "third", noMentions),
            send(batches, chatId, owner, "fourth", noMentions));
        Single.concat(sends).toList().subscribe(outcomes::complete, outcomes::completeExceptionally);
      });
      List<Object> results = outcomes.get(10, TimeUnit.SECONDS);

      assertThat(results.get(2)).as("the refused send").isInstanceOf(Throwable.class);
      assertThat(List.of(results.get(0), results.get(1), results.get(3), results.get(4)))
          .allSatisfy(result -> assertThat(result).isInstanceOf(Message.class))
          .extracting(result -> ((Message) result).content() + ":" + ((Message) result).seq())
          .containsExactly("first:1", "second:2", "third:3", "fourth:4");
      assertThat(committed.stream().flatMap(List::stream)).as("published once each, in seq order")
          .containsExactly(1L, 2L, 3L, 4L);
      assertThat(api.allMessages(0, owner, chatText)).extracting(m -> m.getString("content"))
          .containsExactly("first", "second", "third", "fourth");
      assertThat(api.chat(owner, chatText).getLong("lastSeq")).as("no seq used by the refused send").isEqualTo(4);
    } finally {
      pool.rxClose().blockingAwait();
    }
  }

  @Test
  @DisplayName("bursts into three chats at once from both nodes: every chat's seqs run 1..60 with no gap or duplicate")
  void burstsIntoSeveralChatsFromBothNodes() {
    UUID owner = newUser();
    List<UUID> team = IntStream.range(0, 60).mapToObj(i -> newUser()).toList();
    String workspaceId = api.workspace(owner, team.toArray(UUID[]::new));
    List<String> chatIds = List.of(api.chatNamed(owner, "general").getString("id"),
        api.createChannel(owner, workspaceId, "two", false).getString("id"),
        api.createChannel(owner, workspaceId, "three", false).getString("id"));
    chatIds.subList(1, 3).forEach(chatId -> team.forEach(member ->
        api.call(member, Addresses.CHAT_JOIN, new JsonObject().put("chatId", chatId))));
    List<Long> before = chatIds.stream().map(chatId -> api.chat(owner, chatId).getLong("lastSeq")).toList();

    List<JsonObject> acks = Observable.range(0, 180)
        .flatMapSingle(i -> api.request(i % 2, team.get(i / 3), Addresses.CHAT_MESSAGE_SEND,
            message(chatIds.get(i % 3), "burst " + i)))
        .toList().blockingGet();

    for (int c = 0; c < chatIds.size(); c++) {
      // After the system messages of the joins (none in #general, which everyone joined with the workspace).
      String chatId = chatIds.get(c);
      long base = before.get(c);
      assertThat(acks).filteredOn(ack -> chatId.equals(ack.getString("chatId"))).extracting(ack -> ack.getLong("seq"))
          .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(base + 1, base + 60).boxed().toList());
      assertThat(api.allMessages(0, owner, chatId)).filteredOn(MessagingApi::written).hasSize(60);
      assertThat(api.chat(owner, chatId).getLong("lastSeq")).isEqualTo(base + 60);
    }
  }

  private static Single<Object> send(SendBatches batches, UUID chatId, UUID sender, UUID clientId,
                                     MessageActions.MentionSet mentions) {
    return send(batches, chatId, sender, clientId, "batched", mentions);
  }

  private static Single<Object> send(SendBatches batches, UUID chatId, UUID sender, String content,
                                     MessageActions.MentionSet mentions) {
    return send(batches, chatId, sender, UUID.randomUUID(), content, mentions);
  }

  private static Single<Object> send(SendBatches batches, UUID chatId, UUID sender, UUID clientId, String content,
                                     MessageActions.MentionSet mentions) {
    return batches.send(chatId, sender, clientId, content, null, mentions, "normal", new JsonArray(),
            UUID.randomUUID())
        .<Object>map(message -> message)
        .onErrorReturn(failure -> failure);
  }
}
