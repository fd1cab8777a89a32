package dev.ocomms.system.webclient;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.integrations.IntegrationsVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The web client's integrations in real headless Chromium (issue #23): the Integrations page (a bot's token shown
 * once and copied, an incoming webhook's "Send test" posting into its channel, axe-core finding nothing serious on
 * it at 1280×800 and 390×844), the composer's slash-command completion, and running built-in commands. Skipped,
 * loudly, where no Chromium is installed, as {@link WebClientTest} is.
 */
@DisplayName("Web client: integrations and slash commands")
class IntegrationsWebClientTest {
  private static final Dimension WIDE = new Dimension(1280, 800);
  private static final Dimension PHONE = new Dimension(390, 844);
  private static TestSystem server;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    if (!Browser.available()) {
      System.err.println("SKIPPING the integrations' end-to-end tests: no Chromium at " + Browser.CHROMIUM
          + " or no chromedriver at " + Browser.CHROMEDRIVER);
      return;
    }
    server = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(IntegrationsVerticle::new)
        .deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .start();
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
      for (String id : List.of("bots", "webhooks", "commands")) {
        tab(browser, id);
        browser.until(d -> d.findElements(By.cssSelector(".integration-panel [role=status]")).stream()
            .noneMatch(e -> e.getText().startsWith("Loading")), "loaded");
        for (String theme : List.of("light", "dark")) {
          browser.script("document.documentElement.dataset.theme = arguments[0];", theme);
          found.addAll(Axe.violations(browser, "integrations " + id + " at " + size.getWidth() + " " + theme));
        }
      }
      browser.keys(Keys.ESCAPE);
      browser.until(d -> d.findElements(By.cssSelector(".modal")).isEmpty(), "closed");
    }
    assertThat(found).as("serious or critical axe-core violations:\n%s", String.join("\n", found)).isEmpty();
  }
}
