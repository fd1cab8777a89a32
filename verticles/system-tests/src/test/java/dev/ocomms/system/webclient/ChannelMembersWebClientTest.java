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
import org.openqa.selenium.WebElement;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Channel management in real headless Chromium, two people in two windows: adding someone to a private channel from
 * the members panel, the panel's list with presence and roles, removing a member, editing the topic, and the join
 * line in the chat. Skipped, loudly, where no Chromium is installed, as {@link WebClientTest} is.
 */
@DisplayName("Channel members panel in Chromium")
class ChannelMembersWebClientTest {
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String CHANNEL = "secret";

  private static TestSystem server;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    if (!Browser.available()) {
      System.err.println("SKIPPING the members panel's end-to-end tests: no Chromium at " + Browser.CHROMIUM
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

  /**
   * Alice (the workspace's owner), Bob and Carol in a workspace of their own, Alice and Bob each in a browser on
   * #general; Alice created the private channel #secret, which neither of the others is in.
   */
  private record Pair(Account alice, Account bob, Account carol, String chatId, Browser a, Browser b) {
  }

  private Pair pair() {
    Account alice = server.register("Alice");
    Account bob = server.register("Bob");
    Account carol = server.register("Carol");
    String workspaceId = server.workspace(alice, List.of(bob, carol));
    String chatId = server.expect(201, HttpMethod.POST, "/workspaces/" + workspaceId + "/channels", alice.token(),
        new JsonObject().put("name", CHANNEL).put("private", true)).getJsonObject("chat").getString("id");
    Browser a = Browser.open(server.baseUrl(), "Alice");
    browsers.add(a);
    a.signInWith(alice);
    Browser b = Browser.open(server.baseUrl(), "Bob");
    browsers.add(b);
    b.signInWith(bob);
    a.openChat("general");
    b.openChat("general");
    a.awaitConnected();
    b.awaitConnected();
    return new Pair(alice, bob, carol, chatId, a, b);
  }

  private static void addByApi(Pair pair) {
    server.expect(200, HttpMethod.POST, "/chats/" + pair.chatId() + "/members", pair.alice().token(),
        new JsonObject().put("userId", pair.bob().id()));
  }

  private static void openMembers(Browser browser) {
    browser.click(By.cssSelector(".chat-header .members-button"));
    browser.waitFor(By.cssSelector(".members-panel .members-list"));
  }

  private static By memberRow(Account account) {
    return By.cssSelector(".members-panel .member-row[data-user-id='" + account.id() + "']");
  }

  private static String headerCount(Browser browser) {
    return browser.waitFor(By.cssSelector(".chat-header .members-button")).getDomAttribute("data-count");
  }

  /** Opens the add-people dialog and chooses {@code person} by typing the start of their name. */
  private static void chooseInDialog(Browser browser, Account person) {
    browser.click(By.cssSelector(".members-panel .add-people"));
    browser.type(By.id("add-people-query"), person.displayName().substring(0, 2));
    browser.click(By.cssSelector(".people-picker .person-option[data-user-id='" + person.id() + "']"));
    browser.until(d -> !d.findElements(By.cssSelector(".chosen-people [data-user-id='" + person.id() + "']")).isEmpty(),
        "chosen");
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
  @DisplayName("Alice adds Bob to her private channel from the members panel: his window shows the channel, and her "
      + "header counts two")
  void adding_someone_from_the_panel_shows_them_the_private_channel() {
    Pair pair = pair();
    Browser a = pair.a();
    Browser b = pair.b();
    a.openChat(CHANNEL);
    assertThat(b.driver().findElements(By.xpath("//span[@class='chat-name' and normalize-space()='" + CHANNEL + "']")))
        .isEmpty();
    openMembers(a);
    chooseInDialog(a, pair.bob());
    a.click(By.cssSelector(".add-people-dialog button[type=submit]"));
    a.until(d -> d.findElements(By.cssSelector(".add-people-dialog")).isEmpty(), "dialog closed");

    b.chatLink(CHANNEL);
    a.waitFor(memberRow(pair.bob()));
    a.until(d -> "2".equals(headerCount(a)), "Alice's header counts two");
  }

  @Test
  @DisplayName("The members panel lists everyone with a presence dot and their role, the user marked as You")
  void the_panel_lists_members_with_presence_and_roles() {
    Pair pair = pair();
    addByApi(pair);
    Browser a = pair.a();
    a.openChat(CHANNEL);
    openMembers(a);
    WebElement alice = a.waitFor(memberRow(pair.alice()));
    WebElement bob = a.waitFor(memberRow(pair.bob()));
    assertThat(alice.getText()).contains("Alice").contains("(You)");
    assertThat(alice.getDomAttribute("data-role")).isEqualTo("owner");
    assertThat(bob.getDomAttribute("data-role")).isEqualTo("member");
    assertThat(bob.getText()).doesNotContain("(You)");
    a.until(d -> d.findElement(memberRow(pair.bob())).findElement(By.cssSelector(".presence-dot"))
        .getDomAttribute("class").contains("available"), "Bob shows as available (his window is open)");
  }

  @Test
  @DisplayName("Alice removes Bob after confirming in the app's own dialog: his window loses the channel at once")
  void removing_a_member_takes_the_channel_from_their_window() {
    Pair pair = pair();
    addByApi(pair);
    Browser a = pair.a();
    Browser b = pair.b();
    b.chatLink(CHANNEL);
    a.openChat(CHANNEL);
    openMembers(a);
    a.waitFor(memberRow(pair.bob())).findElement(By.cssSelector(".member-remove")).click();
    a.waitFor(By.cssSelector(".confirm-dialog [role=dialog]"));
    shoot(a, "members-remove-confirm-light-1280.png");
    a.click(By.cssSelector(".confirm-dialog button.danger"));

    b.until(d -> d.findElements(By.xpath("//span[@class='chat-name' and normalize-space()='" + CHANNEL + "']"))
        .isEmpty(), "the channel left Bob's sidebar");
    a.until(d -> d.findElements(memberRow(pair.bob())).isEmpty(), "Bob left Alice's list");
    a.until(d -> "1".equals(headerCount(a)), "Alice's header counts one");
  }

  @Test
  @DisplayName("A topic edited in the panel shows in the other member's header without a reload")
  void a_topic_edit_shows_live_in_the_other_window() {
    Pair pair = pair();
    addByApi(pair);
    Browser a = pair.a();
    Browser b = pair.b();
    b.openChat(CHANNEL);
    a.openChat(CHANNEL);
    openMembers(a);
    a.click(By.cssSelector(".channel-details [data-field=topic] .detail-edit"));
    a.type(By.id("detail-topic"), "Launch plans");
    a.click(By.cssSelector(".channel-details [data-field=topic] button[type=submit]"));

    b.until(d -> !d.findElements(By.cssSelector(".chat-header .topic")).isEmpty()
        && "Launch plans".equals(d.findElement(By.cssSelector(".chat-header .topic")).getText()), "Bob's header");
  }

  @Test
  @DisplayName("Alice, the channel's creator, renames it in the panel: Bob's sidebar and header show the new name")
  void a_rename_shows_live_in_the_other_window() {
    Pair pair = pair();
    addByApi(pair);
    Browser a = pair.a();
    Browser b = pair.b();
    b.openChat(CHANNEL);
    a.openChat(CHANNEL);
    openMembers(a);
    a.click(By.cssSelector(".channel-details [data-field=name] .detail-edit"));
    WebElement name = a.waitFor(By.id("detail-name"));
    name.clear();
    name.sendKeys("launch");
    a.click(By.cssSelector(".channel-details [data-field=name] button[type=submit]"));

    b.chatLink("launch");
    b.until(d -> d.findElement(By.cssSelector(".chat-header h1")).getText().endsWith("launch"), "Bob's header");
  }

  @Test
  @DisplayName("A member who neither created the channel nor administers the workspace gets no remove, rename or "
      + "archive controls, but may add people and edit the topic")
  void a_plain_member_gets_no_moderation_controls() {
    Pair pair = pair();
    addByApi(pair);
    Browser b = pair.b();
    b.openChat(CHANNEL);
    openMembers(b);
    b.waitFor(memberRow(pair.alice()));
    b.waitFor(By.cssSelector(".members-panel .add-people"));
    b.waitFor(By.cssSelector(".channel-details [data-field=topic] .detail-edit"));
    assertThat(b.driver().findElements(By.cssSelector(".members-panel .member-remove"))).isEmpty();
    assertThat(b.driver().findElements(By.cssSelector(".channel-details [data-field=name] .detail-edit"))).isEmpty();
    assertThat(b.driver().findElements(By.xpath("//section[@class='channel-details']//button[.='Archive']"))).isEmpty();
  }

  @Test
  @DisplayName("Someone added while the channel is open shows as a line in its messages")
  void a_join_shows_as_a_line_in_the_channel() {
    Pair pair = pair();
    Browser a = pair.a();
    a.openChat(CHANNEL);
    a.send("Welcome, soon");
    a.awaitMessage("Welcome, soon");
    assertThat(a.driver().findElements(By.cssSelector(".message-list .system-line"))).isEmpty();
    addByApi(pair);

    WebElement line = a.waitFor(By.cssSelector(".message-list .system-line[data-kind=added]"));
    assertThat(line.getText()).isEqualTo("Alice added Bob");
    a.until(d -> "2".equals(headerCount(a)), "the header counts the new member");
    assertThat(a.driver().findElements(By.cssSelector(".message-list .system-line"))).as("once").hasSize(1);
  }

  @Test
  @DisplayName("The join line is stored: after a reload it is still in the channel's history, once, after the message")
  void the_join_line_is_in_history_after_a_reload() {
    Pair pair = pair();
    Browser a = pair.a();
    a.openChat(CHANNEL);
    a.send("Before Bob");
    a.awaitMessage("Before Bob");
    addByApi(pair);
    a.waitFor(By.cssSelector(".message-list .system-line[data-kind=added]"));

    a.reload();
    a.openChat(CHANNEL);
    a.awaitMessage("Before Bob");
    WebElement line = a.waitFor(By.cssSelector(".message-list .system-line[data-kind=added]"));
    assertThat(line.getText()).isEqualTo("Alice added Bob");
    assertThat(a.driver().findElements(By.cssSelector(".message-list .system-line"))).hasSize(1);
    assertThat(a.driver().findElements(By.xpath("//div[contains(@class,'message-list')]"
        + "//*[contains(@class,'message') and contains(.,'Before Bob')]/following::div[contains(@class,'system-line')]")))
        .as("after the message it followed").isNotEmpty();
  }

  @Test
  @DisplayName("Screenshots: the members panel and the add-people dialog, light and dark, desktop and phone")
  void screenshots_of_the_panel_and_the_dialog() {
    Pair pair = pair();
    addByApi(pair);
    Browser a = pair.a();
    a.openChat(CHANNEL);
    for (String theme : List.of("light", "dark")) {
      size(a, 1280, 800);
      if (a.driver().findElements(By.cssSelector(".members-panel")).isEmpty()) {
        openMembers(a);
      }
      theme(a, theme);
      a.waitFor(memberRow(pair.bob()));
      shoot(a, "members-panel-" + theme + "-1280.png");
      chooseInDialog(a, pair.carol());
      shoot(a, "members-add-" + theme + "-1280.png");
      size(a, 390, 844);
      shoot(a, "members-add-" + theme + "-390.png");
      a.click(By.cssSelector(".add-people-dialog .dialog-actions button.secondary"));
      a.waitFor(By.cssSelector(".members-panel .member-row"));
      shoot(a, "members-panel-" + theme + "-390.png");
    }
    assertThat(SCREENSHOTS.resolve("members-panel-dark-390.png")).exists();
  }
}
