package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.testkit.BusAssertions;
import dev.ocomms.testkit.TestCluster;
import dev.ocomms.testkit.TestSystem;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.pgclient.PgBuilder;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.fail;

/**
 * The messaging API as the gateway uses it, for tests: a two-node cluster with messaging on node 0 and every request
 * and event probe on node 1, so that all traffic crosses the clustered event bus. Callers are fresh random user ids.
 * {@link #startOnBothNodes()} deploys messaging on both nodes instead, as a scaled-out deployment runs it; requests
 * can then be sent from either node ({@code node} arguments) and are served by either.
 */
final class MessagingApi implements AutoCloseable {
  private final TestSystem system;
  private final TestCluster cluster;
  private final Vertx client;
  private Pool sql;

  private MessagingApi(TestSystem system) {
    this.system = system;
    this.cluster = system.cluster();
    this.client = cluster.node(1);
  }

  static MessagingApi start() {
    return start(0);
  }

  /** Messaging on node 0 and node 1: two instances sharing one PostgreSQL and one Redis. */
  static MessagingApi startOnBothNodes() {
    return start(0, 1);
  }

  /** As {@link #start()}, with changed settings (such as a Redis of the test's own). */
  static MessagingApi start(UnaryOperator<OcommsConfig> configure) {
    return new MessagingApi(TestSystem.builder().nodes(2).configure(configure).deployOn(0, MessagingVerticle::new)
        .start());
  }

  private static MessagingApi start(int... messagingNodes) {
    TestSystem.Builder system = TestSystem.builder().nodes(2);
    Arrays.stream(messagingNodes).forEach(node -> system.deployOn(node, MessagingVerticle::new));
    return new MessagingApi(system.start());
  }

  Vertx client() {
    return client;
  }

  /** The configuration of node 0 (its PostgreSQL and Redis are every node's). */
  OcommsConfig config() {
    return cluster.config(0);
  }

  static UUID newUser() {
    return UUID.randomUUID();
  }

  // Requests

  /** A request that must succeed; its reply. */
  JsonObject call(UUID caller, String address, JsonObject body) {
    return client.eventBus().<JsonObject>rxRequest(address, body, new Caller(caller.toString(), null).deliveryOptions())
        .blockingGet().body();
  }

