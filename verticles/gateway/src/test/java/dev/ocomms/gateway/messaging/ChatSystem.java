package dev.ocomms.gateway.messaging;

import dev.ocomms.gateway.bridge.BridgeServer;
import dev.ocomms.gateway.bridge.BridgeServer.User;
import dev.ocomms.gateway.bridge.BridgeTestClient;
import dev.ocomms.gateway.bridge.Frames;
import dev.ocomms.gateway.bridge.Transport;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;

import static dev.ocomms.gateway.bridge.Frames.about;
import static dev.ocomms.gateway.bridge.Frames.err;
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
  static final Duration WAIT = Duration.ofSeconds(10);
  /** How long "nothing (more) arrives" is watched: events cross the cluster in milliseconds. */
  static final Duration QUIET = Duration.ofMillis(500);
  private static final int MESSAGES_PER_SECOND = 10;

  final BridgeServer server;

  private ChatSystem(BridgeServer server) {
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
    return new ChatSystem(BridgeServer.startOnEveryNode(2, config -> config
        .with(Setting.BRIDGE_CONNECTIONS_PER_SECOND, 1000)
        .with(Setting.BRIDGE_CONNECTIONS_PER_IP_PER_SECOND, 1000)));
  }

  @Override
  public void close() {
    server.close();
  }

  // Accounts and chats

  List<User> users(int count) {
    return server.register(count, Math.min(count, 10));
  }

  /** A public channel in a new workspace: {@code owner} created it and everyone in {@code members} joined it. */
  String chat(User owner, List<User> members) {
    return channel(owner, server.workspace(owner, members), members);
  }

  /** Another public channel of a workspace, joined by {@code members}. */
  String channel(User owner, String workspaceId, List<User> members) {
    String chatId = server.channel(owner, workspaceId, "c-" + UUID.randomUUID().toString().substring(0, 8));
    members.forEach(member -> server.joinChat(member, chatId));
    return chatId;
  }

  /** A workspace of {@code owner} that the others joined; its id. */
  String workspace(User owner, List<User> members) {
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
  JsonObject chatListEntry(int node, User user, String chatId) {
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
  List<JsonObject> sendOverRest(List<User> senders, String chatId, int count) {
    Deque<Integer> todo = new ArrayDeque<>(IntStream.range(0, count).boxed().toList());
    List<JsonObject> stored = new ArrayList<>();
    while (!todo.isEmpty()) {
      long started = System.nanoTime();
      List<Integer> batch = new ArrayList<>();
      while (!todo.isEmpty() && batch.size() < senders.size() * MESSAGES_PER_SECOND) {
        batch.add(todo.poll());
      }
      List<Future<HttpResponse<Buffer>>> calls = batch.stream().map(i -> server.callAsync(i % 2, HttpMethod.POST,
          "/chats/" + chatId + "/messages", senders.get(i % senders.size()).token(), newMessage("message " + i)))
          .toList();
      block(Future.join(calls));
      for (int k = 0; k < batch.size(); k++) {
        HttpResponse<Buffer> response = calls.get(k).result();
        if (response.statusCode() == 429) {
          todo.add(batch.get(k));
        } else {
          assertThat(response.statusCode()).as("send: %s", response.bodyAsString()).isEqualTo(201);
          stored.add(response.bodyAsJsonObject());
        }
      }
      if (!todo.isEmpty()) {
        sleepUntil(started + TimeUnit.SECONDS.toNanos(1));
      }
    }
    stored.sort(Comparator.comparingLong(message -> message.getLong("seq")));
    return stored;
  }

  // The bridge

  BridgeTestClient connect(int node, Transport transport) {
    return server.connect(node, transport);
  }

  /** Registers and waits for the acknowledgement: from then on, events on the address are delivered. */
  static void listen(BridgeTestClient client, String address, String token) {
    JsonObject register = Frames.register(address, token);
    client.send(register);
    JsonObject ack = client.await(about(register.getString("replyAddress")).or(err(address)), WAIT);
    assertThat(ack).as("answer to register %s", address).isEqualTo(new JsonObject().put("type", "rec")
        .put("address", register.getString("replyAddress"))
        .put("body", new JsonObject().put("registered", address)));
  }

  /** A request over the bridge that must succeed: the reply's body. */
  static JsonObject request(BridgeTestClient client, String address, JsonObject body, String token) {
    JsonObject request = Frames.request(address, body, token);
    client.send(request);
    JsonObject reply = client.await(about(request.getString("replyAddress")), WAIT);
    assertThat(reply.getString("type")).as("reply to %s: %s", address, reply).isEqualTo("rec");
    return reply.getJsonObject("body");
  }

  /**
   * {@code count} messages from one sender over the bridge, up to 10 requests in flight at once (the sender's limit
   * per second; refused ones are sent again once it allows). The stored messages (the acks), by seq.
   */
  static List<JsonObject> sendOverBridge(BridgeTestClient client, User sender, String chatId, int count) {
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
        sleepUntil(started + TimeUnit.SECONDS.toNanos(1));
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

  // Waiting on the test thread

  static <T> T block(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis() * 3, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no answer in time", e);
    }
  }

  private static void sleepUntil(long nanoTime) {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
