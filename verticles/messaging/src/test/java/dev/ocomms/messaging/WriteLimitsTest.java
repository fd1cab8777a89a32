package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;

import static dev.ocomms.messaging.MessagingApi.message;
import static dev.ocomms.messaging.MessagingApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-user limits on chat writes (see {@link RateLimits}): each kind past its quota, and the one budget every write
 * takes from. Bursts are sent one after another, so that the first ones are the ones taken; a bucket refills a little
 * while a burst runs, which the bounds allow for.
 */
@DisplayName("Write limits: every kind of chat write is limited per user, and all of them share one budget")
class WriteLimitsTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.startOnBothNodes();

  /** The outcomes of {@code count} requests, each its reply or its failure, sent one after another. */
  private static List<Object> oneAfterAnother(int count, IntFunction<Single<JsonObject>> request) {
    return Observable.range(0, count)
        .concatMapSingle(i -> request.apply(i).<Object>map(reply -> reply).onErrorReturn(failure -> failure))
        .toList().blockingGet();
  }

  /** The outcomes of requests all sent at once. */
  private static List<Object> atOnce(List<Single<JsonObject>> requests) {
    return Observable.fromIterable(requests)
        .flatMapSingle(request -> request.<Object>map(reply -> reply).onErrorReturn(failure -> failure))
        .toList().blockingGet();
  }

  private static List<OcommsException> refusals(List<Object> outcomes) {
    return outcomes.stream().filter(OcommsException.class::isInstance).map(OcommsException.class::cast).toList();
  }

  /** Asserts that the first {@code allowed} succeeded and that the rest, past a refill or two, were refused. */
  private static void assertLimited(List<Object> outcomes, int allowed, String limit) {
    assertThat(outcomes.subList(0, allowed)).as("the first %d", allowed).allMatch(JsonObject.class::isInstance);
    assertThat(refusals(outcomes)).as("refused").isNotEmpty()
        .hasSize(outcomes.size() - (int) outcomes.stream().filter(JsonObject.class::isInstance).count())
        .allSatisfy(refused -> assertRefused(refused, limit));
    assertThat(outcomes.get(outcomes.size() - 1)).as("the last").isInstanceOf(OcommsException.class);
  }

  private static void assertRefused(OcommsException refused, String limit) {
    assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(refused.details().getString("limit")).isEqualTo(limit);
    assertThat(refused.details().getLong("retryAfter")).isPositive();
    assertThat(refused.details().getLong("retryAfterMs")).isPositive();
  }

  private static Single<JsonObject> request(UUID caller, String address, JsonObject body) {
    return api.request(1, caller, address, body);
  }

  @Test
  @DisplayName("more than 10 edits at once are rate_limited as chat.edit with retryAfter; the edits made are stored")
  void edits() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "draft").getString("id");

    List<Object> outcomes = oneAfterAnother(14, i -> request(alice, Addresses.CHAT_MESSAGE_EDIT,
        new JsonObject().put("messageId", messageId).put("content", "edit " + i)));

    assertLimited(outcomes, 10, "chat.edit");
    long edits = outcomes.stream().filter(JsonObject.class::isInstance).count();
    assertThat(api.historyMessages(alice, chatId, new JsonObject()).get(0).getString("content"))
        .isEqualTo("edit " + (edits - 1));
    // Other kinds of write are not held up by the edits.
    assertThat(api.send(alice, chatId, "still sending").getString("content")).isEqualTo("still sending");
  }

  @Test
  @DisplayName("more than 20 deletes at once are rate_limited as chat.delete")
  void deletes() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "oops").getString("id");

    // Deleting a deleted message answers its tombstone: it still counts.
    assertLimited(oneAfterAnother(28, i -> request(alice, Addresses.CHAT_MESSAGE_DELETE,
        new JsonObject().put("messageId", messageId))), 20, "chat.delete");
  }

  @Test
  @DisplayName("more than 20 reactions at once, added or removed, are rate_limited as chat.react")
  void reactions() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "react to me").getString("id");

    assertLimited(oneAfterAnother(28, i -> request(alice, Addresses.CHAT_MESSAGE_REACT, new JsonObject()
        .put("messageId", messageId).put("emoji", ":+1:").put("action", i % 2 == 0 ? "add" : "remove"))),
        20, "chat.react");
  }

  @Test
  @DisplayName("a sixth workspace within the hour is rate_limited as workspace.create.hour for the rest of the hour")
  void workspaces() {
    UUID alice = newUser();
    List<Object> outcomes = oneAfterAnother(6, i -> request(alice, Addresses.WORKSPACE_CREATE,
        new JsonObject().put("name", "Team " + i)));

    assertLimited(outcomes, 5, "workspace.create.hour");
    assertThat(refusals(outcomes).get(0).details().getLong("retryAfter")).isBetween(3500L, 3600L);
    assertThat(api.call(alice, Addresses.WORKSPACE_LIST, new JsonObject()).getJsonArray("workspaces")).hasSize(5);
  }

  @Test
  @DisplayName("more than 20 invites within the hour are rate_limited as workspace.invite")
  void invites() {
    UUID alice = newUser();
    String workspaceId = api.workspace(alice);
    assertLimited(oneAfterAnother(21, i -> request(alice, Addresses.WORKSPACE_INVITE_CREATE,
        new JsonObject().put("workspaceId", workspaceId))), 20, "workspace.invite");
  }

  @Test
  @DisplayName("more than 20 joins by invite within the hour, with unknown codes too, are rate_limited as workspace.join")
  void joins() {
    UUID alice = newUser();
    String code = api.invite(alice, api.workspace(alice), new JsonObject()).getString("code");
    UUID mallory = newUser();

    List<Object> outcomes = oneAfterAnother(21, i -> request(mallory, Addresses.WORKSPACE_JOIN,
        new JsonObject().put("code", i < 20 ? "GUESS" + i : code)));

    assertThat(outcomes.subList(0, 20)).as("guesses").allSatisfy(guess -> assertThat(guess)
        .isInstanceOfSatisfying(OcommsException.class, failure -> assertThat(failure.code())
            .isEqualTo(ErrorCode.NOT_FOUND)));
    assertThat(outcomes.get(20)).as("the real code, past the limit")
        .isInstanceOfSatisfying(OcommsException.class, refused -> assertRefused(refused, "workspace.join"));
    assertThat(api.call(mallory, Addresses.WORKSPACE_LIST, new JsonObject()).getJsonArray("workspaces")).isEmpty();
  }

  @Test
  @DisplayName("a mix of kinds, each within its own quota, is rate_limited as chat.write past the shared budget")
  void sharedBudget() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "hello").getString("id");

    List<Single<JsonObject>> writes = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      writes.add(request(alice, Addresses.CHAT_MESSAGE_SEND, message(chatId, "message " + i)));
      writes.add(request(alice, Addresses.CHAT_MESSAGE_EDIT,
          new JsonObject().put("messageId", messageId).put("content", "edit " + i)));
      writes.add(request(alice, Addresses.CHAT_MESSAGE_REACT,
          new JsonObject().put("messageId", messageId).put("emoji", ":e" + i + ":").put("action", "add")));
    }
    // Topic changes have no quota of their own: they make the burst far larger than the budget refills in it.
    for (int i = 0; i < 53; i++) {
      writes.add(request(alice, Addresses.CHAT_UPDATE, new JsonObject().put("chatId", chatId).put("topic", "t" + i)));
    }
    List<Object> outcomes = atOnce(writes);

    // The budget holds 30, less the 2 of the set-up; it refills during the burst, so more may get through.
    long accepted = outcomes.stream().filter(JsonObject.class::isInstance).count();
    assertThat(accepted).as("accepted of %d", writes.size()).isGreaterThanOrEqualTo(28L);
    assertThat(refusals(outcomes)).hasSize(writes.size() - (int) accepted).isNotEmpty()
        .allSatisfy(refused -> assertRefused(refused, "chat.write"));
  }

  @Test
  @DisplayName("one user's limits leave another's alone: bob reacts while alice is rate_limited")
  void perUser() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String messageId = api.send(bob, chatId, "hi").getString("id");
    assertLimited(oneAfterAnother(28, i -> request(alice, Addresses.CHAT_MESSAGE_REACT, new JsonObject()
        .put("messageId", messageId).put("emoji", ":+1:").put("action", i % 2 == 0 ? "add" : "remove"))),
        20, "chat.react");

    assertThat(api.react(bob, messageId, ":+1:", "add").getJsonArray("reactions")).isNotNull();
  }
}
