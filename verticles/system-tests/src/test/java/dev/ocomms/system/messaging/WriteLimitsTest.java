package dev.ocomms.system.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import dev.ocomms.testkit.bridge.Transport;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.stream.IntStream;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static dev.ocomms.system.messaging.ChatSystem.NODE_1;
import static dev.ocomms.system.messaging.ChatSystem.NODE_2;
import static dev.ocomms.system.messaging.ChatSystem.WAIT;
import static dev.ocomms.system.messaging.ChatSystem.newMessage;
import static dev.ocomms.testkit.bridge.Frames.about;
import static org.assertj.core.api.Assertions.assertThat;

/** Per-user write limits as clients see them: the same refusal on REST and on the bridge. */
@DisplayName("Write limits over REST and the bridge")
@ExtendWith(ChatSystem.Resolver.class)
class WriteLimitsTest {
  /** More edits at once than the 10 a user may make before they are spaced out. */
  private static final int EDITS = 14;
  private static ChatSystem system;

  @BeforeAll
  static void setUp(ChatSystem chatSystem) {
    system = chatSystem;
  }

  @Test
  @DisplayName("edits past the limit over REST are 429 rate_limited problems with Retry-After, retryAfter and limit")
  void restRefusal() {
    List<Account> users = system.users(1);
    Account alice = users.get(0);
    String chatId = system.chat(alice, List.of());
    String path = "/messages/" + system.rest(201, NODE_1, HttpMethod.POST, "/chats/" + chatId + "/messages",
        alice.token(), newMessage("draft")).bodyAsJsonObject().getString("id");

    List<HttpResponse<Buffer>> responses = Single.concatEager(IntStream.range(0, EDITS).mapToObj(i -> system.server
        .callAsync(i % 2 == 0 ? NODE_1 : NODE_2, HttpMethod.PATCH, path, alice.token(),
            new JsonObject().put("content", "edit " + i))).toList())
        .toList().blockingGet();

    assertThat(responses.stream().filter(response -> response.statusCode() == 200).count()).as("accepted")
        .isBetween(10L, (long) EDITS - 1);
    assertThat(responses.stream().filter(response -> response.statusCode() != 200)).allSatisfy(response -> {
      JsonObject problem = assertProblem(response, 429, "rate_limited");
      assertThat(problem.getString("limit")).isEqualTo("chat.edit");
      assertThat(problem.getLong("retryAfter")).isPositive();
      assertThat(problem.getLong("retryAfterMs")).isPositive();
      assertThat(response.getHeader("Retry-After")).isEqualTo(String.valueOf(problem.getLong("retryAfter")));
    });
  }

  @Test
  @DisplayName("edits past the limit over the bridge are err frames 429 rate_limited with retryAfter and limit")
  void bridgeRefusal() {
    Account bob = system.users(1).get(0);
    String chatId = system.chat(bob, List.of());
    String messageId = system.rest(201, NODE_1, HttpMethod.POST, "/chats/" + chatId + "/messages", bob.token(),
        newMessage("draft")).bodyAsJsonObject().getString("id");
    BridgeClient client = system.connect(NODE_2, Transport.RAW_WEBSOCKET);

    List<JsonObject> requests = IntStream.range(0, EDITS).mapToObj(i -> Frames.request(Addresses.CHAT_MESSAGE_EDIT,
        new JsonObject().put("messageId", messageId).put("content", "edit " + i), bob.token())).toList();
    requests.forEach(client::send);
    List<JsonObject> replies = requests.stream()
        .map(request -> client.await(about(request.getString("replyAddress")), WAIT)).toList();

    assertThat(replies.stream().filter(reply -> "rec".equals(reply.getString("type"))).count()).as("accepted")
        .isBetween(10L, (long) EDITS - 1);
    assertThat(replies.stream().filter(reply -> !"rec".equals(reply.getString("type")))).allSatisfy(reply -> {
      assertThat(reply.getString("type")).isEqualTo("err");
      assertThat(reply.getInteger("failureCode")).isEqualTo(429);
      assertThat(reply.getString("message")).isEqualTo("rate_limited");
      assertThat(reply.getJsonObject("body").getString("code")).isEqualTo("rate_limited");
      assertThat(reply.getJsonObject("body").getString("limit")).isEqualTo("chat.edit");
      assertThat(reply.getJsonObject("body").getLong("retryAfter")).isPositive();
    });
  }
}
