package dev.ocomms.system.webclient;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
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

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Unread handling and the message tools of issue #19 in real headless Chromium, Alice in one window and Bob in
 * another (or posting over REST): the "New messages" divider and the jump to it, Esc and Shift+Esc marking read, the
 * sidebar's draft marker and starred section, up-arrow to edit, quoting, and a copied link opened in the other
 * window. Skipped, loudly, where no Chromium is installed, as {@link WebClientTest} is.
 */
@DisplayName("Web client: unread handling and message tools")
class UnreadAndMessageToolsWebClientTest {
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final Dimension PHONE = new Dimension(390, 844);
  private static final Dimension DESKTOP = new Dimension(1280, 800);
  /** Ten lines: a few of these make a list taller than the window. */
  private static final String TALL = IntStream.rangeClosed(1, 10).mapToObj(i -> "line " + i)
      .collect(Collectors.joining("\n"));

  private static TestSystem server;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    if (!Browser.available()) {
      System.err.println("SKIPPING the unread and message tools end-to-end tests: no Chromium at " + Browser.CHROMIUM
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

  // What a scenario starts from

  /** Alice's workspace with Bob in it; both are in #general and #random (Alice made it). */
  private record Team(Account alice, Account bob, String workspaceId, String generalId, String randomId) {
  }

  private static Team team() {
    Account alice = server.register("Alice");
    Account bob = server.register("Bob");
    String workspaceId = server.workspace(alice, List.of(bob));
    String general = server.general(alice, workspaceId);
    String random = server.channel(alice, workspaceId, "random");
    server.joinChat(bob, random);
    return new Team(alice, bob, workspaceId, general, random);
  }

  /** Posts a message over REST; its id. */
  private static String post(Account sender, String chatId, String content) {
    JsonObject answer = server.expect(201, HttpMethod.POST, "/chats/" + chatId + "/messages", sender.token(),
        new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", content));
    return answer.containsKey("message") ? answer.getJsonObject("message").getString("id") : answer.getString("id");
  }

  /** A browser signed in as {@code account}, connected, with {@code chat} open. */
  private Browser browser(Account account, String chat) {
    Browser browser = Browser.open(server.baseUrl(), account.displayName());
    browsers.add(browser);
    browser.signInWith(account);
    browser.openChat(chat);
    browser.awaitConnected();
    return browser;
  }

  private static void size(Browser browser, Dimension size) {
    browser.driver().manage().window().setSize(size);
  }

  private static void theme(Browser browser, String theme) {
    browser.openUserMenu();
    browser.click(By.cssSelector("[data-theme-choice=" + theme + "]"));
    browser.until(d -> theme.equals(browser.script("return document.documentElement.dataset.theme")), theme);
  }

  private static void shoot(Browser browser, String name) {
    browser.screenshot(SCREENSHOTS.resolve(name));
  }

  private static void hover(Browser browser, WebElement element) {
    new Actions(browser.driver()).moveToElement(element).perform();
  }

  private static String composerText(Browser browser) {
    return (String) browser.script("return document.querySelector('.chat-pane .composer-input').value");
  }

  /** The text of the message row right after the divider, or null when there is no divider. */
  private static String afterDivider(Browser browser) {
    return (String) browser.script("const line = document.querySelector('.message-list > .unread-divider');"
        + "const row = line && line.nextElementSibling;"
        + "return row ? (row.querySelector('.content')?.innerText ?? '').trim() : null;");
  }

  private static boolean dividerInView(Browser browser) {
    return (Boolean) browser.script("const line = document.querySelector('.message-list > .unread-divider');"
        + "if (!line) return false; const list = line.parentElement.getBoundingClientRect();"
        + "const r = line.getBoundingClientRect(); return r.top >= list.top - 1 && r.bottom <= list.bottom + 1;");
  }

  /** Scrolls the open chat's list to its top, as a reader going back in it (it is then no longer at its bottom). */
  private static void scrollToTop(Browser browser) {
    browser.script("const list = document.querySelector('.message-list'); list.scrollTop = 0;"
        + "list.dispatchEvent(new Event('scroll'));");
  }

  private static By chatLinkWith(String title, String css) {
    return By.xpath("//a[contains(@class,'chat-link')][.//span[@class='chat-name' and normalize-space()='" + title
        + "']]" + css);
  }

  // The "New messages" divider

  @Test
  @DisplayName("Messages that came while Alice was in another chat: opened, the chat has \"New messages\" above the "
      + "first of them, and it stays once they are read")
  void the_divider_is_above_the_first_message_that_came_while_away() {
    Team team = team();
    post(team.bob(), team.generalId(), "Before Alice left");
    Browser a = browser(team.alice(), "general");
    a.awaitMessage("Before Alice left");
    a.openChat("random");
    post(team.bob(), team.generalId(), "First while away");
    post(team.bob(), team.generalId(), "Second while away");
    a.until(d -> "2".equals(a.badge("general")), "two unread in #general");

    a.openChat("general");
    a.awaitMessage("Second while away");
    a.until(d -> "First while away".equals(afterDivider(a)), "the divider above the first new message");
    a.until(d -> a.badge("general").isEmpty(), "read while looking at it");
    assertThat(afterDivider(a)).isEqualTo("First while away");
    shoot(a, "unread-divider-light-1280.png");
    theme(a, "dark");
    shoot(a, "unread-divider-dark-1280.png");
  }

  @Test
  @DisplayName("At phone width, the divider is there too, and leaving the chat takes it away")
  void at_phone_width_the_divider_shows_and_leaving_the_chat_takes_it_away() {
    Team team = team();
    Browser a = browser(team.alice(), "random");
    post(team.bob(), team.generalId(), "Came while away");
    a.until(d -> "1".equals(a.badge("general")), "one unread in #general");
    a.openChat("general");
    size(a, PHONE);
    a.until(d -> "Came while away".equals(afterDivider(a)), "the divider above the new message");
    shoot(a, "unread-divider-light-390.png");
    size(a, DESKTOP);
    theme(a, "dark");
    size(a, PHONE);
    shoot(a, "unread-divider-dark-390.png");
    size(a, DESKTOP);
    // Left before its read mark was stored, the chat would still be unread, and the divider rightly back.
    a.until(d -> a.badge("general").isEmpty(), "read while looking at it");
    a.openChat("random");
    a.openChat("general");
    assertThat(afterDivider(a)).isNull();
  }

  @Test
  @DisplayName("Many messages while away: the bar \"Jump to first unread\" shows, and takes Alice to the divider")
  void the_jump_bar_takes_the_reader_to_the_first_unread_message() {
    Team team = team();
    Browser a = browser(team.alice(), "random");
    for (int i = 1; i <= 6; i++) {
      post(team.bob(), team.generalId(), "Away " + i + "\n" + TALL);
    }
    a.until(d -> "6".equals(a.badge("general")), "six unread in #general");
    a.openChat("general");
    a.waitFor(By.cssSelector(".unread-bar [data-action=jump-to-unread]"));
    assertThat(dividerInView(a)).isFalse();
    shoot(a, "unread-jump-bar-light-1280.png");
    theme(a, "dark");
    size(a, PHONE);
    a.waitFor(By.cssSelector(".unread-bar [data-action=jump-to-unread]"));
    shoot(a, "unread-jump-bar-dark-390.png");
    size(a, DESKTOP);

    a.click(By.cssSelector(".unread-bar [data-action=jump-to-unread]"));
    a.until(d -> dividerInView(a), "the divider in view");
    a.until(d -> d.findElements(By.cssSelector(".unread-bar")).isEmpty(), "the bar gone");
  }

  // Marking read

  @Test
  @DisplayName("Esc marks the open chat read though its list is scrolled up: its badge goes, and so does the divider")
  void escape_marks_the_open_chat_read() {
    Team team = team();
    for (int i = 1; i <= 4; i++) {
      post(team.bob(), team.generalId(), "History " + i + "\n" + TALL);
    }
    Browser a = browser(team.alice(), "general");
    a.until(d -> a.messageTexts().stream().anyMatch(text -> text.startsWith("History 4")), "the history shown");
    scrollToTop(a);
    post(team.bob(), team.generalId(), "While scrolled up");
    a.until(d -> "1".equals(a.badge("general")), "a badge on the open chat, scrolled up");

    a.keys(Keys.ESCAPE);
    a.until(d -> a.badge("general").isEmpty(), "the badge gone");
  }

  @Test
  @DisplayName("Shift+Esc marks every chat read: all badges go")
  void shift_escape_marks_every_chat_read() {
    Team team = team();
    String ops = server.channel(team.alice(), team.workspaceId(), "ops");
    server.joinChat(team.bob(), ops);
    Browser a = browser(team.alice(), "general");
    post(team.bob(), team.randomId(), "In random");
    post(team.bob(), ops, "In ops");
    post(team.bob(), ops, "Again in ops");
    a.until(d -> "1".equals(a.badge("random")) && "2".equals(a.badge("ops")), "badges on #random and #ops");

    new Actions(a.driver()).keyDown(Keys.SHIFT).sendKeys(Keys.ESCAPE).keyUp(Keys.SHIFT).perform();
    a.until(d -> a.badge("random").isEmpty() && a.badge("ops").isEmpty(), "every badge gone");
    assertThat(a.driver().findElements(By.cssSelector(".sidebar .badge"))).isEmpty();
  }

  // The sidebar

  @Test
  @DisplayName("A chat left with text in its composer is marked with a pencil; sending the text takes the mark away")
  void the_draft_marker_shows_until_the_draft_is_sent() {
    Team team = team();
    Browser a = browser(team.alice(), "general");
    a.composer().sendKeys("Half a thought");
    a.openChat("random");
    a.waitFor(chatLinkWith("general", "//span[contains(@class,'draft-marker')]"));
    shoot(a, "draft-marker-light-1280.png");

    a.openChat("general");
    a.until(d -> "Half a thought".equals(composerText(a)), "the draft back in the composer");
    a.composer().sendKeys(Keys.ENTER);
    a.awaitMessage("Half a thought");
    a.openChat("random");
    a.until(d -> d.findElements(chatLinkWith("general", "//span[contains(@class,'draft-marker')]")).isEmpty(),
        "no pencil once sent");
  }

  @Test
  @DisplayName("The star in the chat header puts the chat in a Starred section at the top of the sidebar")
  void a_starred_channel_goes_to_the_starred_section() {
    Team team = team();
    Browser a = browser(team.alice(), "random");
    a.click(By.cssSelector(".chat-header .star-button"));
    a.waitFor(By.cssSelector(".sidebar [data-section=starred] .chat-link[data-chat-id='" + team.randomId() + "']"));
    assertThat(a.script("return document.querySelector('.chat-nav .chat-section').dataset.section"))
        .isEqualTo("starred");
    assertThat(a.driver().findElements(By.cssSelector(
        ".sidebar [data-section=channels] .chat-link[data-chat-id='" + team.randomId() + "']"))).isEmpty();
    shoot(a, "starred-light-1280.png");

    a.reload();
    a.waitFor(By.cssSelector(".sidebar [data-section=starred] .chat-link[data-chat-id='" + team.randomId() + "']"));
  }

  @Test
  @DisplayName("At phone width, the star fits in the header and the chat list shows the Starred section first")
  void at_phone_width_starring_works_from_the_header() {
    Team team = team();
    Browser a = browser(team.alice(), "random");
    size(a, PHONE);
    a.click(By.cssSelector(".chat-header .star-button"));
    a.until(d -> "true".equals(d.findElement(By.cssSelector(".chat-header .star-button")).getDomAttribute(
        "aria-pressed")), "starred");
    shoot(a, "starred-header-light-390.png");
    a.click(By.cssSelector(".chat-header .show-chats"));
    a.waitFor(By.cssSelector(".sidebar [data-section=starred] .chat-link[data-chat-id='" + team.randomId() + "']"));
    theme(a, "dark");
    shoot(a, "starred-sidebar-dark-390.png");
  }

  @Test
  @DisplayName("\"Show unreads first\" puts the chats with unread messages in a section at the top; an opened one "
      + "stays there until Alice leaves it")
  void unreads_first_puts_unread_chats_in_a_section_at_the_top() {
    Team team = team();
    Browser a = browser(team.alice(), "general");
    a.openUserMenu();
    a.click(By.cssSelector("[data-action=unreads-first]"));
    post(team.bob(), team.randomId(), "Look here");
    By inUnreads = By.cssSelector(".sidebar [data-section=unreads] .chat-link[data-chat-id='" + team.randomId() + "']");
    a.waitFor(inUnreads);
    assertThat(a.script("return document.querySelector('.chat-nav .chat-section').dataset.section"))
        .isEqualTo("unreads");
    shoot(a, "unreads-first-light-1280.png");

    a.openChat("random");
    a.until(d -> a.badge("random").isEmpty(), "read");
    assertThat(a.driver().findElements(inUnreads)).hasSize(1);
    a.openChat("general");
    a.waitFor(By.cssSelector(".sidebar [data-section=channels] .chat-link[data-chat-id='" + team.randomId() + "']"));
    assertThat(a.driver().findElements(By.cssSelector(".sidebar [data-section=unreads]"))).isEmpty();
  }

  @Test
  @DisplayName("A link to a message, clicked in a message, opens the chat at it in the same tab")
  void a_link_to_a_message_in_a_message_opens_in_place() {
    Team team = team();
    String target = post(team.bob(), team.randomId(), "Over here");
    Browser a = browser(team.alice(), "random");
    a.awaitMessage("Over here");
    a.openChat("general");
    post(team.bob(), team.generalId(), "See " + server.baseUrl() + "/?chat=" + team.randomId() + "&message=" + target);
    a.click(By.cssSelector(".message-list .content a[href*='message=" + target + "']"));
    a.until(d -> "random".equals(a.activeChatTitle()), "#random open");
    a.waitFor(By.cssSelector(".message-list article.message.highlighted[data-message-id='" + target + "']"));
    assertThat(a.driver().getWindowHandles()).hasSize(1);
  }

  // Message tools

  @Test
  @DisplayName("Up-arrow in an empty composer edits Alice's last message")
  void up_arrow_edits_the_last_message() {
    Team team = team();
    Browser a = browser(team.alice(), "general");
    a.send("First try");
    a.awaitMessage("First try");
    a.until(d -> !d.findElements(By.cssSelector(".message-list article.message[data-message-id]")).isEmpty(),
        "stored");
    a.composer().sendKeys(Keys.ARROW_UP);
    WebElement box = a.waitFor(By.cssSelector(".message-list .edit-box textarea"));
    assertThat(box.getDomProperty("value")).isEqualTo("First try");
    box.sendKeys(", fixed");
    box.sendKeys(Keys.ENTER);
    a.awaitMessage("First try, fixed");
    a.until(d -> "".equals(composerText(a)) && d.switchTo().activeElement().getDomAttribute("class") != null
        && d.switchTo().activeElement().getDomAttribute("class").contains("composer-input"), "back in the composer");
  }

  @Test
  @DisplayName("Quote in a message's toolbar puts the message, quoted, and its author into the composer")
  void quote_inserts_the_message_into_the_composer() {
    Team team = team();
    post(team.bob(), team.generalId(), "Ship it on Friday");
    Browser a = browser(team.alice(), "general");
    WebElement message = a.awaitMessage("Ship it on Friday");
    hover(a, message);
    message.findElement(By.cssSelector("[data-action=quote]")).click();
    a.until(d -> "> Ship it on Friday\n> — Bob\n\n".equals(composerText(a)), "the quote in the composer");
    a.composer().sendKeys("Agreed");
    a.composer().sendKeys(Keys.ENTER);
    a.until(d -> !d.findElements(By.cssSelector(".message-list .content blockquote")).isEmpty(), "sent as a quote");
  }

  @Test
  @DisplayName("At phone width, Quote fits in the toolbar and fills the composer")
  void at_phone_width_quote_fills_the_composer() {
    Team team = team();
    post(team.bob(), team.generalId(), "Phones too");
    Browser a = browser(team.alice(), "general");
    size(a, PHONE);
    WebElement message = a.awaitMessage("Phones too");
    hover(a, message);
    WebElement quote = message.findElement(By.cssSelector("[data-action=quote]"));
    a.until(d -> quote.isDisplayed(), "the toolbar shown");
    assertThat(((Number) a.script("const r = arguments[0].closest('.message-actions').getBoundingClientRect();"
        + "return r.left >= 0 && r.right <= window.innerWidth ? 1 : 0;", quote)).intValue()).isEqualTo(1);
    shoot(a, "message-toolbar-light-390.png");
    quote.click();
    a.until(d -> composerText(a).startsWith("> Phones too"), "the quote in the composer");
  }

  @Test
  @DisplayName("Copy link says Copied; opened in Bob's window, the link shows the chat at that message, highlighted")
  void a_copied_link_opens_the_chat_at_the_message() {
    Team team = team();
    String target = post(team.bob(), team.generalId(), "The decision we took");
    for (int i = 1; i <= 5; i++) {
      post(team.bob(), team.generalId(), "Later " + i + "\n" + TALL);
    }
    Browser a = browser(team.alice(), "general");
    Browser b = browser(team.bob(), "random");
    a.driver().executeCdpCommand("Browser.grantPermissions", Map.of("origin", server.baseUrl(),
        "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
    WebElement row = a.waitFor(By.cssSelector(".message-list article.message[data-message-id='" + target + "']"));
    a.script("arguments[0].scrollIntoView({block: 'center'})", row);
    hover(a, row);
    row.findElement(By.cssSelector("[data-action=copy-link]")).click();
    a.waitFor(By.cssSelector("article.message[data-message-id='" + target + "'] .copied-tip"));
    shoot(a, "copy-link-light-1280.png");
    String link = (String) a.driver().executeAsyncScript(
        "const done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, e => done(null));");
    assertThat(link).endsWith("?chat=" + team.generalId() + "&message=" + target);

    b.driver().get(link);
    b.until(d -> (Boolean) b.script("const row = document.querySelector("
        + "\".message-list article.message.highlighted[data-message-id='\" + arguments[0] + \"']\");"
        + "if (!row) return false; const list = row.parentElement.getBoundingClientRect();"
        + "const r = row.getBoundingClientRect(); return r.top >= list.top && r.bottom <= list.bottom;", target),
        "the message in view and highlighted");
    assertThat(b.activeChatTitle()).isEqualTo("general");
  }
}
