package dev.ocomms.system.webclient;

import dev.ocomms.testkit.Account;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * One person's browser: Debian's headless Chromium driven through its chromedriver, with a profile of its own, and
 * the actions a person takes in the web client. Every wait is bounded.
 */
final class Browser implements AutoCloseable {
  /** Debian's paths; {@code OCOMMS_CHROMIUM} and {@code OCOMMS_CHROMEDRIVER} name others. */
  static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("OCOMMS_CHROMIUM", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER =
      Path.of(System.getenv().getOrDefault("OCOMMS_CHROMEDRIVER", "/usr/bin/chromedriver"));
  static final Duration WAIT = Duration.ofSeconds(15);

  private final ChromeDriver driver;
  private final Path profile;
  private final String baseUrl;
  final String name;

  private Browser(ChromeDriver driver, Path profile, String baseUrl, String name) {
    this.driver = driver;
    this.profile = profile;
    this.baseUrl = baseUrl;
    this.name = name;
  }

  /** Whether Chromium and its driver are installed here (otherwise the end-to-end tests are skipped). */
  static boolean available() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  /** A new browser with an empty profile, showing the web client. */
  static Browser open(String baseUrl, String name) {
    Path profile;
    try {
      profile = Files.createTempDirectory("ocomms-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,800",
        "--lang=en-US", "--force-prefers-reduced-motion");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(WAIT);
    Browser browser = new Browser(driver, profile, baseUrl, name);
    driver.get(baseUrl + "/");
    return browser;
  }

  // Signing in

  /** Signs up through the form. */
  void signUp(String email, String username, String displayName, String password) {
    waitFor(By.cssSelector(".auth-card"));
    click(By.xpath("//button[normalize-space()='Create an account']"));
    type(By.id("auth-email"), email);
    type(By.id("auth-username"), username);
    type(By.id("auth-displayName"), displayName);
    type(By.id("auth-password"), password);
    click(By.cssSelector(".auth-card button[type=submit]"));
    waitFor(By.cssSelector(".layout"));
  }

  /** Starts signed in with a session made over REST (as if this person had signed in before). */
  void signInWith(Account account) {
    script("localStorage.setItem('ocomms.session', arguments[0]);", account.clientSession().encode());
    driver.navigate().refresh();
    waitFor(By.cssSelector(".layout"));
  }

  void reload() {
    driver.navigate().refresh();
  }

  // Chats

  /** Waits until the bridge is connected (no banner). */
  void awaitConnected() {
    until(d -> !d.findElements(By.cssSelector(".layout[data-connection=open]")).isEmpty(), "connected");
  }

  WebElement chatLink(String title) {
    return waitFor(By.xpath("//a[contains(@class,'chat-link')][.//span[@class='chat-name' and normalize-space()='"
        + title + "']]"));
  }

  void openChat(String title) {
    chatLink(title).click();
    until(d -> title.equals(activeChatTitle()), "chat " + title + " open");
  }

  String activeChatTitle() {
    List<WebElement> active = driver.findElements(By.cssSelector(".chat-link.active .chat-name"));
    return active.isEmpty() ? null : active.get(0).getText().trim();
  }

  /** The badge of a chat in the sidebar ("" when none). */
  String badge(String title) {
    List<WebElement> badges = chatLink(title).findElements(By.cssSelector(".badge"));
    return badges.isEmpty() ? "" : badges.get(0).getText().trim();
  }

  WebElement composer() {
    return waitFor(By.cssSelector(".chat-pane .composer-input"));
  }

  /** Types a message in the open chat and presses Enter. */
  void send(String text) {
    WebElement box = composer();
    box.sendKeys(text);
    box.sendKeys(Keys.ENTER);
  }

  /** The text of every message shown in the open chat (acknowledged or not), top to bottom. */
  @SuppressWarnings("unchecked")
  List<String> messageTexts() {
    return (List<String>) script("return [...document.querySelectorAll('.message-list .message .content')]"
        + ".map(e => e.innerText.trim());");
  }

  /** Waits until the open chat shows a message with exactly this text. */
  WebElement awaitMessage(String text) {
    until(d -> messageTexts().contains(text), "message '" + text + "' shown");
    return (WebElement) script("return [...document.querySelectorAll('.message-list .message')]"
        + ".find(m => m.querySelector('.content') && m.querySelector('.content').innerText.trim() === arguments[0]);",
        text);
  }

  /**
   * What the open chat's message list holds now: its message rows top to bottom (seq and text), the texts of those
   * at least partly in view, whether the line marking the conversation's beginning is there, and how far (px) the
   * list is scrolled from its bottom.
   */
  record MessageList(List<Long> seqs, List<String> texts, List<String> inView, boolean atBeginning,
                     double fromBottom) {
    int rows() {
      return seqs.size();
    }

    long firstSeq() {
      return seqs.isEmpty() ? Long.MAX_VALUE : seqs.get(0);
    }

    long lastSeq() {
      return seqs.isEmpty() ? Long.MIN_VALUE : seqs.get(seqs.size() - 1);
    }
  }

  @SuppressWarnings("unchecked")
  MessageList messageList() {
    Map<String, Object> list = (Map<String, Object>) script("""
        const list = document.querySelector('.message-list');
        if (!list) return { seqs: [], texts: [], inView: [], atBeginning: false, fromBottom: 0 };
        const rows = [...list.querySelectorAll('article.message')];
        const text = row => (row.querySelector('.content')?.innerText ?? '').trim();
        const box = list.getBoundingClientRect();
        return {
          seqs: rows.map(row => Number(row.dataset.seq)),
          texts: rows.map(text),
          inView: rows.filter(row => {
            const r = row.getBoundingClientRect();
            return r.bottom > box.top && r.top < box.bottom;
          }).map(text),
          atBeginning: list.querySelector('.chat-start') !== null,
          fromBottom: list.scrollHeight - list.scrollTop - list.clientHeight,
        };""");
    return new MessageList(((List<Number>) list.get("seqs")).stream().map(Number::longValue).toList(),
        (List<String>) list.get("texts"), (List<String>) list.get("inView"), (Boolean) list.get("atBeginning"),
        ((Number) list.get("fromBottom")).doubleValue());
  }

  // The network

  /** Cuts (or restores) this browser's network, as DevTools' "Offline" does. */
  void offline(boolean offline) {
    driver.executeCdpCommand("Network.enable", Map.of());
    driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of(
        "offline", offline, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
  }

  // Plumbing

  Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  WebElement waitFor(By locator) {
    return until(d -> {
      List<WebElement> found = d.findElements(locator);
      return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }, "visible: " + locator);
  }

  void click(By locator) {
    waitFor(locator).click();
  }

  /** Opens the user menu (status, notifications, picture, theme) and waits until it shows. */
  void openUserMenu() {
    click(By.cssSelector(".sidebar button.me"));
    waitFor(By.cssSelector(".user-menu .menu"));
  }

  void type(By locator, String text) {
    WebElement field = waitFor(locator);
    field.clear();
    field.sendKeys(text);
  }

  void keys(CharSequence... keys) {
    new org.openqa.selenium.interactions.Actions(driver).sendKeys(keys).perform();
  }

  void chord(Keys modifier, String key) {
    new org.openqa.selenium.interactions.Actions(driver).keyDown(modifier).sendKeys(key).keyUp(modifier).perform();
  }

  <T> T until(ExpectedCondition<T> condition, String what) {
    try {
      // A re-render may replace an element between finding and reading it (a badge that goes away): look again.
      return new WebDriverWait(driver, WAIT, Duration.ofMillis(100)).withMessage(() -> name + ": " + what)
          .ignoring(StaleElementReferenceException.class).until(condition);
    } catch (RuntimeException e) {
      dumpConsole();
      throw e;
    }
  }

  ChromeDriver driver() {
    return driver;
  }

  /** Saves a PNG of what the page shows now. */
  void screenshot(Path file) {
    try {
      Files.createDirectories(file.getParent());
      File shot = driver.getScreenshotAs(OutputType.FILE);
      Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void dumpConsole() {
    try {
      driver.manage().logs().get(LogType.BROWSER).forEach(entry ->
          System.err.println("[" + name + " console] " + entry.getLevel() + " " + entry.getMessage()));
    } catch (RuntimeException ignored) {
      // The browser is gone already.
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException ignored) {
        // A temporary profile left behind is harmless.
      }
    }
  }
}
