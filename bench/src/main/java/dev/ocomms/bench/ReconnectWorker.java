package dev.ocomms.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A generator child process of the reconnect storm ({@link ReconnectScenario}): holds clients {@code from..to-1} of
 * the run, each a connection that, like the web client, reconnects with exponential backoff and full jitter when it
 * closes. Against OComms a client re-registers on {@code user.<id>} and its chat and calls {@code chat.sync} from the
 * highest contiguous seq it saw (it counts as recovered once the sync is applied); against the raw baseline it
 * re-joins its room. Some clients are senders. Reports (see {@link GeneratorProcess}): {@code ready}, {@code progress}
 * every second, {@code stopped} (its acked messages) and {@code final} (recovery times, missing and duplicated
 * messages, failures by cause). Commands: {@code send}, {@code killed {at}}, {@code stop}, {@code verify {acked}}.
 */
public final class ReconnectWorker {
  private static final int DOWN = 0;
  private static final int CONNECTING = 1;
  private static final int UP = 2;

  private final Vertx vertx;
  private final WebSocketClient sockets;
  private final boolean baseline;
  private final String host;
  private final List<Integer> ports;
  private final boolean failover;
  private final long backoffInitialMs;
  private final long backoffMaxMs;
  private final long attemptTimeoutMs;
  private final long sendIntervalMs;
  private final JsonArray users;
  private final JsonArray chatIds;
  private final List<Client> clients = new ArrayList<>();
  private final List<Client> senders = new ArrayList<>();

  private final AtomicInteger connected = new AtomicInteger();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final LongAdder attempts = new LongAdder();
  private final LongAdder deliveredLive = new LongAdder();
  private final LongAdder deliveredViaSync = new LongAdder();
  private final LongAdder redelivered = new LongAdder();
  private final LongAdder tooLarge = new LongAdder();
  private final LongAdder gapSyncs = new LongAdder();
  /** Every message seen (acked or delivered): clientId → seq; a second seq for one clientId is a duplicate. */
  private final Map<String, Integer> seqByClientId = new ConcurrentHashMap<>();
  private final Set<String> duplicates = ConcurrentHashMap.newKeySet();
  private final List<JsonArray> acked = new ArrayList<>();
  private volatile boolean sending;
  private volatile long killAt = Long.MAX_VALUE;

  /** One connection of the run. State is touched on its context only (except the volatile times). */
  private static final class Client {
    final int index;
    final int user;
    final int chat;
    final int home;
    final Context context;
    /** The current BridgeClient or WebSocket; null when down. */
    Object connection;
    int state = DOWN;
    /** Counts attempts, so that a connection that opens after its attempt timed out is dropped. */
    int generation;
    /** The step of the attempt in progress (connect, register, sync, join), to name a timed-out attempt's cause. */
    String step = "connect";
    int node;
    /** Failed attempts since the client was last up. */
    int failedAttempts;
    /** Highest seq such that every seq up to it was received, and the received ones above it. */
    int lastSeq;
    TreeSet<Integer> ahead;
    boolean gapSyncScheduled;
    volatile long downAt;
    volatile long upAt;
    /** Sender only: messages not acked yet, clientId → whether a request for it is in flight. */
    Map<String, Boolean> unacked;
    long sendTimer = -1;

    Client(int index, int user, int chat, int home, Context context) {
      this.index = index;
      this.user = user;
      this.chat = chat;
      this.home = home;
      this.node = home;
      this.context = context;
    }
  }

