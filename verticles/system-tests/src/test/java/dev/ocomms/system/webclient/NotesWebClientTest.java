package dev.ocomms.system.webclient;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.notes.NotesVerticle;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The notes panel in real headless Chromium against the whole server with the notes verticle: two people editing
 * one channel note at once (a merge, then a conflict), hostile markdown in its preview, its revisions, the personal
 * note. A system of its own: the bridge tests register a fake {@code notes.get} consumer on theirs. Skipped, loudly,
 * where no Chromium is installed, as {@link WebClientTest} is.
 */
@DisplayName("Notes panel in Chromium")
class NotesWebClientTest {
  private static final String FIRST_VERSION = "Release checklist\nfreeze the branch\nrun the bench\ntag it\nannounce\n";
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private static TestSystem server;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startServer() {
    if (!Browser.available()) {
      System.err.println("SKIPPING the notes panel's end-to-end tests: no Chromium at " + Browser.CHROMIUM
          + " or no chromedriver at " + Browser.CHROMEDRIVER + " (apt-get install -y chromium chromium-driver)");
      return;
    }
    server = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
        .deploy(NotesVerticle::new).deploy(GatewayVerticle::new)
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

  /** Alice and Bob in a workspace of their own, each in a browser showing #general, whose note Alice wrote. */
  private record Pair(Account alice, Account bob, String workspaceId, String chatId, Browser a, Browser b) {
  }

  private Pair pair() {
    Account alice = server.register("Alice");
    Account bob = server.register("Bob");
    String workspaceId = server.workspace(alice, List.of(bob));
    String chatId = server.general(alice, workspaceId);
    saveNote(alice, chatId, FIRST_VERSION, 0);
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
    return new Pair(alice, bob, workspaceId, chatId, a, b);
  }

  private static JsonObject saveNote(Account author, String chatId, String content, long expectedVersion) {
    return server.expect(200, HttpMethod.PUT, "/chats/" + chatId + "/note", author.token(),
        new JsonObject().put("content", content).put("expectedVersion", expectedVersion));
  }

  private static JsonObject note(Account reader, String chatId) {
    return server.expect(200, HttpMethod.GET, "/chats/" + chatId + "/note", reader.token(), null);
  }

  // The panel, as a person uses it

  private static void openNotes(Browser browser) {
    browser.click(By.cssSelector(".chat-header .notes-button"));
    awaitReady(browser);
  }

  private static void awaitReady(Browser browser) {
    browser.until(d -> !d.findElements(By.cssSelector(".notes-panel .notes-save")).isEmpty(), "note loaded");
  }

  private static String editorText(Browser browser) {
    return (String) browser.script("return document.querySelector('.notes-panel .notes-textarea')?.value ?? null;");
  }

  private static String saveState(Browser browser) {
    return browser.waitFor(By.cssSelector(".notes-panel .notes-save")).getDomAttribute("data-save");
  }

  /** Waits until what was typed is saved. */
  private static void awaitSaved(Browser browser) {
    browser.until(d -> "saved".equals(saveState(browser)), "note saved");
  }

  /** Types {@code text} at the start of line {@code line} (1-based) of the note, with the keyboard. */
  private static void typeAtLine(Browser browser, int line, String text) {
    WebElement area = browser.waitFor(By.cssSelector(".notes-panel .notes-textarea"));
    area.click();
    Actions keys = new Actions(browser.driver()).keyDown(Keys.CONTROL).sendKeys(Keys.HOME).keyUp(Keys.CONTROL);
    for (int i = 1; i < line; i++) {
      keys = keys.sendKeys(Keys.DOWN);
    }
    keys.sendKeys(text).perform();
  }

  /** Types {@code text} at the very end of the note. */
  private static void typeAtEnd(Browser browser, String text) {
    WebElement area = browser.waitFor(By.cssSelector(".notes-panel .notes-textarea"));
    area.click();
    new Actions(browser.driver()).keyDown(Keys.CONTROL).sendKeys(Keys.END).keyUp(Keys.CONTROL).sendKeys(text).perform();
  }

  private static void mode(Browser browser, String mode) {
    browser.click(By.cssSelector(".notes-panel [data-mode=" + mode + "]"));
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

  @Test
  @DisplayName("Two people edit one channel note from the same version: different lines merge (the second is told), "
      + "the same line shows the conflict view, and keeping one's own text saves it as a new version")
  void concurrent_edits_merge_or_show_the_conflict() {
    Pair pair = pair();
    Browser a = pair.a();
    Browser b = pair.b();
    openNotes(a);
    openNotes(b);
    a.until(d -> FIRST_VERSION.equals(editorText(a)), "Alice sees the note");
    b.until(d -> FIRST_VERSION.equals(editorText(b)), "Bob sees the note");
    shoot(a, "notes-split-light.png");
    b.until(d -> "Alice is editing".equals(d.findElement(By.cssSelector(".notes-panel .notes-editing")).getText()),
        "Bob sees that Alice is editing");

    // Both type before either pause ends: Alice's save is stored first, Bob's (still from version 1) is merged.
    typeAtLine(a, 1, "[A] ");
    typeAtEnd(b, "Bob: check the docs\n");
    b.waitFor(By.cssSelector(".notes-panel .notes-merged"));
    awaitSaved(b);
    String merged = "[A] Release checklist\nfreeze the branch\nrun the bench\ntag it\nannounce\nBob: check the docs\n";
    assertThat(editorText(b)).isEqualTo(merged);
    assertThat(b.waitFor(By.cssSelector(".notes-merged")).getText()).contains("Merged");
    a.until(d -> merged.equals(editorText(a)), "Alice's editor reads the merged note in");
    assertThat(a.driver().findElements(By.cssSelector(".notes-panel .notes-merged"))).isEmpty();
    assertThat(note(pair.alice(), pair.chatId()).getString("content")).isEqualTo(merged);
    shoot(b, "notes-merged-light.png");

    // Both change line 2 from the same version: the second save overlaps the first.
    typeAtLine(a, 2, "Alice: ");
    typeAtLine(b, 2, "Bob: ");
    b.waitFor(By.cssSelector(".notes-panel .notes-conflict"));
    String theirs = b.waitFor(By.cssSelector(".notes-conflict-text.theirs pre")).getText();
    String mine = b.waitFor(By.cssSelector(".notes-conflict-text.mine pre")).getText();
    assertThat(theirs).contains("Alice: freeze the branch").doesNotContain("Bob: freeze");
    assertThat(mine).contains("Bob: freeze the branch").doesNotContain("Alice: freeze");
    assertThat(b.driver().findElements(By.cssSelector(".notes-conflict-text.mine .conflict-line.differs")))
        .extracting(WebElement::getText).singleElement().asString().contains("Bob: freeze the branch");
    assertThat(b.driver().findElements(By.cssSelector(".notes-conflict [data-choice]")))
        .extracting(button -> button.getDomAttribute("data-choice"))
        .containsExactly("keep-mine", "take-theirs", "copy-mine");
    assertThat(note(pair.bob(), pair.chatId()).getString("content")).as("nothing overwritten")
        .contains("Alice: freeze the branch");
    shoot(b, "notes-conflict-light.png");
    phone(b, true);
    shoot(b, "notes-conflict-phone.png");
    phone(b, false);

    // Copying my text puts exactly it on the clipboard.
    b.driver().executeCdpCommand("Browser.grantPermissions", Map.of("origin", server.baseUrl(),
        "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
    b.click(By.cssSelector(".notes-conflict [data-choice=copy-mine]"));
    b.until(d -> d.findElement(By.cssSelector(".notes-conflict [role=status]")).getText()
        .equals("Your text is on the clipboard."), "copied");
    Object copied = b.driver().executeAsyncScript(
        "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('unreadable: ' + e));");
    assertThat(copied).isEqualTo(merged.replace("freeze the branch", "Bob: freeze the branch"));

    b.click(By.cssSelector(".notes-conflict [data-choice=keep-mine]"));
    b.until(d -> d.findElements(By.cssSelector(".notes-conflict")).isEmpty(), "conflict resolved");
    awaitSaved(b);
    b.until(d -> String.valueOf(editorText(b)).contains("Bob: freeze the branch"), "Bob's text in his editor");
    assertThat(note(pair.alice(), pair.chatId()).getString("content")).contains("Bob: freeze the branch");
    a.until(d -> String.valueOf(editorText(a)).contains("Bob: freeze the branch"),
        "Alice's editor reads Bob's version in");
  }

  @Test
  @DisplayName("Hostile markdown in a note renders inert in the preview: no script runs, no handler or "
      + "javascript: link reaches the page")
  void hostile_markdown_in_a_note_renders_inert() {
    Pair pair = pair();
    Browser b = pair.b();
    openNotes(b);
    String hostile = String.join("\n\n", List.of(
        "# Hostile note",
        "<img src=x onerror=\"window.__pwned = 'img'\">",
        "<script>window.__pwned = 'script'</script>",
        "[click me](javascript:window.__pwned='link')",
        "<a href=\"javascript:window.__pwned='a'\">html link</a>",
        "<iframe src=\"javascript:parent.__pwned='frame'\"></iframe>",
        "![x](x\" onerror=\"window.__pwned='attr')",
        "<svg><animate onbegin=\"window.__pwned='svg'\" attributeName=x dur=1s>",
        "**bold** and [a real link](https://example.org)"));
    saveNote(pair.alice(), pair.chatId(), hostile, note(pair.alice(), pair.chatId()).getLong("version"));
    b.until(d -> hostile.equals(editorText(b)), "Bob's editor reads the note in");
    mode(b, "preview");
    WebElement preview = b.waitFor(By.cssSelector(".notes-panel .notes-preview"));
    b.until(d -> preview.getText().contains("a real link"), "preview rendered");

    assertThat(b.script("return document.querySelectorAll('.notes-preview :is(script, img, iframe, svg, animate, "
        + "object, embed)').length")).isEqualTo(0L);
    assertThat(b.script("return [...document.querySelectorAll('.notes-preview *')].flatMap(e => [...e.attributes])"
        + ".filter(a => a.name.startsWith('on')).length")).isEqualTo(0L);
    List<WebElement> links = b.driver().findElements(By.cssSelector(".notes-preview a"));
    assertThat(links).isNotEmpty();
    links.forEach(link -> assertThat(String.valueOf(link.getDomAttribute("href"))).as("link target")
        .doesNotContainIgnoringCase("javascript"));
    for (WebElement link : links) {
      if (link.getDomAttribute("href") == null) {
        link.click();
      }
    }
    assertThat(preview.getText()).contains("<script>window.__pwned = 'script'</script>");
    assertThat(preview.findElement(By.cssSelector("strong")).getText()).isEqualTo("bold");
    assertThat(b.script("return window.__pwned === undefined")).isEqualTo(true);
    shoot(b, "notes-preview-light.png");
  }

  @Test
  @DisplayName("Revisions: listed with who and how, one shown with its diff marked by signs, restored after an "
      + "in-app confirmation as a new version; the dot shows a note changed since it was read")
  void revisions_show_their_diff_and_restore_as_a_new_version() {
    Pair pair = pair();
    Browser a = pair.a();
    Browser b = pair.b();
    saveNote(pair.alice(), pair.chatId(), FIRST_VERSION.replace("run the bench", "run the bench twice")
        + "celebrate\n", 1);
    b.until(d -> "true".equals(d.findElement(By.cssSelector(".chat-header .notes-button"))
        .getDomAttribute("data-changed")), "Bob's notes button shows the dot");
    assertThat(b.waitFor(By.cssSelector(".chat-header .notes-button")).getDomAttribute("aria-label"))
        .contains("changed since you last read");
    shoot(b, "notes-dot-light.png");
    phone(b, true);
    shoot(b, "notes-dot-phone.png");
    phone(b, false);
    openNotes(b);
    b.until(d -> "false".equals(d.findElement(By.cssSelector(".chat-header .notes-button"))
        .getDomAttribute("data-changed")), "read: the dot goes");

    mode(b, "history");
    b.click(By.cssSelector(".notes-revision[data-version='1']"));
    WebElement diff = b.waitFor(By.cssSelector(".notes-diff"));
    assertThat(diff.findElements(By.cssSelector(".diff-line.removed"))).extracting(WebElement::getText)
        .anySatisfy(text -> assertThat(text).contains("run the bench").doesNotContain("twice"));
    assertThat(diff.findElements(By.cssSelector(".diff-line.added"))).extracting(WebElement::getText)
        .anySatisfy(text -> assertThat(text).contains("celebrate"));
    assertThat(b.script("return [...document.querySelectorAll('.diff-line.added .visually-hidden')]"
        + ".every(e => e.textContent === 'added: ')")).isEqualTo(true);
    assertThat(b.waitFor(By.cssSelector(".notes-revision[data-version='2']")).getText()).contains("Alice");
    shoot(b, "notes-revisions-light.png");
    phone(b, true);
    shoot(b, "notes-revisions-phone.png");
    phone(b, false);

    b.click(By.cssSelector(".notes-panel [data-action=restore]"));
    b.click(By.cssSelector(".confirm-dialog [data-action=confirm]"));
    b.until(d -> d.findElements(By.cssSelector(".modal")).isEmpty(), "confirmation closed");
    b.until(d -> !d.findElements(By.cssSelector(".notes-revision[data-version='3']")).isEmpty(), "a new revision");
    assertThat(b.waitFor(By.cssSelector(".notes-revision[data-version='3']")).getText()).contains("restored v1");
    JsonObject restored = note(pair.alice(), pair.chatId());
    assertThat(restored.getString("content")).isEqualTo(FIRST_VERSION);
    assertThat(restored.getLong("version")).isEqualTo(3L);
    mode(b, "edit");
    b.until(d -> FIRST_VERSION.equals(editorText(b)), "Bob's editor shows the restored text");
    openNotes(a);
    a.until(d -> FIRST_VERSION.equals(editorText(a)), "Alice reads the restored note");
  }

  @Test
  @DisplayName("The personal note opens from the user menu and is saved for its owner alone; the panel in both "
      + "themes, at desktop and phone width")
  void the_personal_note_and_the_panel_in_both_themes_and_at_phone_width() {
    Pair pair = pair();
    Browser a = pair.a();
    a.openUserMenu();
    a.click(By.cssSelector("[data-action=personal-note]"));
    a.waitFor(By.cssSelector(".notes-panel[data-note=personal]"));
    awaitReady(a);
    typeAtEnd(a, "# My scratchpad\n- [ ] reply to **Bob**\n");
    awaitSaved(a);
    assertThat(a.script("return document.querySelectorAll('.notes-preview input[type=checkbox][disabled]').length"))
        .as("the task list's checkbox").isEqualTo(1L);
    shoot(a, "notes-personal-light.png");
    JsonObject personal = server.expect(200, HttpMethod.GET, "/workspaces/" + pair.workspaceId() + "/note",
        pair.alice().token(), null);
    assertThat(personal.getString("content")).isEqualTo("# My scratchpad\n- [ ] reply to **Bob**\n");
    assertThat(server.expect(200, HttpMethod.GET, "/workspaces/" + pair.workspaceId() + "/note",
        pair.bob().token(), null).getString("content")).isEmpty();
    a.keys(Keys.ESCAPE);
    a.until(d -> d.findElements(By.cssSelector(".notes-panel")).isEmpty(), "Esc closes the panel");

    saveNote(pair.bob(), pair.chatId(), FIRST_VERSION.replace("tag it", "tag it (v1.0)") + "- [x] **ship it**\n", 1);
    openNotes(a);
    mode(a, "edit");
    shoot(a, "notes-edit-light.png");
    theme(a, "dark");
    mode(a, "split");
    shoot(a, "notes-split-dark.png");
    mode(a, "preview");
    shoot(a, "notes-preview-dark.png");
    mode(a, "history");
    a.click(By.cssSelector(".notes-revision[data-version='1']"));
    a.waitFor(By.cssSelector(".notes-diff"));
    shoot(a, "notes-revisions-dark.png");
    phone(a, true);
    shoot(a, "notes-revisions-phone-dark.png");
    mode(a, "split");
    shoot(a, "notes-split-phone-dark.png");
    phone(a, false);
    theme(a, "light"); // the panel covers the user menu on a phone
    phone(a, true);
    mode(a, "history");
    a.click(By.cssSelector(".notes-revision[data-version='1']"));
    a.waitFor(By.cssSelector(".notes-diff"));
    shoot(a, "notes-revisions-phone-light.png");
    mode(a, "edit");
    shoot(a, "notes-edit-phone-light.png");
    mode(a, "preview");
    shoot(a, "notes-preview-phone-light.png");
    phone(a, false);
  }
}
