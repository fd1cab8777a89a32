package dev.ocomms.system.webclient;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
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
import org.openqa.selenium.ElementNotInteractableException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Pins and saved items in real headless Chromium, two people in two windows: a pin made in one shows in the other
 * (the marker on the message, the header's count, the Pinned panel), and a saved message is in the Saved panel, also
 * after a reload. Skipped, loudly, where no Chromium is installed, as {@link WebClientTest} is.
 */
@DisplayName("Pins and saved items in Chromium")
class PinsAndSavedWebClientTest {
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private static TestSystem server;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    if (!Browser.available()) {
      System.err.println("SKIPPING the pins and saved items end-to-end tests: no Chromium at " + Browser.CHROMIUM
          + " or no chromedriver at " + Browser.CHROMEDRIVER + " (apt-get install -y chromium chromium-driver)");
      return;
    }
    server = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
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

  private Browser open(Account account) {
    Browser browser = Browser.open(server.baseUrl(), account.displayName());
    browsers.add(browser);
    browser.signInWith(account);
    browser.openChat("general");
    browser.awaitConnected();
    return browser;
  }

  /**
   * Opens the "More" menu of the message with this text. The row may be drawn again meanwhile (the send
   * acknowledged), and its toolbar shows only under the pointer: it is looked up and hovered again until the menu is
   * open.
   */
  private static void openMenu(Browser browser, String text) {
    browser.until(d -> {
      if (!d.findElements(By.cssSelector(".message-menu")).isEmpty()) {
        return true;
      }
      try {
        WebElement message = browser.awaitMessage(text);
        new Actions(browser.driver()).moveToElement(message).perform();
        message.findElement(By.cssSelector("[data-action=message-menu]")).click();
      } catch (StaleElementReferenceException | ElementNotInteractableException e) {
        return false;
      }
      return !d.findElements(By.cssSelector(".message-menu")).isEmpty();
    }, "the message's menu open");
  }

  /** Picks the item with this data-action from the "More" menu of the message with this text. */
  private static void fromMenu(Browser browser, String text, String action) {
    openMenu(browser, text);
    browser.click(By.cssSelector(".message-menu [data-action=" + action + "]"));
  }

  private static String pinCount(Browser browser) {
    return browser.waitFor(By.cssSelector(".chat-header .pins-trigger")).getDomAttribute("data-count");
  }

  private static void theme(Browser browser, String theme) {
    browser.openUserMenu();
    browser.click(By.cssSelector("[data-theme-choice=" + theme + "]"));
    browser.until(d -> theme.equals(browser.script("return document.documentElement.dataset.theme")), theme);
  }

  private static void size(Browser browser, int width, int height) {
    browser.driver().manage().window().setSize(new Dimension(width, height));
  }

  private static void shoot(Browser browser, String name) {
    browser.screenshot(SCREENSHOTS.resolve(name));
  }

  @Test
  @DisplayName("Alice pins a message: Bob's window marks it pinned, counts one pin and lists it in the Pinned panel; "
      + "unpinning there takes it away in both")
  void a_pin_shows_in_the_other_window() {
    Account alice = server.register("Alice");
    Account bob = server.register("Bob");
    server.workspace(alice, List.of(bob));
    Browser a = open(alice);
    Browser b = open(bob);
    a.send("The launch checklist");
    a.awaitMessage("The launch checklist");
    b.awaitMessage("The launch checklist");

    fromMenu(a, "The launch checklist", "pin");

    b.until(d -> b.awaitMessage("The launch checklist").findElements(By.cssSelector(".pin-marker")).size() == 1,
        "Bob sees the pin marker");
    b.until(d -> "1".equals(pinCount(b)), "Bob's header counts one pin");
    b.click(By.cssSelector(".chat-header .pins-trigger"));
    b.until(d -> {
      String pin = d.findElement(By.cssSelector(".pins-panel .pin-card")).getText();
      return pin.contains("The launch checklist") && pin.contains("Pinned by Alice");
    }, "the pin names the message and who pinned it");
    shoot(b, "pins-panel-light-1280.png");
    size(b, 390, 844);
    shoot(b, "pins-panel-light-390.png");
    size(b, 1280, 800);
    theme(b, "dark");
    shoot(b, "pins-panel-dark-1280.png");

    b.click(By.cssSelector(".pins-panel .pin-card [data-action=unpin]"));
    a.until(d -> "".equals(pinCount(a)) || "0".equals(pinCount(a)), "Alice's header counts no pin");
    a.until(d -> a.awaitMessage("The launch checklist").findElements(By.cssSelector(".pin-marker")).isEmpty(),
        "the marker is gone in Alice's window");
  }

  @Test
  @DisplayName("Bob saves a message: it is in his Saved panel, still there after a reload, and opens the chat at it")
  void a_saved_message_stays_saved_after_a_reload() {
    Account alice = server.register("Alice");
    Account bob = server.register("Bob");
    server.workspace(alice, List.of(bob));
    Browser b = open(bob);
    b.send("Read this later");
    b.awaitMessage("Read this later");

    openMenu(b, "Read this later");
    shoot(b, "message-menu-light-1280.png");
    b.click(By.cssSelector(".message-menu [data-action=save]"));
    b.click(By.cssSelector(".sidebar [data-action=saved]"));
    b.until(d -> d.findElement(By.cssSelector(".saved-panel .pin-card")).getText().contains("Read this later"),
        "the Saved panel lists it");
    shoot(b, "saved-panel-light-1280.png");

    b.reload();
    b.awaitConnected();
    b.click(By.cssSelector(".sidebar [data-action=saved]"));
    b.until(d -> d.findElement(By.cssSelector(".saved-panel .pin-card")).getText().contains("Read this later"),
        "still listed after the reload");
    b.click(By.cssSelector(".saved-panel .pin-open"));
    b.until(d -> "general".equals(b.activeChatTitle()), "the chat open");
  }
}
