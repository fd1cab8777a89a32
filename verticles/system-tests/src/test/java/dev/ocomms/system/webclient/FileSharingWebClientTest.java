package dev.ocomms.system.webclient;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.uploads.UploadsVerticle;
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

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Sharing files in the web client, in real headless Chromium against the whole server with the uploads verticle:
 * attach with visible progress, send, and the other person sees the picture; file cards, the lightbox, the chat's
 * files and avatars. Screenshots of each in both themes at desktop and phone width go to
 * {@code target/screenshots/files/}. Skipped, loudly, where no Chromium is installed.
 */
@DisplayName("File sharing in the web client (Chromium)")
class FileSharingWebClientTest {
  private static final Path SHOTS = Path.of("target", "screenshots", "files");
  private static final Dimension DESKTOP = new Dimension(1280, 800);
  private static final Dimension PHONE = new Dimension(390, 844);

  private static TestSystem server;
  private static Path files;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startServer() throws IOException {
    if (!Browser.available()) {
      System.err.println("SKIPPING the file sharing end-to-end tests: no Chromium at " + Browser.CHROMIUM
          + " or no chromedriver at " + Browser.CHROMEDRIVER + " (apt-get install -y chromium chromium-driver)");
      return;
    }
    server = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
        .deploy(UploadsVerticle::new).deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .start();
    files = Files.createTempDirectory("ocomms-browser-files-");
  }

  @BeforeEach
  void needsChromium() {
    assumeTrue(Browser.available(), "SKIPPED: Chromium and chromedriver are not installed");
  }

