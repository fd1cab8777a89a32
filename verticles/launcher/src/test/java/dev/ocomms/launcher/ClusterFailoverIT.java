package dev.ocomms.launcher;

import dev.ocomms.runtime.FreePorts;
import dev.ocomms.testkit.TestInfra;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import dev.ocomms.testkit.bridge.Transport;
import dev.ocomms.testkit.bridge.WebSocketBridgeClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover of the packaged server: nodes as separate JVM processes sharing one PostgreSQL and one Redis, clients spread
 * over them. Two nodes stay up for the whole class; each test starts a third, puts its members' traffic through it,
 * and stops it mid-traffic (SIGKILL, or SIGTERM as an orchestrator does). Its clients move to the next endpoint of
 * their list and re-sync, retrying an unacknowledged send with the same clientId, as the web client does behind a
 * load balancer. Then every acknowledged message must be with every member exactly once, and in history once.
 */
@DisplayName("Failover: three nodes as processes, one stopped mid-traffic")
class ClusterFailoverIT {
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration STOP = Duration.ofSeconds(40);
  private static final int PRESENCE_TTL_SECONDS = 6;
  /** Traffic before the stop, and after it. */
  private static final Duration BEFORE = Duration.ofSeconds(3);
  private static final Duration AFTER = Duration.ofSeconds(4);
  private static final Duration REPLY = Duration.ofSeconds(3);
  private static final String PASSWORD = "correct horse battery staple";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static Path workDir;
  private static String pgUrl;
  private static String redisUrl;
  private static final List<Node> survivors = new ArrayList<>();
  private static Vertx clientVertx;
  private static WebSocketClient webSockets;

  /** One OComms process and its ports. */
  record Node(LauncherProcess process, int httpPort, int opsPort, int clusterPort) {
  }

  @BeforeAll
  static void startSurvivors() throws Exception {
    workDir = Files.createTempDirectory("ocomms-failover-");
    TestInfra infra = TestInfra.get();
    pgUrl = infra.newPgUrl();
    redisUrl = infra.newRedisUrl();
    clientVertx = Vertx.vertx();
    webSockets = clientVertx.createWebSocketClient();
    int firstClusterPort = FreePorts.next();
    int secondClusterPort = FreePorts.next();
    // The first creates the schemas and the cluster's keys; the second finds them (no key copied by hand).
    survivors.add(startNode("a", firstClusterPort, List.of(secondClusterPort)));
    survivors.add(startNode("b", secondClusterPort, List.of(firstClusterPort)));
  }

