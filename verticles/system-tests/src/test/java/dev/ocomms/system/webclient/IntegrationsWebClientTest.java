package dev.ocomms.system.webclient;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.integrations.IntegrationsVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The web client's integrations in real headless Chromium (issue #23): the Integrations page (a bot's token shown
 * once and copied, an incoming webhook's "Send test" posting into its channel, an outgoing webhook refused for its
 * URL or calling an HTTP receiver of the test's and listed in its deliveries, axe-core finding nothing serious on it
 * at 1280×800 and 390×844), the composer's slash-command completion, and running built-in commands. Skipped,
 * loudly, where no Chromium is installed, as {@link WebClientTest} is.
 */
@DisplayName("Web client: integrations and slash commands")
class IntegrationsWebClientTest {
  private static final Dimension WIDE = new Dimension(1280, 800);
  private static final Dimension PHONE = new Dimension(390, 844);
  private static TestSystem server;
  /** The outgoing webhooks' endpoint (127.0.0.1, allowed by OCOMMS_OUTBOUND_ALLOWED_HOSTS), and what it was sent. */
  private static Vertx receiverVertx;
  private static int receiverPort;
  private static final ConcurrentLinkedQueue<JsonObject> RECEIVED = new ConcurrentLinkedQueue<>();
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    if (!Browser.available()) {
      System.err.println("SKIPPING the integrations' end-to-end tests: no Chromium at " + Browser.CHROMIUM
          + " or no chromedriver at " + Browser.CHROMEDRIVER);
      return;
    }
    receiverVertx = Vertx.vertx();
    HttpServer receiver = receiverVertx.createHttpServer().requestHandler(IntegrationsWebClientTest::receive)
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
    receiverPort = receiver.actualPort();
    server = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(IntegrationsVerticle::new)
        .deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .configure(config -> config.with(Setting.OUTBOUND_ALLOWED_HOSTS, "127.0.0.1:" + receiverPort))
        .start();
  }

  /** The receiver: an outgoing webhook's call on /outgoing is kept and answered with a reply to post back. */
  private static void receive(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      if (!request.path().equals("/outgoing")) {
        request.response().setStatusCode(404).end();
        return;
      }
      RECEIVED.add(body.toJsonObject());
      request.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("text", "pong from the webhook").encode());
    });
  }

  private static String receiverUrl(String path) {
    return "http://127.0.0.1:" + receiverPort + path;
  }

  @BeforeEach
  void needsChromium() {
    assumeTrue(Browser.available(), "SKIPPED: Chromium and chromedriver are not installed");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
    if (receiverVertx != null) {
      receiverVertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  @AfterEach
  void closeBrowsers() {
    browsers.forEach(Browser::close);
    browsers.clear();
  }

  /** The owner of a new workspace, signed in at `size` with #general open and the clipboard allowed. */
  private Browser owner(Dimension size) {
    Account alice = server.register("Alice");
    server.workspace(alice, List.of());
    Browser browser = Browser.open(server.baseUrl(), "Alice");
    browsers.add(browser);
    browser.signInWith(alice);
    browser.openChat("general");
    browser.awaitConnected();
    browser.driver().executeCdpCommand("Browser.grantPermissions", Map.of("origin", server.baseUrl(),
        "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
    browser.driver().manage().window().setSize(size);
    return browser;
  }

  /** Opens the Integrations page from the workspace menu (on a phone, the chat list's drawer first). */
  private static void openIntegrations(Browser browser) {
    if (browser.driver().findElements(By.cssSelector(".sidebar-header .workspace-menu-button")).stream()
        .noneMatch(WebElement::isDisplayed)) {
      browser.click(By.cssSelector(".chat-pane .show-chats"));
    }
    browser.click(By.cssSelector(".sidebar-header .workspace-menu-button"));
    browser.click(By.cssSelector(".workspace-dropdown [data-action=integrations]"));
    browser.waitFor(By.cssSelector(".modal .integrations"));
  }

  private static void tab(Browser browser, String id) {
    browser.click(By.cssSelector(".integration-tabs [data-tab=" + id + "]"));
    browser.waitFor(By.cssSelector(".integration-panel[data-panel=" + id + "]"));
  }

  /** Fills the Outgoing webhooks tab's form for #general and submits it. */
  private static void createOutgoing(Browser browser, String name, String url, String triggerWords) {
    browser.until(d -> "#general".equals(d.findElement(By.cssSelector("#outgoing-channel option:checked")).getText()),
        "#general chosen");
    browser.type(By.id("outgoing-name"), name);
    browser.type(By.id("outgoing-url"), url);
    browser.type(By.id("outgoing-trigger-words"), triggerWords);
    browser.click(By.cssSelector(".outgoing-form button[type=submit]"));
  }

  private static void awaitLoaded(Browser browser) {
    browser.until(d -> d.findElements(By.cssSelector(".integration-panel [role=status]")).stream()
        .noneMatch(e -> e.getText().startsWith("Loading")), "loaded");
  }

  private static String clipboard(Browser browser) {
    return (String) browser.driver().executeAsyncScript(
        "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('unreadable: ' + e));");
  }

  @Test
  @DisplayName("a bot is created from the Integrations page; its token is shown once, copied with \"Copied\"")
  void a_bot_is_created_and_its_token_shown_once() {
    Browser browser = owner(WIDE);
    openIntegrations(browser);
    assertThat(browser.waitFor(By.cssSelector(".integration-tabs [aria-selected=true]")).getText()).isEqualTo("Bots");
    String username = "deploy" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    browser.type(By.id("bot-username"), username);
    browser.type(By.id("bot-display-name"), "Deploy Bot");
    browser.click(By.cssSelector(".bot-form button[type=submit]"));

    WebElement token = browser.waitFor(By.id("bot-token"));
    String value = token.getDomProperty("value");
    assertThat(value).startsWith("ocb_");
    assertThat(token.getDomProperty("readOnly")).isEqualTo("true");
    browser.until(d -> d.findElements(By.cssSelector(".bot-list li")).stream()
        .anyMatch(row -> row.getText().contains("@" + username)), "the bot listed");

    browser.click(By.cssSelector(".secret-box .copy-button"));
    browser.until(d -> d.findElement(By.cssSelector(".secret-box .copy-button")).getText().contains("Copied"), "Copied");
    assertThat(clipboard(browser)).isEqualTo(value);
    browser.screenshot(Path.of("target", "screenshots", "integrations-bot-token-1280.png"));

    browser.click(By.cssSelector(".secret-box .secret-done"));
    browser.until(d -> d.findElements(By.id("bot-token")).isEmpty(), "the token gone once Done");
    assertThat((String) browser.script("return document.querySelector('.modal').innerText;")).doesNotContain(value);
  }

  @Test
  @DisplayName("at 390×844 an incoming webhook is created and \"Send test\" posts a message that appears in the channel")
  void a_webhook_send_test_posts_into_the_channel_on_a_phone() {
    Browser browser = owner(PHONE);
    openIntegrations(browser);
    tab(browser, "webhooks");
    browser.until(d -> "#general".equals(d.findElement(By.cssSelector("#webhook-channel option:checked")).getText()),
        "#general chosen");
    browser.type(By.id("webhook-name"), "CI");
    browser.click(By.cssSelector(".webhook-form button[type=submit]"));
    String url = browser.waitFor(By.id("webhook-url")).getDomProperty("value");
    assertThat(url).startsWith(server.baseUrl() + "/hooks/");
    assertThat((Boolean) browser.script("const box = document.querySelector('.modal').getBoundingClientRect();"
        + "return box.left >= 0 && box.right <= window.innerWidth;")).as("the page fits the phone's width").isTrue();

    browser.click(By.cssSelector("[data-action=send-test]"));
    browser.until(d -> d.findElement(By.cssSelector(".webhook-test-result")).getText().startsWith("Posted"),
        "the test posted");
    browser.until(d -> d.findElements(By.cssSelector(".webhook-list li")).stream()
        .anyMatch(row -> row.getText().contains("CI")), "the webhook listed");
    browser.screenshot(Path.of("target", "screenshots", "integrations-webhook-390.png"));

    browser.keys(Keys.ESCAPE);
    browser.until(d -> d.findElements(By.cssSelector(".modal")).isEmpty(), "the page closed");
    WebElement posted = browser.waitFor(By.cssSelector(".message-list .message.via-webhook"));
    assertThat(posted.findElement(By.cssSelector(".content")).getText()).startsWith("Test message from OComms");
    assertThat(posted.findElement(By.cssSelector(".via-tag")).getText()).isEqualTo("via CI");
  }

  @Test
  @DisplayName("an outgoing webhook to http://169.254.169.254/hook is refused: url_not_allowed is said beside the URL field")
  void an_outgoing_webhook_to_the_metadata_address_is_refused() {
    Browser browser = owner(WIDE);
    openIntegrations(browser);
    tab(browser, "outgoing");
    createOutgoing(browser, "Metadata", "http://169.254.169.254/hook", "deploy");

    WebElement error = browser.waitFor(By.id("outgoing-url-error"));
    assertThat(error.getText()).contains("169.254.169.254");
    WebElement url = browser.driver().findElement(By.id("outgoing-url"));
    assertThat(url.getDomAttribute("aria-invalid")).isEqualTo("true");
    assertThat(url.getDomAttribute("aria-describedby")).contains("outgoing-url-error");
    assertThat(url.getDomProperty("value")).as("kept to be corrected").isEqualTo("http://169.254.169.254/hook");
    assertThat(browser.driver().findElements(By.id("outgoing-secret"))).isEmpty();
    assertThat(browser.driver().findElements(By.cssSelector(".outgoing-list li"))).isEmpty();
  }

  @Test
  @DisplayName("an outgoing webhook calls the test's receiver for a message with its trigger word; the reply is posted "
      + "back and the delivery is listed, ok, in its deliveries (at 390×844)")
  void an_outgoing_webhook_is_called_and_its_delivery_listed() {
    Browser browser = owner(WIDE);
    openIntegrations(browser);
    tab(browser, "outgoing");
    String name = "Ops" + UUID.randomUUID().toString().substring(0, 6);
    createOutgoing(browser, name, receiverUrl("/outgoing"), "deploy, status");
    String secret = browser.waitFor(By.id("outgoing-secret")).getDomProperty("value");
    assertThat(secret).matches("[0-9a-f]{64}");
    WebElement row = browser.until(d -> d.findElements(By.cssSelector(".outgoing-list li[data-outgoing-id]")).stream()
        .filter(li -> li.getText().contains(name)).findFirst().orElse(null), "the webhook listed");
    String hookId = row.getDomAttribute("data-outgoing-id");
    assertThat(row.findElements(By.cssSelector(".trigger-word")).stream().map(WebElement::getText))
        .containsExactly("deploy", "status");
    browser.click(By.cssSelector(".secret-box .secret-done"));
    browser.keys(Keys.ESCAPE);
    browser.until(d -> d.findElements(By.cssSelector(".modal")).isEmpty(), "the page closed");

    browser.send("deploy api now");
    WebElement reply = browser.awaitMessage("pong from the webhook");
    assertThat(reply.findElement(By.cssSelector(".via-tag")).getText()).isEqualTo("via " + name);
    List<JsonObject> calls = RECEIVED.stream()
        .filter(call -> hookId.equals(call.getString("outgoing_webhook_id"))).toList();
    assertThat(calls).as("one call for the one message").hasSize(1);
    assertThat(calls.get(0).getString("text")).isEqualTo("deploy api now");
    assertThat(calls.get(0).getString("trigger_word")).isEqualTo("deploy");

    browser.driver().manage().window().setSize(PHONE);
    openIntegrations(browser);
    tab(browser, "outgoing");
    browser.click(By.cssSelector(".outgoing-list li[data-outgoing-id='" + hookId + "'] [data-action=deliveries]"));
    browser.waitFor(By.cssSelector(".deliveries h3"));
    // The delivery is logged once the call is answered, which may be just after the reply was posted.
    WebElement ok = browser.until(d -> {
      List<WebElement> rows = d.findElements(By.cssSelector(".deliveries-table tbody tr[data-status=ok]"));
      if (rows.isEmpty()) {
        d.findElement(By.cssSelector(".deliveries [data-action=refresh]")).click();
        return null;
      }
      return rows.get(0);
    }, "an ok delivery listed");
    assertThat(ok.findElement(By.cssSelector(".delivery-details")).getText()).startsWith("ok 200");
    assertThat((Boolean) browser.script("const box = document.querySelector('.modal').getBoundingClientRect();"
        + "return box.left >= 0 && box.right <= window.innerWidth;")).as("the page fits the phone's width").isTrue();
    browser.screenshot(Path.of("target", "screenshots", "integrations-outgoing-deliveries-390.png"));

    browser.click(By.cssSelector(".deliveries [data-action=back]"));
    browser.until(d -> ("Deliveries of " + name).equals(d.switchTo().activeElement().getDomAttribute("aria-label")),
        "focus back on the row's Deliveries button");
    browser.screenshot(Path.of("target", "screenshots", "integrations-outgoing-390.png"));
  }

  @Test
  @DisplayName("typing \"/\" offers the commands with their usage hints, arrows move through them, Tab completes one")
  void a_slash_offers_the_commands() {
    Browser browser = owner(WIDE);
    WebElement box = browser.composer();
    box.sendKeys("/");
    WebElement list = browser.waitFor(By.cssSelector(".composer .command-completion"));
    browser.until(d -> commandsOffered(browser).containsAll(List.of("/help", "/shrug")), "/help and /shrug offered");
    assertThat(list.findElement(By.cssSelector("[data-command='/shrug'] .usage-hint")).getText()).contains("[text]");
    String first = list.findElement(By.cssSelector("[aria-selected=true]")).getDomAttribute("data-command");
    box.sendKeys(Keys.ARROW_DOWN);
    browser.until(d -> !first.equals(d.findElement(By.cssSelector(".command-completion [aria-selected=true]"))
        .getDomAttribute("data-command")), "the next command chosen");
    assertThat(box.getDomAttribute("aria-activedescendant")).isNotBlank();

    box.sendKeys("sh");
    browser.until(d -> commandsOffered(browser).equals(List.of("/shrug")), "only /shrug left");
    box.sendKeys(Keys.TAB);
    browser.until(d -> "/shrug ".equals(box.getDomProperty("value")), "completed with a space");
    assertThat(browser.driver().findElements(By.cssSelector(".command-completion"))).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private static List<String> commandsOffered(Browser browser) {
    return (List<String>) browser.script("return [...document.querySelectorAll('.command-completion li')]"
        + ".map(li => li.dataset.command);");
  }

  /** Needs the server side of issue #23 (`chat.command` on the bridge). */
  @Test
  @DisplayName("sending \"/shrug ok\" runs the command: the shrug is posted and the box is emptied")
  void sending_shrug_posts_a_shrug() {
    Browser browser = owner(WIDE);
    browser.send("/shrug ok");
    browser.until(d -> browser.messageTexts().stream().anyMatch(text -> text.equals("ok ¯\\_(ツ)_/¯")),
        "the shrug posted");
    browser.until(d -> "".equals(browser.composer().getDomProperty("value")), "the box emptied");
    assertThat(browser.driver().findElements(By.cssSelector(".composer-error"))).isEmpty();
  }

  /** Needs the server side of issue #23 (`chat.command`, `command.ephemeral`). */
  @Test
  @DisplayName("\"/help\" answers only the sender, \"Only visible to you\", until dismissed")
  void help_answers_with_an_ephemeral_reply() {
    Browser browser = owner(WIDE);
    browser.send("/help");
    WebElement reply = browser.waitFor(By.cssSelector(".message-list .message.ephemeral"));
    assertThat(reply.findElement(By.cssSelector(".ephemeral-tag")).getText()).isEqualTo("Only visible to you");
    assertThat(reply.findElement(By.cssSelector(".content")).getText()).contains("/shrug");
    reply.findElement(By.cssSelector(".ephemeral-dismiss")).click();
    browser.until(d -> d.findElements(By.cssSelector(".message.ephemeral")).isEmpty(), "dismissed");
  }

  @Test
  @DisplayName("axe-core finds nothing serious or critical on the Integrations page, at 1280×800 and 390×844, light and dark")
  void the_integrations_page_is_accessible() {
    Browser browser = owner(WIDE);
    List<String> found = new ArrayList<>();
    for (Dimension size : List.of(WIDE, PHONE)) {
      browser.driver().manage().window().setSize(size);
      openIntegrations(browser);
      for (String id : List.of("bots", "webhooks", "outgoing", "commands")) {
        tab(browser, id);
        if (id.equals("outgoing") && size.equals(WIDE)) {
          // One webhook, so that its row (trigger words, buttons) and the secret shown once are checked too.
          createOutgoing(browser, "Axe", receiverUrl("/outgoing"), "deploy, status");
          browser.waitFor(By.id("outgoing-secret"));
        }
        awaitLoaded(browser);
        for (String theme : List.of("light", "dark")) {
          browser.script("document.documentElement.dataset.theme = arguments[0];", theme);
          found.addAll(Axe.violations(browser, "integrations " + id + " at " + size.getWidth() + " " + theme));
        }
        if (id.equals("outgoing")) {
          browser.click(By.cssSelector(".outgoing-list li [data-action=deliveries]"));
          browser.waitFor(By.cssSelector(".deliveries h3"));
          awaitLoaded(browser);
          for (String theme : List.of("light", "dark")) {
            browser.script("document.documentElement.dataset.theme = arguments[0];", theme);
            found.addAll(Axe.violations(browser, "integrations outgoing deliveries at " + size.getWidth() + " " + theme));
          }
          browser.click(By.cssSelector(".deliveries [data-action=back]"));
          browser.waitFor(By.cssSelector(".outgoing-list"));
        }
      }
      browser.keys(Keys.ESCAPE);
      browser.until(d -> d.findElements(By.cssSelector(".modal")).isEmpty(), "closed");
    }
    assertThat(found).as("serious or critical axe-core violations:\n%s", String.join("\n", found)).isEmpty();
  }
}
