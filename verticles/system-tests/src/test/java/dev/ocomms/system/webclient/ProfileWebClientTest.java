package dev.ocomms.system.webclient;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
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
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Profiles and invite links in real headless Chromium: a status set in one window shows in another, a name opens the
 * profile card with the person's local time and "Message", and an invite link opened signed out leads through
 * sign-up into the workspace. Skipped, loudly, where no Chromium is installed, as {@link WebClientTest} is.
 */
@DisplayName("Profiles, status and invite links in Chromium")
class ProfileWebClientTest {
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private static TestSystem server;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    if (!Browser.available()) {
      System.err.println("SKIPPING the profile end-to-end tests: no Chromium at " + Browser.CHROMIUM
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

  /** Alice (owner) and Bob in a workspace of their own, with a DM between them. */
  private record Team(Account alice, Account bob, String workspaceId) {
  }

  private Team team() {
    Account alice = server.register("Alice");
    Account bob = server.register("Bob");
    String workspaceId = server.workspace(alice, List.of(bob));
    server.expect(200, HttpMethod.POST, "/workspaces/" + workspaceId + "/dms", alice.token(),
        new JsonObject().put("userIds", new JsonArray().add(bob.id())));
    return new Team(alice, bob, workspaceId);
  }

  private Browser open(String name) {
    Browser browser = Browser.open(server.baseUrl(), name);
    browsers.add(browser);
    return browser;
  }

  private Browser signedIn(Account account) {
    Browser browser = open(account.displayName());
    browser.signInWith(account);
    browser.openChat("general");
    browser.awaitConnected();
    return browser;
  }

  private static By dmStatus(Account partner) {
    return By.xpath("//a[contains(@class,'chat-link')][.//span[@class='chat-name' and normalize-space()='"
        + partner.displayName() + "']]//span[contains(@class,'status-emoji')]");
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
  @DisplayName("Alice sets a status with an emoji and \"Clear after\": Bob's sidebar shows it beside her DM at once")
  void a_status_set_in_one_window_shows_in_the_other() {
    Team team = team();
    Browser a = signedIn(team.alice());
    Browser b = signedIn(team.bob());
    assertThat(b.driver().findElements(dmStatus(team.alice()))).isEmpty();

    a.openUserMenu();
    a.click(By.cssSelector("[data-action=edit-profile]"));
    a.click(By.cssSelector(".quick-emoji-choice[aria-label='Emoji 📅']"));
    a.type(By.id("profile-status-text"), "In a meeting");
    a.waitFor(By.id("profile-clear-after")).findElement(By.cssSelector("option[value='1h']")).click();
    shoot(a, "profile-dialog-light-1280.png");
    a.click(By.cssSelector(".profile-form button[type=submit]"));
    a.until(d -> d.findElements(By.cssSelector(".profile-form")).isEmpty(), "dialog closed");

    WebElement status = b.waitFor(dmStatus(team.alice()));
    assertThat(status.getText()).isEqualTo("📅");
    assertThat(status.getDomAttribute("title")).startsWith("📅 In a meeting, until ");
    a.waitFor(By.cssSelector(".sidebar button.me .status-emoji"));
    shoot(b, "profile-status-in-sidebar-light-1280.png");
    theme(b, "dark");
    size(b, 390, 844);
    b.click(By.cssSelector(".chat-header .show-chats"));
    b.waitFor(dmStatus(team.alice()));
    shoot(b, "profile-status-in-sidebar-dark-390.png");

    size(b, 1280, 800);
    b.click(By.cssSelector(".chat-header .members-button"));
    WebElement row = b.waitFor(By.cssSelector(".members-panel .member-row[data-user-id='" + team.alice().id() + "']"));
    assertThat(row.findElement(By.cssSelector(".status-emoji")).getText()).isEqualTo("📅");
    shoot(b, "profile-status-in-members-dark-1280.png");

    theme(a, "dark");
    size(a, 390, 844);
    a.click(By.cssSelector(".chat-header .show-chats"));
    a.openUserMenu();
    a.click(By.cssSelector("[data-action=edit-profile]"));
    assertThat(a.waitFor(By.id("profile-status-text")).getDomProperty("value")).isEqualTo("In a meeting");
    shoot(a, "profile-dialog-dark-390.png");
  }

  @Test
  @DisplayName("Clicking Alice's name on her message shows her card with her local time; Message opens the DM")
  void the_profile_card_shows_local_time_and_message_opens_the_dm() {
    Team team = team();
    server.expect(200, HttpMethod.PATCH, "/users/me", team.alice().token(), new JsonObject()
        .put("timeZone", "Asia/Tokyo")
        .put("status", new JsonObject().put("text", "On holiday").put("emoji", "🌴")));
    Browser a = signedIn(team.alice());
    a.send("Hello from Tokyo");
    Browser b = signedIn(team.bob());
    b.awaitMessage("Hello from Tokyo");

    b.click(By.cssSelector("article[data-message-id] button.sender[data-user-id='" + team.alice().id() + "']"));
    WebElement card = b.waitFor(By.cssSelector(".profile-card[data-user-id='" + team.alice().id() + "']"));
    assertThat(card.findElement(By.cssSelector(".profile-display-name")).getText()).contains("Alice");
    assertThat(card.findElement(By.cssSelector(".profile-username")).getText())
        .isEqualTo("@" + team.alice().username());
    assertThat(card.findElement(By.cssSelector(".profile-status")).getText()).contains("On holiday");
    String shown = card.findElement(By.cssSelector(".profile-time")).getText();
    DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("HH:mm");
    ZonedDateTime tokyo = ZonedDateTime.now(ZoneId.of("Asia/Tokyo"));
    assertThat(shown).isIn(tokyo.minusMinutes(1).format(hhmm), tokyo.format(hhmm), tokyo.plusMinutes(1).format(hhmm));
    assertThat(card.findElement(By.cssSelector(".profile-local-time")).getText()).contains("local time");
    shoot(b, "profile-card-light-1280.png");
    b.script("document.documentElement.dataset.theme = 'dark'"); // the menu is behind the card
    size(b, 390, 844);
    shoot(b, "profile-card-dark-390.png");
    size(b, 1280, 800);

    b.click(By.cssSelector(".profile-card [data-action=message]"));
    b.until(d -> d.findElements(By.cssSelector(".profile-card")).isEmpty(), "card closed");
    b.until(d -> "Alice".equals(b.activeChatTitle()), "the DM with Alice open");
  }

  @Test
  @DisplayName("An invite link opened signed out asks to sign up, then joins the workspace and opens it")
  void an_invite_link_leads_a_new_visitor_through_sign_up_into_the_workspace() {
    Team team = team();
    String code = server.expect(201, HttpMethod.POST, "/workspaces/" + team.workspaceId() + "/invites",
        team.alice().token(), new JsonObject()).getString("code");
    Browser c = open("Carol");
    c.driver().get(server.baseUrl() + "/invite/" + code);
    c.waitFor(By.cssSelector(".auth-card .invite-note"));
    assertThat(c.waitFor(By.id("auth-title")).getText()).isEqualTo("Create your account");
    shoot(c, "invite-sign-up-light-1280.png");
    size(c, 390, 844);
    shoot(c, "invite-sign-up-light-390.png");
    size(c, 1280, 800);

    String username = "carol_" + UUID.randomUUID().toString().substring(0, 8);
    c.type(By.id("auth-email"), username + "@example.org");
    c.type(By.id("auth-username"), username);
    c.type(By.id("auth-displayName"), "Carol");
    c.type(By.id("auth-password"), "correct horse battery");
    c.click(By.cssSelector(".auth-card button[type=submit]"));

    c.until(d -> !d.findElements(By.cssSelector(".workspace-name")).isEmpty()
        && ("Team " + team.alice().username()).equals(d.findElement(By.cssSelector(".workspace-name")).getText()),
        "Alice's workspace shown");
    c.openChat("general");
    assertThat((String) c.script("return location.pathname")).isEqualTo("/");
  }

  @Test
  @DisplayName("A signed-in visitor opening an invite link joins at once; the menu's link is copied with \"Copied\"")
  void a_signed_in_visitor_joins_directly_and_the_link_copies() {
    Team team = team();
    Browser a = signedIn(team.alice());
    a.driver().executeCdpCommand("Browser.grantPermissions", Map.of("origin", server.baseUrl(),
        "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
    a.click(By.cssSelector(".sidebar-header button[aria-label='Invite people']"));
    String link = a.waitFor(By.id("invite-link")).getDomProperty("value");
    assertThat(link).startsWith(server.baseUrl() + "/invite/");
    a.click(By.cssSelector(".copy-button"));
    a.until(d -> d.findElement(By.cssSelector(".copy-button")).getText().contains("Copied"), "Copied");
    shoot(a, "invite-dialog-light-1280.png");

    Account dave = server.register("Dave");
    server.workspace(dave, List.of());
    Browser d = open("Dave");
    d.signInWith(dave);
    d.driver().get(link);
    d.until(x -> !x.findElements(By.cssSelector(".workspace-name")).isEmpty()
        && ("Team " + team.alice().username()).equals(x.findElement(By.cssSelector(".workspace-name")).getText()),
        "Alice's workspace shown");
    d.chatLink("general");
  }
}
