package dev.ocomms.system.webclient;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.search.SearchVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.http.HttpMethod;
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
import org.openqa.selenium.interactions.Actions;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The main screens checked by axe-core ({@link Axe}) at
 * 1280×800 and 390×844, light and dark (issue #19): no violation of impact serious or critical. A failure lists
 * every one found, with the elements it names.
 */
@DisplayName("Web client: accessibility (axe-core)")
class AccessibilityWebClientTest {
  private static final List<Dimension> SIZES = List.of(new Dimension(1280, 800), new Dimension(390, 844));
  private static final List<String> THEMES = List.of("light", "dark");
  private static TestSystem server;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    if (Browser.available()) {
      server = TestSystem.builder()
          .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
          .deploy(SearchVerticle::new).deploy(GatewayVerticle::new)
          .withoutConnectionRateLimits()
          .start();
    }
  }

  @BeforeEach
  void needsChromium() {
    assumeTrue(Browser.available(), "SKIPPED: Chromium and chromedriver are not installed "
        + "(apt-get install -y chromium chromium-driver)");
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

  /** Alice's workspace with Bob in it, and a few messages in #general (one with a reaction and a reply). */
  private static Account alice() {
    Account alice = server.register("Alice");
    Account bob = server.register("Bob");
    JsonObject workspace = server.expect(201, HttpMethod.POST, "/workspaces", alice.token(),
        new JsonObject().put("name", "Team " + alice.username())).getJsonObject("workspace");
    String code = server.expect(201, HttpMethod.POST, "/workspaces/" + workspace.getString("id") + "/invites",
        alice.token(), new JsonObject()).getString("code");
    server.expect(200, HttpMethod.POST, "/workspaces/join", bob.token(), new JsonObject().put("code", code));
    String general = workspace.getString("generalChatId");
    post(bob, general, "Morning! Is the **release** still on for Thursday? `make dist` is green.", null);
    String root = post(alice, general, "Yes: the notes are in the doc, see https://example.com/notes", null);
    post(bob, general, "Great, thanks @" + alice.username() + " 🎉", null);
    post(bob, general, "Counting on it", root);
    return alice;
  }

  private static String post(Account sender, String chatId, String content, String rootId) {
    JsonObject body = new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", content);
    if (rootId != null) {
      body.put("replyTo", rootId);
    }
    JsonObject reply = server.expect(201, HttpMethod.POST, "/chats/" + chatId + "/messages", sender.token(), body);
    JsonObject message = reply.getJsonObject("message", reply);
    return message.getString("id");
  }

  private Browser signedIn(Account account) {
    Browser browser = Browser.open(server.baseUrl(), account.displayName());
    browsers.add(browser);
    browser.signInWith(account);
    browser.openChat("general");
    browser.awaitConnected();
    browser.until(d -> d.findElements(By.cssSelector(".message-list .message .thread-summary")).size() == 1, "messages");
    return browser;
  }

  /**
   * Checks the screen `open` shows at every size and theme: `open` is run once per size (after the window is set to
   * it), then axe runs in each theme; then Esc.
   */
  private static void check(Browser browser, String screen, Consumer<Dimension> open) {
    List<String> found = new ArrayList<>();
    for (Dimension size : SIZES) {
      browser.driver().manage().window().setSize(size);
      try {
        open.accept(size);
      } catch (RuntimeException e) {
        browser.screenshot(java.nio.file.Path.of("target", "screenshots",
            "a11y-failed-" + screen.replace(' ', '-') + "-" + size.getWidth() + ".png"));
        throw e;
      }
      for (String theme : THEMES) {
        browser.script("document.documentElement.dataset.theme = arguments[0];", theme);
        found.addAll(violations(browser, screen + " at " + size.getWidth() + "×" + size.getHeight() + " " + theme));
      }
      browser.keys(Keys.ESCAPE); // what is open closes; opened again at the next size
      browser.until(d -> d.findElements(By.cssSelector(".emoji-picker, .modal")).isEmpty(), "closed");
    }
    assertThat(found).as("serious or critical axe-core violations:\n%s", String.join("\n", found)).isEmpty();
  }

  private static List<String> violations(Browser browser, String where) {
    return Axe.violations(browser, where);
  }

  private static void hover(Browser browser, WebElement element) {
    new Actions(browser.driver()).moveToElement(element).perform();
  }

  /** The check itself: a button without a name (critical) and grey on grey text (serious) are reported. */
  @Test
  void the_checker_reports_serious_and_critical_violations() {
    Browser browser = Browser.open(server.baseUrl(), "visitor");
    browsers.add(browser);
    browser.waitFor(By.cssSelector(".auth-card"));
    browser.script("""
        const button = document.createElement('button');
        button.innerHTML = '<svg width="10" height="10"></svg>';
        const faint = document.createElement('p');
        faint.textContent = 'hard to read';
        faint.style.cssText = 'color: #bbb; background: #ccc';
        document.body.append(button, faint);""");
    assertThat(violations(browser, "planted")).anyMatch(line -> line.contains("button-name"))
        .anyMatch(line -> line.contains("color-contrast"));
  }

  @Test
  void arrows_move_the_focus_through_the_messages() {
    Browser browser = signedIn(alice());
    WebElement list = browser.waitFor(By.cssSelector(".message-list"));
    browser.script("arguments[0].focus();", list);
    String focused = "return document.activeElement.closest('article.message')?.querySelector('.content')?.innerText.trim() ?? null;";
    browser.keys(Keys.ARROW_UP);
    browser.until(d -> String.valueOf(browser.script(focused)).startsWith("Great, thanks"), "the newest message focused");
    browser.keys(Keys.ARROW_UP);
    browser.until(d -> String.valueOf(browser.script(focused)).startsWith("Yes: the notes"), "the one before it");
    browser.keys(Keys.HOME);
    browser.until(d -> String.valueOf(browser.script(focused)).startsWith("Morning!"), "Home: the first");
    browser.keys(Keys.ARROW_DOWN);
    browser.until(d -> String.valueOf(browser.script(focused)).startsWith("Yes: the notes"), "Down: the next");
  }

  @Test
  void the_sign_in_screen() {
    Browser browser = Browser.open(server.baseUrl(), "visitor");
    browsers.add(browser);
    check(browser, "sign-in", size -> browser.waitFor(By.cssSelector(".auth-card")));
  }

  @Test
  void a_chat_with_messages() {
    Browser browser = signedIn(alice());
    check(browser, "chat", size -> browser.waitFor(By.cssSelector(".message-list .message")));
  }

  @Test
  void a_thread_open() {
    Browser browser = signedIn(alice());
    check(browser, "thread", size -> {
      if (browser.driver().findElements(By.cssSelector(".thread-panel")).isEmpty()) {
        browser.click(By.cssSelector(".message-list .thread-summary"));
      }
      browser.until(d -> d.findElements(By.cssSelector(".thread-panel .message")).size() >= 2, "the thread");
    });
  }

  @Test
  void the_members_panel() {
    Browser browser = signedIn(alice());
    check(browser, "members", size -> {
      if (browser.driver().findElements(By.cssSelector(".members-panel")).isEmpty()) {
        if (size.getWidth() < 600) { // on a phone the header's actions are behind "More actions"
          browser.click(By.cssSelector(".chat-header .header-more"));
        }
        browser.click(By.cssSelector(".chat-header .members-button"));
      }
      browser.waitFor(By.cssSelector(".members-panel .members-list"));
    });
  }

  @Test
  void search_results() {
    Browser browser = signedIn(alice());
    check(browser, "search", size -> {
      if (browser.driver().findElements(By.cssSelector(".search-input")).isEmpty()) {
        browser.chord(Keys.CONTROL, "f");
      }
      WebElement box = browser.waitFor(By.cssSelector(".search-input"));
      box.sendKeys(Keys.chord(Keys.CONTROL, "a"), "release", Keys.ENTER);
      browser.until(d -> !d.findElements(By.cssSelector(".search-group")).isEmpty(), "results");
    });
  }

  @Test
  void the_quick_switcher_dialog() {
    Browser browser = signedIn(alice());
    check(browser, "quick switcher", size -> {
      if (browser.driver().findElements(By.cssSelector(".switcher-input")).isEmpty()) {
        browser.chord(Keys.CONTROL, "k");
      }
      browser.waitFor(By.cssSelector(".switcher-input"));
    });
  }

  @Test
  void the_emoji_picker() {
    Browser browser = signedIn(alice());
    check(browser, "emoji picker", size -> {
      if (browser.driver().findElements(By.cssSelector(".emoji-picker")).isEmpty()) {
        browser.click(By.cssSelector(".chat-pane .composer .emoji-button"));
      }
      browser.waitFor(By.cssSelector(".emoji-picker[data-loaded=true] .emoji"));
    });
  }
}
