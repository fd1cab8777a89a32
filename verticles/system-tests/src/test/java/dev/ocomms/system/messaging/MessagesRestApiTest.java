package dev.ocomms.system.messaging;

import dev.ocomms.testkit.Account;
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
import static dev.ocomms.system.messaging.ChatSystem.counts;
import static dev.ocomms.system.messaging.ChatSystem.fields;
import static dev.ocomms.system.messaging.ChatSystem.newMessage;
import static dev.ocomms.system.messaging.ChatSystem.objects;
import static dev.ocomms.system.messaging.ChatSystem.range;
import static dev.ocomms.system.messaging.ChatSystem.seqs;
import static org.assertj.core.api.Assertions.assertThat;

/** The REST message endpoints, on both nodes, against the real messaging verticle. */
@DisplayName("Messages over REST")
@ExtendWith(ChatSystem.Resolver.class)
class MessagesRestApiTest {
  private static ChatSystem system;

  @BeforeAll
  static void setUp(ChatSystem chatSystem) {
    system = chatSystem;
  }

  private static String messagesOf(String chatId) {
    return "/chats/" + chatId + "/messages";
  }

  private static JsonObject send(int node, Account sender, String chatId, JsonObject message) {
    return system.rest(201, node, HttpMethod.POST, messagesOf(chatId), sender.token(), message).bodyAsJsonObject();
  }

  @Test
  @DisplayName("POST /chats/{chatId}/messages answers 201 with the stored message, and the same clientId again "
      + "answers the same message")
  void sendIsIdempotentPerClientId() {
    List<Account> users = system.users(2);
    Account alice = users.get(0);
    String chatId = system.chat(alice, List.of(users.get(1)));
    JsonObject message = newMessage("hello **team**");

    JsonObject stored = send(NODE_1, alice, chatId, message);
    JsonObject again = send(NODE_2, alice, chatId, message);

    assertThat(stored.getString("id")).isNotBlank();
    assertThat(fields(stored, "chatId", "seq", "clientId", "senderId", "content", "deleted", "priority"))
        .as("the stored message").isEqualTo(new JsonObject().put("chatId", chatId).put("seq", 1)
            .put("clientId", message.getString("clientId")).put("senderId", alice.id())
            .put("content", "hello **team**").put("deleted", false).put("priority", "normal"));
    assertThat(again).as("the answer to the retry").isEqualTo(stored);
    JsonObject history = system.rest(200, NODE_2, HttpMethod.GET, messagesOf(chatId), alice.token(), null)
        .bodyAsJsonObject();
    assertThat(objects(history.getJsonArray("messages"))).as("the chat's messages").containsExactly(stored);
  }

  @Test
  @DisplayName("GET /chats/{chatId}/messages?before=&limit= pages newest first and says whether there is more; around= reads a message in its context")
  void historyPagesNewestFirst() {
    List<Account> users = system.users(2);
    Account alice = users.get(0);
    Account bob = users.get(1);
    String chatId = system.chat(alice, List.of(bob));
    List<JsonObject> stored = system.sendOverRest(users, chatId, 12);
    assertThat(seqs(stored)).isEqualTo(range(1, 12));

    JsonObject first = system.rest(200, NODE_1, HttpMethod.GET, messagesOf(chatId) + "?limit=5", bob.token(), null)
        .bodyAsJsonObject();
    JsonObject second = system.rest(200, NODE_2, HttpMethod.GET, messagesOf(chatId) + "?before=8&limit=5",
        bob.token(), null).bodyAsJsonObject();
    JsonObject last = system.rest(200, NODE_1, HttpMethod.GET, messagesOf(chatId) + "?before=3&limit=5",
        bob.token(), null).bodyAsJsonObject();

    assertThat(seqs(objects(first.getJsonArray("messages")))).containsExactly(12L, 11L, 10L, 9L, 8L);
    assertThat(first.getBoolean("hasMore")).isTrue();
    assertThat(seqs(objects(second.getJsonArray("messages")))).containsExactly(7L, 6L, 5L, 4L, 3L);
    assertThat(second.getBoolean("hasMore")).isTrue();
    assertThat(seqs(objects(last.getJsonArray("messages")))).containsExactly(2L, 1L);
    assertThat(last.getBoolean("hasMore")).isFalse();
    assertThat(objects(first.getJsonArray("messages"))).as("the messages as stored")
        .containsExactly(stored.get(11), stored.get(10), stored.get(9), stored.get(8), stored.get(7));
    JsonObject around = system.rest(200, NODE_2, HttpMethod.GET, messagesOf(chatId) + "?around=6&limit=4",
        bob.token(), null).bodyAsJsonObject();
    assertThat(seqs(objects(around.getJsonArray("messages")))).as("around seq 6").containsExactly(8L, 7L, 6L, 5L);
    assertThat(around.getBoolean("hasMore")).isTrue();
    assertThat(around.getBoolean("hasNewer")).isTrue();
  }

