package dev.ocomms.integrations;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.search.SearchVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import dev.ocomms.testkit.bridge.Transport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Incoming webhooks: Slack's payload posted to /hooks/<secret> becomes an ordinary message")
class WebhooksTest {
  private static TestSystem system;

  @BeforeAll
  static void start() {
    system = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(IntegrationsVerticle::new)
        .deploy(SearchVerticle::new).deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .start();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  @AfterEach
  void closeClients() {
    system.closeClients();
  }

  @Test
  @DisplayName("a member creates a webhook: 201 {webhook, url /hooks/<43 characters>}; the list shows it, never the secret")
  void create() {
    Team team = team();

    JsonObject created = system.expect(201, HttpMethod.POST, webhooks(team.channel), team.bob.token(),
        new JsonObject().put("name", "CI").put("iconUrl", "https://example.com/ci.png"));

    JsonObject webhook = created.getJsonObject("webhook");
    assertThat(created.getString("url")).matches("/hooks/[A-Za-z0-9_-]{43}");
    assertThat(webhook.getString("name")).isEqualTo("CI");
    assertThat(webhook.getString("chatId")).isEqualTo(team.channel);
    assertThat(webhook.getString("creatorId")).isEqualTo(team.bob.id());
    assertThat(webhook.getString("iconUrl")).isEqualTo("https://example.com/ci.png");
    JsonObject listed = system.expect(200, HttpMethod.GET, webhooks(team.channel), team.alice.token(), null);
    assertThat(listed.getJsonArray("webhooks")).containsExactly(webhook);
    assertThat(listed.encode()).doesNotContain(created.getString("url").substring("/hooks/".length()));
  }

  @Test
  @DisplayName("someone outside the chat can neither create nor list its webhooks (404)")
  void outsiders() {
    Team team = team();
    Account stranger = system.register();

    system.expect(404, HttpMethod.POST, webhooks(team.channel), stranger.token(), new JsonObject().put("name", "x"));
    system.expect(404, HttpMethod.GET, webhooks(team.channel), stranger.token(), null);
  }

  @Test
  @DisplayName("a text post answers 200 ok (text/plain) and is a message of the creator, via the webhook, live and in history")
  void textPost() {
    Team team = team();
    String url = hook(team.bob, team.channel, "Deploys");
    BridgeClient alice = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.alice.token());
    alice.listen(Addresses.chat(team.channel));

    HttpResponse<Buffer> answer = postJson(url, new JsonObject().put("text", "*Deployed* <https://e.com/r/1|v1.2> <!here>")
        .put("username", "deploy-bot"));

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.getHeader("Content-Type")).startsWith("text/plain");
    assertThat(answer.bodyAsString()).isEqualTo("ok");
    JsonObject live = alice.await(Frames.eventOfType(Addresses.chat(team.channel), "message.new"), TestSystem.WAIT)
        .getJsonObject("body").getJsonObject("message");
    assertThat(live.getString("content")).isEqualTo("**Deployed** [v1.2](https://e.com/r/1) @here");
    assertThat(live.getString("senderId")).isEqualTo(team.bob.id());
    assertThat(live.getJsonObject("via").getString("name")).isEqualTo("Deploys");
    assertThat(live.getJsonObject("via").getString("username")).isEqualTo("deploy-bot");
    assertThat(live.getJsonObject("mentions").getBoolean("here")).as("<!here> notifies as @here does").isTrue();
    assertThat(history(team.alice, team.channel)).containsExactly(live);
  }

  @Test
  @DisplayName("the Alertmanager fixture posts: its text converted, its attachment with color, title link and fields stored")
  void alertmanager() throws IOException {
    Team team = team();
    String url = hook(team.alice, team.channel, "Alerts");

    assertThat(postJson(url, fixture("alertmanager.json")).statusCode()).isEqualTo(200);

    JsonObject message = history(team.alice, team.channel).get(0);
    assertThat(message.getString("content")).isEmpty();
    assertThat(message.getJsonObject("via")).isEqualTo(new JsonObject().put("webhookId", webhookId(team, "Alerts"))
        .put("name", "Alerts").put("username", "Alertmanager")
        .put("iconUrl", "https://avatars3.githubusercontent.com/u/3380462"));
    JsonObject attachment = message.getJsonObject("rich").getJsonArray("attachments").getJsonObject(0);
    assertThat(attachment.getString("color")).isEqualTo("danger");
    assertThat(attachment.getString("title")).isEqualTo("[FIRING:2] HighRequestLatency api (prod critical)");
    assertThat(attachment.getString("title_link"))
        .isEqualTo("http://alertmanager.example.com:9093/#/alerts?receiver=slack-critical");
    assertThat(attachment.getString("text")).startsWith("**Alert:** HighRequestLatency - `critical`\n")
        .endsWith("[:chart_with_upwards_trend: Graph](http://prometheus.example.com:9090/graph?g0.expr=histogram_quantile)");
    assertThat(attachment.getJsonArray("fields")).containsExactly(
        new JsonObject().put("title", "severity").put("value", "critical").put("short", true),
        new JsonObject().put("title", "cluster").put("value", "prod-eu-1").put("short", true),
        new JsonObject().put("title", "Runbook")
            .put("value", "[HighRequestLatency runbook](https://runbooks.example.com/HighRequestLatency)")
            .put("short", false));
    assertThat(attachment.getString("footer")).isEqualTo("Prometheus Alertmanager");
    assertThat(attachment.getLong("ts")).isEqualTo(1733600000L);
    assertThat(attachment.fieldNames()).doesNotContain("mrkdwn_in", "callback_id", "fallback");
  }

  @Test
  @DisplayName("the Grafana fixture posts: hex color, title link, text and footer stored")
  void grafana() throws IOException {
    Team team = team();
    String url = hook(team.alice, team.channel, "Grafana");

    assertThat(postJson(url, fixture("grafana.json")).statusCode()).isEqualTo(200);

    JsonObject message = history(team.alice, team.channel).get(0);
    JsonObject attachment = message.getJsonObject("rich").getJsonArray("attachments").getJsonObject(0);
    assertThat(attachment.getString("color")).isEqualTo("#D63232");
    assertThat(attachment.getString("title")).isEqualTo("[FIRING:1] Disk usage above 90% (node-exporter)");
    assertThat(attachment.getString("title_link")).isEqualTo("https://grafana.example.com/alerting/list");
    assertThat(attachment.getString("text")).startsWith("**Firing**\n\nValue: B=93.4");
    assertThat(attachment.getString("footer")).isEqualTo("Grafana v11.3.0");
    assertThat(message.getJsonObject("via").getString("username")).isEqualTo("Grafana");
  }

  @Test
  @DisplayName("the GitHub Actions fixture posts: text converted, its header, sections, divider and context blocks kept")
  void githubActions() throws IOException {
    Team team = team();
    String url = hook(team.alice, team.channel, "GitHub");

    assertThat(postJson(url, fixture("github-actions.json")).statusCode()).isEqualTo(200);

    JsonObject message = history(team.alice, team.channel).get(0);
    assertThat(message.getString("content")).isEqualTo("GitHub Action build result: failure\n"
        + "[Run #421](https://github.com/ocomms/ocomms/actions/runs/12345678) on **main**");
    JsonArray blocks = message.getJsonObject("rich").getJsonArray("blocks");
    assertThat(blocks.stream().map(block -> ((JsonObject) block).getString("type")).toList())
        .as("the actions block is not rendered, so not kept")
        .containsExactly("header", "section", "section", "divider", "context");
    assertThat(blocks.getJsonObject(0).getString("text")).isEqualTo("Build failed: ocomms/ocomms");
    assertThat(blocks.getJsonObject(1).getString("text")).isEqualTo(
        "**[CI #421](https://github.com/ocomms/ocomms/actions/runs/12345678)** failed on `main` after 6m 12s. @here");
    assertThat(blocks.getJsonObject(2).getJsonArray("fields")).hasSize(4)
        .contains("**Author:**\nana");
    assertThat(blocks.getJsonObject(4).getJsonArray("elements").getJsonObject(1).getString("text"))
        .isEqualTo("Triggered by push from <@U024BE7LH>");
  }

  @Test
  @DisplayName("a form post (payload=<json>) is read as Slack reads it")
  void formPost() {
    Team team = team();
    String url = hook(team.alice, team.channel, "Form");
    String form = "payload=" + URLEncoder.encode(new JsonObject().put("text", "from a _form_").encode(),
        StandardCharsets.UTF_8);

    HttpResponse<Buffer> answer = postRaw(url, "application/x-www-form-urlencoded", Buffer.buffer(form));

    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    assertThat(history(team.alice, team.channel).get(0).getString("content")).isEqualTo("from a _form_");
  }

  @Test
  @DisplayName("10 posts at once pass, the next is 429 with Retry-After; nothing refused is stored")
  void rateLimit() {
    Team team = team();
    String url = hook(team.alice, team.channel, "Busy");

    for (int i = 0; i < 10; i++) {
      assertThat(postJson(url, new JsonObject().put("text", "post " + i)).statusCode()).isEqualTo(200);
    }
    // The bucket refills at 1 a second: on a slow machine a post or two more may pass before it is empty.
    int accepted = 10;
    HttpResponse<Buffer> refused = postJson(url, new JsonObject().put("text", "one too many"));
    while (refused.statusCode() == 200 && accepted < 13) {
      accepted++;
      refused = postJson(url, new JsonObject().put("text", "one too many"));
    }

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.bodyAsJsonObject().getString("code")).isEqualTo("rate_limited");
    assertThat(refused.bodyAsJsonObject().getString("limit")).isEqualTo("webhook.posts");
    assertThat(Integer.parseInt(refused.getHeader("Retry-After"))).isBetween(1, 2);
    assertThat(history(team.alice, team.channel)).hasSize(accepted);
  }

  @Test
  @DisplayName("an unknown secret, a deleted webhook's URL and a malformed secret are 404")
  void notFound() {
    Team team = team();
    String url = hook(team.alice, team.channel, "Gone");
    String webhookId = webhookId(team, "Gone");
    system.expect(204, HttpMethod.DELETE, "/webhooks/" + webhookId, team.alice.token(), null);

    JsonObject text = new JsonObject().put("text", "hi");
    assertThat(postJson(url, text).statusCode()).isEqualTo(404);
    assertThat(postJson("/hooks/" + "A".repeat(43), text).statusCode()).isEqualTo(404);
    assertThat(postJson("/hooks/short", text).statusCode()).isEqualTo(404);
    assertThat(system.expect(200, HttpMethod.GET, webhooks(team.channel), team.alice.token(), null)
        .getJsonArray("webhooks")).isEmpty();
  }

  @Test
  @DisplayName("malformed JSON, a payload with nothing to show and a form without payload are 400 invalid_payload")
  void malformed() {
    Team team = team();
    String url = hook(team.alice, team.channel, "Bad");

    for (HttpResponse<Buffer> answer : List.of(
        postRaw(url, "application/json", Buffer.buffer("{not json")),
        postRaw(url, "application/json", Buffer.buffer("[1,2]")),
        postJson(url, new JsonObject().put("channel", "#x")),
        postJson(url, new JsonObject().put("text", 42)),
        postRaw(url, "application/x-www-form-urlencoded", Buffer.buffer("text=hi")))) {
      assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(400);
      assertThat(answer.bodyAsJsonObject().getString("reason")).isEqualTo("invalid_payload");
    }
    assertThat(history(team.alice, team.channel)).isEmpty();
  }

  @Test
  @DisplayName("a body over 40 KB is 413; one just under is accepted")
  void tooLarge() {
    Team team = team();
    String url = hook(team.alice, team.channel, "Big");
    String pad = "x".repeat(40 * 1024);

    HttpResponse<Buffer> refused = postJson(url, new JsonObject().put("text", "big").put("padding", pad));
    HttpResponse<Buffer> accepted = postJson(url, new JsonObject().put("text", "fits")
        .put("padding", "x".repeat(39 * 1024)));

    assertThat(refused.statusCode()).isEqualTo(413);
    assertThat(accepted.statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("its creator and the workspace's owner rename a webhook; another member may not (403)")
  void rename() {
    Team team = team();
    hook(team.bob, team.channel, "Old");
    String webhookId = webhookId(team, "Old");

    JsonObject byCreator = system.expect(200, HttpMethod.PATCH, "/webhooks/" + webhookId, team.bob.token(),
        new JsonObject().put("name", "Newer"));
    JsonObject byOwner = system.expect(200, HttpMethod.PATCH, "/webhooks/" + webhookId, team.alice.token(),
        new JsonObject().put("name", "Newest"));
    system.expect(403, HttpMethod.PATCH, "/webhooks/" + webhookId, team.carol.token(),
        new JsonObject().put("name", "Mine"));
    system.expect(403, HttpMethod.DELETE, "/webhooks/" + webhookId, team.carol.token(), null);

    assertThat(byCreator.getJsonObject("webhook").getString("name")).isEqualTo("Newer");
    assertThat(byOwner.getJsonObject("webhook").getString("name")).isEqualTo("Newest");
  }

  @Test
  @DisplayName("a post after a rename carries the new name; messaging.webhook.post is not reachable over the bridge")
  void renamedAndInternal() {
    Team team = team();
    String url = hook(team.alice, team.channel, "Before");
    system.expect(200, HttpMethod.PATCH, "/webhooks/" + webhookId(team, "Before"), team.alice.token(),
        new JsonObject().put("name", "After"));

    postJson(url, new JsonObject().put("text", "hello"));
    BridgeClient alice = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.alice.token());
    JsonObject forged = alice.request(Addresses.WEBHOOK_POST, new JsonObject().put("chatId", team.channel)
        .put("clientId", java.util.UUID.randomUUID().toString()).put("content", "forged")
        .put("integration", new JsonObject().put("via", new JsonObject()
            .put("webhookId", java.util.UUID.randomUUID().toString()).put("name", "Fake"))), team.alice.token());

    assertThat(history(team.alice, team.channel).get(0).getJsonObject("via").getString("name")).isEqualTo("After");
    assertThat(forged.getString("type")).isEqualTo("err");
    assertThat(history(team.alice, team.channel)).hasSize(1);
  }

  @Test
  @DisplayName("a webhook post is searchable by its text, as the creator's message")
  void searchable() throws InterruptedException {
    Team team = team();
    String url = hook(team.alice, team.channel, "Search");
    String word = "zebracorn" + Long.toString(System.nanoTime(), 36).replaceAll("[0-9]", "q");

    assertThat(postJson(url, new JsonObject().put("text", "*Deploy* of " + word + " done")).statusCode())
        .isEqualTo(200);

    String messageId = history(team.alice, team.channel).get(0).getString("id");
    long deadline = System.nanoTime() + TestSystem.WAIT.toNanos();
    JsonArray results = new JsonArray();
    while (System.nanoTime() < deadline) {
      HttpResponse<Buffer> found = system.get("/search?q=" + word + "&workspaceId=" + team.workspaceId,
          team.bob.token());
      results = found.statusCode() == 200 ? found.bodyAsJsonObject().getJsonArray("results") : new JsonArray();
      if (!results.isEmpty()) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(results).hasSize(1);
    assertThat(results.getJsonObject(0).getString("messageId")).isEqualTo(messageId);
    assertThat(results.getJsonObject(0).getString("senderId")).isEqualTo(team.alice.id());
  }

  @Test
  @DisplayName("messaging checks a webhook post's marker again: a via without a webhookId or name is refused, and an ordinary message carries neither via nor rich")
  void messagingChecksTheMarker() {
    Team team = team();
    JsonObject post = new JsonObject().put("chatId", team.channel).put("content", "x")
        .put("integration", new JsonObject().put("via", new JsonObject().put("name", "No id")));

    io.vertx.core.eventbus.ReplyException refused = askMessaging(team.alice, post.put("clientId",
        java.util.UUID.randomUUID().toString()));
    io.vertx.core.eventbus.ReplyException unnamed = askMessaging(team.alice, post.copy()
        .put("clientId", java.util.UUID.randomUUID().toString())
        .put("integration", new JsonObject().put("via", new JsonObject()
            .put("webhookId", java.util.UUID.randomUUID().toString()))));
    JsonObject ordinary = system.expect(201, HttpMethod.POST, "/chats/" + team.channel + "/messages",
        team.alice.token(), new JsonObject().put("clientId", java.util.UUID.randomUUID().toString())
            .put("content", "plain"));

    assertThat(refused.failureCode()).isEqualTo(400);
    assertThat(unnamed.failureCode()).isEqualTo(400);
    assertThat(ordinary.fieldNames()).doesNotContain("via", "rich");
    assertThat(history(team.alice, team.channel)).hasSize(1);
  }

  // Helpers

  /** Asks messaging.webhook.post directly, as the integrations verticle does; the failure it answers. */
  private static io.vertx.core.eventbus.ReplyException askMessaging(Account caller, JsonObject body) {
    io.vertx.core.Vertx node = system.cluster().node(0).getDelegate();
    Throwable failure = node.eventBus().request(Addresses.WEBHOOK_POST, body,
            new dev.ocomms.shared.bus.Caller(caller.id(), null).deliveryOptions())
        .toCompletionStage().toCompletableFuture()
        .handle((reply, error) -> error).join();
    assertThat(failure).isInstanceOf(io.vertx.core.eventbus.ReplyException.class);
    return (io.vertx.core.eventbus.ReplyException) failure;
  }

  private record Team(Account alice, Account bob, Account carol, String workspaceId, String channel) {
  }

  private static Team team() {
    List<Account> people = system.register(3, 3);
    String workspaceId = system.workspace(people.get(0), List.of(people.get(1), people.get(2)));
    String channel = system.channel(people.get(0), workspaceId, "alerts");
    system.joinChat(people.get(1), channel);
    system.joinChat(people.get(2), channel);
    return new Team(people.get(0), people.get(1), people.get(2), workspaceId, channel);
  }

  private static String webhooks(String chatId) {
    return "/chats/" + chatId + "/webhooks";
  }

  /** A new webhook's URL (its path). */
  private static String hook(Account creator, String chatId, String name) {
    return system.expect(201, HttpMethod.POST, webhooks(chatId), creator.token(), new JsonObject().put("name", name))
        .getString("url");
  }

  private static String webhookId(Team team, String name) {
    return system.expect(200, HttpMethod.GET, webhooks(team.channel), team.alice.token(), null)
        .getJsonArray("webhooks").stream().map(JsonObject.class::cast)
        .filter(webhook -> webhook.getString("name").equals(name)).findFirst().orElseThrow().getString("id");
  }

  private static HttpResponse<Buffer> postJson(String path, JsonObject payload) {
    return postRaw(path, "application/json", payload.toBuffer());
  }

  private static HttpResponse<Buffer> postRaw(String path, String contentType, Buffer body) {
    return system.request(HttpMethod.POST, path).putHeader("Content-Type", contentType).rxSendBuffer(body)
        .timeout(TestSystem.WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet();
  }

  /** The chat's messages other than system messages (joins), oldest first. */
  private static List<JsonObject> history(Account reader, String chatId) {
    return system.expect(200, HttpMethod.GET, "/chats/" + chatId + "/messages?limit=100", reader.token(), null)
        .getJsonArray("messages").stream().map(JsonObject.class::cast)
        .filter(message -> !"system".equals(message.getString("kind")))
        .sorted(java.util.Comparator.comparingLong(message -> message.getLong("seq"))).toList();
  }

  private static JsonObject fixture(String name) throws IOException {
    try (InputStream in = WebhooksTest.class.getResourceAsStream("/fixtures/" + name)) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
