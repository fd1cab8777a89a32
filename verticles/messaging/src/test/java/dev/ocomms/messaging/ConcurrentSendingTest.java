package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static dev.ocomms.messaging.MessagingApi.message;
import static dev.ocomms.messaging.MessagingApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Concurrent sending into one chat from both nodes")
class ConcurrentSendingTest {
  private static final int SENDERS = 4;
  private static final int MESSAGES_PER_SENDER = 500;
  /** Each sender is a client posting for a team of users, each user kept well under the 10 messages/s limit. */
  private static final int USERS_PER_SENDER = 8;
  private static final Duration PER_USER_INTERVAL = Duration.ofMillis(150);

  @AutoClose
  private static final MessagingApi api = MessagingApi.startOnBothNodes();

  @Test
  @DisplayName("4 senders split over both nodes, 500 messages each: the chat's seqs are exactly 1..2000, each acked once")
  void seqsHaveNoGapsOrDuplicates() {
    UUID owner = newUser();
    List<List<UUID>> teams = IntStream.range(0, SENDERS)
        .mapToObj(i -> IntStream.range(0, USERS_PER_SENDER).mapToObj(j -> newUser()).toList()).toList();
    api.workspace(owner, teams.stream().flatMap(List::stream).toArray(UUID[]::new));
    String chatId = api.chatNamed(owner, "general").getString("id");

    // Each sender fires on its own schedule without waiting for replies, so requests from all four overlap on both
    // nodes and both messaging instances contend for the chat's seq.
    List<List<JsonObject>> acks = Observable.range(0, SENDERS)
        .flatMapSingle(sender -> send(sender % 2, teams.get(sender), chatId).subscribeOn(
            io.reactivex.rxjava3.schedulers.Schedulers.io()))
        .toList()
        .blockingGet();

    List<JsonObject> stored = api.allMessages(0, owner, chatId);
    assertThat(stored).extracting(m -> m.getLong("seq"))
        .containsExactlyElementsOf(LongStream.rangeClosed(1, SENDERS * MESSAGES_PER_SENDER).boxed().toList());
    assertThat(acks).allSatisfy(sent -> assertThat(sent).hasSize(MESSAGES_PER_SENDER));
    Map<String, JsonObject> storedById = stored.stream()
        .collect(Collectors.toMap(m -> m.getString("id"), Function.identity()));
    assertThat(acks.stream().flatMap(List::stream))
        .as("every ack is the stored message, under its own seq")
        .allSatisfy(ack -> assertThat(storedById.get(ack.getString("id"))).isEqualTo(ack))
        .extracting(ack -> ack.getLong("seq")).doesNotHaveDuplicates();
    assertThat(stored).extracting(m -> m.getString("senderId")).hasSize(SENDERS * MESSAGES_PER_SENDER)
        .containsOnlyElementsOf(teams.stream().flatMap(List::stream).map(UUID::toString).toList());
    assertThat(api.chat(owner, chatId).getLong("lastSeq")).isEqualTo(SENDERS * MESSAGES_PER_SENDER);
  }

  @Test
  @DisplayName("after concurrent sending, every member's unread count is the others' messages after their own last one, cached and rebuilt alike")
  void countsStayExactUnderConcurrency() {
    UUID owner = newUser();
    List<UUID> team = IntStream.range(0, 16).mapToObj(i -> newUser()).toList();
    api.workspace(owner, team.toArray(UUID[]::new));
    String chatId = api.chatNamed(owner, "general").getString("id");

    // Rounds in which everyone sends at the same instant, half from each node: the counting of one message
    // overlaps with the next ones'. 150 ms between rounds keeps each user under the rate limit.
    Observable.intervalRange(0, 10, 0, 150, TimeUnit.MILLISECONDS)
        .concatMapSingle(round -> Observable.range(0, team.size())
            .flatMapSingle(i -> api.request(i % 2, team.get(i), Addresses.CHAT_MESSAGE_SEND,
                message(chatId, "round " + round)))
            .toList())
        .toList().blockingGet();

    List<JsonObject> stored = api.allMessages(0, owner, chatId);
    assertThat(stored).hasSize(160);
    Map<UUID, Long> expected = new java.util.HashMap<>();
    for (UUID user : java.util.stream.Stream.concat(team.stream(), java.util.stream.Stream.of(owner)).toList()) {
      long lastOwn = stored.stream().filter(m -> m.getString("senderId").equals(user.toString()))
          .mapToLong(m -> m.getLong("seq")).max().orElse(0);
      expected.put(user, stored.stream().filter(m -> m.getLong("seq") > lastOwn).count());
    }
    assertThat(expected.get(owner)).isEqualTo(160);

    assertThat(MessagingApi.eventually(() -> unreadOfEveryone(expected.keySet(), chatId), expected))
        .as("counts kept in Redis").isEqualTo(expected);
    api.flushRedis();
    assertThat(unreadOfEveryone(expected.keySet(), chatId)).as("counts rebuilt from PostgreSQL").isEqualTo(expected);
  }

  private static Map<UUID, Long> unreadOfEveryone(java.util.Set<UUID> users, String chatId) {
    return users.stream().collect(Collectors.toMap(Function.identity(),
        user -> api.listed(user, chatId).getLong("unreadCount")));
  }

  /** One sender: its messages round-robin over its team, paced, sent from a client on {@code node}; the acks. */
  private static Single<List<JsonObject>> send(int node, List<UUID> team, String chatId) {
    return send(node, team, chatId, MESSAGES_PER_SENDER);
  }

  private static Single<List<JsonObject>> send(int node, List<UUID> team, String chatId, int count) {
    long period = PER_USER_INTERVAL.toNanos() / team.size();
    return Observable.intervalRange(0, count, 0, period, TimeUnit.NANOSECONDS)
        .flatMapSingle(i -> api.request(node, team.get((int) (i % team.size())), Addresses.CHAT_MESSAGE_SEND,
            message(chatId, "message " + i)))
        .toList();
  }
}
