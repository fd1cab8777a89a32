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

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The defects of issue #19 in real headless Chromium: the phone-width layout (390×844) and tablet width, the mention
 * badge's contrast, an over-long message, live member counts, the message toolbar, in-app confirmations, the edit
 * box, Leave on the default channel and the empty state. Each failed on the client before the fix.
 */
@DisplayName("Web client: issue #19's defects")
class WebClientDefectsTest {
  private static final Dimension PHONE = new Dimension(390, 844);
  private static final Dimension TABLET = new Dimension(768, 1024);
  private static final Dimension DESKTOP = new Dimension(1280, 800);

  private static TestSystem server;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    if (Browser.available()) {
      server = TestSystem.builder()
          .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
          .deploy(GatewayVerticle::new)
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

  // What a scenario starts from

  private record Team(Account alice, Account bob, String workspaceId, String generalId) {
  }

  /** Alice's workspace, which Bob joined by invite. */
  private static Team team() {
    Account alice = server.register("Alice");
    Account bob = server.register("Bob");
    JsonObject workspace = server.expect(201, HttpMethod.POST, "/workspaces", alice.token(),
        new JsonObject().put("name", "Team " + alice.username())).getJsonObject("workspace");
    String workspaceId = workspace.getString("id");
    String code = server.expect(201, HttpMethod.POST, "/workspaces/" + workspaceId + "/invites", alice.token(),
        new JsonObject()).getString("code");
    server.expect(200, HttpMethod.POST, "/workspaces/join", bob.token(), new JsonObject().put("code", code));
    return new Team(alice, bob, workspaceId, workspace.getString("generalChatId"));
  }

  private static void post(Account sender, String chatId, String content) {
    server.expect(201, HttpMethod.POST, "/chats/" + chatId + "/messages", sender.token(),
        new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", content));
  }

  /** A browser signed in as {@code account}, connected, with {@code chat} open, at {@code size}. */
  private Browser browser(Account account, String chat, Dimension size) {
    Browser browser = Browser.open(server.baseUrl(), account.displayName());
    browsers.add(browser);
    browser.signInWith(account);
    browser.openChat(chat);
    browser.awaitConnected();
    browser.driver().manage().window().setSize(size);
    return browser;
  }

  private static double number(Browser browser, String script, Object... args) {
    return ((Number) browser.script(script, args)).doubleValue();
  }

  private static void hover(Browser browser, WebElement element) {
    new Actions(browser.driver()).moveToElement(element).perform();
  }

  // The phone layout

  @Test
  void at_phone_width_the_chat_takes_the_whole_width_and_nothing_scrolls_sideways() {
    Team team = team();
    post(team.bob(), team.generalId(), "A long line of words that should wrap at word boundaries on a phone, "
        + "never letter by letter, and never push the page sideways: https://example.org/a/very/long/path/indeed");
    Browser a = browser(team.alice(), "general", PHONE);
    a.awaitMessage("A long line of words that should wrap at word boundaries on a phone, never letter by letter, "
        + "and never push the page sideways: https://example.org/a/very/long/path/indeed");
    assertThat(number(a, "return document.scrollingElement.scrollWidth - window.innerWidth")).isLessThanOrEqualTo(0);
    assertThat(number(a, "return document.querySelector('.chat-pane').getBoundingClientRect().width"))
        .isGreaterThanOrEqualTo(360);
  }

  @Test
  void at_phone_width_the_chat_header_keeps_to_one_row_with_its_other_actions_under_more() {
    Team team = team();
    String random = server.channel(team.alice(), team.workspaceId(), "random");
    Browser a = browser(team.alice(), "random", PHONE);
    a.until(d -> number(a, "return document.querySelector('.chat-header').getBoundingClientRect().height") <= 60,
        "the header in one row");
    assertThat(a.driver().findElement(By.cssSelector(".chat-header .leave")).isDisplayed()).isFalse();
    a.click(By.cssSelector(".chat-header .header-more"));
    a.waitFor(By.cssSelector(".chat-header .leave"));
    a.waitFor(By.cssSelector(".chat-header .chat-notify-button"));
    a.screenshot(java.nio.file.Path.of("target", "screenshots", "phone-header-more.png"));
    assertThat(random).isNotNull();
  }

  @Test
  void at_phone_width_the_back_control_shows_the_chat_list_as_its_own_screen() {
    Team team = team();
    server.channel(team.alice(), team.workspaceId(), "random");
    Browser a = browser(team.alice(), "general", PHONE);
    assertThat(a.driver().findElement(By.cssSelector(".sidebar")).isDisplayed()).isFalse();
    a.click(By.cssSelector(".chat-header button.show-chats"));
    a.waitFor(By.cssSelector(".sidebar"));
    assertThat(number(a, "return document.querySelector('.sidebar').getBoundingClientRect().right"))
        .isEqualTo(number(a, "return window.innerWidth"));
    assertThat(a.driver().findElement(By.cssSelector(".rail")).isDisplayed()).as("the workspaces with it").isTrue();
    a.chatLink("random").click();
    a.until(d -> !d.findElement(By.cssSelector(".sidebar")).isDisplayed(), "back in the chat");
    a.until(d -> d.findElement(By.cssSelector(".chat-header h1")).getText().endsWith("random"), "random open");
  }

  @Test
  void at_phone_width_buttons_are_touch_targets_of_44_px() {
    Team team = team();
    post(team.alice(), team.generalId(), "mine");
    Browser a = browser(team.alice(), "general", PHONE);
    WebElement mine = a.awaitMessage("mine");
    a.script("arguments[0].focus()", mine);
    a.waitFor(By.cssSelector(".message-list .message-actions"));
    @SuppressWarnings("unchecked")
    List<String> small = (List<String>) a.script("""
        return [...document.querySelectorAll('.chat-header button, .composer button, .message-actions button')]
          .filter(b => b.offsetParent !== null)
          .filter(b => { const r = b.getBoundingClientRect(); return r.width < 44 || r.height < 44; })
          .map(b => (b.getAttribute('aria-label') || b.textContent) + ' ' + Math.round(b.getBoundingClientRect().width)
            + 'x' + Math.round(b.getBoundingClientRect().height));""");
    assertThat(small).isEmpty();
  }

  @Test
  void at_phone_width_a_thread_opens_full_screen() {
    Team team = team();
    post(team.alice(), team.generalId(), "a root");
    Browser a = browser(team.alice(), "general", PHONE);
    WebElement root = a.awaitMessage("a root");
    hover(a, root);
    root.findElement(By.cssSelector(".message-actions button[aria-label='Reply in thread']")).click();
    a.waitFor(By.cssSelector(".thread-panel .composer-input"));
    assertThat(number(a, "const r = document.querySelector('.thread-panel').getBoundingClientRect();"
        + " return r.left === 0 && r.top === 0 && r.width === innerWidth && r.height === innerHeight ? 1 : 0"))
        .isEqualTo(1);
    assertThat(number(a, "return document.scrollingElement.scrollWidth - window.innerWidth")).isLessThanOrEqualTo(0);
  }

  @Test
  void at_tablet_width_nothing_scrolls_sideways() {
    Team team = team();
    post(team.bob(), team.generalId(), "hello tablet");
    Browser a = browser(team.alice(), "general", TABLET);
    a.awaitMessage("hello tablet");
    assertThat(number(a, "return document.scrollingElement.scrollWidth - window.innerWidth")).isLessThanOrEqualTo(0);
    assertThat(number(a, "return document.querySelector('.chat-pane').getBoundingClientRect().width"))
        .isGreaterThanOrEqualTo(480);
  }

  // The rest of the list

  @Test
  void the_mention_badge_has_AA_contrast_in_both_themes() {
    Team team = team();
    String random = server.channel(team.alice(), team.workspaceId(), "random");
    server.joinChat(team.bob(), random);
    Browser a = browser(team.alice(), "general", DESKTOP);
    post(team.bob(), random, "@" + team.alice().username() + " look");
    a.waitFor(By.cssSelector(".chat-link .badge.mention"));
    String contrast = """
        document.documentElement.dataset.theme = arguments[0];
        const badge = document.querySelector('.chat-link .badge.mention');
        const rgb = value => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const lum = ([r, g, b]) => [r, g, b].map(c => c / 255)
          .map(c => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
          .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
        const style = getComputedStyle(badge);
        const [x, y] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
        return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);""";
    assertThat(number(a, contrast, "light")).as("light").isGreaterThanOrEqualTo(4.5);
    assertThat(number(a, contrast, "dark")).as("dark").isGreaterThanOrEqualTo(4.5);
  }

  @Test
  void a_message_over_the_limit_stays_in_the_composer_with_a_counter() {
    Team team = team();
    Browser a = browser(team.alice(), "general", DESKTOP);
    WebElement box = a.composer();
    a.script("const box = arguments[0]; box.value = 'x'.repeat(40000);"
        + " box.dispatchEvent(new Event('input', { bubbles: true }));", box);
    box.sendKeys(Keys.ENTER);
    a.waitFor(By.cssSelector(".composer-count.over"));
    assertThat(number(a, "return arguments[0].value.length", box)).isEqualTo(40_000);
    assertThat(a.driver().findElements(By.cssSelector(".message-list .message.pending"))).isEmpty();
    assertThat(a.driver().findElement(By.cssSelector(".composer .send")).isEnabled()).isFalse();
  }

  @Test
  void the_header_member_count_follows_a_join_live() {
    Team team = team();
    String random = server.channel(team.alice(), team.workspaceId(), "random");
    Browser a = browser(team.alice(), "random", DESKTOP);
    a.until(d -> d.findElement(By.cssSelector(".chat-header .member-count")).getText().equals("1 member"),
        "1 member");
    server.joinChat(team.bob(), random);
    a.until(d -> d.findElement(By.cssSelector(".chat-header .member-count")).getText().equals("2 members"),
        "2 members, live");
  }

  @Test
  void only_one_message_toolbar_shows_at_a_time() {
    Team team = team();
    post(team.alice(), team.generalId(), "first");
    post(team.bob(), team.generalId(), "second");
    Browser a = browser(team.alice(), "general", DESKTOP);
    a.awaitMessage("second");
    a.script("arguments[0].focus()", a.awaitMessage("first")); // as after using its toolbar
    hover(a, a.awaitMessage("second"));
    a.until(d -> number(a, "return [...document.querySelectorAll('.message-list .message-actions')]"
        + ".filter(t => getComputedStyle(t).display !== 'none').length") == 1, "one toolbar");
  }

  @Test
  void the_top_message_toolbar_is_not_hidden_under_the_header() throws InterruptedException {
    Team team = team();
    for (int i = 1; i <= 30; i++) {
      if (i % 9 == 0) {
        Thread.sleep(1_000); // 10 messages a second per sender
      }
      post(i % 2 == 0 ? team.alice() : team.bob(), team.generalId(), "line " + i);
    }
    Browser a = browser(team.alice(), "general", DESKTOP);
    WebElement row = a.awaitMessage("line 20");
    a.script("const list = document.querySelector('.message-list');"
        + " list.scrollTop += arguments[0].getBoundingClientRect().top - list.getBoundingClientRect().top;", row);
    hover(a, row);
    a.until(d -> number(a, "const t = arguments[0].querySelector('.message-actions');"
        + " return getComputedStyle(t).display === 'none' ? -1 : t.getBoundingClientRect().top"
        + " - document.querySelector('.message-list').getBoundingClientRect().top", row) >= 0,
        "the toolbar within the list");
  }

  @Test
  void hover_time_stays_on_one_line() {
    Team team = team();
    post(team.alice(), team.generalId(), "one");
    post(team.alice(), team.generalId(), "two");
    Browser a = browser(team.alice(), "general", DESKTOP);
    WebElement two = a.awaitMessage("two");
    hover(a, two);
    WebElement time = two.findElement(By.cssSelector(".gutter-time"));
    assertThat(number(a, "const r = document.createRange(); r.selectNodeContents(arguments[0]);"
        + " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size", time)).isEqualTo(1);
  }

  @Test
  void deleting_asks_in_an_in_app_dialog_not_the_browser() {
    Team team = team();
    post(team.alice(), team.generalId(), "to delete");
    Browser a = browser(team.alice(), "general", DESKTOP);
    a.script("window.nativeConfirms = 0; window.confirm = () => { window.nativeConfirms += 1; return true; };");
    WebElement mine = a.awaitMessage("to delete");
    hover(a, mine);
    mine.findElement(By.cssSelector("button[aria-label='Delete message']")).click();
    a.click(By.cssSelector(".modal [data-action=confirm]"));
    a.until(d -> !d.findElements(By.cssSelector(".message-list .tombstone")).isEmpty(), "deleted");
    assertThat(number(a, "return window.nativeConfirms")).isZero();
  }

  @Test
  void the_edit_box_cancel_is_a_styled_button() {
    Team team = team();
    post(team.alice(), team.generalId(), "to edit");
    Browser a = browser(team.alice(), "general", DESKTOP);
    WebElement mine = a.awaitMessage("to edit");
    hover(a, mine);
    mine.findElement(By.cssSelector("button[aria-label='Edit message']")).click();
    WebElement cancel = a.waitFor(By.xpath("//div[@class='edit-actions']/button[normalize-space()='Cancel']"));
    assertThat(cancel.getCssValue("border-top-left-radius")).isEqualTo("8px");
    assertThat(cancel.getSize().getHeight()).isEqualTo(
        a.driver().findElement(By.cssSelector(".edit-actions button.primary")).getSize().getHeight());
  }

  @Test
  void the_default_channel_offers_no_leave_and_others_do() {
    Team team = team();
    server.channel(team.alice(), team.workspaceId(), "random");
    Browser a = browser(team.alice(), "general", DESKTOP);
    a.waitFor(By.cssSelector(".chat-header .member-count"));
    assertThat(a.driver().findElements(By.xpath("//header[contains(@class,'chat-header')]//button[.='Leave']")))
        .isEmpty();
    a.openChat("random");
    a.waitFor(By.xpath("//header[contains(@class,'chat-header')]//button[.='Leave']"));
  }

  @Test
  void the_empty_state_offers_a_button() {
    Account loner = server.register("Loner");
    Browser a = Browser.open(server.baseUrl(), "Loner");
    browsers.add(a);
    a.signInWith(loner);
    a.click(By.cssSelector(".empty-state button"));
    a.waitFor(By.id("ws-name"));
  }

  /** docs/screenshots/phone-*.png: the chat list, a chat and a thread at 390×844, light and dark (README.md). */
  @Test
  void phone_screenshots_of_the_chat_list_a_chat_and_a_thread() {
    Team team = team();
    String random = server.channel(team.alice(), team.workspaceId(), "random");
    server.joinChat(team.bob(), random);
    post(team.bob(), team.generalId(), "Morning! Is the **release** still on for Thursday?");
    post(team.alice(), team.generalId(), "Yes: the notes are in the doc, and the checklist is pinned in #random.");
    post(team.bob(), team.generalId(), "Great, thanks @" + team.alice().username() + " 🎉");
    post(team.bob(), random, "Lunch at noon?");
    Browser a = browser(team.alice(), "general", PHONE);
    WebElement root = a.awaitMessage("Yes: the notes are in the doc, and the checklist is pinned in #random.");
    WebClientTest.Screenshots shots = new WebClientTest.Screenshots();
    for (String theme : List.of("light", "dark")) {
      a.script("document.documentElement.dataset.theme = arguments[0]; document.activeElement?.blur();", theme);
      hover(a, a.composer());
      shots.save(a, "phone-chat-" + theme + ".png");
      a.click(By.cssSelector(".chat-header button.show-chats"));
      a.waitFor(By.cssSelector(".sidebar"));
      shots.save(a, "phone-chats-" + theme + ".png");
      a.chatLink("general").click();
      a.until(d -> !d.findElement(By.cssSelector(".sidebar")).isDisplayed(), "back in the chat");
      hover(a, root);
      root.findElement(By.cssSelector(".message-actions button[aria-label='Reply in thread']")).click();
      WebElement reply = a.waitFor(By.cssSelector(".thread-panel .composer-input"));
      reply.sendKeys("On it");
      reply.sendKeys(Keys.ENTER);
      a.until(d -> d.findElements(By.cssSelector(".thread-panel .message:not(.pending)")).size() >= 2, "the reply");
      hover(a, reply); // no message hovered: no toolbar in the picture
      a.script("document.activeElement?.blur();");
      shots.save(a, "phone-thread-" + theme + ".png");
      a.click(By.cssSelector(".thread-panel button[aria-label='Close thread']"));
      a.until(d -> d.findElements(By.cssSelector(".thread-panel")).isEmpty(), "thread closed");
    }
  }
}
