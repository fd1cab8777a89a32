package dev.ocomms.integrations;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.notifications.NotificationsVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import dev.ocomms.testkit.bridge.Transport;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Slash commands: built-ins, custom commands called signed over SSRF-checked HTTP, response URLs")
class CommandsTest {
  private static TestSystem system;
  private static Vertx receiverVertx;
  private static HttpServer receiver;
  private static int port;
  private static String integrations;
  /** Every request the receiver got: its path, headers and body. */
  private static final ConcurrentLinkedQueue<Received> RECEIVED = new ConcurrentLinkedQueue<>();
  /** Set when the hanging endpoint's 10 s are over. */
  private static final AtomicBoolean HANG_ENDED = new AtomicBoolean();

  record Received(String path, MultiMap headers, String body) {
    Map<String, String> form() {
      Map<String, String> fields = new LinkedHashMap<>();
      for (String pair : body.split("&")) {
        int eq = pair.indexOf('=');
        fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
      return fields;
    }
  }

  @BeforeAll
  static void start() {
    receiverVertx = Vertx.vertx();
    receiver = receiverVertx.createHttpServer().requestHandler(CommandsTest::receive)
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
    port = receiver.actualPort();
    system = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
        .deploy(NotificationsVerticle::new).deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .configure(config -> config.with(Setting.OUTBOUND_ALLOWED_HOSTS, "127.0.0.1:" + port))
        .start();
    // Deployed apart, so that a test can stop and start it again.
    integrations = system.cluster().deploy(0, IntegrationsVerticle::new);
  }