  @AfterAll
  static void stopSurvivors() throws Exception {
    for (Node node : survivors) {
      node.process().terminate(STOP);
    }
    if (clientVertx != null) {
      clientVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static Node startNode(String name, int clusterPort, List<Integer> others) throws Exception {
    int httpPort = FreePorts.next();
    int opsPort = FreePorts.next();
    List<String> members = new ArrayList<>();
    others.forEach(port -> members.add("127.0.0.1:" + port));
    members.add("127.0.0.1:" + clusterPort);
    Map<String, String> environment = new HashMap<>(Map.of(
        "OCOMMS_HTTP_PORT", String.valueOf(httpPort),
        "OCOMMS_OPS_PORT", String.valueOf(opsPort),
        "OCOMMS_CLUSTER_PORT", String.valueOf(clusterPort),
        "OCOMMS_CLUSTER_BUS_PORT", String.valueOf(FreePorts.next()),
        "OCOMMS_CLUSTER_MEMBERS", String.join(",", members),
        "OCOMMS_UPLOADS_PORT", String.valueOf(FreePorts.next()),
        "OCOMMS_DATA_DIR", workDir.resolve(name).toString(),
        "OCOMMS_PG_URL", pgUrl,
        "OCOMMS_REDIS_URL", redisUrl,
        "OCOMMS_PRESENCE_SESSION_TTL_SECONDS", String.valueOf(PRESENCE_TTL_SECONDS)));
    environment.put("OCOMMS_REGISTRATIONS_PER_IP_PER_HOUR", "100000");
    environment.put("OCOMMS_BRIDGE_CONNECTIONS_PER_SECOND", "1000");
    environment.put("OCOMMS_BRIDGE_CONNECTIONS_PER_IP_PER_SECOND", "1000");
    environment.put("OCOMMS_SHUTDOWN_GRACE_SECONDS", "5");
    environment.put("OCOMMS_BOT_BRIDGE_PORT", String.valueOf(FreePorts.next()));
    Files.createDirectories(workDir.resolve(name));
    LauncherProcess process = LauncherProcess.start(workDir, environment);
    Node node = new Node(process, httpPort, opsPort, clusterPort);
    if (process.awaitStatus(opsPort, "/ready", 200, START) != 200) {
      String output = process.output();
      process.close();
      throw new AssertionError("node " + name + " did not become ready:\n" + output);
    }
    return node;
  }

  // ---- the tests

  @Test
  @DisplayName("SIGKILL mid-traffic: every acked message reaches every member exactly once; the dead node's users go "
      + "offline within the presence TTL; 2 members stay and /ready stays 200")
  void killedMidTraffic() throws Exception {
    Scenario scenario = new Scenario("c");
    scenario.run(victim -> victim.process().kill());

    scenario.assertEveryAckedMessageWithEveryMemberOnce();
    scenario.watcher.awaitEvent("user." + scenario.watcherId, "presence.changed",
        event -> scenario.passiveId.equals(event.getString("userId")) && "offline".equals(event.getString("status")),
        Duration.ofSeconds(PRESENCE_TTL_SECONDS + 8));
    for (Node survivor : survivors) {
      assertThat(awaitMembers(survivor, 2)).as("cluster members seen by the survivor on %d", survivor.httpPort())
          .isEqualTo(2);
      assertThat(status(survivor.opsPort(), "/ready")).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("SIGTERM mid-traffic: the node drains, and every acked message reaches every member exactly once")
  void stoppedMidTraffic() throws Exception {
    Scenario scenario = new Scenario("d");
    scenario.run(victim -> {
      try {
        victim.process().terminate(STOP); // within the grace period, or it fails
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    });

    scenario.assertEveryAckedMessageWithEveryMemberOnce();
    assertThat(scenario.victim.process().output()).contains("OComms stopped").doesNotContain("did not close cleanly");
  }

  // ---- the traffic

  /** Six members in one channel, two per node, all sending; a watcher and a passive user for presence. */
  private static final class Scenario {
    final Node victim;
    final List<Integer> endpoints;
    final List<Member> members = new ArrayList<>();
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    final Set<String> sent = ConcurrentHashMap.newKeySet();
    /** The clientIds of sends whose first request went unanswered (sent again with the same clientId). */
    final Set<String> retried = ConcurrentHashMap.newKeySet();
    final String chatId;
    final BridgeClient watcher;
    final String watcherId;
    final String passiveId;
    final String ownerToken;

    Scenario(String victimName) throws Exception {
      victim = startNode(victimName, FreePorts.next(),
          survivors.stream().map(Node::clusterPort).toList());
      endpoints = List.of(survivors.get(0).httpPort(), survivors.get(1).httpPort(), victim.httpPort());
      List<JsonObject> accounts = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        accounts.add(register(endpoints.get(i % 3)));
      }
      ownerToken = accounts.get(0).getString("accessToken");
      String workspaceId = rest(endpoints.get(0), "POST", "/workspaces", ownerToken,
          new JsonObject().put("name", "Failover " + victimName), 201).getJsonObject("workspace").getString("id");
      String code = rest(endpoints.get(0), "POST", "/workspaces/" + workspaceId + "/invites", ownerToken,
          new JsonObject(), 201).getString("code");
      for (JsonObject account : accounts.subList(1, accounts.size())) {
        rest(endpoints.get(1), "POST", "/workspaces/join", account.getString("accessToken"),
            new JsonObject().put("code", code), 200);
      }
      chatId = rest(endpoints.get(0), "GET", "/chats", ownerToken, null, 200).getJsonArray("chats").stream()
          .map(JsonObject.class::cast)
          .filter(chat -> workspaceId.equals(chat.getString("workspaceId")) && "general".equals(chat.getString("name")))
          .map(chat -> chat.getString("id")).findFirst().orElseThrow();
      for (int i = 0; i < 6; i++) {
        members.add(new Member(accounts.get(i), i % 3, this));
      }
      // The watcher (on a survivor) follows the passive user, who is connected to the victim only.
      JsonObject watcherAccount = accounts.get(6);
      JsonObject passiveAccount = accounts.get(7);
      watcherId = watcherAccount.getJsonObject("user").getString("id");
      passiveId = passiveAccount.getJsonObject("user").getString("id");
      watcher = connect(endpoints.get(0), watcherAccount.getString("accessToken"));
      watcher.listen("user." + watcherId);
      BridgeClient passive = connect(victim.httpPort(), passiveAccount.getString("accessToken"));
      passive.listen("user." + passiveId);
      watcher.call("presence.subscribe", new JsonObject().put("userIds", new JsonArray().add(passiveId)));
      watcher.awaitEvent("user." + watcherId, "presence.changed",
          event -> passiveId.equals(event.getString("userId")) && "available".equals(event.getString("status")),
          Duration.ofSeconds(10));
    }

    /** Traffic, the stop, more traffic; then each member takes in what it missed. */
    void run(Consumer<Node> stop) throws Exception {
      AtomicBoolean sending = new AtomicBoolean(true);
      ExecutorService threads = Executors.newFixedThreadPool(members.size());
      try {
        List<Future<?>> senders = members.stream()
            .<Future<?>>map(member -> threads.submit(() -> member.sendUntil(sending))).toList();
        Thread.sleep(BEFORE.toMillis());
        stop.accept(victim);
        Thread.sleep(AFTER.toMillis());
        sending.set(false);
        for (Future<?> sender : senders) {
          sender.get(60, TimeUnit.SECONDS);
        }
      } finally {
        threads.shutdownNow();
      }
      Thread.sleep(1_000); // the last acknowledged messages' fan-out
      for (Member member : members) {
        member.catchUp();
      }
    }

    void assertEveryAckedMessageWithEveryMemberOnce() throws Exception {
      assertThat(acked).as("acknowledged messages").hasSizeGreaterThan(members.size() * 5);
      assertThat(members.stream().filter(member -> member.moved).count()).as("members that moved to another node")
          .isEqualTo(2);
      for (Member member : members) {
        assertThat(new HashSet<>(member.bySeq.values())).as("messages %s holds", member.name).isEqualTo(acked);
        assertThat(member.bySeq).as("one seq per message with %s", member.name).hasSameSizeAs(acked);
        if (!member.moved) {
          // A client whose node stayed up was given everything live, but for a message the dead node's messaging
          // committed and died before announcing (its sender's request went unanswered and was sent again): that
          // one only chat.sync brings, as after any gap.
          List<Long> seqs = member.liveSeqs;
          for (long seq = seqs.get(0); seq <= seqs.get(seqs.size() - 1); seq++) {
            if (!seqs.contains(seq)) {
              String clientId = member.clientIdById.get(member.bySeq.get(seq));
              assertThat(retried).as("%s: seq %d missed live is a message whose send went unanswered",
                  member.name, seq).contains(clientId);
            }
          }
        }
      }
      List<String> history = new ArrayList<>();
      String before = null;
      do {
        JsonObject page = rest(endpoints.get(0), "GET", "/chats/" + chatId + "/messages?limit=100"
            + (before == null ? "" : "&before=" + before), ownerToken, null, 200);
        JsonArray messages = page.getJsonArray("messages");
        messages.stream().map(JsonObject.class::cast).filter(message -> sent.contains(message.getString("clientId")))
            .forEach(message -> history.add(message.getString("id")));
        before = messages.isEmpty() || !page.getBoolean("hasMore", false) ? null
            : String.valueOf(messages.stream().map(JsonObject.class::cast).mapToLong(m -> m.getLong("seq")).min()
                .orElseThrow());
      } while (before != null);
      assertThat(history).as("history").doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(acked);
    }
  }

  /** A member's client: sends on its own thread, moves to the next endpoint when its node goes, then re-syncs. */
  private static final class Member {
    final String name;
    final String token;
    final Scenario scenario;
    int endpoint;
    BridgeClient socket;
    final List<BridgeClient> sockets = new ArrayList<>();
    final Map<Long, String> bySeq = new HashMap<>();
    final Map<String, String> clientIdById = new HashMap<>();
    List<Long> liveSeqs = List.of();
    boolean moved;

    Member(JsonObject account, int endpoint, Scenario scenario) {
      this.name = account.getJsonObject("user").getString("username");
      this.token = account.getString("accessToken");
      this.endpoint = endpoint;
      this.scenario = scenario;
      connectHere();
    }

    private void connectHere() {
      socket = connect(scenario.endpoints.get(endpoint), token);
      socket.listen("chat." + scenario.chatId);
      sockets.add(socket);
    }

    /** The next endpoint that takes a connection; then what was missed, by sync from the last seq held. */
    private void moveOn() {
      moved = true;
      for (int attempt = 0; attempt < scenario.endpoints.size() * 3; attempt++) {
        endpoint = (endpoint + 1) % scenario.endpoints.size();
        try {
          connectHere();
          return;
        } catch (RuntimeException refused) {
          sleep(200);
        }
      }
      throw new AssertionError(name + " found no endpoint to connect to");
    }

    void sendUntil(AtomicBoolean sending) {
      while (sending.get()) {
        String clientId = UUID.randomUUID().toString();
        scenario.sent.add(clientId);
        JsonObject body = new JsonObject().put("chatId", scenario.chatId).put("clientId", clientId)
            .put("content", name + " " + clientId);
        while (true) {
          JsonObject reply = tryRequest("chat.message.send", body);
          if (reply != null) {
            scenario.acked.add(reply.getJsonObject("message", reply).getString("id"));
            break;
          }
          scenario.retried.add(clientId);
        }
        sleep(100);
      }
    }

    /**
     * A reply body, or null to ask again: the connection went (then it has moved on), no reply came in time (a node
     * that died held the request; the same clientId makes a retry safe), or the node refused for now.
     */
    private JsonObject tryRequest(String address, JsonObject body) {
      JsonObject frame = Frames.request(address, body, token);
      try {
        socket.send(frame);
      } catch (RuntimeException gone) {
        moveOn();
        return null;
      }
      JsonObject reply;
      try {
        reply = socket.await(Frames.about(frame.getString("replyAddress")), REPLY);
      } catch (AssertionError noReply) {
        if (socket.closedByServer()) {
          moveOn();
        }
        return null;
      }
      if ("rec".equals(reply.getString("type"))) {
        return reply.getJsonObject("body");
      }
      sleep(200); // an err: a node shutting down answers unavailable; ask again (here or on the next node)
      if (socket.closedByServer()) {
        moveOn();
      }
      return null;
    }

    /**
     * What a client holds after the traffic: every {@code message.new} delivered live on any of its connections, and
     * then, from the last seq it held without a gap (its first connection's first event being where it started),
     * what {@code chat.sync} replays. Fails if one connection was given the same event twice.
     */
    void catchUp() {
      TreeMap<Long, String> live = new TreeMap<>();
      for (BridgeClient each : sockets) {
        List<Long> seqs = new ArrayList<>();
        each.events("chat." + scenario.chatId, "message.new").forEach(event -> {
          JsonObject message = event.getJsonObject("message");
          seqs.add(message.getLong("seq"));
          live.put(message.getLong("seq"), message.getString("id"));
          hold(message);
        });
        assertThat(seqs).as("%s: events delivered on one connection", name).doesNotHaveDuplicates();
      }
      liveSeqs = new ArrayList<>(live.keySet());
      long heldThrough = live.isEmpty() ? 0 : live.firstKey() - 1;
      while (live.containsKey(heldThrough + 1)) {
        heldThrough++;
      }
      boolean more = true;
      while (more) {
        JsonObject entry = null;
        while (entry == null) {
          JsonObject reply = tryRequest("chat.sync",
              new JsonObject().put("chats", new JsonObject().put(scenario.chatId, heldThrough)));
          entry = reply == null ? null : reply.getJsonObject("chats").getJsonObject(scenario.chatId);
        }
        assertThat(entry.getBoolean("tooLarge", false)).as("%s: sync too large", name).isFalse();
        JsonObject messages = entry.getJsonObject("messages", new JsonObject());
        entry.getJsonArray("events", new JsonArray()).stream().map(JsonObject.class::cast)
            .filter(event -> "message.new".equals(event.getString("type")))
            .forEach(event -> hold(messages.getJsonObject(event.getString("messageId"))
                .copy().put("seq", event.getLong("seq"))));
        heldThrough = entry.getLong("syncedSeq");
        more = entry.getBoolean("hasMore", false);
      }
    }

    /** Holds one of the scenario's messages (others, such as a channel's system lines, are not counted). */
    private void hold(JsonObject message) {
      if (!scenario.sent.contains(message.getString("clientId"))) {
        return;
      }
      clientIdById.put(message.getString("id"), message.getString("clientId"));
      String earlier = bySeq.putIfAbsent(message.getLong("seq"), message.getString("id"));
      assertThat(earlier == null || earlier.equals(message.getString("id")))
          .as("%s: seq %d is one message", name, message.getLong("seq")).isTrue();
    }
  }

  // ---- plumbing

  private static BridgeClient connect(int port, String token) {
    return WebSocketBridgeClient.connect(webSockets, Transport.RAW_WEBSOCKET, port, "http://127.0.0.1:" + port)
        .signedInAs(token);
  }

  private static JsonObject register(int port) throws Exception {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return rest(port, "POST", "/auth/register", null, new JsonObject().put("email", "m." + suffix + "@example.org")
        .put("username", "u_" + suffix).put("displayName", "User " + suffix).put("password", PASSWORD), 201);
  }

  private static JsonObject rest(int port, String method, String path, String token, JsonObject body, int expected)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1" + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()))
        .header("Content-Type", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(expected);
    return response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
  }

  private static int status(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** The cluster's member count in the node's /ready, once it is {@code expected} (or the last seen after 30 s). */
  private static int awaitMembers(Node node, int expected) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int members = -1;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.opsPort()
          + "/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      members = new JsonObject(ready.body()).getJsonArray("checks").stream().map(JsonObject.class::cast)
          .filter(check -> "cluster".equals(check.getString("id")))
          .mapToInt(check -> check.getJsonObject("data").getInteger("members")).findFirst().orElse(-1);
      if (members == expected) {
        return members;
      }
      sleep(500);
    }
    return members;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