  private ReconnectWorker(JsonObject spec) {
    int cores = Runtime.getRuntime().availableProcessors();
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(cores));
    sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(Integer.MAX_VALUE)
        .setConnectTimeout(5_000).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    baseline = spec.getBoolean("baseline");
    host = spec.getString("host");
    ports = spec.getJsonArray("ports").stream().map(port -> ((Number) port).intValue()).toList();
    failover = spec.getBoolean("failover");
    backoffInitialMs = spec.getLong("backoffInitialMs");
    backoffMaxMs = spec.getLong("backoffMaxMs");
    attemptTimeoutMs = spec.getLong("attemptTimeoutMs");
    sendIntervalMs = spec.getLong("sendIntervalMs", 0L);
    users = spec.getJsonArray("users");
    chatIds = spec.getJsonArray("chatIds");
    int perUser = spec.getInteger("perUser");
    List<Context> contexts = new ArrayList<>();
    for (int i = 0; i < cores; i++) {
      contexts.add(vertx.getOrCreateContext());
    }
    Set<Integer> senderIndexes = new java.util.HashSet<>();
    spec.getJsonArray("senders", new JsonArray()).forEach(index -> senderIndexes.add(((Number) index).intValue()));
    for (int index = spec.getInteger("from"); index < spec.getInteger("to"); index++) {
      int user = index / perUser;
      Client client = new Client(index, user, users.getJsonArray(user).getInteger(2), index % ports.size(),
          contexts.get(index % contexts.size()));
      if (senderIndexes.contains(index)) {
        client.unacked = new LinkedHashMap<>();
        senders.add(client);
      }
      clients.add(client);
    }
  }

  public static void main(String[] args) throws Exception {
    JsonObject spec = GeneratorProcess.Child.spec(args);
    ReconnectWorker worker = new ReconnectWorker(spec);
    GeneratorProcess.Child.onCommands(worker::command);
    worker.connectAll(spec.getInteger("connectConcurrency"));
    while (true) {
      Thread.sleep(1000);
      GeneratorProcess.Child.report(worker.progress());
    }
  }

  /** Connects every client (failed ones go on retrying with backoff) and reports {@code ready}. */
  private void connectAll(int concurrency) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120 + clients.size() / 50);
    Lanes.await(Lanes.bounded(clients.size(), concurrency, i -> {
      Client client = clients.get(i);
      Promise<Void> tried = Promise.promise();
      client.context.runOnContext(v -> attempt(client).onComplete(done -> tried.complete()));
      return tried.future();
    }), 3600);
    while (connected.get() < clients.size() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    GeneratorProcess.Child.report(new JsonObject().put("type", "ready").put("clients", clients.size())
        .put("connected", connected.get()).put("failures", failureCounts()));
  }

  private void command(JsonObject command) {
    switch (command.getString("type")) {
      case "send" -> startSending();
      case "killed" -> killAt = command.getLong("at");
      case "stop" -> stopSending();
      case "verify" -> GeneratorProcess.Child.report(verify(command.getJsonObject("acked")));
      default -> throw new IllegalArgumentException("unknown command " + command);
    }
  }

  // Connecting, and reconnecting with backoff

  /** One attempt: connect, register (re-join) and sync; on failure the next attempt is scheduled. */
  private Future<Void> attempt(Client client) {
    client.state = CONNECTING;
    client.generation++;
    client.step = "connect";
    if (client.failedAttempts > 0 || client.downAt > 0) {
      attempts.increment();
    }
    int port = ports.get(client.node);
    Future<Void> up = baseline ? joinBaseline(client, port) : joinOcomms(client, port);
    return up.timeout(attemptTimeoutMs, TimeUnit.MILLISECONDS).onComplete(result -> {
      if (result.succeeded()) {
        client.state = UP;
        client.failedAttempts = 0;
        connected.incrementAndGet();
        if (client.downAt > 0 && client.upAt == 0) {
          client.upAt = System.currentTimeMillis();
        }
        resendUnacked(client);
      } else {
        String cause = cause(result.cause());
        count("attempt_timeout".equals(cause) ? client.step + "_" + cause : cause);
        Object connection = client.connection;
        client.connection = null;
        client.state = DOWN;
        closeQuietly(connection);
        client.failedAttempts++;
        // Another node only when this one did not take the connection (as a load balancer would): a node that
        // took it but answers slowly is tried again.
        if (failover && cause.startsWith("connect_")) {
          client.node = anotherNode(client.node);
        }
        scheduleAttempt(client);
      }
    });
  }

  /** A load balancer sends a client whose node failed to any other node, spreading them over the survivors. */
  private int anotherNode(int node) {
    return ports.size() < 2 ? node
        : (node + 1 + ThreadLocalRandom.current().nextInt(ports.size() - 1)) % ports.size();
  }

  private void scheduleAttempt(Client client) {
    long ceiling = Math.min(backoffMaxMs, backoffInitialMs << Math.min(20, client.failedAttempts));
    long delay = Math.max(1, ThreadLocalRandom.current().nextLong(ceiling + 1));
    vertx.setTimer(delay, id -> attempt(client));
  }

  /** The connection closed: when it was up, the client goes down and reconnects. */
  private void onClosed(Client client, Object connection) {
    if (client.connection != connection || client.state != UP) {
      return; // an attempt's failure handles its own connection
    }
    client.connection = null;
    client.state = DOWN;
    connected.decrementAndGet();
    client.upAt = 0;
    client.downAt = System.currentTimeMillis();
    if (failover) {
      client.node = anotherNode(client.node);
    }
    client.failedAttempts = 0;
    scheduleAttempt(client);
  }

  private Future<Void> joinOcomms(Client client, int port) {
    JsonArray user = users.getJsonArray(client.user);
    String chatId = chatIds.getString(client.chat);
    int generation = client.generation;
    return step("connect", BridgeClient.connect(vertx, sockets, host, port, user.getString(1))).compose(bridge -> {
      if (generation != client.generation) {
        bridge.close();
        return Future.failedFuture("disconnected: opened after its attempt had timed out");
      }
      client.connection = bridge;
      client.step = "register";
      bridge.onEvent(frame -> onEvent(client, bridge, frame));
      bridge.closed().onComplete(v -> onClosed(client, bridge));
      return step("register", bridge.register("user." + user.getString(0))
          .compose(ok -> bridge.register("chat." + chatId)))
          .compose(ok -> {
            client.step = "sync";
            return step("sync", sync(client, bridge));
          });
    });
  }

  private Future<Void> joinBaseline(Client client, int port) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/");
    int generation = client.generation;
    return step("connect", sockets.connect(options)).compose(socket -> {
      if (generation != client.generation) {
        socket.close();
        return Future.failedFuture("disconnected: opened after its attempt had timed out");
      }
      client.connection = socket;
      client.step = "join";
      Promise<Void> joined = Promise.promise();
      socket.textMessageHandler(text -> {
        if (text.contains("\"joined\"")) {
          joined.tryComplete();
        }
      });
      socket.closeHandler(v -> {
        joined.tryFail("disconnected");
        onClosed(client, socket);
      });
      socket.writeTextMessage(new JsonObject().put("type", "join").put("room", "room-" + client.chat).encode());
      return step("join", joined.future());
    });
  }

  /** Names the step of an attempt in its failure (connect_refused, register_timeout, sync_disconnected, ...). */
  private static <T> Future<T> step(String name, Future<T> future) {
    return future.recover(failure -> Future.failedFuture(new BridgeClient.BenchFailure(new JsonObject()
        .put("code", name + "_" + cause(failure)))));
  }

  // Receiving, deduplicated by seq as the web client does

  private void onEvent(Client client, BridgeClient bridge, JsonObject frame) {
    JsonObject event = frame.getJsonObject("body");
    if (event == null || !"message.new".equals(event.getString("type"))
        || !chatIds.getString(client.chat).equals(event.getString("chatId"))) {
      return;
    }
    if (apply(client, event.getInteger("seq"), event.getJsonObject("message"), false)) {
      scheduleGapSync(client, bridge);
    }
  }

  /** Applies a message with its seq; whether it left a gap below it. */
  private boolean apply(Client client, int seq, JsonObject message, boolean viaSync) {
    String clientId = message.getString("clientId");
    Integer first = seqByClientId.putIfAbsent(clientId, seq);
    if (first != null && first != seq) {
      duplicates.add(clientId);
    }
    // Uncontended; it lets verify() read the received seqs from another thread.
    synchronized (client) {
      return applySeq(client, seq, viaSync);
    }
  }

  private boolean applySeq(Client client, int seq, boolean viaSync) {
    if (seq <= client.lastSeq || (client.ahead != null && client.ahead.contains(seq))) {
      redelivered.increment();
      return false;
    }
    (viaSync ? deliveredViaSync : deliveredLive).increment();
    if (seq != client.lastSeq + 1) {
      if (client.ahead == null) {
        client.ahead = new TreeSet<>();
      }
      client.ahead.add(seq);
      return true;
    }
    client.lastSeq = seq;
    while (client.ahead != null && client.ahead.remove(client.lastSeq + 1)) {
      client.lastSeq++;
    }
    if (client.ahead != null && client.ahead.isEmpty()) {
      client.ahead = null;
    }
    return false;
  }

  /** Like the web client: a gap is given a moment to fill (events may overtake), then chat.sync asks for it. */
  private void scheduleGapSync(Client client, BridgeClient bridge) {
    if (client.gapSyncScheduled) {
      return;
    }
    client.gapSyncScheduled = true;
    vertx.setTimer(300, id -> {
      client.gapSyncScheduled = false;
      if (client.ahead != null && client.state == UP && client.connection == bridge) {
        gapSyncs.increment();
        sync(client, bridge).onFailure(failure -> count("gap_sync_" + cause(failure)));
      }
    });
  }

  /**
   * chat.sync from the last contiguous seq, asked again from its syncedSeq while it has more (a reply is bounded in
   * bytes); a gap too large to replay is read from history.
   */
  private Future<Void> sync(Client client, BridgeClient bridge) {
    String chatId = chatIds.getString(client.chat);
    int from = client.lastSeq;
    return bridge.request("chat.sync", new JsonObject().put("chats", new JsonObject().put(chatId, from)))
        .compose(reply -> {
          JsonObject result = reply.getJsonObject("chats", new JsonObject()).getJsonObject(chatId);
          if (result == null || result.containsKey("error")) {
            return Future.failedFuture(new BridgeClient.BenchFailure(new JsonObject()
                .put("code", result == null ? "missing" : result.getString("error"))));
          }
          if (result.getBoolean("tooLarge", false)) {
            tooLarge.increment();
            return history(client, bridge, chatId);
          }
          JsonObject messages = result.getJsonObject("messages", new JsonObject());
          result.getJsonArray("events", new JsonArray()).forEach(item -> {
            JsonObject event = (JsonObject) item;
            if ("message.new".equals(event.getString("type"))) {
              apply(client, event.getInteger("seq"), messages.getJsonObject(event.getString("messageId")), true);
            }
          });
          return result.getBoolean("hasMore", false) && result.getLong("syncedSeq", 0L) > from
              ? sync(client, bridge) : Future.succeededFuture();
        });
  }

  /** Reads every message after the last contiguous seq from history, a page at a time (oldest first). */
  private Future<Void> history(Client client, BridgeClient bridge, String chatId) {
    return bridge.request("chat.history", new JsonObject().put("chatId", chatId).put("afterSeq", client.lastSeq)
        .put("limit", 100)).compose(page -> {
          JsonArray messages = page.getJsonArray("messages", new JsonArray());
          int before = client.lastSeq;
          messages.forEach(item -> {
            JsonObject message = (JsonObject) item;
            apply(client, message.getInteger("seq"), message, true);
          });
          return page.getBoolean("hasMore", false) && client.lastSeq > before
              ? history(client, bridge, chatId) : Future.succeededFuture();
        });
  }

  // Sending: a message whose ack was lost is sent again with the same clientId until acked

  private void startSending() {
    sending = true;
    for (Client sender : senders) {
      sender.context.runOnContext(v -> sender.sendTimer = vertx.setPeriodic(
          1 + ThreadLocalRandom.current().nextLong(sendIntervalMs), sendIntervalMs, id -> {
            if (sending) {
              String clientId = UUID.randomUUID().toString();
              sender.unacked.put(clientId, false);
              if (sender.state == UP) {
                transmit(sender, clientId);
              }
            }
          }));
    }
  }

  private void transmit(Client sender, String clientId) {
    BridgeClient bridge = (BridgeClient) sender.connection;
    sender.unacked.put(clientId, true);
    bridge.request("chat.message.send", new JsonObject().put("chatId", chatIds.getString(sender.chat))
            .put("clientId", clientId).put("content", "storm " + clientId))
        .onSuccess(message -> {
          sender.unacked.remove(clientId);
          int seq = message.getInteger("seq");
          Integer first = seqByClientId.putIfAbsent(clientId, seq);
          if (first != null && first != seq) {
            duplicates.add(clientId);
          }
          synchronized (acked) {
            acked.add(new JsonArray().add(sender.chat).add(seq).add(clientId));
          }
        })
        .onFailure(failure -> {
          String cause = cause(failure);
          count("send_" + cause);
          if (!sender.unacked.containsKey(clientId)) {
            return;
          }
          sender.unacked.put(clientId, false);
          if (!"disconnected".equals(cause)) {
            // Refused or timed out on a live connection: try again after a jittered pause.
            // A 429 says when to come back (retryAfterMs); jitter spreads the retries of one sender's backlog.
            long wait = failure instanceof BridgeClient.BenchFailure bench && "rate_limited".equals(cause)
                ? bench.problem.getLong("retryAfterMs", 1000L) : 0;
            vertx.setTimer(1 + wait + ThreadLocalRandom.current().nextLong(backoffInitialMs), id -> {
              if (sender.state == UP && Boolean.FALSE.equals(sender.unacked.get(clientId))) {
                transmit(sender, clientId);
              }
            });
          } // else: resent once the sender has reconnected
        });
  }

  private void resendUnacked(Client client) {
    if (client.unacked == null) {
      return;
    }
    new ArrayList<>(client.unacked.entrySet()).stream().filter(entry -> !entry.getValue())
        .forEach(entry -> transmit(client, entry.getKey()));
  }

  /** Stops new messages; reports {@code stopped} once every sent one is acked (or after 30 s). */
  private void stopSending() {
    sending = false;
    senders.forEach(sender -> sender.context.runOnContext(v -> vertx.cancelTimer(sender.sendTimer)));
    Thread waiter = new Thread(() -> {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (unackedCount() > 0 && System.nanoTime() < deadline) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
      JsonArray ackedList;
      synchronized (acked) {
        ackedList = new JsonArray(new ArrayList<>(acked));
      }
      GeneratorProcess.Child.report(new JsonObject().put("type", "stopped").put("acked", ackedList)
          .put("unacked", unackedCount()));
    }, "stop-waiter");
    waiter.setDaemon(true);
    waiter.start();
  }

  private int unackedCount() {
    int count = 0;
    for (Client sender : senders) {
      Promise<Integer> size = Promise.promise();
      sender.context.runOnContext(v -> size.complete(sender.unacked.size()));
      try {
        count += Lanes.await(size.future(), 10);
      } catch (Exception e) {
        count += 1;
      }
    }
    return count;
  }

  // Reports

  private JsonObject progress() {
    long kill = killAt;
    int affected = 0;
    int recovered = 0;
    for (Client client : clients) {
      if (client.downAt >= kill) {
        affected++;
        if (client.upAt > 0) {
          recovered++;
        }
      }
    }
    return new JsonObject().put("type", "progress").put("connected", connected.get()).put("affected", affected)
        .put("recovered", recovered);
  }

  /**
   * For each acked (chat, seq) given: whether a client here that is in that chat never received it. Also the
   * recovery times (ms from the kill, -1 when not recovered) of the clients that went down after it.
   */
  private JsonObject verify(JsonObject ackedByChat) {
    Map<Integer, List<Client>> byChat = new java.util.HashMap<>();
    clients.forEach(client -> byChat.computeIfAbsent(client.chat, c -> new ArrayList<>()).add(client));
    JsonArray missing = new JsonArray();
    long missingDeliveries = 0;
    for (String chat : ackedByChat.fieldNames()) {
      List<Client> members = byChat.getOrDefault(Integer.parseInt(chat), List.of());
      for (Object item : ackedByChat.getJsonArray(chat)) {
        int seq = ((Number) item).intValue();
        long lacking = members.stream().filter(client -> !received(client, seq)).count();
        if (lacking > 0) {
          missing.add(chat + "/" + seq);
          missingDeliveries += lacking;
        }
      }
    }
    long kill = killAt;
    JsonArray recoveries = new JsonArray();
    for (Client client : clients) {
      if (client.downAt >= kill) {
        recoveries.add(client.upAt > 0 ? client.upAt - kill : -1);
      }
    }
    return new JsonObject().put("type", "final").put("clients", clients.size()).put("connected", connected.get())
        .put("recoveries", recoveries).put("missing", missing).put("missingDeliveries", missingDeliveries)
        .put("duplicates", new JsonArray(new ArrayList<>(duplicates))).put("failures", failureCounts())
        .put("reconnectAttempts", attempts.sum()).put("deliveredLive", deliveredLive.sum())
        .put("deliveredViaSync", deliveredViaSync.sum()).put("redelivered", redelivered.sum())
        .put("tooLarge", tooLarge.sum()).put("gapSyncs", gapSyncs.sum());
  }

  private static boolean received(Client client, int seq) {
    synchronized (client) {
      return seq <= client.lastSeq || (client.ahead != null && client.ahead.contains(seq));
    }
  }

  private JsonObject failureCounts() {
    JsonObject counts = new JsonObject();
    failures.forEach((cause, count) -> counts.put(cause, count.sum()));
    return counts;
  }

  private void count(String cause) {
    failures.computeIfAbsent(cause, c -> new LongAdder()).increment();
  }

  /** The cause of a failed attempt or request, for the report's failure counts. */
  static String cause(Throwable failure) {
    if (failure instanceof BridgeClient.BenchFailure bench) {
      return bench.code();
    }
    if (failure instanceof UpgradeRejectedException rejected) {
      return rejected.getStatus() == 429 ? "rate_limited" : "http_" + rejected.getStatus();
    }
    if (failure instanceof ConnectException) {
      return "refused";
    }
    if (failure instanceof TimeoutException) {
      return "attempt_timeout";
    }
    if (failure instanceof io.netty.channel.ConnectTimeoutException || failure instanceof io.netty.channel.ConnectTimeoutException) {
      return "timeout";
    }
    String message = String.valueOf(failure.getMessage());
    if (message.contains("disconnected") || message.contains("closed")) {
      return "disconnected";
    }
    if (message.contains("refused")) {
      return "refused";
    }
    return failure.getClass().getSimpleName();
  }

  private static void closeQuietly(Object connection) {
    if (connection instanceof BridgeClient bridge) {
      bridge.close();
    } else if (connection instanceof WebSocket socket) {
      socket.close();
    }
  }
}