  @Test
  @DisplayName("The author edits and deletes a message with PATCH and DELETE /messages/{id}")
  void authorEditsAndDeletes() {
    List<Account> users = system.users(2);
    Account alice = users.get(0);
    String chatId = system.chat(alice, List.of(users.get(1)));
    JsonObject stored = send(NODE_1, alice, chatId, newMessage("frist"));
    String path = "/messages/" + stored.getString("id");

    JsonObject edited = system.rest(200, NODE_2, HttpMethod.PATCH, path, alice.token(),
        new JsonObject().put("content", "first")).bodyAsJsonObject();
    JsonObject deleted = system.rest(200, NODE_1, HttpMethod.DELETE, path, alice.token(), null).bodyAsJsonObject();

    assertThat(fields(edited, "id", "seq", "content", "deleted")).as("the edited message")
        .isEqualTo(fields(stored, "id", "seq", "deleted").put("content", "first"));
    assertThat(edited.getString("editedAt")).isNotNull();
    assertThat(fields(deleted, "id", "seq", "content", "deleted")).as("the tombstone")
        .isEqualTo(fields(stored, "id", "seq").put("content", "").put("deleted", true));
    assertThat(deleted.getString("deletedAt")).isNotNull();
    JsonObject history = system.rest(200, NODE_2, HttpMethod.GET, messagesOf(chatId), alice.token(), null)
        .bodyAsJsonObject();
    assertThat(objects(history.getJsonArray("messages"))).as("the chat's messages: the tombstone")
        .containsExactly(deleted);
  }

  @Test
  @DisplayName("Another member's PATCH of a message is refused with a 403 problem and changes nothing")
  void othersCannotEdit() {
    List<Account> users = system.users(2);
    Account alice = users.get(0);
    Account bob = users.get(1);
    String chatId = system.chat(alice, List.of(bob));
    JsonObject stored = send(NODE_1, alice, chatId, newMessage("mine"));

    HttpResponse<Buffer> refused = system.server.call(NODE_2, HttpMethod.PATCH, "/messages/" + stored.getString("id"),
        bob.token(), new JsonObject().put("content", "yours"));

    assertProblem(refused, 403, "forbidden");
    JsonObject history = system.rest(200, NODE_1, HttpMethod.GET, messagesOf(chatId), bob.token(), null)
        .bodyAsJsonObject();
    assertThat(objects(history.getJsonArray("messages"))).containsExactly(stored);
  }

  @Test
  @DisplayName("POST /chats/{chatId}/read moves the reader's watermark, and GET /chats shows the new unreadCount")
  void readUpdatesUnreadCount() {
    List<Account> users = system.users(2);
    Account alice = users.get(0);
    Account bob = users.get(1);
    String chatId = system.chat(alice, List.of(bob));
    List<JsonObject> stored = system.sendOverRest(List.of(alice), chatId, 5);
    long third = stored.get(2).getLong("seq");
    awaitUnread(bob, chatId, 5);

    JsonObject read = system.rest(200, NODE_2, HttpMethod.POST, "/chats/" + chatId + "/read", bob.token(),
        new JsonObject().put("seq", third)).bodyAsJsonObject();

    assertThat(read).isEqualTo(new JsonObject().put("chatId", chatId).put("seq", third).put("unreadCount", 2)
        .put("mentionCount", 0));
    assertThat(counts(system.chatListEntry(NODE_1, bob, chatId))).as("bob's chat list").isEqualTo(counts(2, 0));
    assertThat(counts(system.chatListEntry(NODE_2, alice, chatId))).as("the sender's own counts")
        .isEqualTo(counts(0, 0));
  }

  @Test
  @DisplayName("Someone who is not a member of a chat gets a 404 problem when sending to it, and nothing is stored")
  void nonMemberCannotSend() {
    List<Account> users = system.users(2);
    Account alice = users.get(0);
    Account mallory = users.get(1);
    String chatId = system.chat(alice, List.of());

    HttpResponse<Buffer> refused = system.server.call(NODE_2, HttpMethod.POST, messagesOf(chatId), mallory.token(),
        newMessage("let me in"));

    assertProblem(refused, 404, "not_found");
    JsonObject history = system.rest(200, NODE_1, HttpMethod.GET, messagesOf(chatId), alice.token(), null)
        .bodyAsJsonObject();
    assertThat(history.getJsonArray("messages")).isEmpty();
  }

