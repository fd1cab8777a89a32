package dev.ocomms.system.webclient;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.notifications.NotificationsVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.shared.bus.Addresses;
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
import org.openqa.selenium.interactions.Actions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Notifications in real headless Chromium against the whole server with the notifications verticle: toasts that
 * open their chat, desktop notifications while the tab is hidden, a chat set to notify of nothing, urgent messages
 * acknowledged, and pausing notifications. Skipped, loudly, where no Chromium is installed, as {@link WebClientTest}
 * is.
 *
 * <p>Every browser starts with a script that records what the page hands to {@code window.Notification} (a stub
 * with permission granted, standing in for the browser's own: headless Chromium shows nothing) and lets a test hide
 * the tab ({@code document.visibilityState} reads {@code window.__hidden}).
 */
@DisplayName("Notifications in Chromium")
class NotificationsWebClientTest {
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String PAGE_SETUP = """
      window.__hidden = false;
      window.__notifications = [];
      Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true,
        get() { return window.__hidden ? 'hidden' : 'visible'; } });
      Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get() { return window.__hidden; } });
      class RecordingNotification {
        constructor(title, options = {}) {
          this.title = title;
          this.options = options;
          window.__notifications.push({ title, body: options.body, tag: options.tag });
        }
        close() {}
      }
      RecordingNotification.permission = 'granted';
      RecordingNotification.requestPermission = () => Promise.resolve('granted');
      window.Notification = RecordingNotification;
      window.__toasts = [];
      new MutationObserver(changes => changes.forEach(change => change.addedNodes.forEach(node => {
        if (node.nodeType === 1) {
          [node, ...node.querySelectorAll('.notify-toast')].filter(e => e.matches('.notify-toast'))
            .forEach(e => window.__toasts.push(e.dataset.chatId));
        }
      }))).observe(document, { childList: true, subtree: true });
      """;

  private static TestSystem server;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    if (!Browser.available()) {
      System.err.println("SKIPPING the notifications' end-to-end tests: no Chromium at " + Browser.CHROMIUM
          + " or no chromedriver at " + Browser.CHROMEDRIVER + " (apt-get install -y chromium chromium-driver)");
      return;
    }
    server = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
        .deploy(NotificationsVerticle::new).deploy(GatewayVerticle::new)
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

  /** Alice and Bob in a workspace of their own with #general and #launch; each in a browser showing #general. */
  private record Pair(Account alice, Account bob, String workspaceId, String general, String launch, Browser a,
                      Browser b) {
  }

  private Pair pair() {
    Account alice = server.register("Alice");
    Account bob = server.register("Bob");
    String workspaceId = server.workspace(alice, List.of(bob));
    String general = server.general(alice, workspaceId);
    String launch = server.channel(alice, workspaceId, "launch");
    server.joinChat(bob, launch);
    Browser a = open("Alice", alice);
    Browser b = open("Bob", bob);
    a.openChat("general");
    b.openChat("general");
    a.awaitConnected();
    b.awaitConnected();
    return new Pair(alice, bob, workspaceId, general, launch, a, b);
  }

  private Browser open(String name, Account account) {
    return open(name, account, "");
  }

  /** A browser signed in as {@code account}, with {@code setup} run after PAGE_SETUP before the page's scripts. */
  private Browser open(String name, Account account, String setup) {
    Browser browser = Browser.open(server.baseUrl(), name);
    browsers.add(browser);
    browser.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
        Map.of("source", PAGE_SETUP + setup));
    browser.signInWith(account);
    return browser;
  }

  private static void send(Account sender, String chatId, String content) {
    server.expect(201, HttpMethod.POST, "/chats/" + chatId + "/messages", sender.token(), new JsonObject()
        .put("clientId", UUID.randomUUID().toString()).put("content", content));
  }

  private static WebElement awaitToast(Browser browser, String chatId) {
    return browser.waitFor(By.cssSelector(".notify-toast[data-chat-id='" + chatId + "']"));
  }

  /** Waits until the server counts the browser's user online (a toast goes only to those). */
  private static void awaitOnline(Account account) {
    long deadline = System.nanoTime() + TestSystem.WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      String status = server.cluster().node(0).eventBus().<JsonObject>rxRequest(Addresses.PRESENCE_READ,
              new JsonObject().put("userIds", new JsonArray().add(account.id())))
          .timeout(TestSystem.WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet().body()
          .getJsonArray("users").getJsonObject(0).getString("status");
      if ("available".equals(status)) {
        return;
      }
      sleep(100);
    }
    throw new AssertionError(account.displayName() + " never came online");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void theme(Browser browser, String theme) {
    browser.openUserMenu();
    browser.click(By.cssSelector("[data-theme-choice=" + theme + "]"));
    browser.until(d -> theme.equals(browser.script("return document.documentElement.dataset.theme")), theme);
  }

  private static void shoot(Browser browser, String name) {
    browser.screenshot(SCREENSHOTS.resolve(name));
  }

  private static void phone(Browser browser, boolean phone) {
    browser.driver().manage().window().setSize(phone ? new Dimension(390, 844) : new Dimension(1280, 800));
  }

  /** Whether an element lies within the viewport's width. */
  private static boolean fitsWidth(Browser browser, String selector) {
    return (Boolean) browser.script("const e = document.querySelector(arguments[0]); if (!e) return false;"
        + "const r = e.getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth;", selector);
  }

  @Test
  @DisplayName("A mention in a chat Bob does not have open shows him a toast with Alice's text; clicking it opens "
      + "the chat at the message")
  void a_mention_shows_a_toast_that_opens_the_chat() {
    Pair pair = pair();
    Browser b = pair.b();
    awaitOnline(pair.bob());
    send(pair.alice(), pair.launch(), "@" + pair.bob().username() + " the <b>release</b> is ready for review");

    WebElement toast = awaitToast(b, pair.launch());
    assertThat(toast.findElement(By.cssSelector(".notify-toast-title")).getText()).isEqualTo("Alice in #launch");
    assertThat(toast.findElement(By.cssSelector(".notify-toast-body")).getText())
        .contains("the <b>release</b> is ready for review");
    assertThat(b.script("return document.querySelectorAll('.notify-toast b').length")).as("text, not HTML")
        .isEqualTo(0L);
    shoot(b, "notifications-toast-light.png");
    phone(b, true);
    assertThat(fitsWidth(b, ".notify-toast")).as("the toast fits a phone").isTrue();
    shoot(b, "notifications-toast-phone.png");
    phone(b, false);

    // Held while the pointer is on it: still there after its 5 s.
    new Actions(b.driver()).moveToElement(toast).perform();
    sleep(5_500);
    assertThat(b.driver().findElements(By.cssSelector(".notify-toast"))).as("kept while hovered").hasSize(1);
    b.script("document.documentElement.dataset.theme = 'dark'");
    shoot(b, "notifications-toast-dark.png");
    b.script("document.documentElement.dataset.theme = 'light'");

    String messageId = toast.getDomAttribute("data-message-id");
    toast.findElement(By.cssSelector(".notify-toast-main")).click();
    b.until(d -> "launch".equals(b.activeChatTitle()), "#launch open");
    b.until(d -> !d.findElements(By.cssSelector("article.message[data-message-id='" + messageId + "']")).isEmpty(),
        "the message shown");
    b.until(d -> d.findElements(By.cssSelector(".notify-toast")).isEmpty(), "the toast gone once clicked");
  }

  @Test
  @DisplayName("With Bob's tab hidden, a mention makes the page hand the browser a desktop notification with its "
      + "title and text")
  void a_mention_while_the_tab_is_hidden_is_a_desktop_notification() {
    Pair pair = pair();
    Browser b = pair.b();
    awaitOnline(pair.bob());
    b.script("window.__hidden = true; document.dispatchEvent(new Event('visibilitychange'));");
    sleep(500); // the page tells the server it shows no chat now (chat.focus null)
    send(pair.alice(), pair.general(), "@" + pair.bob().username() + " can you look at the failing build?");

    b.until(d -> !((List<?>) b.script("return window.__notifications")).isEmpty(), "a desktop notification");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> shown = (List<Map<String, Object>>) b.script("return window.__notifications");
    assertThat(shown).singleElement().satisfies(notification -> {
      assertThat(notification.get("title")).isEqualTo("Alice in #general");
      assertThat((String) notification.get("body")).contains("can you look at the failing build?");
      assertThat(notification.get("tag")).isEqualTo(pair.general());
    });
  }

  @Test
  @DisplayName("A chat set to notify of nothing in its bell menu shows no toast, while other chats still do")
  void a_chat_set_to_nothing_shows_no_toast() {
    Pair pair = pair();
    Browser b = pair.b();
    String random = server.channel(pair.alice(), pair.workspaceId(), "random");
    server.joinChat(pair.bob(), random);
    b.openChat("launch");
    b.click(By.cssSelector(".chat-header .chat-notify-button"));
    b.waitFor(By.cssSelector(".chat-notify-menu [data-level=nothing]:not([disabled])"));
    shoot(b, "notifications-chat-menu-light.png");
    b.click(By.cssSelector(".chat-notify-menu [data-level=nothing]:not([disabled])"));
    b.until(d -> "nothing".equals(d.findElement(By.cssSelector(".chat-header .chat-notify-button"))
        .getDomAttribute("data-level")), "the bell says nothing");
    assertThat(server.expect(200, HttpMethod.GET, "/chats/" + pair.launch() + "/notification-settings",
        pair.bob().token(), null).getString("level")).isEqualTo("nothing");
    b.keys(org.openqa.selenium.Keys.ESCAPE);
    b.openChat("general");
    b.chatLink("random");
    awaitOnline(pair.bob());

    send(pair.alice(), pair.launch(), "@" + pair.bob().username() + " launch news");
    send(pair.alice(), random, "@" + pair.bob().username() + " random news");
    awaitToast(b, random);
    sleep(300);
    @SuppressWarnings("unchecked")
    List<String> toasted = (List<String>) b.script("return window.__toasts");
    assertThat(toasted).contains(random).doesNotContain(pair.launch());
  }

  @Test
  @DisplayName("An urgent message is a banner for Bob that stays across a reload until he acknowledges it; Alice "
      + "sees \"Seen by Bob\" on her message")
  void an_urgent_message_stays_until_acknowledged_and_the_sender_sees_it() {
    Pair pair = pair();
    Browser a = pair.a();
    Browser b = pair.b();
    awaitOnline(pair.bob());
    a.click(By.cssSelector(".chat-pane .urgent-toggle"));
    assertThat(a.waitFor(By.cssSelector(".chat-pane .urgent-toggle")).getDomAttribute("aria-pressed")).isEqualTo("true");
    a.send("Production is down, all hands please");
    a.awaitMessage("Production is down, all hands please");
    a.waitFor(By.cssSelector("article.message.urgent[data-message-id] .urgent-tag"));
    assertThat(a.waitFor(By.cssSelector(".chat-pane .urgent-toggle")).getDomAttribute("aria-pressed"))
        .as("the next message is normal again").isEqualTo("false");

    WebElement banner = b.waitFor(By.cssSelector(".urgent-banner"));
    assertThat(banner.getText()).contains("Alice").contains("Production is down, all hands please");
    shoot(b, "notifications-urgent-light.png");
    phone(b, true);
    assertThat(fitsWidth(b, ".urgent-banner")).as("the banner fits a phone").isTrue();
    assertThat(fitsWidth(b, ".urgent-banner .urgent-ack")).as("its button too").isTrue();
    shoot(b, "notifications-urgent-phone.png");
    phone(b, false);
    theme(b, "dark");
    b.keys(org.openqa.selenium.Keys.ESCAPE);
    shoot(b, "notifications-urgent-dark.png");

    b.reload();
    b.awaitConnected();
    b.waitFor(By.cssSelector(".urgent-banner"));
    assertThat(a.waitFor(By.cssSelector(".ack-line")).getText()).isEqualTo("Not acknowledged yet");

    b.click(By.cssSelector(".urgent-banner [data-action=acknowledge]"));
    b.until(d -> d.findElements(By.cssSelector(".urgent-banner")).isEmpty(), "the banner gone");
    a.until(d -> "Seen by Bob".equals(d.findElement(By.cssSelector(".ack-line")).getText()), "Seen by Bob");
    shoot(a, "notifications-acked-light.png");
    b.reload();
    b.awaitConnected();
    sleep(1000);
    assertThat(b.driver().findElements(By.cssSelector(".urgent-banner"))).as("not again after a reload").isEmpty();
  }

  @Test
  @DisplayName("Pausing notifications for an hour from the user menu shows on Bob's avatar, in his other window too, "
      + "until he resumes them")
  void pausing_notifications_shows_on_the_avatar_everywhere() {
    Pair pair = pair();
    Browser b = pair.b();
    Browser other = open("Bob's other window", pair.bob());
    other.awaitConnected();
    b.openUserMenu();
    b.click(By.cssSelector(".menu [data-action=pause]"));
    shoot(b, "notifications-dnd-menu-light.png");
    b.click(By.cssSelector(".menu [data-pause='1h']"));

    By pausedDot = By.cssSelector(".sidebar .me .presence-dot[data-dnd=true]");
    b.waitFor(pausedDot);
    other.waitFor(pausedDot);
    JsonObject settings = server.expect(200, HttpMethod.GET, "/users/me/notification-settings", pair.bob().token(),
        null).getJsonObject("settings");
    assertThat(settings.getBoolean("dndActive")).isTrue();
    assertThat(settings.getJsonObject("dnd").getString("until")).isNotNull();

    theme(b, "dark");
    b.openUserMenu();
    b.click(By.cssSelector(".menu [data-action=pause]"));
    shoot(b, "notifications-dnd-menu-dark.png");
    b.click(By.cssSelector(".menu [data-action=resume]"));
    b.until(d -> d.findElements(pausedDot).isEmpty(), "resumed");
    other.until(d -> d.findElements(pausedDot).isEmpty(), "resumed in the other window");

    b.openUserMenu();
    b.click(By.cssSelector(".menu [data-action=schedule]"));
    WebElement zone = b.waitFor(By.cssSelector(".schedule-form select[name=timeZone]"));
    assertThat(zone.getDomProperty("value"))
        .isEqualTo(b.script("return Intl.DateTimeFormat().resolvedOptions().timeZone"));
    shoot(b, "notifications-schedule-dark.png");
    b.click(By.cssSelector(".schedule-form button[type=submit]"));
    b.until(d -> d.findElements(By.cssSelector(".schedule-form")).isEmpty(), "saved");
    JsonObject schedule = server.expect(200, HttpMethod.GET, "/users/me/notification-settings", pair.bob().token(),
        null).getJsonObject("settings").getJsonObject("schedule");
    assertThat(schedule.getJsonArray("days").getList()).containsExactly("mon", "tue", "wed", "thu", "fri");
    assertThat(schedule.getString("start")).isEqualTo("18:00");
  }

  @Test
  @DisplayName("The service worker is served as JavaScript under the page's policy and registered at the root scope")
  void the_service_worker_is_registered_at_the_root_scope() {
    Account bob = server.register("Bob");
    Browser b = open("Bob", bob);
    Object registered = b.driver().executeAsyncScript("""
        const done = arguments[0];
        navigator.serviceWorker.ready.then(r => done(r.scope + ' ' + (r.active || r.waiting || r.installing).scriptURL),
          e => done('failed: ' + e));""");
    assertThat(registered).isEqualTo(server.baseUrl() + "/ " + server.baseUrl() + "/sw.js");
    @SuppressWarnings("unchecked")
    Map<String, Object> served = (Map<String, Object>) b.driver().executeAsyncScript("""
        const done = arguments[0];
        fetch('/sw.js').then(r => done({ type: r.headers.get('content-type'),
          policy: r.headers.get('content-security-policy') }), e => done({ type: 'failed: ' + e }));""");
    assertThat((String) served.get("type")).matches("(application|text)/javascript.*");
    assertThat((String) served.get("policy")).contains("default-src 'self'");
  }

  @Test
  @DisplayName("Permission for desktop notifications is asked only when the user clicks Enable in the bar that "
      + "explains it, never at load")
  void permission_is_asked_only_from_the_enable_bar() {
    Account bob = server.register("Bob");
    server.workspace(bob, List.of());
    Browser b = open("Bob", bob, """
        window.__asked = 0;
        window.Notification.permission = 'default';
        window.Notification.requestPermission = () => {
          window.__asked += 1;
          window.Notification.permission = 'granted';
          return Promise.resolve('granted');
        };
        """);
    b.awaitConnected();
    WebElement bar = b.waitFor(By.cssSelector(".desktop-bar"));
    assertThat(bar.getText()).contains("Get notified of mentions");
    sleep(500);
    assertThat(b.script("return window.__asked")).as("not asked at load").isEqualTo(0L);
    shoot(b, "notifications-desktop-bar-light.png");

    b.click(By.cssSelector(".desktop-bar [data-action=enable-desktop]"));
    b.until(d -> d.findElements(By.cssSelector(".desktop-bar")).isEmpty(), "the bar gone once granted");
    assertThat(b.script("return window.__asked")).isEqualTo(1L);
  }

  @Test
  @DisplayName("Muting a chat from its bell dims it in the sidebar with a crossed bell, in Bob's other window too")
  void a_muted_chat_is_dimmed_in_the_sidebar() {
    Pair pair = pair();
    Browser b = pair.b();
    Browser other = open("Bob's other window", pair.bob());
    other.awaitConnected();
    b.openChat("launch");
    b.click(By.cssSelector(".chat-header .chat-notify-button"));
    b.click(By.cssSelector(".chat-notify-menu [data-action=mute]:not([disabled])"));
    b.until(d -> "true".equals(d.findElement(By.cssSelector(".chat-header .chat-notify-button"))
        .getDomAttribute("data-muted")), "the bell says muted");
    b.keys(org.openqa.selenium.Keys.ESCAPE);
    b.openChat("general");
    By mutedLaunch = By.cssSelector(".chat-link.muted[data-chat-id='" + pair.launch() + "'] .muted-icon");
    b.waitFor(mutedLaunch);
    other.waitFor(mutedLaunch);
    assertThat(b.driver().findElements(By.cssSelector(".chat-link.muted"))).hasSize(1);
    assertThat(b.chatLink("launch").getDomAttribute("aria-label")).endsWith(", muted");
    shoot(b, "notifications-muted-light.png");
  }
}
