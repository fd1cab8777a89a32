package dev.ocomms.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One headless Chromium (Debian's, driven through its chromedriver, as the system tests' browser is) with a profile of
 * its own, at 1280×800, and the bench's page probe ({@code client-probe.js}) put into every page before the page's
 * own scripts. DevTools Protocol commands go through {@link ChromeDriver#executeCdpCommand}: the version-specific
 * selenium-devtools artifacts would not match the installed Chromium.
 */
final class Chromium implements AutoCloseable {
  /** Debian's paths; {@code OCOMMS_CHROMIUM} and {@code OCOMMS_CHROMEDRIVER} name others. */
  static final Path BINARY = Path.of(System.getenv().getOrDefault("OCOMMS_CHROMIUM", "/usr/bin/chromium"));
  static final Path DRIVER = Path.of(System.getenv().getOrDefault("OCOMMS_CHROMEDRIVER", "/usr/bin/chromedriver"));

  /**
   * Selenium looks for a selenium-devtools artifact of this Chromium's version and warns that there is none: CDP
   * commands go through {@code executeCdpCommand}, which needs none. Held here, as java.util.logging keeps loggers
   * weakly.
   */
  private static final java.util.logging.Logger CDP_VERSION_WARNINGS =
      java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  static {
    CDP_VERSION_WARNINGS.setLevel(java.util.logging.Level.SEVERE);
  }

  private final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Whether Chromium and its driver are installed here. */
  static boolean available() {
    return Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
  }

  /** A new headless browser with an empty profile and the probe installed; it shows nothing yet. */
  static Chromium open() throws IOException {
    return open(false);
  }

  /**
   * As {@link #open()}; with {@code trace}, the page's main-thread work is traced (DevTools timeline categories,
   * through chromedriver's performance log) and {@link #mainThreadTime()} sums it by event.
   */
  static Chromium open(boolean trace) throws IOException {
    if (!available()) {
      throw new IllegalStateException("the client scenario needs Chromium at " + BINARY + " and chromedriver at "
          + DRIVER + " (apt-get install -y chromium chromium-driver, or set OCOMMS_CHROMIUM and OCOMMS_CHROMEDRIVER)");
    }
    Path profile = Files.createTempDirectory("ocomms-bench-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,800", "--lang=en-US",
        // A headless page that the window manager thinks hidden would throttle timers and frames.
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows");
    if (trace) {
      org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
      logs.enable(org.openqa.selenium.logging.LogType.PERFORMANCE, java.util.logging.Level.ALL);
      options.setCapability("goog:loggingPrefs", logs);
      options.setExperimentalOption("perfLoggingPrefs", Map.of("enableNetwork", false, "enablePage", false,
          "traceCategories", "devtools.timeline,disabled-by-default-devtools.timeline,v8"));
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    Chromium chromium = new Chromium(driver, profile);
    try {
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30)).pageLoadTimeout(Duration.ofSeconds(60));
      chromium.cdp("Page.enable", Map.of());
      chromium.cdp("Page.addScriptToEvaluateOnNewDocument", Map.of("source", probe()));
      return chromium;
    } catch (RuntimeException e) {
      chromium.close();
      throw e;
    }
  }

  private static String probe() throws IOException {
    try (InputStream in = Chromium.class.getResourceAsStream("/client-probe.js")) {
      if (in == null) {
        throw new IllegalStateException("client-probe.js is missing from the bench's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Navigates and waits for the load event. */
  void get(String url) {
    driver.get(url);
  }

  /** Reloads the page (and waits for its load event); with {@code cold}, from an empty HTTP cache. */
  void reload(boolean cold) {
    if (cold) {
      cdp("Network.clearBrowserCache", Map.of());
    }
    driver.navigate().refresh();
  }

  Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Calls the probe: {@code __ocommsBench.<call>}; its JSON string answer as a JSON value. */
  Object probeJson(String call, Object... args) {
    Object answer = script("return window.__ocommsBench." + call + ";", args);
    if (answer == null) {
      return null;
    }
    String text = answer.toString().trim();
    return text.startsWith("[") ? new JsonArray(text) : new JsonObject(text);
  }

  /** The probe's page clock (ms since navigation start). */
  double pageNow() {
    return ((Number) script("return window.__ocommsBench.now();")).doubleValue();
  }

  /** Whether the probe is in the current page (it is not in a page that was loaded before {@link #open()}). */
  boolean probed() {
    return Boolean.TRUE.equals(script("return !!window.__ocommsBench;"));
  }

  List<WebElement> find(By locator) {
    return driver.findElements(locator);
  }

  /** A DevTools Protocol command; its result. */
  Map<String, Object> cdp(String command, Map<String, Object> params) {
    return driver.executeCdpCommand(command, new HashMap<>(params));
  }

  /** The page's {@code Performance.getMetrics} by name (call {@code Performance.enable} first). */
  @SuppressWarnings("unchecked")
  Map<String, Double> metrics() {
    Map<String, Double> metrics = new HashMap<>();
    List<Map<String, Object>> list = (List<Map<String, Object>>) cdp("Performance.getMetrics", Map.of()).get("metrics");
    list.forEach(metric -> metrics.put((String) metric.get("name"), ((Number) metric.get("value")).doubleValue()));
    return metrics;
  }

  /**
   * The renderer main thread's traced time since the last call, by event name (ms, nested events counted in each of
   * their parents too): what the page's tasks spent their time on, beyond script, style and layout.
   */
  Map<String, Double> mainThreadTime() {
    // chromedriver hands over a trace some time after it was asked for: wait for it (a little).
    for (int attempt = 0; attempt < 10; attempt++) {
      Map<String, Double> traced = tracedSinceLastCall();
      if (!traced.isEmpty()) {
        return traced;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return Map.of();
  }

  private Map<String, Double> tracedSinceLastCall() {
    Map<String, Double> byName = new java.util.TreeMap<>();
    java.util.Set<String> mainThreads = new java.util.HashSet<>();
    List<JsonObject> events = new java.util.ArrayList<>();
    for (var entry : driver.manage().logs().get(org.openqa.selenium.logging.LogType.PERFORMANCE)) {
      JsonObject message = new JsonObject(entry.getMessage()).getJsonObject("message");
      if (message == null || !"Tracing.dataCollected".equals(message.getString("method"))) {
        continue;
      }
      JsonObject event = message.getJsonObject("params");
      if ("M".equals(event.getString("ph")) && "thread_name".equals(event.getString("name"))
          && "CrRendererMain".equals(event.getJsonObject("args", new JsonObject()).getString("name"))) {
        mainThreads.add(event.getValue("pid") + "/" + event.getValue("tid"));
      }
      events.add(event);
    }
    if (mainThreads.isEmpty()) {
      // Without thread names: the thread with the most traced time (the renderer's main thread does the page's work).
      Map<String, Double> byThread = new HashMap<>();
      events.stream().filter(event -> "X".equals(event.getString("ph")) && event.getValue("dur") != null)
          .filter(event -> String.valueOf(event.getValue("cat")).contains("devtools.timeline"))
          .forEach(event -> byThread.merge(event.getValue("pid") + "/" + event.getValue("tid"),
              event.getDouble("dur"), Double::sum));
      byThread.entrySet().stream().max(Map.Entry.comparingByValue()).ifPresent(top -> mainThreads.add(top.getKey()));
    }
    for (JsonObject event : events) {
      if ("X".equals(event.getString("ph")) && event.getValue("dur") != null
          && mainThreads.contains(event.getValue("pid") + "/" + event.getValue("tid"))) {
        byName.merge(event.getString("name"), event.getDouble("dur") / 1000.0, Double::sum);
      }
    }
    return byName;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException | UncheckedIOException ignored) {
        // A temporary profile left behind is harmless.
      }
    }
  }
}
