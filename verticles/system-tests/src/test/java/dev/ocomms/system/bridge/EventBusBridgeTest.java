package dev.ocomms.system.bridge;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.keys.Es256KeyPair;
import dev.ocomms.system.accounts.ForgedTokens;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import dev.ocomms.testkit.bridge.Transport;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

import static dev.ocomms.testkit.bridge.Frames.about;
import static dev.ocomms.testkit.bridge.Frames.any;
import static dev.ocomms.testkit.bridge.Frames.err;
import static dev.ocomms.testkit.bridge.Frames.errCode;
import static dev.ocomms.testkit.bridge.Frames.event;
import static dev.ocomms.testkit.bridge.Frames.marker;
import static dev.ocomms.testkit.bridge.Frames.rec;
import static dev.ocomms.testkit.bridge.Frames.testEvent;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser's event bus, specified once and run over every transport (as vertx-web's {@code EventbusBridgeTest}
 * is run per transport). Each test uses fresh accounts; events are published from the server side, and every
 * assertion names who received what.
 */
@DisplayName("The event-bus bridge")
class EventBusBridgeTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  /** How long "nothing arrives" is watched: events on one node arrive in milliseconds. */
  private static final Duration QUIET = Duration.ofMillis(500);
  private static TestSystem server;

  @BeforeAll
  static void start() {
    // Connection-rate limits have their own test (BridgeGateTest); here they would only slow the suite.
    server = TestSystem.builder().deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits().start();
  }

  @AfterEach
  void closeClients() {
    server.closeClients();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  // Helpers

  /** Registers and waits for the server's acknowledgement: from then on, events on the address are delivered. */
  private static void listen(BridgeClient client, String address, String token) {
    JsonObject register = Frames.register(address, token);
    client.send(register);
    JsonObject ack = client.await(about(register.getString("replyAddress")).or(err(address)), WAIT);
    assertThat(ack).as("answer to register %s", address)
        .isEqualTo(new JsonObject().put("type", "rec").put("address", register.getString("replyAddress"))
            .put("body", new JsonObject().put("registered", address)));
  }

  /** An error frame with its full wire shape: failure code, type, stable code as message, and a problem body. */
  private static JsonObject assertError(JsonObject frame, int failureCode, String code) {
    assertThat(frame.getString("type")).as("frame %s", frame).isEqualTo("err");
    assertThat(frame.getInteger("failureCode")).as("failureCode of %s", frame).isEqualTo(failureCode);
    assertThat(frame.getString("failureType")).isEqualTo("RECIPIENT_FAILURE");
    assertThat(frame.getString("message")).as("message of %s", frame).isEqualTo(code);
    assertThat(frame.getJsonObject("body").getString("code")).isEqualTo(code);
    assertThat(frame.getJsonObject("body").getString("detail")).isNotBlank();
    return frame;
  }

  private static JsonObject refusedRegister(BridgeClient client, String address, String token) {
    JsonObject register = Frames.register(address, token);
    client.send(register);
    JsonObject refusal = client.await(err(address), WAIT);
    client.assertNothing(about(register.getString("replyAddress")), Duration.ZERO);
    return refusal;
  }

  private static JsonObject failedRequest(BridgeClient client, String address, JsonObject body, String token) {
    JsonObject request = Frames.request(address, body, token);
    client.send(request);
    return client.await(about(request.getString("replyAddress")), WAIT);
  }

  /** A chat: {@code owner} created it, {@code members} joined it. Its id. */
  private static String chat(Account owner, List<Account> workspaceMembers, List<Account> chatMembers) {
    String workspaceId = server.workspace(owner, workspaceMembers);
    String chatId = server.channel(owner, workspaceId, "c-" + UUID.randomUUID().toString().substring(0, 8));
    chatMembers.forEach(member -> server.joinChat(member, chatId));
    return chatId;
  }

  // REGISTER on user addresses

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("REGISTER on one's own user address receives the events published there")
  void ownUserAddress(Transport transport) {
    Account alice = server.register();
    BridgeClient client = server.connect(transport);
    String address = Addresses.user(alice.id());
    listen(client, address, alice.token());

    String marker = marker();
    server.publish(0, address, testEvent(marker));

    JsonObject delivered = client.await(event(address, marker), WAIT);
    assertThat(delivered).isEqualTo(new JsonObject().put("type", "rec").put("address", address)
        .put("body", testEvent(marker)));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("REGISTER on someone else's user address is refused with 403 and nothing published there reaches the intruder")
  void otherUserAddress(Transport transport) {
    Account alice = server.register();
    Account bob = server.register();
    String bobs = Addresses.user(bob.id());
    BridgeClient bobClient = server.connect(transport);
    listen(bobClient, bobs, bob.token());
    BridgeClient aliceClient = server.connect(transport);

    assertError(refusedRegister(aliceClient, bobs, alice.token()), 403, "forbidden");

    String marker = marker();
    server.publish(0, bobs, testEvent(marker));
    bobClient.await(event(bobs, marker), WAIT);
    aliceClient.assertNothing(rec(bobs), QUIET);
  }

  // REGISTER on chats

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("REGISTER on a chat one is not a member of is refused with 403 and nothing is delivered; members receive")
  void chatOfNonMember(Transport transport) {
    Account owner = server.register();
    Account outsider = server.register();
    String chatId = chat(owner, List.of(outsider), List.of());
    String address = Addresses.chat(chatId);
    BridgeClient ownerClient = server.connect(transport);
    listen(ownerClient, address, owner.token());
    BridgeClient outsiderClient = server.connect(transport);

    // A workspace member who has not joined this channel, and a chat id that does not exist at all.
    assertError(refusedRegister(outsiderClient, address, outsider.token()), 403, "forbidden");
    String unknown = Addresses.chat(UUID.randomUUID().toString());
    assertError(refusedRegister(outsiderClient, unknown, outsider.token()), 403, "forbidden");

    String marker = marker();
    server.publish(0, address, testEvent(marker));
    ownerClient.await(event(address, marker), WAIT);
    outsiderClient.assertNothing(rec(address), QUIET);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("a member removed from a chat stops receiving it at once, while the other members still receive")
  void removedMember(Transport transport) {
    Account owner = server.register();
    Account bob = server.register();
    String chatId = chat(owner, List.of(bob), List.of(bob));
    String address = Addresses.chat(chatId);
    BridgeClient ownerClient = server.connect(transport);
    BridgeClient bobClient = server.connect(transport);
    listen(ownerClient, address, owner.token());
    listen(bobClient, address, bob.token());

    String before = marker();
    server.publish(0, address, testEvent(before));
    ownerClient.await(event(address, before), WAIT);
    bobClient.await(event(address, before), WAIT);

    server.removeMember(owner, chatId, bob);
    // Both see that bob left (it is the last chat event bob gets), then the chat goes on without him.
    ownerClient.await(rec(address).and(f -> "member.left".equals(f.getJsonObject("body").getString("type"))), WAIT);
    bobClient.await(rec(address).and(f -> "member.left".equals(f.getJsonObject("body").getString("type"))), WAIT);

    String after = marker();
    server.publish(0, address, testEvent(after));
    ownerClient.await(event(address, after), WAIT);
    bobClient.assertNothing(rec(address), QUIET);

    // Nor can he come back on his own: he is no longer a member.
    assertError(refusedRegister(bobClient, address, bob.token()), 403, "forbidden");
  }

  // Authentication

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("no REGISTER or SEND is honoured without a valid token: missing, garbage and expired tokens get 401")
  void invalidTokens(Transport transport) {
    Account alice = server.register();
    String own = Addresses.user(alice.id());
    BridgeClient client = server.connect(transport);
    String expired = token(alice.id(), -120);
    List<JsonObject> badHeaders = List.of(
        new JsonObject(),
        new JsonObject().put("Authorization", alice.token()),
        new JsonObject().put("Authorization", "Bearer not-a-token"),
        new JsonObject().put("Authorization", "Bearer " + alice.token().substring(0, alice.token().length() - 4) + "AAAA"),
        new JsonObject().put("Authorization", "Bearer " + expired));

    for (JsonObject headers : badHeaders) {
      JsonObject register = Frames.register(own, null).put("headers", headers);
      client.send(register);
      assertError(client.await(err(own), WAIT), 401, "unauthorized");

      JsonObject request = Frames.request(Addresses.SEARCH_QUERY, new JsonObject().put("q", "x"), null)
          .put("headers", headers);
      client.send(request);
      assertError(client.await(about(request.getString("replyAddress")), WAIT), 401, "unauthorized");
    }
    // A frame with no headers at all, and one whose headers are not an object.
    client.send(new JsonObject().put("type", "register").put("address", own));
    assertError(client.await(err(own), WAIT), 401, "unauthorized");
    client.send(new JsonObject().put("type", "register").put("address", own).put("headers", "Bearer " + alice.token()));
    assertError(client.await(err(own), WAIT), 401, "unauthorized");

    String marker = marker();
    server.publish(0, own, testEvent(marker));
    client.assertNothing(rec(own), QUIET);

    // The same connection, with a token minted the same way but not expired, is served.
    listen(client, own, token(alice.id(), 600));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("forged tokens are refused with 401: another key's signature, alg none, HS256 keyed with the public key")
  void forgedTokens(Transport transport) {
    Account alice = server.register();
    String own = Addresses.user(alice.id());
    BridgeClient client = server.connect(transport);
    var config = server.cluster().config(0);
    List<String> forged = List.of(
        ForgedTokens.signEs256(server.cluster().node(0), Es256KeyPair.generate().privateKey(),
            ForgedTokens.claims(alice.id())),
        ForgedTokens.algNone(ForgedTokens.claims(alice.id())),
        ForgedTokens.hs256WithKeyAsSecret(ForgedTokens.claims(alice.id()), config.jwtPublicKey().orElseThrow()));

    for (String token : forged) {
      client.send(Frames.register(own, null).put("headers", new JsonObject().put("Authorization", "Bearer " + token)));
      assertError(client.await(err(own), WAIT), 401, "unauthorized");
    }
    String marker = marker();
    server.publish(0, own, testEvent(marker));
    client.assertNothing(rec(own), QUIET);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("a token is needed on every frame: after a valid REGISTER, a frame without one is still refused")
  void tokenOnEveryFrame(Transport transport) {
    Account alice = server.register();
    BridgeClient client = server.connect(transport);
    listen(client, Addresses.user(alice.id()), alice.token());

    JsonObject request = Frames.request(Addresses.SEARCH_QUERY, new JsonObject(), null);
    client.send(request);
    assertError(client.await(about(request.getString("replyAddress")), WAIT), 401, "unauthorized");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("the caller a service sees comes only from the token, never from headers or body the browser sends")
  void identityFromToken(Transport transport) {
    Account alice = server.register();
    Account victim = server.register();
    ConcurrentLinkedQueue<JsonObject> seen = new ConcurrentLinkedQueue<>();
    MessageConsumer<JsonObject> notes = server.cluster().node(0).eventBus().<JsonObject>consumer(Addresses.NOTES_GET,
        message -> {
          seen.add(new JsonObject().put("user", message.headers().get(Caller.USER_HEADER))
              .put("session", message.headers().get(Caller.SESSION_HEADER)).put("body", message.body()));
          message.reply(new JsonObject().put("notes", "ok"));
        });
    notes.rxCompletion().blockingAwait();
    try {
      BridgeClient client = server.connect(transport);
      JsonObject request = Frames.request(Addresses.NOTES_GET, new JsonObject().put("userId", victim.id()),
          alice.token());
      request.getJsonObject("headers").put(Caller.USER_HEADER, victim.id()).put(Caller.SESSION_HEADER, "forged");
      client.send(request);

      JsonObject reply = client.await(about(request.getString("replyAddress")), WAIT);
      assertThat(reply).isEqualTo(new JsonObject().put("type", "rec").put("address", request.getString("replyAddress"))
          .put("body", new JsonObject().put("notes", "ok")));
      assertThat(seen).hasSize(1);
      JsonObject received = seen.peek();
      assertThat(received.getString("user")).isEqualTo(alice.id());
      assertThat(received.getString("session")).isNotEqualTo("forged").isNotBlank();
      assertThat(received.getJsonObject("body")).isEqualTo(new JsonObject().put("userId", victim.id()));
    } finally {
      notes.rxUnregister().blockingAwait();
    }
  }

  // SEND permissions

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("SEND to an address browsers may not use is refused with 403 on the client's reply address, and goes nowhere")
  void sendToForbiddenAddress(Transport transport) {
    Account owner = server.register();
    String chatId = chat(owner, List.of(), List.of());
    BridgeClient client = server.connect(transport);
    String chatAddress = Addresses.chat(chatId);
    listen(client, chatAddress, owner.token());

    assertError(failedRequest(client, Addresses.WORKSPACE_CREATE, new JsonObject().put("name", "Sneaky"),
        owner.token()), 403, "forbidden");
    assertError(failedRequest(client, chatAddress, testEvent(marker()), owner.token()), 403, "forbidden");
    assertError(failedRequest(client, Addresses.SESSION_REVOKED, new JsonObject(), owner.token()), 403, "forbidden");

    client.assertNothing(rec(chatAddress), QUIET);
    JsonObject workspaces = server.call(0, io.vertx.core.http.HttpMethod.GET, "/workspaces", owner.token(), null)
        .bodyAsJsonObject();
    assertThat(workspaces.getJsonArray("workspaces")).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("SEND to a permitted address that no service handles yet fails at once with 503 unavailable")
  void sendWithoutHandler(Transport transport) {
    Account alice = server.register();
    BridgeClient client = server.connect(transport);
    long start = System.nanoTime();
    JsonObject failure = failedRequest(client, Addresses.SEARCH_QUERY, new JsonObject().put("q", "hello"),
        alice.token());
    assertError(failure, 503, "unavailable");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("PUBLISH frames are refused with 403 and nothing is published")
  void publishRefused(Transport transport) {
    Account alice = server.register();
    String own = Addresses.user(alice.id());
    BridgeClient client = server.connect(transport);
    listen(client, own, alice.token());

    String marker = marker();
    client.send(Frames.publish(own, testEvent(marker), alice.token()));
    assertError(client.await(err(own), WAIT), 403, "forbidden");
    client.assertNothing(rec(own), QUIET);
  }

  // Robustness

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("malformed, non-object, typeless and unknown frames each get an error and the connection stays usable")
  void malformedFrames(Transport transport) {
    Account alice = server.register();
    BridgeClient client = server.connect(transport);
    List<String> bad = List.of("{not json", "[1,2,3]", "42", "\"register\"", "null", "{}",
        "{\"type\":42,\"address\":\"x\"}", "{\"type\":\"bogus\",\"address\":\"x\"}",
        "{\"type\":\"register\"}", "{\"type\":\"send\",\"address\":\"search.query\",\"body\":[1]}");
    for (String text : bad) {
      assertThat(client.sendText(text)).as("transport accepted %s", text).isEqualTo(BridgeClient.ACCEPTED);
      JsonObject error = client.await(f -> "err".equals(f.getString("type")), WAIT);
      assertThat(error.getInteger("failureCode")).as("error for %s: %s", text, error).isBetween(400, 499);
      assertThat(error.getJsonObject("body").getString("code")).isIn("malformed_json", "validation_failed",
          "unauthorized");
    }
    client.assertNothing(any(), QUIET);

    String own = Addresses.user(alice.id());
    listen(client, own, alice.token());
    String marker = marker();
    server.publish(0, own, testEvent(marker));
    client.await(event(own, marker), WAIT);
    assertThat(server.ops("/health").statusCode()).isEqualTo(200);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("a frame over 64 KB is refused (error, HTTP 413 or a clean close), never hangs, and others are served")
  void oversizeFrame(Transport transport) {
    Account alice = server.register();
    BridgeClient client = server.connect(transport);
    JsonObject huge = Frames.request(Addresses.SEARCH_QUERY, new JsonObject().put("q", "x".repeat(70 * 1024)),
        alice.token());

    int status = client.sendText(huge.encode());
    if (status == BridgeClient.ACCEPTED) {
      if (transport == Transport.RAW_WEBSOCKET || transport == Transport.SOCKJS_WEBSOCKET) {
        // The HTTP server's WebSocket message limit ends the connection: a clean close, not a hang.
        client.awaitClosedByServer(WAIT);
      } else {
        assertError(client.await(errCode("payload_too_large"), WAIT), 413, "payload_too_large");
      }
      client.assertNothing(about(huge.getString("replyAddress")), Duration.ZERO);
    } else {
      assertThat(status).as("xhr_send of an oversize frame").isEqualTo(413);
      client.assertNothing(any(), QUIET);
    }

    BridgeClient other = server.connect(transport);
    String own = Addresses.user(alice.id());
    listen(other, own, alice.token());
    String marker = marker();
    server.publish(0, own, testEvent(marker));
    other.await(event(own, marker), WAIT);
    assertThat(server.ops("/health").statusCode()).isEqualTo(200);
  }

  // Sessions and limits

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("logout closes that session's connections (401, then close) but not the same user's other session")
  void logoutClosesSession(Transport transport) {
    Account alice = server.register();
    String otherSession = server.login(alice).accessToken();
    String own = Addresses.user(alice.id());
    BridgeClient first = server.connect(transport);
    BridgeClient second = server.connect(transport);
    listen(first, own, alice.token());
    listen(second, own, otherSession);

    server.logout(alice.token());

    assertError(first.await(errCode("unauthorized"), WAIT), 401, "unauthorized");
    first.awaitClosedByServer(WAIT);
    String marker = marker();
    server.publish(0, own, testEvent(marker));
    second.await(event(own, marker), WAIT);
    assertThat(second.closedByServer()).isFalse();
    first.assertNothing(rec(own), QUIET);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  @DisplayName("a user's sixth connection closes the oldest one (429, then close) and the other five keep receiving")
  void sixthConnection(Transport transport) {
    Account alice = server.register();
    String own = Addresses.user(alice.id());
    List<BridgeClient> clients = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      BridgeClient client = server.connect(transport);
      listen(client, own, alice.token());
      clients.add(client);
    }

    BridgeClient oldest = clients.get(0);
    JsonObject error = assertError(oldest.await(errCode("rate_limited"), WAIT), 429, "rate_limited");
    assertThat(error.getJsonObject("body").getString("detail")).contains("5");
    oldest.awaitClosedByServer(WAIT);

    String marker = marker();
    server.publish(0, own, testEvent(marker));
    IntStream.range(1, 6).forEach(i -> clients.get(i).await(event(own, marker), WAIT));
    IntStream.range(1, 6).forEach(i -> assertThat(clients.get(i).closedByServer()).as("client %d", i).isFalse());
    oldest.assertNothing(event(own, marker), QUIET);
  }

  /** An access token signed with the cluster's key, expiring {@code secondsFromNow} from now. */
  private static String token(String userId, long secondsFromNow) {
    var config = server.cluster().config(0);
    JWTAuth jwt = JWTAuth.create(server.clientVertx(), new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(config.jwtPrivateKey().orElseThrow())));
    long now = System.currentTimeMillis() / 1000;
    return jwt.generateToken(new JsonObject().put("sub", userId).put("sid", UUID.randomUUID().toString())
            .put("iat", now - 1000).put("exp", now + secondsFromNow),
        new JWTOptions().setAlgorithm("ES256").setIssuer("ocomms").setAudience(List.of("ocomms")));
  }
}
