package dev.ocomms.system.messaging;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.Blocking;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import dev.ocomms.testkit.bridge.Transport;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static dev.ocomms.testkit.bridge.Frames.about;
import static dev.ocomms.testkit.bridge.Frames.err;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What this package's end-to-end tests talk to: two clustered nodes, each running messaging and the gateway (real
 * PostgreSQL and Redis), reached the way a browser reaches them (REST and bridge clients per node). Started once for
 * all test classes of the package ({@code @ExtendWith(ChatSystem.Resolver.class)}, then a {@code ChatSystem}
 * parameter) and closed when the test run ends. Blocking helpers are for the test thread only.
 */
final class ChatSystem implements ExtensionContext.Store.CloseableResource {
  /** The first node ("node 1"), and the second ("node 2"). */
  static final int NODE_1 = 0;
  static final int NODE_2 = 1;
  static final Duration WAIT = TestSystem.WAIT;
  /** How long "nothing (more) arrives" is watched: events cross the cluster in milliseconds. */
  static final Duration QUIET = Duration.ofMillis(500);
  private static final int MESSAGES_PER_SECOND = 10;

  final TestSystem server;

  private ChatSystem(TestSystem server) {
    this.server = server;
  }

  /** Hands the package's one {@link ChatSystem} to test methods and {@code @BeforeAll} methods. */
  static final class Resolver implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == ChatSystem.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
          .getOrComputeIfAbsent(ChatSystem.class, key -> start(), ChatSystem.class);
    }
  }

  private static ChatSystem start() {
    // Connection-rate limits have their own tests; here they would only slow the suite.
    return new ChatSystem(TestSystem.builder().nodes(2).everyNodeServes()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .start());
  }

  @Override
  public void close() {
    server.close();
  }

  // Accounts and chats

  List<Account> users(int count) {
    return server.register(count, Math.min(count, 10));
  }

  /**
   * A public channel with {@code owner} and {@code members} in it and nothing else: the #general of a new workspace
   * of theirs (joining a workspace puts no system message in #general, so its messages are numbered from 1).
   */
  String chat(Account owner, List<Account> members) {
    return server.general(owner, server.workspace(owner, members));
  }

  /** Another public channel of a workspace, joined by {@code members}. */
  String channel(Account owner, String workspaceId, List<Account> members) {
    String chatId = server.channel(owner, workspaceId, "c-" + UUID.randomUUID().toString().substring(0, 8));
    members.forEach(member -> server.joinChat(member, chatId));
    return chatId;
  }

  /** A workspace of {@code owner} that the others joined; its id. */
  String workspace(Account owner, List<Account> members) {
    return server.workspace(owner, members);
  }

  // REST

  /** A REST call (path under {@code /api/v1}) to a node that must answer {@code status}: the response. */
  HttpResponse<Buffer> rest(int status, int node, HttpMethod method, String path, String token, JsonObject body) {
    HttpResponse<Buffer> response = server.call(node, method, path, token, body);
    assertThat(response.statusCode()).as("%s %s: %s", method, path, response.bodyAsString()).isEqualTo(status);
    return response;
  }

  /** {@code GET /api/v1/chats} as {@code user} sees it: the entry of {@code chatId}. */
  JsonObject chatListEntry(int node, Account user, String chatId) {
    return rest(200, node, HttpMethod.GET, "/chats", user.token(), null).bodyAsJsonObject().getJsonArray("chats")
        .stream().map(JsonObject.class::cast).filter(chat -> chatId.equals(chat.getString("id")))
        .findFirst().orElseThrow(() -> new AssertionError(user.username() + " does not list chat " + chatId));
  }

  static JsonObject newMessage(String content) {
    return new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", content);
  }

  /**
   * {@code count} messages to a chat over REST, spread over {@code senders} and both nodes, as fast as the limit of
   * 10 messages per second per sender allows (refused ones are sent again a second later). The stored messages, by
   * seq.
   */
  List<JsonObject> sendOverRest(List<Account> senders, String chatId, int count) {
    Deque<Integer> todo = new ArrayDeque<>(IntStream.range(0, count).boxed().toList());
    List<JsonObject> stored = new ArrayList<>();
    while (!todo.isEmpty()) {
      long started = System.nanoTime();
      List<Integer> batch = new ArrayList<>();
      while (!todo.isEmpty() && batch.size() < senders.size() * MESSAGES_PER_SECOND) {
        batch.add(todo.poll());
      }
      List<HttpResponse<Buffer>> responses = Single.concatEager(batch.stream().map(i -> server.callAsync(i % 2,
              HttpMethod.POST, "/chats/" + chatId + "/messages", senders.get(i % senders.size()).token(),
              newMessage("message " + i))).toList())
          .toList().blockingGet();
      for (int k = 0; k < batch.size(); k++) {
        HttpResponse<Buffer> response = responses.get(k);
        if (response.statusCode() == 429) {
          todo.add(batch.get(k));
        } else {
          assertThat(response.statusCode()).as("send: %s", response.bodyAsString()).isEqualTo(201);
          stored.add(response.bodyAsJsonObject());
        }
      }
      if (!todo.isEmpty()) {
        Blocking.sleepUntil(started + TimeUnit.SECONDS.toNanos(1));
      }
    }
    stored.sort(Comparator.comparingLong(message -> message.getLong("seq")));
    return stored;
  }

  // The bridge

  BridgeClient connect(int node, Transport transport) {
    return server.connect(node, transport);
  }

  /**
   * {@code count} messages from one sender over the bridge, up to 10 requests in flight at once (the sender's limit
   * per second; refused ones are sent again once it allows). The stored messages (the acks), by seq.
   */
  static List<JsonObject> sendOverBridge(BridgeClient client, Account sender, String chatId, int count) {
    Deque<Integer> todo = new ArrayDeque<>(IntStream.range(0, count).boxed().toList());
    List<JsonObject> stored = new ArrayList<>();
    while (!todo.isEmpty()) {
      long started = System.nanoTime();
      List<Integer> batch = new ArrayList<>();
      List<JsonObject> frames = new ArrayList<>();
      while (!todo.isEmpty() && batch.size() < MESSAGES_PER_SECOND) {
        int i = todo.poll();
        batch.add(i);
        JsonObject frame = Frames.request(Addresses.CHAT_MESSAGE_SEND,
            newMessage("message " + i).put("chatId", chatId), sender.token());
        frames.add(frame);
        client.send(frame);
      }
      for (int k = 0; k < frames.size(); k++) {
        JsonObject reply = client.await(about(frames.get(k).getString("replyAddress")), WAIT);
        if ("err".equals(reply.getString("type")) && reply.getInteger("failureCode") == 429) {
          todo.add(batch.get(k));
        } else {
          assertThat(reply.getString("type")).as("reply to a send: %s", reply).isEqualTo("rec");
          stored.add(reply.getJsonObject("body"));
        }
      }
      if (!todo.isEmpty()) {
        Blocking.sleepUntil(started + TimeUnit.SECONDS.toNanos(1));
      }
    }
    stored.sort(Comparator.comparingLong(message -> message.getLong("seq")));
    return stored;
  }

  /** The events of one chat in a {@code chat.sync} reply, after checking it is not an error entry. */
  static JsonObject syncEntry(JsonObject syncReply, String chatId) {
    JsonObject entry = syncReply.getJsonObject("chats").getJsonObject(chatId);
    assertThat(entry).as("sync entry of %s in %s", chatId, syncReply).isNotNull();
    assertThat(entry.getMap()).as("sync entry of %s", chatId).doesNotContainKey("error");
    return entry;
  }

  /** The messages a {@code chat.sync} entry's events name, in the order of the events (once per event). */
  static List<JsonObject> syncedMessages(JsonObject entry) {
    JsonObject messages = entry.getJsonObject("messages");
    return entry.getJsonArray("events").stream().map(JsonObject.class::cast)
        .map(event -> messages.getJsonObject(event.getString("messageId"))).toList();
  }

  /** The named fields of {@code object}: for comparing parts of a reply with {@code isEqualTo}. */
  static JsonObject fields(JsonObject object, String... names) {
    JsonObject picked = new JsonObject();
    for (String name : names) {
      picked.put(name, object.getValue(name));
    }
    return picked;
  }

  /** {@code {unreadCount, mentionCount}}. */
  static JsonObject counts(int unread, int mentions) {
    return new JsonObject().put("unreadCount", unread).put("mentionCount", mentions);
  }

  static JsonObject counts(JsonObject chatOrBadge) {
    return fields(chatOrBadge, "unreadCount", "mentionCount");
  }

  static List<Long> seqs(List<JsonObject> messagesOrEvents) {
    return messagesOrEvents.stream().map(item -> item.getLong("seq")).toList();
  }

  static List<Long> range(long firstSeq, long lastSeq) {
    return java.util.stream.LongStream.rangeClosed(firstSeq, lastSeq).boxed().toList();
  }

  static List<JsonObject> objects(JsonArray array) {
    return array.stream().map(JsonObject.class::cast).toList();
  }
}