  /** A request from a client on {@code node}, not waited for: its reply, or the failure as an {@link OcommsException}. */
  Single<JsonObject> request(int node, UUID caller, String address, JsonObject body) {
    return cluster.node(node).eventBus()
        .<JsonObject>rxRequest(address, body, new Caller(caller.toString(), null).deliveryOptions())
        .map(io.vertx.rxjava3.core.eventbus.Message::body)
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  /** A request from a client on {@code node} that must succeed; its reply. */
  JsonObject call(int node, UUID caller, String address, JsonObject body) {
    return request(node, caller, address, body).blockingGet();
  }

  /** A request that must fail with {@code code}; the failure, for further assertions on its detail. */
  OcommsException fails(ErrorCode code, UUID caller, String address, JsonObject body) {
    return fails(code, address, body, new Caller(caller.toString(), null).deliveryOptions());
  }

  OcommsException fails(ErrorCode code, String address, Object body, DeliveryOptions options) {
    return BusAssertions.assertFails(client, code, address, body, options);
  }

  // Scenario steps

  JsonObject createWorkspace(UUID owner, String name) {
    return call(owner, Addresses.WORKSPACE_CREATE, new JsonObject().put("name", name)).getJsonObject("workspace");
  }

  /** A new workspace owned by {@code owner} with {@code members} joined through an invite; its id. */
  String workspace(UUID owner, UUID... members) {
    String workspaceId = createWorkspace(owner, "Team " + owner.toString().substring(0, 8)).getString("id");
    if (members.length > 0) {
      String code = invite(owner, workspaceId, new JsonObject()).getString("code");
      Arrays.stream(members).forEach(member -> join(member, code));
    }
    return workspaceId;
  }

  /** A new workspace of {@code owner} and {@code members} (as {@link #workspace}); the id of its #general channel. */
  String general(UUID owner, UUID... members) {
    workspace(owner, members);
    return chatNamed(owner, "general").getString("id");
  }

  JsonObject invite(UUID caller, String workspaceId, JsonObject options) {
    return call(caller, Addresses.WORKSPACE_INVITE_CREATE, options.copy().put("workspaceId", workspaceId));
  }

  JsonObject join(UUID caller, String code) {
    return call(caller, Addresses.WORKSPACE_JOIN, new JsonObject().put("code", code)).getJsonObject("workspace");
  }

  JsonObject createChannel(UUID caller, String workspaceId, String name, boolean isPrivate) {
    return call(caller, Addresses.CHANNEL_CREATE, new JsonObject()
        .put("workspaceId", workspaceId).put("name", name).put("private", isPrivate)).getJsonObject("chat");
  }

  JsonObject openDm(UUID caller, String workspaceId, UUID... others) {
    return call(caller, Addresses.DM_OPEN, new JsonObject().put("workspaceId", workspaceId)
        .put("userIds", new JsonArray(Arrays.stream(others).map(UUID::toString).toList()))).getJsonObject("chat");
  }

  JsonObject chat(UUID caller, String chatId) {
    return call(caller, Addresses.CHAT_GET, new JsonObject().put("chatId", chatId)).getJsonObject("chat");
  }

  /** The chat with the given name among the caller's chats. */
  JsonObject chatNamed(UUID caller, String name) {
    return call(caller, Addresses.CHAT_LIST, new JsonObject()).getJsonArray("chats").stream()
        .map(JsonObject.class::cast)
        .filter(chat -> name.equals(chat.getString("name")))
        .findFirst().orElseThrow(() -> new AssertionError("no chat named " + name + " for " + caller));
  }

  boolean hasAccess(UUID caller, String chatId) {
    return call(caller, Addresses.CHAT_ACCESS, new JsonObject().put("chatId", chatId)).getBoolean("member");
  }

  // Messages

  /** Sends a message with a fresh clientId; the ack. */
  JsonObject send(UUID caller, String chatId, String content) {
    return call(caller, Addresses.CHAT_MESSAGE_SEND, message(chatId, content));
  }

  /** A {@code notification.badge} event as members receive it. */
  static JsonObject badge(String chatId, long unread, long mentions) {
    return new JsonObject().put("type", "notification.badge").put("chatId", chatId)
        .put("unreadCount", unread).put("mentionCount", mentions);
  }

  /** A send request body with a fresh clientId. */
  static JsonObject message(String chatId, String content) {
    return new JsonObject().put("chatId", chatId).put("clientId", UUID.randomUUID().toString()).put("content", content);
  }

  /** Sends {@code count} messages from each of {@code senders}, one after another; the acks. */
  List<JsonObject> sendMany(List<UUID> senders, String chatId, int count) {
    return sendMany(senders, chatId, count, i -> "message " + i);
  }

  /** As {@link #sendMany(List, String, int)}, the i-th message (from 0) with {@code content.apply(i)}. */
  List<JsonObject> sendMany(List<UUID> senders, String chatId, int count, LongFunction<String> content) {
    // Round-robin over the senders, each one paced under its 10/s limit whatever the request latency.
    Duration perSender = Duration.ofMillis(125);
    long period = perSender.toNanos() / senders.size();
    return Observable.intervalRange(0, (long) count * senders.size(), 0, period, TimeUnit.NANOSECONDS)
        .concatMapSingle(i -> request(1, senders.get((int) (i % senders.size())), Addresses.CHAT_MESSAGE_SEND,
            message(chatId, content.apply(i))))
        .toList()
        .blockingGet();
  }

  JsonObject edit(UUID caller, String messageId, String content) {
    return call(caller, Addresses.CHAT_MESSAGE_EDIT,
        new JsonObject().put("messageId", messageId).put("content", content));
  }

  JsonObject delete(UUID caller, String messageId) {
    return call(caller, Addresses.CHAT_MESSAGE_DELETE, new JsonObject().put("messageId", messageId));
  }

  JsonObject react(UUID caller, String messageId, String emoji, String action) {
    return call(caller, Addresses.CHAT_MESSAGE_REACT,
        new JsonObject().put("messageId", messageId).put("emoji", emoji).put("action", action));
  }

  /** One page of history; {@code options} holds beforeSeq, afterSeq, limit or rootId. */
  JsonObject history(UUID caller, String chatId, JsonObject options) {
    return call(caller, Addresses.CHAT_HISTORY, options.copy().put("chatId", chatId));
  }

  /** Whether a message is one someone wrote, not a system message (a join, an add, an archive...). */
  static boolean written(JsonObject message) {
    return !"system".equals(message.getString("kind"));
  }

  /** The messages of one history page. */
  List<JsonObject> historyMessages(UUID caller, String chatId, JsonObject options) {
    return objects(history(caller, chatId, options).getJsonArray("messages"));
  }

  /** Every top-level message of a chat, oldest first, read page by page with afterSeq. */
  List<JsonObject> allMessages(int node, UUID caller, String chatId) {
    List<JsonObject> all = new ArrayList<>();
    long after = 0;
    while (true) {
      JsonObject page = call(node, caller, Addresses.CHAT_HISTORY,
          new JsonObject().put("chatId", chatId).put("afterSeq", after).put("limit", 100));
      List<JsonObject> messages = objects(page.getJsonArray("messages"));
      all.addAll(messages);
      if (!page.getBoolean("hasMore")) {
        return all;
      }
      after = messages.get(messages.size() - 1).getLong("seq");
    }
  }

  /** The sync entry of one chat, asked from a client on {@code node}. */
  JsonObject sync(int node, UUID caller, String chatId, long lastSeq) {
    return call(node, caller, Addresses.CHAT_SYNC, new JsonObject().put("chats", new JsonObject().put(chatId, lastSeq)))
        .getJsonObject("chats").getJsonObject(chatId);
  }

  /** The messages of one chat's sync entry that its events name, in the order of the events (once per event). */
  static List<JsonObject> syncedMessages(JsonObject entry) {
    return objects(entry.getJsonArray("events")).stream()
        .map(event -> entry.getJsonObject("messages").getJsonObject(event.getString("messageId"))).toList();
  }

  JsonObject read(UUID caller, String chatId, long seq) {
    return call(caller, Addresses.CHAT_READ, new JsonObject().put("chatId", chatId).put("seq", seq));
  }

  /** The caller's entry for one chat in messaging.chat.list (with unreadCount and mentionCount). */
  JsonObject listed(UUID caller, String chatId) {
    return objects(call(caller, Addresses.CHAT_LIST, new JsonObject()).getJsonArray("chats")).stream()
        .filter(chat -> chatId.equals(chat.getString("id")))
        .findFirst().orElseThrow(() -> new AssertionError("chat " + chatId + " is not listed for " + caller));
  }

  /**
   * Unread counting runs just after each send's ack: {@code value} once it equals {@code expected}, or its last
   * value after 5 s (for the caller's assertion to report).
   */
  static <T> T eventually(Supplier<T> value, T expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    T current = value.get();
    while (!current.equals(expected) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      current = value.get();
    }
    return current;
  }

  static List<JsonObject> objects(JsonArray array) {
    return array.stream().map(JsonObject.class::cast).toList();
  }

  /** Empties the Redis database every node of this cluster uses, as a Redis restart without persistence would. */
  void flushRedis() {
    Redis redis = Redis.createClient(client, cluster.config(0).redisUrl().orElseThrow());
    try {
      redis.rxSend(Request.cmd(Command.FLUSHDB)).blockingGet();
    } finally {
      redis.close();
    }
  }

  // Observation

  EventProbe listenToChat(String chatId) {
    return new EventProbe(client, Addresses.chat(chatId));
  }

  EventProbe listenToUser(UUID userId) {
    return new EventProbe(client, Addresses.user(userId.toString()));
  }

  /** Events for one user as a session connected to {@code node} receives them (one probe per device). */
  EventProbe listenToUser(int node, UUID userId) {
    return new EventProbe(cluster.node(node), Addresses.user(userId.toString()));
  }

  /** Runs SQL against the messaging database, for what the API cannot do yet (such as letting time pass). */
  void sql(String statement, Object... arguments) {
    if (sql == null) {
      sql = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.config(0).pgUrl().orElseThrow()))
          .using(client).build();
    }
    sql.preparedQuery(statement).rxExecute(Tuple.wrap(arguments)).blockingGet();
  }

  @Override
  public void close() {
    if (sql != null) {
      sql.rxClose().blockingAwait();
    }
    system.close();
  }
}