  @Test
  @DisplayName("Sending more than 10 messages a second answers 429 problems with Retry-After")
  void sendingIsRateLimited() {
    List<Account> users = system.users(2);
    Account alice = users.get(0);
    String chatId = system.chat(alice, List.of(users.get(1)));

    List<HttpResponse<Buffer>> responses = Single.concatEager(IntStream.range(0, 15).mapToObj(i -> system.server
        .callAsync(i % 2, HttpMethod.POST, messagesOf(chatId), alice.token(), newMessage("flood " + i))).toList())
        .toList().blockingGet();
    List<HttpResponse<Buffer>> refused = responses.stream().filter(r -> r.statusCode() != 201).toList();
    // The bucket holds 10 and refills at 10 per second, so a slow burst may see one or two more accepted.
    assertThat(responses.stream().filter(r -> r.statusCode() == 201).count()).as("accepted").isBetween(10L, 13L);
    assertThat(refused).as("refused").isNotEmpty().allSatisfy(response -> {
      JsonObject problem = assertProblem(response, 429, "rate_limited");
      assertThat(problem.getLong("retryAfter")).isPositive();
      assertThat(response.getHeader("Retry-After")).isEqualTo(String.valueOf(problem.getLong("retryAfter")));
    });
  }

  /** Unread counts are updated just after the ack: waits (test thread) until {@code user} sees {@code count}. */
  private static void awaitUnread(Account user, String chatId, int count) {
    long deadline = System.nanoTime() + ChatSystem.WAIT.toNanos();
    while (system.chatListEntry(NODE_1, user, chatId).getInteger("unreadCount") != count) {
      assertThat(System.nanoTime()).as("%s's unreadCount of %s reaches %s", user.username(), chatId, count)
          .isLessThan(deadline);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Test
  @DisplayName("History parameters out of their bounds or not plain whole numbers are 400 problems naming the parameter")
  void historyParametersAreBounded() {
    Account alice = system.users(1).get(0);
    String chatId = system.chat(alice, List.of());
    for (String query : List.of("before=99999999999999999999", "limit=1e2", "after=1e30", "before=-1", "limit=0",
        "limit=101", "limit=abc", "before=1.5", "after=%2B5", "limit=5&limit=6", "before=3&after=1", "around=-2",
        "around=3&before=4")) {
      String parameter = query.equals("before=3&after=1") ? "after"
          : query.equals("around=3&before=4") ? "around" : query.substring(0, query.indexOf('='));
      HttpResponse<Buffer> response = system.server.call(NODE_1, HttpMethod.GET, messagesOf(chatId) + "?" + query,
          alice.token(), null);

      JsonObject problem = assertProblem(response, 400, "validation_failed");
      assertThat(problem.getString("field")).as("the field named for ?%s", query).isEqualTo(parameter);
    }
    assertThat(system.rest(200, NODE_1, HttpMethod.GET, messagesOf(chatId) + "?before=9223372036854775807&limit=100",
        alice.token(), null).bodyAsJsonObject().getJsonArray("messages")).isEmpty();
  }

  @Test
  @DisplayName("A message with a NUL or another control character is a 400 problem naming content, and the sends of "
      + "others at the same moment are stored; tabs and line breaks are kept")
  void controlCharactersInContent() {
    List<Account> users = system.users(6);
    Account alice = users.get(0);
    String chatId = system.chat(alice, users.subList(1, users.size()));
    List<JsonObject> messages = List.of(newMessage("nul \u0000 here"), newMessage("bell \u0007"),
        newMessage("fine 1"), newMessage("fine 2"), newMessage("fine 3"), newMessage("fine 4"));
    List<HttpResponse<Buffer>> responses = Single.concatEager(IntStream.range(0, messages.size())
            .mapToObj(i -> system.server.callAsync(i % 2, HttpMethod.POST, messagesOf(chatId), users.get(i).token(),
                messages.get(i))).toList())
        .toList().blockingGet();

    for (int i = 0; i < 2; i++) {
      assertThat(assertProblem(responses.get(i), 400, "validation_failed").getString("field")).isEqualTo("content");
    }
    for (int i = 2; i < messages.size(); i++) {
      assertThat(responses.get(i).statusCode()).as("send %d: %s", i, responses.get(i).bodyAsString()).isEqualTo(201);
    }
    String multiline = "line one\r\n\tline two\n";
    assertThat(send(NODE_2, alice, chatId, newMessage(multiline)).getString("content")).isEqualTo(multiline);
  }
}