  @AfterAll
  static void stopServer() throws IOException {
    if (server != null) {
      server.close();
    }
    if (files != null) {
      try (var walked = Files.walk(files)) {
        for (Path file : walked.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  @AfterEach
  void closeBrowsers() {
    browsers.forEach(Browser::close);
    browsers.clear();
  }

  private Browser browser(String name) {
    Browser browser = Browser.open(server.baseUrl(), name);
    browsers.add(browser);
    return browser;
  }

  /** Alice and Bob in a workspace of their own, each in a browser showing #general. */
  private record Pair(Account alice, Account bob, Browser a, Browser b) {
  }

  private Pair pair() {
    Account alice = server.register("Alice");
    Account bob = server.register("Bob");
    String workspaceId = server.expect(201, HttpMethod.POST, "/workspaces", alice.token(),
        new JsonObject().put("name", "Files " + alice.username())).getJsonObject("workspace").getString("id");
    String code = server.expect(201, HttpMethod.POST, "/workspaces/" + workspaceId + "/invites", alice.token(),
        new JsonObject()).getString("code");
    server.expect(200, HttpMethod.POST, "/workspaces/join", bob.token(), new JsonObject().put("code", code));
    Browser a = browser("Alice");
    a.signInWith(alice);
    Browser b = browser("Bob");
    b.signInWith(bob);
    a.openChat("general");
    b.openChat("general");
    a.awaitConnected();
    b.awaitConnected();
    return new Pair(alice, bob, a, b);
  }

  // Files on disk for the file input

  /** A PNG of noise (so that it does not compress): width × height × 3 bytes, a few MB for a photo's size. */
  private static Path noisyPng(String name, int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setPaint(new GradientPaint(0, 0, new Color(0x4a3aff), width, height, new Color(0xf5a524)));
    g.fillRect(0, 0, width, height);
    g.dispose();
    Random random = new Random(42);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int rgb = image.getRGB(x, y);
        int noise = random.nextInt(48) - 24;
        int r = clamp(((rgb >> 16) & 0xff) + noise);
        int gr = clamp(((rgb >> 8) & 0xff) + noise);
        int b = clamp((rgb & 0xff) + noise);
        image.setRGB(x, y, (r << 16) | (gr << 8) | b);
      }
    }
    return write(name, image);
  }

  private static int clamp(int value) {
    return Math.max(0, Math.min(255, value));
  }

  /** A small square picture of one colour with a darker disc: an avatar. */
  private static Path avatarPng(String name) {
    BufferedImage image = new BufferedImage(300, 300, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(0x0e7490));
    g.fillRect(0, 0, 300, 300);
    g.setColor(new Color(0xf5a524));
    g.fillOval(60, 60, 180, 180);
    g.dispose();
    return write(name, image);
  }

  private static Path write(String name, BufferedImage image) {
    Path file = files.resolve(name);
    try {
      ImageIO.write(image, "png", file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static Path text(String name, String content) {
    try {
      return Files.writeString(files.resolve(name), content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // What a person does

  /** Chooses files in the composer's file input, as the attach button's dialog does. */
  private static void attach(Browser browser, Path... chosen) {
    WebElement input = browser.driver().findElement(By.cssSelector(".chat-pane .composer input.file-picker"));
    input.sendKeys(String.join("\n", java.util.Arrays.stream(chosen).map(Path::toString).toList()));
  }

  /** Uploads (and only uploads) go at about this many bytes a second, so that progress shows. */
  private static void slowUploads(Browser browser, int bytesPerSecond) {
    browser.driver().executeCdpCommand("Network.enable", Map.of());
    browser.driver().executeCdpCommand("Network.emulateNetworkConditions", Map.of(
        "offline", false, "latency", 0, "downloadThroughput", -1, "uploadThroughput", bytesPerSecond));
  }

  /** Records, from now on, whether a progress bar of an upload was ever in the page (however briefly). */
  private static void watchForProgressBars(Browser browser) {
    browser.script("""
        window.__progressSeen = !!document.querySelector('.upload-chip progress');
        new MutationObserver(() => {
          if (document.querySelector('.upload-chip progress')) window.__progressSeen = true;
        }).observe(document.body, { childList: true, subtree: true });""");
  }

  private static void theme(Browser browser, String theme) {
    browser.script("localStorage.setItem('ocomms.theme', arguments[0]);"
        + " document.documentElement.dataset.theme = arguments[0];", theme);
  }

  /** Screenshots of what the page shows now, light and dark, at desktop and phone width (then desktop, light). */
  private static void shots(Browser browser, String name) {
    for (String theme : List.of("light", "dark")) {
      theme(browser, theme);
      browser.driver().manage().window().setSize(DESKTOP);
      browser.screenshot(SHOTS.resolve(name + "-" + theme + ".png"));
      browser.driver().manage().window().setSize(PHONE);
      browser.screenshot(SHOTS.resolve(name + "-" + theme + "-phone.png"));
    }
    theme(browser, "light");
    browser.driver().manage().window().setSize(DESKTOP);
  }

  /** Whether an image shows a loaded object URL: fetched with the token, decoded, with pixels. */
  private static boolean showsLoadedBlob(Browser browser, String selector) {
    return Boolean.TRUE.equals(browser.script("""
        const img = document.querySelector(arguments[0]);
        return !!img && img.src.startsWith('blob:') && img.complete && img.naturalWidth > 0;""", selector));
  }

  @Test
  @DisplayName("Alice attaches a PNG and sees its upload progress; after she sends, Bob's window shows the picture")
  void an_image_uploaded_with_progress_shows_in_the_other_persons_window() {
    Pair pair = pair();
    Browser a = pair.a();
    Browser b = pair.b();
    Path photo = noisyPng("harbour.png", 1600, 1000);
    assertThat(photo.toFile().length()).as("a photo's size, to upload for a while").isGreaterThan(3_000_000L);

    watchForProgressBars(a);
    slowUploads(a, 1_500_000);
    attach(a, photo);
    a.waitFor(By.cssSelector(".upload-chip progress.upload-progress"));
    assertThat(a.waitFor(By.cssSelector(".upload-chip .file-name")).getText()).isEqualTo("harbour.png");
    shots(a, "composer-uploading");
    a.until(d -> !d.findElements(By.cssSelector(".upload-chip[data-status=done]")).isEmpty(), "upload done");
    slowUploads(a, -1);
    assertThat(a.script("return window.__progressSeen")).as("a progress bar was shown").isEqualTo(true);

    a.composer().sendKeys("The harbour this morning");
    a.click(By.cssSelector(".chat-pane button.send"));
    a.until(d -> d.findElements(By.cssSelector(".upload-chip")).isEmpty(), "composer emptied");

    b.awaitMessage("The harbour this morning");
    String image = ".message-list .message .attachment-image img";
    b.until(d -> showsLoadedBlob(b, image), "Bob sees the picture");
    WebElement shown = b.waitFor(By.cssSelector(image));
    assertThat(shown.getDomAttribute("alt")).isEqualTo("harbour.png");
    // Shown at the picture's proportions (1600 × 1000), known before it loaded.
    double ratio = ((Number) b.script("const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        + " return r.width / r.height;", ".message-list .attachment-image")).doubleValue();
    assertThat(ratio).isBetween(1.55, 1.65);
    a.until(d -> showsLoadedBlob(a, image), "Alice sees it too");
    shots(b, "image-message");
  }

  @Test
  @DisplayName("A text file is a card that downloads under its name; a picture opens in the lightbox; "
      + "the chat's files list both; a wrong type is refused in words")
  void file_cards_the_lightbox_the_files_panel_and_a_refused_file() {
    Pair pair = pair();
    Browser a = pair.a();
    Browser b = pair.b();

    // A page named .png is refused, and says why; the message cannot go until it is removed.
    Path notes = text("notes.txt", "Agenda\n1. Boats\n2. Ropes\n");
    attach(a, notes, noisyPng("dock.png", 900, 600),
        text("page.png", "<!doctype html><html><body><script>alert(1)</script></body></html>"));
    WebElement refused = a.waitFor(By.cssSelector(".upload-chip[data-status=failed] .upload-error"));
    assertThat(refused.getDomAttribute("data-reason")).isEqualTo("file_type_mismatch");
    assertThat(refused.getText()).isEqualTo("The file is HTML but its name says PNG: not shared");
    a.until(d -> d.findElements(By.cssSelector(".upload-chip[data-status=done]")).size() == 2, "two uploaded");
    assertThat(a.waitFor(By.cssSelector(".chat-pane button.send")).isEnabled()).isFalse();
    shots(a, "composer-files");
    a.click(By.cssSelector("button[aria-label='Remove page.png']"));
    a.composer().sendKeys("Notes and the dock");
    a.composer().sendKeys(Keys.ENTER);

    // Bob: the text file as a card, the picture inline.
    b.awaitMessage("Notes and the dock");
    WebElement card = b.waitFor(By.cssSelector(".message-list .file-card"));
    assertThat(card.findElement(By.cssSelector(".file-name")).getText()).isEqualTo("notes.txt");
    long notesSize = notes.toFile().length();
    assertThat(card.findElement(By.cssSelector(".file-size")).getText()).isEqualTo(notesSize + " B · TXT");
    b.until(d -> showsLoadedBlob(b, ".message-list .attachment-image img"), "picture shown");
    shots(b, "file-card");

    // Downloading fetches it with the token and saves it under its name.
    Path downloads = files.resolve("downloads-" + System.nanoTime());
    b.driver().executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow",
        "downloadPath", downloads.toString()));
    card.findElement(By.cssSelector("button.file-download")).click();
    b.until(d -> Files.isRegularFile(downloads.resolve("notes.txt")) && downloads.resolve("notes.txt").toFile()
        .length() == notesSize, "notes.txt downloaded");

    // The lightbox: the thumbnail at once, then the whole picture; Esc closes it and gives focus back.
    b.click(By.cssSelector(".message-list .attachment-image"));
    b.waitFor(By.cssSelector(".lightbox"));
    b.until(d -> "full".equals(d.findElement(By.cssSelector(".lightbox")).getDomAttribute("data-showing")),
        "the whole picture");
    b.until(d -> showsLoadedBlob(b, ".lightbox-image"), "lightbox image decoded");
    assertThat(((Number) b.script("return document.querySelector('.lightbox-image').naturalWidth")).intValue())
        .as("the whole picture, not the 400 px thumbnail").isEqualTo(900);
    shots(b, "lightbox");
    b.keys(Keys.ESCAPE);
    b.until(d -> d.findElements(By.cssSelector(".lightbox")).isEmpty(), "lightbox closed");
    assertThat(b.script("return document.activeElement.classList.contains('attachment-image')")).isEqualTo(true);

    // The chat's files, newest first.
    b.click(By.cssSelector(".chat-header .files-trigger"));
    b.until(d -> d.findElements(By.cssSelector(".files-panel .files-row")).size() == 2, "two files listed");
    List<String> names = b.driver().findElements(By.cssSelector(".files-panel .files-row .file-name")).stream()
        .map(WebElement::getText).toList();
    assertThat(names).containsExactlyInAnyOrder("notes.txt", "dock.png");
    b.until(d -> showsLoadedBlob(b, ".files-panel .files-thumb img"), "thumbnail in the list");
    shots(b, "files-panel");
    b.keys(Keys.ESCAPE);
    b.until(d -> d.findElements(By.cssSelector(".files-panel")).isEmpty(), "files panel closed");
  }

  /** Puts a file made of {@code bytes} in a page's DataTransfer, {@code window[variable]}, as a drag or a copy has one. */
  private static void transferOf(Browser browser, String variable, String name, Path bytes) throws IOException {
    browser.script("""
        const bytes = Uint8Array.from(atob(arguments[2]), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], arguments[1], { type: 'image/png' }));
        window[arguments[0]] = transfer;""", variable, name,
        Base64.getEncoder().encodeToString(Files.readAllBytes(bytes)));
  }

  @Test
  @DisplayName("A picture dropped on the chat and one pasted into the composer go as one message without text")
  void files_dropped_on_the_chat_and_pasted_go_without_text() throws IOException {
    Pair pair = pair();
    Browser a = pair.a();
    Browser b = pair.b();
    transferOf(a, "dragged", "dropped.png", noisyPng("drop-source.png", 320, 200));
    transferOf(a, "copied", "pasted.png", noisyPng("paste-source.png", 200, 320));

    a.script("""
        const pane = document.querySelector('.chat-pane');
        for (const type of ['dragenter', 'dragover']) {
          pane.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: window.dragged }));
        }""");
    a.waitFor(By.cssSelector(".chat-pane .drop-overlay"));
    a.script("document.querySelector('.chat-pane .message-list').dispatchEvent(new DragEvent('drop',"
        + " { bubbles: true, cancelable: true, dataTransfer: window.dragged }));");
    a.until(d -> d.findElements(By.cssSelector(".drop-overlay")).isEmpty(), "drop overlay gone");
    a.script("document.querySelector('.chat-pane .composer-input').dispatchEvent(new ClipboardEvent('paste',"
        + " { bubbles: true, cancelable: true, clipboardData: window.copied }));");
    a.until(d -> d.findElements(By.cssSelector(".upload-chip[data-status=done]")).size() == 2, "both uploaded");
    assertThat(a.driver().findElements(By.cssSelector(".upload-chip .file-name")).stream().map(WebElement::getText))
        .containsExactly("dropped.png", "pasted.png");
    assertThat(a.composer().getDomProperty("value")).isEmpty();

    a.composer().sendKeys(Keys.ENTER);
    b.until(d -> Boolean.TRUE.equals(b.script("""
        const images = [...document.querySelectorAll('.message-list .attachment-image img')];
        return images.length === 2 && images.every(img => img.src.startsWith('blob:') && img.naturalWidth > 0);""")),
        "Bob sees both pictures");
    assertThat(b.driver().findElements(By.cssSelector(".message-list .attachment-image img")).stream()
        .map(img -> img.getDomAttribute("alt"))).containsExactly("dropped.png", "pasted.png");
    assertThat(b.messageTexts()).isEmpty();
  }

  @Test
  @DisplayName("An avatar chosen in the user menu shows next to Alice's messages in Bob's window, and in her menu")
  void an_avatar_set_in_the_user_menu_shows_for_everyone() {
    Pair pair = pair();
    Browser a = pair.a();
    Browser b = pair.b();
    a.send("Hello with a face");
    b.awaitMessage("Hello with a face");
    assertThat(b.driver().findElements(By.cssSelector(".message-list img.avatar"))).isEmpty();

    a.openUserMenu();
    a.driver().findElement(By.cssSelector(".user-menu input.avatar-picker"))
        .sendKeys(avatarPng("me.png").toString());
    a.until(d -> !d.findElements(By.cssSelector("button.me img.avatar")).isEmpty(), "Alice's menu shows it");

    // Bob learns of it with the members list (a reload reads them again).
    b.reload();
    b.openChat("general");
    b.awaitMessage("Hello with a face");
    b.until(d -> Boolean.TRUE.equals(b.script("const img = document.querySelector('.message-list img.avatar');"
        + " return !!img && img.complete && img.naturalWidth === 256;")), "Alice's avatar next to her message");
    shots(b, "avatar");

    // On a phone the chat list is a drawer over the chat; Alice's menu shows her picture there.
    a.driver().manage().window().setSize(PHONE);
    assertThat(a.driver().findElement(By.cssSelector(".sidebar")).isDisplayed()).isFalse();
    a.click(By.cssSelector(".chat-header button.show-chats"));
    a.waitFor(By.cssSelector(".sidebar button.me img.avatar"));
    a.screenshot(SHOTS.resolve("chats-drawer-light-phone.png"));
    a.chatLink("general").click();
    a.until(d -> !d.findElement(By.cssSelector(".sidebar")).isDisplayed(), "drawer closed by choosing a chat");
  }
}
