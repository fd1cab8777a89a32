package dev.ocomms.system.bridge;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import dev.ocomms.testkit.bridge.Transport;
import dev.ocomms.testkit.bridge.WebSocketBridgeClient;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static dev.ocomms.testkit.bridge.Frames.errCode;
import static dev.ocomms.testkit.bridge.Frames.event;
import static dev.ocomms.testkit.bridge.Frames.marker;
import static dev.ocomms.testkit.bridge.Frames.testEvent;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one bridge connection may cost the server, over every transport: the bytes queued for it (replies and events
 * alike, until its transport takes them) are bounded, a connection that stays over its bound is told why and closed,
 * and every frame it sends counts against its limits. The bound is set low here (64 KiB, so 1 MiB at most at once)
 * and the requests' answers come from a stand-in notes service whose replies are 64 KiB each.
 */
@DisplayName("A bridge connection's bounds")
class ConnectionBoundsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** Long enough for the server's sweep to close a connection that stayed over its bound (10 s, swept every 5 s). */
  private static final Duration SWEEP_WAIT = Duration.ofSeconds(30);
  private static final Duration QUIET = Duration.ofMillis(500);
  private static final int BOUND = 64 * 1024;
  /** {@code BridgeConnection.HARD_BOUND_FACTOR}: the most a connection may hold at any moment, in bounds. */
  private static final int HARD_BOUND = 16 * BOUND;
  /** {@code BridgeConnection.MAX_PENDING_REQUESTS}. */
  private static final int MAX_PENDING_REQUESTS = 100;
  /** {@code BridgeConnection.MAX_QUEUED_FRAMES}. */
  private static final int MAX_QUEUED_FRAMES = 200;
  private static final String NOTES = "x".repeat(64 * 1024);
  /** A reply's frame is its body and a few dozen bytes around it. */
  private static final int REPLY_FRAME_BYTES = NOTES.length() + 200;
  private static TestSystem server;
  private static WebSocketClient smallWindow;
  private static final List<BridgeClient> SMALL_WINDOW_CLIENTS = new ArrayList<>();
  private final List<MessageConsumer<JsonObject>> services = new ArrayList<>();
  private final Queue<Message<JsonObject>> held = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() {
    server = TestSystem.builder().deploy(AccountsVerticle::new).deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .configure(config -> config.with(Setting.BRIDGE_CONNECTION_QUEUE_BYTES, BOUND))
        .start();
    // A client that stops reading fills its kernel's buffers first; small ones make the server's side fill soon.
    smallWindow = server.clientVertx().createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(8192)
        .setMaxFrameSize(65_536).setMaxMessageSize(1024 * 1024));
  }

  @AfterEach
  void closeClients() {
    server.closeClients();
    SMALL_WINDOW_CLIENTS.forEach(BridgeClient::close);
    SMALL_WINDOW_CLIENTS.clear();
    held.forEach(message -> message.reply(new JsonObject()));
    held.clear();
    services.forEach(service -> service.rxUnregister().blockingAwait());
    services.clear();
  }

  @AfterAll
  static void stop() {
    if (smallWindow != null) {
      smallWindow.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /**
   * A stand-in for the notes service on node 0 (the gateway's): it holds the first {@code holdUntil} requests, then
   * answers them all at once with 64 KiB of notes, and every later one as it comes.
   */
  private void notesService(int holdUntil) {
    boolean[] holding = {true};
    MessageConsumer<JsonObject> service = server.cluster().node(0).eventBus().<JsonObject>consumer(
        Addresses.NOTES_GET, message -> {
          held.add(message);
          if (!holding[0] || held.size() >= holdUntil) {
            holding[0] = false;
            for (Message<JsonObject> next; (next = held.poll()) != null; ) {
              next.reply(new JsonObject().put("notes", NOTES));
            }
          }
        });
    service.rxCompletion().blockingAwait();
    services.add(service);
  }

  /** A stand-in for the notes service on node 0 that answers every request at once with its body. */
  private void echoingNotesService() {
    MessageConsumer<JsonObject> service = server.cluster().node(0).eventBus().<JsonObject>consumer(
        Addresses.NOTES_GET, message -> message.reply(message.body()));
    service.rxCompletion().blockingAwait();
    services.add(service);
  }

  /**
   * A stand-in for messaging's membership check on node 0: the caller is a member of every chat, told at once,
   * except of {@code heldChatId}, whose checks are held until {@link #held} is answered.
   */
  private void membershipHolding(String heldChatId) {
    MessageConsumer<JsonObject> service = server.cluster().node(0).eventBus().<JsonObject>consumer(
        Addresses.CHAT_ACCESS, message -> {
          if (heldChatId.equals(message.body().getString("chatId"))) {
            held.add(message);
          } else {
            message.reply(new JsonObject().put("member", true));
          }
        });
    service.rxCompletion().blockingAwait();
    services.add(service);
  }

  /** Waits until the stand-in of {@link #membershipHolding} holds a check. */
  private void awaitHeldCheck() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (held.isEmpty()) {
      assertThat(System.nanoTime()).as("a membership check held within %s", WAIT).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /** A connection whose client will stop reading; over a WebSocket, with a small TCP receive window. */
  private BridgeClient slowClient(Transport transport) {
    return switch (transport) {
      case RAW_WEBSOCKET, SOCKJS_WEBSOCKET -> {
        WebSocketBridgeClient client = WebSocketBridgeClient.connect(smallWindow, transport, server.port(0),
            server.ownOrigin(0));
        SMALL_WINDOW_CLIENTS.add(client);
        yield client;
      }
      case XHR_STREAMING, XHR_POLLING -> server.connect(transport);
    };
  }

  private static double metric(String name) {
    String text = server.ops("/metrics").bodyAsString();
    Matcher matcher = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
    assertThat(matcher.find()).as("metric %s on /metrics", name).isTrue();
    return Double.parseDouble(matcher.group(2));
  }

  /**
   * Waits until the server has closed one more connection for being slow; the most bytes it was seen to hold for its
   * bridge connections meanwhile.
   */
  private static double awaitSlowClose(double closesBefore, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    double most = 0;
    while (metric("ocomms_bridge_slow_closes_total") == closesBefore) {
      most = Math.max(most, metric("ocomms_bridge_queued_bytes"));
      assertThat(System.nanoTime()).as("a slow connection closed within %s", timeout).isLessThan(deadline);
      Thread.sleep(20);
    }
    return most;
  }

  /** What a closed slow client must have been told last: {@code err 429 rate_limited}, reason slow_consumer. */
  private static void assertToldItWasTooSlow(BridgeClient client) {
    JsonObject farewell = client.await(errCode("rate_limited"), WAIT);
    assertThat(farewell.getString("address")).as("farewell %s", farewell).isNull();
    assertThat(farewell.getInteger("failureCode")).isEqualTo(429);
    assertThat(farewell.getJsonObject("body").getString("reason")).as("farewell %s", farewell)
        .isEqualTo("slow_consumer");
    client.awaitClosedByServer(WAIT);
  }

  private static void awaitNothingQueued() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (metric("ocomms_bridge_queued_bytes") > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(metric("ocomms_bridge_queued_bytes")).as("bytes still queued once the slow client is gone").isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("a client that stops reading while 100 replies of 64 KiB come back is closed with err 429"
      + " slow_consumer, the node holding at most 1 MiB for it, and the others on the node are served meanwhile")
  void hardBound(Transport transport) throws InterruptedException {
    Account alice = server.register();
    Account bob = server.register();
    notesService(MAX_PENDING_REQUESTS);
    BridgeClient slow = slowClient(transport).signedInAs(alice.token());
    slow.listen(Addresses.user(alice.id()));
    BridgeClient other = server.connect(transport).signedInAs(bob.token());
    other.listen(Addresses.user(bob.id()));
    double closesBefore = metric("ocomms_bridge_slow_closes_total");

    slow.pauseReceiving();
    for (int i = 0; i < MAX_PENDING_REQUESTS; i++) {
      slow.send(Frames.request(Addresses.NOTES_GET, new JsonObject(), alice.token()));
    }
    double mostQueued = awaitSlowClose(closesBefore, SWEEP_WAIT);
    slow.resumeReceiving();

    assertToldItWasTooSlow(slow);
    assertThat(mostQueued).as("bytes the node held for its connections").isLessThanOrEqualTo(
        HARD_BOUND + REPLY_FRAME_BYTES);
    assertThat(other.call(Addresses.NOTES_GET, new JsonObject()).getString("notes")).isEqualTo(NOTES);
    String marker = marker();
    server.publish(0, Addresses.user(bob.id()), testEvent(marker));
    other.await(event(Addresses.user(bob.id()), marker), WAIT);
    assertThat(other.closedByServer()).isFalse();
    awaitNothingQueued();
  }

  @Test
  @DisplayName("a client that stops reading with more than its bound waiting, though under 16 times it, is closed with"
      + " err 429 slow_consumer once it has stayed over for 10 s")
  void staysOverItsBound() throws InterruptedException {
    Account alice = server.register();
    notesService(1);
    BridgeClient slow = slowClient(Transport.XHR_POLLING).signedInAs(alice.token());
    slow.listen(Addresses.user(alice.id()));
    double closesBefore = metric("ocomms_bridge_slow_closes_total");

    slow.pauseReceiving();
    // The poll that was out may take the first reply; the next two wait in the session: over 64 KiB.
    for (int i = 0; i < 6; i++) {
      slow.send(Frames.request(Addresses.NOTES_GET, new JsonObject(), alice.token()));
    }
    double mostQueued = awaitSlowClose(closesBefore, SWEEP_WAIT);
    slow.resumeReceiving();

    assertToldItWasTooSlow(slow);
    assertThat(mostQueued).as("bytes the node held for its connections").isGreaterThan(BOUND)
        .isLessThan(HARD_BOUND);
    awaitNothingQueued();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("sends without a replyAddress hold a request slot until answered: past 100 in flight they are refused"
      + " with err 429 and never reach the service")
  void sendsWithoutReplyAddressCount(Transport transport) {
    Account alice = server.register();
    Queue<JsonObject> received = new ConcurrentLinkedQueue<>();
    MessageConsumer<JsonObject> unanswering = server.cluster().node(0).eventBus().<JsonObject>consumer(
        Addresses.NOTES_SAVE, message -> {
          received.add(message.body());
          held.add(message);
        });
    unanswering.rxCompletion().blockingAwait();
    services.add(unanswering);
    BridgeClient client = server.connect(transport);

    int sent = MAX_PENDING_REQUESTS + 50;
    for (int i = 0; i < sent; i++) {
      client.send(Frames.send(Addresses.NOTES_SAVE, new JsonObject().put("n", i), alice.token()));
    }

    for (int i = 0; i < sent - MAX_PENDING_REQUESTS; i++) {
      JsonObject refusal = client.await(errCode("rate_limited"), WAIT);
      assertThat(refusal.getJsonObject("body").getString("detail")).contains("in flight");
    }
    client.assertNothing(errCode("rate_limited"), QUIET);
    assertThat(received).as("sends that reached the service").hasSize(MAX_PENDING_REQUESTS);
    assertThat(received.stream().map(body -> body.getInteger("n")).toList()).as("which ones")
        .isEqualTo(IntStream.range(0, MAX_PENDING_REQUESTS).boxed().toList());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("past 200 frames waiting, each refused frame is answered where the client waits for it (a send on its"
      + " replyAddress, a register naming its address) with err 429 rate_limited, reason too_many_frames and when to"
      + " send it again; the frames that waited get their answers, and no frame of the burst goes unanswered")
  void refusedFramesAreAnsweredWhereTheClientWaits(Transport transport) throws InterruptedException {
    Account alice = server.register();
    echoingNotesService();
    String heldChat = UUID.randomUUID().toString();
    membershipHolding(heldChat);
    BridgeClient client = server.connect(transport).signedInAs(alice.token());

    // Frames are handled one at a time: while this register's membership check is held, every later frame waits.
    JsonObject first = Frames.register(Addresses.chat(heldChat), alice.token());
    client.send(first);
    int refusedCount = 50;
    List<JsonObject> burst = new ArrayList<>();
    for (int i = 0; i < MAX_QUEUED_FRAMES + refusedCount; i++) {
      JsonObject frame = i % 2 == 0
          ? Frames.request(Addresses.NOTES_GET, new JsonObject().put("n", i), alice.token())
          : Frames.register(Addresses.chat(UUID.randomUUID().toString()), alice.token());
      burst.add(frame);
      client.send(frame);
    }

    for (JsonObject refused : burst.subList(MAX_QUEUED_FRAMES, burst.size())) {
      boolean isSend = "send".equals(refused.getString("type"));
      String answeredOn = isSend ? refused.getString("replyAddress") : refused.getString("address");
      JsonObject refusal = client.await(Frames.about(answeredOn), WAIT);
      assertThat(refusal.getString("type")).as("answer to refused %s: %s", refused, refusal).isEqualTo("err");
      assertThat(refusal.getInteger("failureCode")).as("refusal %s", refusal).isEqualTo(429);
      JsonObject body = refusal.getJsonObject("body");
      assertThat(body.getString("code")).as("refusal %s", refusal).isEqualTo("rate_limited");
      assertThat(body.getString("reason")).as("refusal %s", refusal).isEqualTo("too_many_frames");
      assertThat(body.getLong("retryAfterMs")).as("refusal %s", refusal).isPositive().isLessThanOrEqualTo(1_000);
      assertThat(body.getLong("retryAfter")).as("refusal %s", refusal).isEqualTo(1);
    }

    awaitHeldCheck();
    held.forEach(check -> check.reply(new JsonObject().put("member", true)));
    held.clear();
    JsonObject firstAnswer = client.await(Frames.about(first.getString("replyAddress"))
        .or(Frames.err(first.getString("address"))), WAIT);
    assertThat(firstAnswer).as("answer to the first register, held until now (its check would time out after 5 s)")
        .isEqualTo(new JsonObject().put("type", "rec").put("address", first.getString("replyAddress"))
            .put("body", new JsonObject().put("registered", first.getString("address"))));
    for (JsonObject waited : burst.subList(0, MAX_QUEUED_FRAMES)) {
      JsonObject answer = client.await(Frames.about(waited.getString("replyAddress")), WAIT);
      JsonObject expected = "send".equals(waited.getString("type"))
          ? waited.getJsonObject("body")
          : new JsonObject().put("registered", waited.getString("address"));
      assertThat(answer).as("answer to %s", waited).isEqualTo(new JsonObject().put("type", "rec")
          .put("address", waited.getString("replyAddress")).put("body", expected));
    }
    client.assertNothing(Frames.any(), QUIET);
    assertThat(client.closedByServer()).isFalse();
  }
}
