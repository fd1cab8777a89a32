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
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Emoji in real headless Chromium (issue #19): the picker of the composer and of reactions (search, skin tone,
 * recently used), {@code :shortcode:} completion in the composer and a typed {@code :shortcode:} sent as its emoji.
 */
@DisplayName("Web client: emoji")
class EmojiWebClientTest {
  private static final Dimension PHONE = new Dimension(390, 844);
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

  private record Team(Account alice, Account bob, String workspaceId, String generalId) {
  }

  /** Alice's workspace, which Bob joined by invite. */
  static Team team(TestSystem server) {
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

  private Browser browser(Account account, Dimension size) {
    Browser browser = Browser.open(server.baseUrl(), account.displayName());
    browsers.add(browser);
    browser.signInWith(account);
    browser.openChat("general");
    browser.awaitConnected();
    browser.driver().manage().window().setSize(size);
    return browser;
  }

  /** Opens the composer's picker and waits for its emoji. */
  private static WebElement openComposerPicker(Browser browser) {
    browser.click(By.cssSelector(".chat-pane .composer .emoji-button"));
    browser.waitFor(By.cssSelector(".emoji-picker[data-loaded=true] .emoji"));
    return browser.waitFor(By.cssSelector(".emoji-picker .emoji-search"));
  }

  private static String composerText(Browser browser) {
    return browser.composer().getDomProperty("value");
  }

  private static boolean pickerOpen(Browser browser) {
    return !browser.driver().findElements(By.cssSelector(".emoji-picker")).isEmpty();
  }

  @Test
  void the_emoji_table_is_fetched_only_when_the_picker_opens() {
    Browser a = browser(team(server).alice(), DESKTOP);
    String fetched = "return performance.getEntriesByType('resource').some(e => e.name.includes('emoji.json'));";
    assertThat(a.script(fetched)).as("fetched with the page").isEqualTo(false);

    openComposerPicker(a);
    assertThat(a.script(fetched)).as("fetched when the picker opens").isEqualTo(true);
  }

  @Test
  void a_search_in_the_picker_and_Enter_put_the_emoji_in_the_composer() {
    Browser a = browser(team(server).alice(), DESKTOP);
    a.composer().sendKeys("ship it ");
    WebElement search = openComposerPicker(a);
    search.sendKeys("tada");
    a.until(d -> "🎉".equals(d.findElement(By.cssSelector(".emoji-picker .emoji.selected")).getDomAttribute("data-emoji")),
        "🎉 found first");
    search.sendKeys(Keys.ENTER);

    a.until(d -> !pickerOpen(a), "the picker closes");
    assertThat(composerText(a)).isEqualTo("ship it 🎉");
  }

  @Test
  void arrows_move_through_the_emoji_and_Escape_closes_the_picker() {
    Browser a = browser(team(server).alice(), DESKTOP);
    WebElement search = openComposerPicker(a);
    List<WebElement> cells = a.driver().findElements(By.cssSelector(".emoji-picker .emoji"));
    String second = cells.get(1).getDomAttribute("data-emoji");
    String below = cells.get(9).getDomAttribute("data-emoji");
    search.sendKeys(Keys.ARROW_RIGHT);
    a.until(d -> second.equals(d.findElement(By.cssSelector(".emoji-picker .emoji.selected")).getDomAttribute("data-emoji")),
        "right: the second");
    search.sendKeys(Keys.ARROW_DOWN);
    a.until(d -> below.equals(d.findElement(By.cssSelector(".emoji-picker .emoji.selected")).getDomAttribute("data-emoji")),
        "down: the one below it");
    search.sendKeys(Keys.ESCAPE);
    a.until(d -> !pickerOpen(a), "Esc closes the picker");
    assertThat(composerText(a)).isEmpty();
  }

  @Test
  void a_reaction_chosen_in_the_picker_shows_in_the_other_window() {
    Team team = team(server);
    post(team.bob(), team.generalId(), "we shipped");
    Browser a = browser(team.alice(), DESKTOP);
    Browser b = browser(team.bob(), DESKTOP);
    WebElement message = a.awaitMessage("we shipped");
    new Actions(a.driver()).moveToElement(message).perform();
    message.findElement(By.cssSelector("button[aria-label='Add reaction']")).click();
    a.waitFor(By.cssSelector(".emoji-picker[data-loaded=true] .emoji-search")).sendKeys("rocket");
    a.click(By.cssSelector(".emoji-picker .emoji[data-emoji='🚀']"));

    b.until(d -> d.findElements(By.cssSelector(".message .reaction")).stream()
        .anyMatch(r -> r.getText().contains("🚀") && r.getText().contains("1")), "Bob sees 🚀 1");
  }

  @Test
  void a_skin_tone_applies_to_the_emoji_that_have_tones_and_is_remembered() {
    Browser a = browser(team(server).alice(), DESKTOP);
    WebElement search = openComposerPicker(a);
    a.click(By.cssSelector(".emoji-picker .emoji-tone-button"));
    a.click(By.cssSelector(".emoji-picker .emoji-tone[data-tone='3']"));
    search.sendKeys("thumbs up");
    a.until(d -> "👍".equals(d.findElement(By.cssSelector(".emoji-picker .emoji.selected")).getDomAttribute("data-emoji")),
        "thumbs up found");
    search.sendKeys(Keys.ENTER);
    a.until(d -> "👍🏽".equals(composerText(a)), "a medium-toned thumbs up in the composer");

    a.reload();
    a.waitFor(By.cssSelector(".layout"));
    a.composer().clear();
    openComposerPicker(a).sendKeys("thumbs up");
    a.until(d -> "👍🏽".equals(d.findElement(By.cssSelector(".emoji-picker .emoji.selected")).getText()),
        "the tone is remembered after a reload");
    assertThat(a.waitFor(By.cssSelector(".emoji-picker .emoji-tone-button")).getDomAttribute("aria-label"))
        .isEqualTo("Skin tone: medium");
  }

  @Test
  void the_emoji_used_last_are_listed_first() {
    Browser a = browser(team(server).alice(), DESKTOP);
    for (String name : List.of("rocket", "tada")) {
      WebElement search = openComposerPicker(a);
      search.sendKeys(name);
      a.until(d -> !d.findElements(By.cssSelector(".emoji-picker .emoji.selected")).isEmpty(), name + " found");
      search.sendKeys(Keys.ENTER);
      a.until(d -> !pickerOpen(a), "picked " + name);
    }

    openComposerPicker(a);
    WebElement first = a.waitFor(By.cssSelector(".emoji-picker .emoji-section"));
    assertThat(first.getDomAttribute("data-section")).isEqualTo("recent");
    assertThat(first.findElements(By.cssSelector(".emoji")).stream().map(e -> e.getDomAttribute("data-emoji")).toList())
        .startsWith("🎉", "🚀");
  }

  @Test
  void a_colon_and_two_letters_offer_emoji_and_Enter_takes_the_first() {
    Browser a = browser(team(server).alice(), DESKTOP);
    a.composer().sendKeys("good :thu");
    a.until(d -> "👍".equals(d.findElement(By.cssSelector(".emoji-completion li.selected")).getDomAttribute("data-emoji")),
        "👍 offered first");
    a.composer().sendKeys(Keys.ENTER);
    a.until(d -> "good 👍".equals(composerText(a)), "👍 put in place of :thu");
    a.composer().sendKeys(Keys.ENTER);
    a.awaitMessage("good 👍");
  }

  @Test
  void a_typed_shortcode_is_sent_as_its_emoji() {
    Team team = team(server);
    Browser a = browser(team.alice(), DESKTOP);
    Browser b = browser(team.bob(), DESKTOP);
    a.composer().sendKeys("we did it :tada: :not_an_emoji:");
    a.composer().sendKeys(Keys.ENTER);

    b.awaitMessage("we did it 🎉 :not_an_emoji:");
  }

  /** target/screenshots/emoji-picker-*.png: the picker at 1280×800 and 390×844, light and dark. */
  @Test
  void screenshots_of_the_picker() {
    Team team = team(server);
    post(team.bob(), team.generalId(), "Lunch at noon? 🍕");
    Path directory = Path.of("target", "screenshots");
    for (Dimension size : List.of(DESKTOP, PHONE)) {
      Browser a = browser(team.alice(), size);
      a.awaitMessage("Lunch at noon? 🍕");
      for (String theme : List.of("light", "dark")) {
        a.script("document.documentElement.dataset.theme = arguments[0];", theme);
        openComposerPicker(a).sendKeys(Keys.ARROW_DOWN);
        a.screenshot(directory.resolve("emoji-picker-" + size.getWidth() + "-" + theme + ".png"));
        a.keys(Keys.ESCAPE);
        a.until(d -> !pickerOpen(a), "closed");
      }
    }
  }
}