  @AfterAll
  static void stop() {
    system.close();
    receiverVertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @AfterEach
  void closeClients() {
    system.closeClients();
  }

  /** The test's HTTP endpoint: what it answers depends on the path. */
  private static void receive(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      RECEIVED.add(new Received(request.path(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers()),
          body.toString(StandardCharsets.UTF_8)));
      var response = request.response();
      switch (request.path()) {
        case "/in-channel" -> response.putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("response_type", "in_channel").put("text", "*deployed* to prod").encode());
        case "/ephemeral" -> response.putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("text", "only for you").encode());
        case "/late" -> response.setStatusCode(200).end();
        case "/hang" -> receiverVertx.setTimer(10_000, id -> {
          HANG_ENDED.set(true);
          response.setStatusCode(200).end();
        });
        case "/redirect-to-loopback" -> response.setStatusCode(302)
            .putHeader("Location", "http://localhost:" + port + "/in-channel").end();
        case "/outgoing" -> response.putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("text", "pong from the webhook").encode());
        default -> response.setStatusCode(404).end();
      }
    });
  }

  @Test
  @DisplayName("a custom command POSTs Slack's form fields, signed as Slack signs (checked with the secret shown once)")
  void signed() {
    Team team = team();
    JsonObject created = command(team, "/sig", "/late");
    String secret = created.getString("signingSecret");

    JsonObject reply = run(team.alice, team.channel, "/sig prod now");

    assertThat(reply).isEqualTo(new JsonObject().put("command", "/sig").put("kind", "custom"));
    Received call = awaitCall("/late", r -> r.form().get("command").equals("/sig"));
    String timestamp = call.headers().get("X-Slack-Request-Timestamp");
    String expected = "v0=" + hmac(secret, "v0:" + timestamp + ":" + call.body());
    assertThat(call.headers().get("X-Slack-Signature")).isEqualTo(expected);
    assertThat(call.headers().get("X-OComms-Signature")).isEqualTo(expected);
    assertThat(call.headers().get("X-OComms-Request-Timestamp")).isEqualTo(timestamp);
    assertThat(call.headers().get("Content-Type")).startsWith("application/x-www-form-urlencoded");
    Map<String, String> form = call.form();
    assertThat(form).containsEntry("team_id", team.workspaceId).containsEntry("channel_id", team.channel)
        .containsEntry("user_id", team.alice.id()).containsEntry("user_name", team.alice.username())
        .containsEntry("command", "/sig").containsEntry("text", "prod now");
    assertThat(form.get("response_url")).matches("https?://.+/hooks/commands/[A-Za-z0-9_-]{43}");
    assertThat(form.get("trigger_id")).isNotBlank();
  }

  @Test
  @DisplayName("an in_channel reply is a message via the command, delivered live to the chat and in its history")
  void inChannel() {
    Team team = team();
    command(team, "/deploy", "/in-channel");
    BridgeClient bob = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.bob.token());
    bob.listen(Addresses.chat(team.channel));

    run(team.alice, team.channel, "/deploy prod");

    JsonObject live = bob.awaitEvent(Addresses.chat(team.channel), "message.new",
        event -> event.getJsonObject("message").containsKey("via"), TestSystem.WAIT).getJsonObject("message");
    assertThat(live.getString("content")).isEqualTo("**deployed** to prod");
    assertThat(live.getJsonObject("via").getString("name")).isEqualTo("/deploy");
    assertThat(live.getJsonObject("via").getString("commandId")).isNotBlank();
    assertThat(live.getString("senderId")).isEqualTo(team.alice.id());
    assertThat(history(team.bob, team.channel)).containsExactly(live);
  }

  @Test
  @DisplayName("an ephemeral reply reaches the invoker's connections only and is not stored")
  void ephemeral() {
    Team team = team();
    command(team, "/whisper", "/ephemeral");
    BridgeClient alice = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.alice.token());
    alice.listen(Addresses.user(team.alice.id()));
    BridgeClient bob = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.bob.token());
    bob.listen(Addresses.user(team.bob.id()));

    alice.call(Addresses.CHAT_COMMAND, new JsonObject().put("chatId", team.channel).put("text", "/whisper")
        .put("clientId", UUID.randomUUID().toString()));

    JsonObject event = alice.awaitEvent(Addresses.user(team.alice.id()), "command.ephemeral",
        e -> "/whisper".equals(e.getString("command")), TestSystem.WAIT);
    assertThat(event.getString("text")).isEqualTo("only for you");
    assertThat(event.getString("chatId")).isEqualTo(team.channel);
    assertThat(event.getString("id")).isNotBlank();
    assertThat(event.getString("at")).isNotBlank();
    // After the invoker's event arrived, the other member's connection has had the same time to hear one.
    bob.assertNothing(Frames.eventOfType(Addresses.user(team.bob.id()), "command.ephemeral"), Duration.ofMillis(500));
    assertThat(history(team.alice, team.channel)).isEmpty();
  }

  @Test
  @DisplayName("a late reply through response_url posts; the URL takes 5 uses and refuses the 6th (404 response_url_used_up)")
  void responseUrl() {
    Team team = team();
    command(team, "/later", "/late");
    run(team.alice, team.channel, "/later");
    String responseUrl = awaitCall("/late", r -> r.form().get("command").equals("/later")).form().get("response_url");
    String path = URI.create(responseUrl).getPath();

    for (int use = 1; use <= 5; use++) {
      HttpResponse<Buffer> answer = postJson(path, new JsonObject().put("response_type", "in_channel")
          .put("text", "result " + use));
      assertThat(answer.statusCode()).as("use %d: %s", use, answer.bodyAsString()).isEqualTo(200);
    }
    HttpResponse<Buffer> sixth = postJson(path, new JsonObject().put("text", "once more"));

    assertThat(sixth.statusCode()).isEqualTo(404);
    assertThat(sixth.bodyAsJsonObject().getString("reason")).isEqualTo("response_url_used_up");
    assertThat(history(team.alice, team.channel).stream().map(m -> m.getString("content")).toList())
        .containsExactly("result 1", "result 2", "result 3", "result 4", "result 5");
    assertThat(postJson("/hooks/commands/" + "A".repeat(43), new JsonObject().put("text", "x")).statusCode())
        .isEqualTo(404);
  }

  @Test
  @DisplayName("an unknown command answers kind unknown with an ephemeral help, and sends nothing")
  void unknown() {
    Team team = team();
    BridgeClient alice = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.alice.token());
    alice.listen(Addresses.user(team.alice.id()));

    JsonObject reply = alice.call(Addresses.CHAT_COMMAND, new JsonObject().put("chatId", team.channel)
        .put("text", "/nosuch thing").put("clientId", UUID.randomUUID().toString()));

    assertThat(reply).isEqualTo(new JsonObject().put("command", "/nosuch").put("kind", "unknown"));
    JsonObject help = alice.awaitEvent(Addresses.user(team.alice.id()), "command.ephemeral", e -> true,
        TestSystem.WAIT);
    assertThat(help.getString("text")).startsWith("Unknown command /nosuch.").contains("/shrug", "/help");
    assertThat(history(team.alice, team.channel)).isEmpty();
  }

  @Test
  @DisplayName("/shrug and /me send the invoker's messages; /topic sets the topic")
  void messageBuiltIns() {
    Team team = team();

    assertThat(run(team.bob, team.channel, "/shrug ok").getString("kind")).isEqualTo("builtin");
    run(team.bob, team.channel, "/me waves");
    run(team.bob, team.channel, "/topic Release day");

    List<JsonObject> messages = history(team.alice, team.channel);
    assertThat(messages.stream().map(m -> m.getString("content")).toList())
        .containsExactly("ok " + Commands.SHRUG, "_waves_");
    assertThat(messages).allMatch(m -> m.getString("senderId").equals(team.bob.id()));
    JsonObject chat = system.expect(200, HttpMethod.GET, "/chats/" + team.channel, team.alice.token(), null);
    assertThat(chat.getJsonObject("chat").getString("topic")).isEqualTo("Release day");
  }

  @Test
  @DisplayName("/invite @user adds them to the chat; /leave takes the invoker out")
  void membershipBuiltIns() {
    Team team = team();
    String other = system.channel(team.alice, team.workspaceId, "other-" + Long.toString(System.nanoTime(), 36));

    run(team.alice, other, "/invite @" + team.carol.username());
    run(team.bob, team.channel, "/leave");

    List<String> otherMembers = members(team.alice, other);
    assertThat(otherMembers).contains(team.carol.id());
    assertThat(members(team.alice, team.channel)).doesNotContain(team.bob.id());
  }

  @Test
  @DisplayName("/mute toggles the chat's mute for the invoker; /dnd 1h turns DND on until then, /dnd off ends it")
  void notificationBuiltIns() {
    Team team = team();

    run(team.bob, team.channel, "/mute");
    JsonObject muted = system.expect(200, HttpMethod.GET, "/chats/" + team.channel + "/notification-settings",
        team.bob.token(), null);
    run(team.bob, team.channel, "/dnd 1h");
    JsonObject dnd = system.expect(200, HttpMethod.GET, "/users/me/notification-settings", team.bob.token(), null);
    run(team.bob, team.channel, "/dnd off");
    JsonObject off = system.expect(200, HttpMethod.GET, "/users/me/notification-settings", team.bob.token(), null);

    assertThat(muted.getBoolean("muted")).isTrue();
    assertThat(dnd.getJsonObject("settings").getJsonObject("dnd").getString("until")).isNotBlank();
    assertThat(dnd.getJsonObject("settings").getBoolean("dndActive")).isTrue();
    assertThat(off.getJsonObject("settings").getValue("dnd")).isNull();
  }

  @Test
  @DisplayName("/help lists the built-ins and the workspace's commands, for the invoker only")
  void help() {
    Team team = team();
    command(team, "/deploy2", "/late");
    BridgeClient alice = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.alice.token());
    alice.listen(Addresses.user(team.alice.id()));

    alice.call(Addresses.CHAT_COMMAND, new JsonObject().put("chatId", team.channel).put("text", "/help")
        .put("clientId", UUID.randomUUID().toString()));

    JsonObject help = alice.awaitEvent(Addresses.user(team.alice.id()), "command.ephemeral", e -> true,
        TestSystem.WAIT);
    assertThat(help.getString("text")).contains("/me", "/shrug", "/topic", "/invite", "/leave", "/mute", "/dnd",
        "/deploy2");
  }

  @Test
  @DisplayName("URLs to the metadata address, to loopback not listed, and file: are refused at creation (400 url_not_allowed)")
  void refusedAtCreation() {
    Team team = team();

    for (String url : List.of("http://169.254.169.254/latest/meta-data/", "http://127.0.0.1/x",
        "http://localhost:" + port + "/late", "file:///etc/passwd", "http://10.1.2.3/", "http://[::1]:" + port + "/")) {
      HttpResponse<Buffer> answer = system.call(0, HttpMethod.POST, "/workspaces/" + team.workspaceId
          + "/commands", team.alice.token(), new JsonObject().put("command", "/x" + Math.abs(url.hashCode() % 1000))
          .put("url", url));
      assertThat(answer.statusCode()).as(url).isEqualTo(400);
      assertThat(answer.bodyAsJsonObject().getString("reason")).as(url).isEqualTo("url_not_allowed");
    }
  }

  @Test
  @DisplayName("a redirect to loopback at call time is refused: logged as refused, and the invoker told")
  void redirectRefused() {
    Team team = team();
    String commandId = command(team, "/hop", "/redirect-to-loopback").getJsonObject("command").getString("id");
    BridgeClient alice = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.alice.token());
    alice.listen(Addresses.user(team.alice.id()));

    alice.call(Addresses.CHAT_COMMAND, new JsonObject().put("chatId", team.channel).put("text", "/hop")
        .put("clientId", UUID.randomUUID().toString()));

    JsonObject told = alice.awaitEvent(Addresses.user(team.alice.id()), "command.ephemeral", e -> true,
        TestSystem.WAIT);
    assertThat(told.getString("text")).contains("did not work");
    JsonObject deliveries = system.expect(200, HttpMethod.GET, "/commands/" + commandId + "/deliveries",
        team.alice.token(), null);
    assertThat(deliveries.getJsonArray("deliveries")).hasSize(1);
    assertThat(deliveries.getJsonArray("deliveries").getJsonObject(0).getString("status")).isEqualTo("refused");
    assertThat(RECEIVED.stream().filter(r -> r.path().equals("/in-channel") && r.form().get("command").equals("/hop")))
        .as("the redirect's target was never called").isEmpty();
    assertThat(history(team.alice, team.channel)).isEmpty();
  }

  @Test
  @DisplayName("an endpoint that hangs 10 s: the command's reply and a send's ack come back before it ends")
  void hangingEndpoint() {
    Team team = team();
    command(team, "/slow", "/hang");
    BridgeClient alice = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.alice.token());
    HANG_ENDED.set(false);

    JsonObject command = Frames.request(Addresses.CHAT_COMMAND, new JsonObject().put("chatId", team.channel)
        .put("text", "/slow").put("clientId", UUID.randomUUID().toString()), team.alice.token());
    alice.send(command);
    awaitCall("/hang", r -> r.form().get("command").equals("/slow"));
    JsonObject send = Frames.request(Addresses.CHAT_MESSAGE_SEND, new JsonObject().put("chatId", team.channel)
        .put("clientId", UUID.randomUUID().toString()).put("content", "still here"), team.alice.token());
    alice.send(send);

    JsonObject commandReply = alice.await(Frames.about(command.getString("replyAddress")), TestSystem.WAIT);
    JsonObject sendAck = alice.await(Frames.about(send.getString("replyAddress")), TestSystem.WAIT);
    assertThat(HANG_ENDED).as("the endpoint still hangs").isFalse();
    assertThat(commandReply.getString("type")).isEqualTo("rec");
    assertThat(commandReply.getJsonObject("body").getString("kind")).isEqualTo("custom");
    assertThat(sendAck.getString("type")).isEqualTo("rec");
  }

  @Test
  @DisplayName("only owners and admins create commands (403); members list them without URLs; a taken name is 409")
  void management() {
    Team team = team();
    String created = command(team, "/mine", "/late").getJsonObject("command").getString("id");

    HttpResponse<Buffer> byMember = system.call(0, HttpMethod.POST, "/workspaces/" + team.workspaceId
        + "/commands", team.bob.token(), new JsonObject().put("command", "/theirs").put("url", url("/late")));
    HttpResponse<Buffer> taken = system.call(0, HttpMethod.POST, "/workspaces/" + team.workspaceId
        + "/commands", team.alice.token(), new JsonObject().put("command", "/mine").put("url", url("/late")));
    HttpResponse<Buffer> builtIn = system.call(0, HttpMethod.POST, "/workspaces/" + team.workspaceId
        + "/commands", team.alice.token(), new JsonObject().put("command", "/shrug").put("url", url("/late")));
    JsonObject listed = system.expect(200, HttpMethod.GET, "/workspaces/" + team.workspaceId + "/commands",
        team.bob.token(), null);

    assertThat(byMember.statusCode()).isEqualTo(403);
    assertThat(taken.statusCode()).isEqualTo(409);
    assertThat(builtIn.statusCode()).isEqualTo(409);
    assertThat(listed.getJsonArray("commands")).hasSize(1);
    assertThat(listed.getJsonArray("commands").getJsonObject(0).getString("id")).isEqualTo(created);
    assertThat(listed.getJsonArray("commands").getJsonObject(0).containsKey("url")).isFalse();
    assertThat(listed.getJsonArray("builtIns").stream().map(b -> ((JsonObject) b).getString("command")).toList())
        .contains("/me", "/shrug", "/help");
    system.expect(403, HttpMethod.DELETE, "/commands/" + created, team.bob.token(), null);
    system.expect(204, HttpMethod.DELETE, "/commands/" + created, team.alice.token(), null);
  }

  @Test
  @DisplayName("an outgoing webhook fires once for a message starting with its trigger word, not for others; its reply posts back")
  void outgoingWebhook() {
    Team team = team();
    JsonObject created = system.expect(201, HttpMethod.POST, "/chats/" + team.channel + "/outgoing-webhooks",
        team.alice.token(), new JsonObject().put("name", "Ops").put("url", url("/outgoing"))
            .put("triggerWords", new io.vertx.core.json.JsonArray().add("deploy")));
    String hookId = created.getJsonObject("outgoingWebhook").getString("id");
    String secret = created.getString("signingSecret");

    send(team.bob, team.channel, "hello there");
    send(team.bob, team.channel, "deploy api");

    Received call = awaitCall("/outgoing", r -> new JsonObject(r.body()).getString("outgoing_webhook_id")
        .equals(hookId));
    JsonObject payload = new JsonObject(call.body());
    assertThat(payload.getString("text")).isEqualTo("deploy api");
    assertThat(payload.getString("trigger_word")).isEqualTo("deploy");
    assertThat(payload.getString("channel_id")).isEqualTo(team.channel);
    assertThat(payload.getString("user_id")).isEqualTo(team.bob.id());
    assertThat(payload.getJsonObject("event").getString("type")).isEqualTo("message.new");
    String timestamp = call.headers().get("X-OComms-Request-Timestamp");
    assertThat(call.headers().get("X-OComms-Signature"))
        .isEqualTo("v0=" + hmac(secret, "v0:" + timestamp + ":" + call.body()));
    JsonObject reply = awaitMessage(team.alice, team.channel, "pong from the webhook");
    assertThat(reply.getJsonObject("via").getString("outgoingWebhookId")).isEqualTo(hookId);
    // The stream is read in order: "hello there" was judged before "deploy api", and did not fire.
    assertThat(RECEIVED.stream().filter(r -> r.path().equals("/outgoing")
        && new JsonObject(r.body()).getString("outgoing_webhook_id").equals(hookId))).hasSize(1);
    JsonObject deliveries = system.expect(200, HttpMethod.GET, "/outgoing-webhooks/" + hookId + "/deliveries",
        team.alice.token(), null);
    assertThat(deliveries.getJsonArray("deliveries").getJsonObject(0).getString("status")).isEqualTo("ok");
    assertThat(deliveries.getJsonArray("deliveries").getJsonObject(0).getInteger("httpStatus")).isEqualTo(200);
  }

  @Test
  @DisplayName("outgoing webhooks after a restart: messages sent while integrations was stopped fire once each, in order")
  void outgoingAfterRestart() {
    Team team = team();
    String hookId = system.expect(201, HttpMethod.POST, "/chats/" + team.channel + "/outgoing-webhooks",
        team.alice.token(), new JsonObject().put("name", "Restart").put("url", url("/outgoing"))
            .put("triggerWords", new io.vertx.core.json.JsonArray().add("ship")))
        .getJsonObject("outgoingWebhook").getString("id");
    system.cluster().undeploy(0, integrations);
    try {
      send(team.bob, team.channel, "ship one");
      send(team.bob, team.channel, "not this");
      send(team.bob, team.channel, "ship two");
    } finally {
      integrations = system.cluster().deploy(0, IntegrationsVerticle::new);
    }
    send(team.bob, team.channel, "ship three");

    awaitCall("/outgoing", r -> new JsonObject(r.body()).getString("text").equals("ship three"));
    awaitCall("/outgoing", r -> new JsonObject(r.body()).getString("text").equals("ship one"));
    awaitCall("/outgoing", r -> new JsonObject(r.body()).getString("text").equals("ship two"));
    assertThat(RECEIVED.stream().filter(r -> r.path().equals("/outgoing")
            && new JsonObject(r.body()).getString("outgoing_webhook_id").equals(hookId))
        .map(r -> new JsonObject(r.body()).getString("text")).sorted().toList())
        .containsExactly("ship one", "ship three", "ship two");
  }

  @Test
  @DisplayName("chat.command refuses a line without a slash (validation_failed) and a chat not the caller's (not_found)")
  void badInput() {
    Team team = team();
    Account stranger = system.register();

    HttpResponse<Buffer> noSlash = system.call(0, HttpMethod.POST, "/chats/" + team.channel + "/commands",
        team.alice.token(), new JsonObject().put("text", "shrug"));
    HttpResponse<Buffer> notTheirs = system.call(0, HttpMethod.POST, "/chats/" + team.channel + "/commands",
        stranger.token(), new JsonObject().put("text", "/shrug"));
    HttpResponse<Buffer> memberHook = system.call(0, HttpMethod.POST, "/chats/" + team.channel + "/outgoing-webhooks",
        team.bob.token(), new JsonObject().put("name", "x").put("url", url("/outgoing")));

    assertThat(noSlash.statusCode()).isEqualTo(400);
    assertThat(noSlash.bodyAsJsonObject().getString("field")).isEqualTo("text");
    assertThat(notTheirs.statusCode()).isEqualTo(404);
    assertThat(memberHook.statusCode()).as("a member who is not an admin").isEqualTo(403);
    assertThat(history(team.alice, team.channel)).isEmpty();
  }

  // Helpers

  private record Team(Account alice, Account bob, Account carol, String workspaceId, String channel) {
  }

  private static Team team() {
    List<Account> people = system.register(3, 3);
    String workspaceId = system.workspace(people.get(0), List.of(people.get(1), people.get(2)));
    String channel = system.channel(people.get(0), workspaceId, "ops-" + Long.toString(System.nanoTime(), 36));
    system.joinChat(people.get(1), channel);
    return new Team(people.get(0), people.get(1), people.get(2), workspaceId, channel);
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** A new command of the team's workspace, created by its owner: {command, signingSecret}. */
  private static JsonObject command(Team team, String name, String path) {
    return system.expect(201, HttpMethod.POST, "/workspaces/" + team.workspaceId + "/commands", team.alice.token(),
        new JsonObject().put("command", name).put("url", url(path)).put("description", "test " + name));
  }

  /** Runs a command over REST: its reply. */
  private static JsonObject run(Account invoker, String chatId, String text) {
    return system.expect(200, HttpMethod.POST, "/chats/" + chatId + "/commands", invoker.token(),
        new JsonObject().put("text", text).put("clientId", UUID.randomUUID().toString()));
  }

  private static void send(Account sender, String chatId, String content) {
    system.expect(201, HttpMethod.POST, "/chats/" + chatId + "/messages", sender.token(),
        new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", content));
  }

  private static Received awaitCall(String path, java.util.function.Predicate<Received> matching) {
    long deadline = System.nanoTime() + TestSystem.WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (Received received : RECEIVED) {
        if (received.path().equals(path) && matching.test(received)) {
          return received;
        }
      }
      sleep();
    }
    throw new AssertionError("no call to " + path + " arrived; received " + RECEIVED.stream().map(Received::path)
        .toList());
  }

  private static JsonObject awaitMessage(Account reader, String chatId, String content) {
    long deadline = System.nanoTime() + TestSystem.WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonObject message : history(reader, chatId)) {
        if (content.equals(message.getString("content"))) {
          return message;
        }
      }
      sleep();
    }
    throw new AssertionError("no message " + content + " in " + history(reader, chatId));
  }

  private static void sleep() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static List<String> members(Account reader, String chatId) {
    return system.expect(200, HttpMethod.GET, "/chats/" + chatId + "/members", reader.token(), null)
        .getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("userId")).toList();
  }

  private static HttpResponse<Buffer> postJson(String path, JsonObject payload) {
    return system.request(HttpMethod.POST, path).putHeader("Content-Type", "application/json")
        .rxSendBuffer(payload.toBuffer()).timeout(TestSystem.WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet();
  }

  /** The chat's messages other than system messages (joins), oldest first. */
  private static List<JsonObject> history(Account reader, String chatId) {
    return system.expect(200, HttpMethod.GET, "/chats/" + chatId + "/messages?limit=100", reader.token(), null)
        .getJsonArray("messages").stream().map(JsonObject.class::cast)
        .filter(message -> !"system".equals(message.getString("kind")))
        .sorted(Comparator.comparingLong(message -> message.getLong("seq"))).toList();
  }

  /** HMAC-SHA256 as Slack's documentation computes it, independently of the server's code. */
  private static String hmac(String secret, String base) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(base.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
