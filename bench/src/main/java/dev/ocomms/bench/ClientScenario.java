package dev.ocomms.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/**
 * The web client in a busy workspace (the measurement method of docs/benchmarks.md, "client"): headless Chromium
 * shows one viewer who is in {@code channels} channels while {@code senders} others post over REST. Set up over
 * REST: the viewer's open channel holds {@code open-messages} messages, one "heavy" channel {@code heavy}, two light
 * ones {@code light} each; the rest are "busy" channels the senders post into. The viewer's session is put into
 * localStorage before the page loads, so the page opens straight into the workspace with the open channel shown.
 *
 * <p>Phases, in order: each rate of {@code rates} into the busy channels ({@code 0}: idle) for {@code seconds};
 * each rate of {@code open-rates} into the open channel; channel switches (light and heavy, {@code switches} each,
 * with the heavy channel's whole history loaded); {@code loads} cold loads (empty HTTP cache) while idle; then
 * {@code loads} reloads while {@code sync-rate} msg/s flow into the busy channels, counting the loads whose
 * {@code chat.sync} at connect was answered. The report ends with the targets of the client-performance issue, each
 * with pass or fail.
 */
final class ClientScenario implements Scenario {
  private static final Logger LOG = LoggerFactory.getLogger(ClientScenario.class);
  /** The open, heavy and two light channels come first; the rest are busy. */
  private static final int OPEN = 0;
  private static final int HEAVY = 1;
  private static final int LIGHT_A = 2;
  private static final int LIGHT_B = 3;
  private static final int FIRST_BUSY = 4;
  /** eventbus.js's request timeout: a later answer finds no one waiting for it. */
  static final long CLIENT_REQUEST_TIMEOUT_MS = 10_000;
  /** How long a load may take to send its chat.sync at all. */
  private static final long SYNC_SENT_WITHIN_MS = 30_000;

  /** What to run. */
  record Config(int channels, int senders, List<Double> rates, List<Double> openRates, int seconds, int openMessages,
                int heavy, int light, int switches, int loads, double syncRate, int settleSeconds,
                int setupConcurrency, String pageProfile, boolean pageTrace) {
    JsonObject toJson() {
      return new JsonObject().put("channels", channels).put("senders", senders)
          .put("rates", new JsonArray(new ArrayList<>(rates))).put("openRates", new JsonArray(new ArrayList<>(openRates)))
          .put("seconds", seconds).put("openMessages", openMessages).put("heavy", heavy).put("light", light)
          .put("switches", switches).put("loads", loads).put("syncRate", syncRate).put("settleSeconds", settleSeconds)
          .put("perSenderMax", ClientLoad.PER_SENDER).put("viewport", "1280x800");
    }
  }

  private final Vertx vertx;
  private final Target target;
  private final Config config;

  static ClientScenario from(Vertx vertx, Target target, Options options) {
    Config config = new Config(options.integer("channels", 200), options.integer("senders", 20),
        rates(options.text("rates", "0,20,50,100")), rates(options.text("open-rates", "5,10")),
        options.integer("seconds", 20), options.integer("open-messages", 50), options.integer("heavy", 500),
        options.integer("light", 15), options.integer("switches", 10), options.integer("loads", 6),
        options.decimal("sync-rate", 100), options.integer("settle-seconds", 90),
        options.integer("setup-concurrency", 16), options.text("page-profile", null),
        options.flag("page-trace"));
    return new ClientScenario(vertx, target, config);
  }

  private static List<Double> rates(String spec) {
    return Arrays.stream(spec.split(",")).map(String::trim).filter(rate -> !rate.isEmpty()).map(Double::parseDouble)
        .toList();
  }

  ClientScenario(Vertx vertx, Target target, Config config) {
    if (config.channels() <= FIRST_BUSY) {
      throw new IllegalArgumentException("--channels must be more than " + FIRST_BUSY
          + ": an open, a heavy and two light channels, and busy ones");
    }
    if (config.senders() < 1 || config.seconds() < 1 || config.heavy() < 1 || config.light() < 1
        || config.openMessages() < 1) {
      throw new IllegalArgumentException("--senders, --seconds, --heavy, --light and --open-messages must be positive");
    }
    List<Double> all = new ArrayList<>(config.rates());
    all.addAll(config.openRates());
    all.add(config.syncRate());
    for (double rate : all) {
      if (rate < 0 || rate / config.senders() > ClientLoad.PER_SENDER) {
        throw new IllegalArgumentException(rate + " msg/s needs more senders: each posts at most "
            + ClientLoad.PER_SENDER + " msg/s (the server allows 10)");
      }
    }
    this.vertx = vertx;
    this.target = target;
    this.config = config;
  }

  /** The accounts and chats of a run, and the newest message of each chat the phases look for. */
  private record Workspace(Population population, Population.User viewer, List<ClientLoad.Sender> senders,
                           List<List<String>> busyOf, Map<Integer, String> newest) {
    String chat(int index) {
      return population.chatIds.get(index);
    }
  }

  @Override
  public JsonObject run() throws Exception {
    WebClient web = WebClient.create(vertx, new WebClientOptions(),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(Math.max(config.setupConcurrency(), config.senders())));
    Api api = new Api(web, target.host, target.port);
    ClientLoad load = new ClientLoad(vertx, api);
    JsonObject results = new JsonObject();
    try {
      Workspace workspace = setUp(web, api, load);
      Sessions sessions = new Sessions(web, target, workspace.population().users.subList(1,
          workspace.population().users.size()), config.setupConcurrency(), Sessions.RENEW_EVERY_SECONDS);
      long renewedAt = System.nanoTime();
      try (Chromium browser = Chromium.open(config.pageTrace())) {
        Page page = new Page(browser, api, workspace);
        page.open();
        results.put("page", page.describe());
        JsonArray elsewhere = new JsonArray();
        for (double rate : config.rates()) {
          renewedAt = renewIfDue(sessions, workspace, renewedAt);
          JsonObject phase = page.elsewhere(load, rate);
          if (rate == 0) {
            results.put("idle", phase);
          } else {
            elsewhere.add(phase);
          }
        }
        results.put("elsewhere", elsewhere);
        JsonArray open = new JsonArray();
        for (double rate : config.openRates()) {
          renewedAt = renewIfDue(sessions, workspace, renewedAt);
          open.add(page.openChat(load, rate));
        }
        results.put("openChat", open);
        results.put("switch", page.switches());
        results.put("coldLoad", page.coldLoads());
        renewedAt = renewIfDue(sessions, workspace, renewedAt);
        results.put("syncUnderLoad", page.reloadsUnderLoad(load));
      }
    } finally {
      web.close();
    }
    JsonArray targets = ClientTargets.evaluate(results, config);
    results.put("targets", targets);
    LOG.info("targets:\n{}", ClientTargets.table(targets));
    return new JsonObject().put("scenario", "client").put("config", config.toJson()).put("results", results)
        .put("charts", charts(results));
  }

  /** Senders' access tokens live 15 minutes: a long run refreshes them between phases. */
  private long renewIfDue(Sessions sessions, Workspace workspace, long renewedAt) throws Exception {
    if (System.nanoTime() - renewedAt < java.util.concurrent.TimeUnit.SECONDS.toNanos(Sessions.RENEW_EVERY_SECONDS)) {
      return renewedAt;
    }
    Map<String, String> tokens = Lanes.await(sessions.renewAll(), 300);
    workspace.senders().forEach(sender -> sender.token = tokens.getOrDefault(sender.userId, sender.token));
    return System.nanoTime();
  }

  // Set-up

  /**
   * The viewer (user 0) in every channel; sender i in the open, heavy and light channels and in every busy channel
   * whose index modulo the number of senders is i (so that the busy channels are spread over the senders); then the
   * open, heavy and light channels filled.
   */
  private Workspace setUp(WebClient web, Api api, ClientLoad load) throws Exception {
    int channels = config.channels();
    int busy = channels - FIRST_BUSY;
    List<List<Integer>> busyIndexes = new ArrayList<>();
    for (int sender = 0; sender < config.senders(); sender++) {
      int s = sender;
      List<Integer> mine = new ArrayList<>(IntStream.range(FIRST_BUSY, channels)
          .filter(c -> (c - FIRST_BUSY) % config.senders() == s).boxed().toList());
      if (mine.isEmpty()) {
        mine.add(FIRST_BUSY + sender % busy); // more senders than busy channels: share
      }
      busyIndexes.add(mine);
    }
    long started = System.nanoTime();
    Population population = Lanes.await(Population.create(web, target, 1 + config.senders(), channels, i -> {
      if (i == 0) {
        return IntStream.range(0, channels).boxed().toList();
      }
      List<Integer> chats = new ArrayList<>(List.of(OPEN, HEAVY, LIGHT_A, LIGHT_B));
      chats.addAll(busyIndexes.get(i - 1));
      return chats;
    }, config.setupConcurrency()), 1800);
    List<ClientLoad.Sender> senders = population.users.subList(1, population.users.size()).stream()
        .map(user -> new ClientLoad.Sender(user.userId(), user.accessToken())).toList();
    List<List<String>> busyOf = busyIndexes.stream()
        .map(indexes -> indexes.stream().map(population.chatIds::get).toList()).toList();
    Map<Integer, String> newest = new HashMap<>();
    int[][] fills = {{HEAVY, config.heavy()}, {OPEN, config.openMessages()}, {LIGHT_A, config.light()},
        {LIGHT_B, config.light()}};
    for (int[] fill : fills) {
      List<ClientLoad.Sent> stored = load.fill(senders, population.chatIds.get(fill[0]), fill[1]);
      newest.put(fill[0], stored.get(stored.size() - 1).messageId());
    }
    LOG.info("set up in {} s: a viewer in {} channels, {} senders, {} messages", (System.nanoTime() - started) / 1e9,
        channels, config.senders(), config.heavy() + config.openMessages() + 2 * config.light());
    return new Workspace(population, population.users.get(0), senders, busyOf, newest);
  }

  // The page and its phases

  /** The viewer's browser and what each phase does with it. */
  private final class Page {
    private final Chromium browser;
    private final Api api;
    private final Workspace workspace;
    private final String baseUrl;

    Page(Chromium browser, Api api, Workspace workspace) {
      this.browser = browser;
      this.api = api;
      this.workspace = workspace;
      this.baseUrl = target.url(0);
    }

    /** Signs the viewer in through localStorage, with the open channel chosen, and waits for it to show. */
    void open() throws Exception {
      Population.User viewer = workspace.viewer();
      JsonObject user = Lanes.await(api.me(viewer.accessToken()), 60);
      // Any page of the origin gives access to its localStorage; the favicon loads no application code.
      browser.get(baseUrl + "/favicon.svg");
      JsonObject session = new JsonObject().put("user", user).put("accessToken", viewer.accessToken())
          .put("refreshToken", viewer.refreshToken())
          .put("expiresAt", System.currentTimeMillis() + 10 * 60_000); // under the 15 minutes it lives
      String workspaceId = workspace.population().workspaceId;
      browser.script("localStorage.setItem('ocomms.session', arguments[0]);"
          + "localStorage.setItem('ocomms.workspace', arguments[1]);"
          + "localStorage.setItem('ocomms.chat.' + arguments[1], arguments[2]);",
          session.encode(), workspaceId, workspace.chat(OPEN));
      browser.get(baseUrl + "/");
      if (!browser.probed()) {
        throw new IllegalStateException("the page probe (client-probe.js) did not start in the page");
      }
      await("the open channel's messages and a connected bridge", 120, () -> isShown(workspace.newest().get(OPEN))
          && !browser.find(By.cssSelector(".layout[data-connection=open]")).isEmpty());
      Thread.sleep(3000); // let the start-up settle before anything is measured
      browser.cdp("Performance.enable", Map.of());
    }

    JsonObject describe() {
      Object visibility = browser.script("return document.visibilityState;");
      Object longTasks = browser.script("return window.__ocommsBench.longTasksUnsupported();");
      return new JsonObject().put("url", baseUrl).put("visibilityState", String.valueOf(visibility))
          .put("chats", serverCounts().size()).put("longTasksUnsupported", longTasks == null ? null : longTasks.toString());
    }

    /** {@code rate} msg/s into the busy channels (none: idle) for the phase's seconds. */
    JsonObject elsewhere(ClientLoad load, double rate) throws Exception {
      LOG.info("{} msg/s into channels not open, {} s", rate, config.seconds());
      Map<String, Integer> countsBefore = rate > 0 ? serverCounts() : Map.of();
      browser.probeJson("takeBadgeLog()");
      Window window = begin("elsewhere-" + Math.round(rate));
      ClientLoad.Outcome outcome = null;
      if (rate > 0) {
        List<List<String>> busyOf = workspace.busyOf();
        outcome = load.run(workspace.senders(), rate, config.seconds(),
            (sender, k) -> busyOf.get(sender).get((int) (k % busyOf.get(sender).size())));
      } else {
        Thread.sleep(config.seconds() * 1000L);
      }
      window.end();
      JsonObject phase = new JsonObject().put("ratePerSecond", rate).mergeIn(window.busy())
          .put("longTasks", window.longTasks());
      if (outcome == null) {
        return phase;
      }
      // The counts every row should show: the server's, for every chat but the open one (read as it goes).
      Map<String, Integer> expected = serverCounts();
      expected.remove(workspace.chat(OPEN));
      long settleStart = System.nanoTime();
      boolean right = awaitQuietly(config.settleSeconds(), () -> ((Number) browser.script(
          "return window.__ocommsBench.badgesWrong(arguments[0]);", expected)).intValue() == 0);
      LOG.info("badges {} {} s after the senders stopped", right ? "right" : "still wrong",
          Math.round((System.nanoTime() - settleStart) / 1e8) / 10.0);
      List<ClientFigures.BadgeChange> log = badgeLog();
      Map<String, Integer> finalCounts = badgeCounts();
      long wrong = expected.entrySet().stream()
          .filter(entry -> !entry.getValue().equals(finalCounts.get(entry.getKey()))).count();
      return phase.mergeIn(outcome.toJson())
          .put("badgeLagMs", ClientFigures.badgeLags(outcome.sent(), countsBefore, log))
          .put("badgesRightAfterStopMs", ClientFigures.rightAfterStop(expected, finalCounts, log,
              outcome.lastStoredAtMs()))
          .put("wrongBadgesAtEnd", wrong).put("settleSeconds", config.settleSeconds());
    }

    /** {@code rate} msg/s into the open channel: send→visible, busy, and the read markers the page sends. */
    JsonObject openChat(ClientLoad load, double rate) throws Exception {
      LOG.info("{} msg/s into the open channel, {} s", rate, config.seconds());
      String openChat = workspace.chat(OPEN);
      Window window = begin("open-" + Math.round(rate));
      ClientLoad.Outcome outcome = load.run(workspace.senders(), rate, config.seconds(), (sender, k) -> openChat);
      window.end();
      List<String> ids = outcome.sent().stream().map(ClientLoad.Sent::messageId).toList();
      awaitQuietly(10, () -> visible(ids).size() == ids.size());
      JsonObject visible = visible(ids);
      List<Double> latencies = new ArrayList<>();
      outcome.sent().forEach(sent -> {
        JsonArray shown = visible.getJsonArray(sent.messageId());
        if (shown != null) {
          latencies.add((double) (shown.getLong(0) - sent.sentAtMs()));
        }
      });
      outcome.sent().stream().max(java.util.Comparator.comparingLong(ClientLoad.Sent::seq))
          .ifPresent(last -> workspace.newest().put(OPEN, last.messageId()));
      JsonArray reads = (JsonArray) browser.probeJson("reads(arguments[0], arguments[1])", window.from, window.to);
      List<Double> readTimes = new ArrayList<>();
      int answered = 0;
      for (Object entry : reads) {
        JsonObject read = (JsonObject) entry;
        if (openChat.equals(read.getString("chatId"))) {
          readTimes.add(read.getDouble("at"));
          answered += "answered".equals(read.getString("outcome")) ? 1 : 0;
        }
      }
      return new JsonObject().put("ratePerSecond", rate).mergeIn(outcome.toJson())
          .put("sendToVisibleMs", ClientFigures.percentiles(latencies, 50, 90, 99)
              .put("notShown", ids.size() - latencies.size()))
          .mergeIn(window.busy()).put("longTasks", window.longTasks())
          .put("reads", new JsonObject().put("count", readTimes.size()).put("answered", answered)
              .put("longestGapMs", ClientFigures.longestGap(readTimes, window.from, window.to)));
    }

    /**
     * Switches between a light channel and the heavy one (whose whole history is loaded first), {@code switches}
     * times each, after a visit to each that is not measured; then back to the open channel.
     */
    JsonObject switches() throws Exception {
      LOG.info("channel switches");
      String heavy = workspace.chat(HEAVY);
      switchTo(heavy, workspace.newest().get(HEAVY));
      int loaded = loadAllHistory();
      switchTo(workspace.chat(LIGHT_A), workspace.newest().get(LIGHT_A));
      switchTo(workspace.chat(LIGHT_B), workspace.newest().get(LIGHT_B));
      List<Double> light = new ArrayList<>();
      List<Double> heavyTimes = new ArrayList<>();
      for (int i = 0; i < config.switches(); i++) {
        int lightIndex = i % 2 == 0 ? LIGHT_A : LIGHT_B;
        light.add(switchTo(workspace.chat(lightIndex), workspace.newest().get(lightIndex)));
        heavyTimes.add(switchTo(heavy, workspace.newest().get(HEAVY)));
      }
      switchTo(workspace.chat(OPEN), workspace.newest().get(OPEN));
      return new JsonObject()
          .put("light", switchFigures(light).put("messages", config.light()))
          .put("heavy", switchFigures(heavyTimes).put("messages", config.heavy()).put("messagesLoaded", loaded));
    }

    private JsonObject switchFigures(List<Double> times) {
      List<Double> measured = times.stream().filter(java.util.Objects::nonNull).toList();
      JsonObject summary = ClientFigures.percentiles(measured, 50);
      return new JsonObject().put("count", measured.size()).put("medianMs", summary.getValue("p50"))
          .put("maxMs", summary.getValue("max"))
          .put("samplesMs", new JsonArray(times.stream().map(t -> t == null ? null : ClientFigures.round(t)).toList()))
          .put("timedOut", times.size() - measured.size());
    }

    /** Clicks a chat's sidebar row; ms from the click to the first frame showing its newest message (null: never). */
    private Double switchTo(String chatId, String newestId) throws Exception {
      browser.script("window.__ocommsBench.expectSwitch(arguments[0], arguments[1]);", chatId, newestId);
      int before = ((JsonArray) browser.probeJson("switches()")).size();
      WebElement link = browser.find(By.cssSelector("a.chat-link[data-chat-id='" + chatId + "']")).get(0);
      link.click();
      Double[] took = {null};
      awaitQuietly(30, () -> {
        JsonArray all = (JsonArray) browser.probeJson("switches()");
        if (all.size() <= before) {
          return false;
        }
        JsonObject entry = all.getJsonObject(all.size() - 1);
        if (entry.getValue("frameAt") == null) {
          return false;
        }
        took[0] = entry.getDouble("frameAt") - entry.getDouble("clickAt");
        return true;
      });
      Thread.sleep(500); // what the switch started (members, the read) settles before the next
      return took[0];
    }

    /** Scrolls the open (heavy) channel to its beginning until all its history is loaded; the messages loaded. */
    private int loadAllHistory() throws Exception {
      awaitQuietly(120, () -> {
        browser.script("const list = document.querySelector('.message-list'); if (list) list.scrollTop = 0;");
        sleep(300);
        return !browser.find(By.cssSelector(".message-list .chat-start")).isEmpty();
      });
      // The list renders a window of what is loaded; it says how much is loaded in data-loaded.
      return ((Number) browser.script("const list = document.querySelector('.message-list');"
          + " return Number(list.dataset.loaded || list.querySelectorAll('article.message').length);")).intValue();
    }

    /** {@code loads} loads of the page from an empty HTTP cache, nothing else happening. */
    JsonObject coldLoads() throws Exception {
      LOG.info("{} cold loads", config.loads());
      JsonArray loads = new JsonArray();
      for (int i = 0; i < config.loads(); i++) {
        loads.add(load(true));
      }
      List<Double> times = new ArrayList<>();
      List<Double> bytes = new ArrayList<>();
      loads.forEach(entry -> {
        JsonObject load = (JsonObject) entry;
        if (load.getValue("visibleMs") != null) {
          times.add(load.getDouble("visibleMs"));
          bytes.add(load.getJsonObject("bytes").getDouble("transferBytes"));
        }
      });
      return new JsonObject().put("medianMs", ClientFigures.median(times))
          .put("maxMs", ClientFigures.percentiles(times).getValue("max"))
          .put("transferBytesMedian", ClientFigures.median(bytes))
          .put("syncAnswered", loads.stream().filter(load -> ((JsonObject) load).getBoolean("syncAnswered")).count())
          .put("loads", loads);
    }

    /** {@code loads} reloads while {@code sync-rate} msg/s flow into the busy channels. */
    JsonObject reloadsUnderLoad(ClientLoad load) throws Exception {
      LOG.info("{} reloads while {} msg/s flow into channels not open", config.loads(), config.syncRate());
      JsonArray loads = new JsonArray();
      ClientLoad.Outcome outcome = null;
      if (config.syncRate() > 0) {
        List<List<String>> busyOf = workspace.busyOf();
        // Long enough for every reload; stopped once they are done.
        int bound = 10 + config.loads() * 60;
        CompletableFuture<ClientLoad.Outcome> flowing = CompletableFuture.supplyAsync(() -> {
          try {
            return load.run(workspace.senders(), config.syncRate(), bound,
                (sender, k) -> busyOf.get(sender).get((int) (k % busyOf.get(sender).size())));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        try {
          Thread.sleep(3000); // the load is flowing before the first reload
          for (int i = 0; i < config.loads(); i++) {
            loads.add(load(false));
          }
        } finally {
          load.stop();
        }
        outcome = flowing.get(120, java.util.concurrent.TimeUnit.SECONDS);
      } else {
        for (int i = 0; i < config.loads(); i++) {
          loads.add(load(false));
        }
      }
      JsonObject result = new JsonObject().put("ratePerSecond", config.syncRate()).put("loads", config.loads())
          .put("syncAnswered", loads.stream().filter(entry -> ((JsonObject) entry).getBoolean("syncAnswered")).count())
          .put("details", loads);
      return outcome == null ? result : result.mergeIn(outcome.toJson());
    }

    /**
     * One reload: ms from navigation start until the open chat's newest message is in the DOM, the bytes loaded by
     * then, and whether the {@code chat.sync} the client sends at connect (the first one naming every chat) was
     * answered within the client's request timeout.
     */
    private JsonObject load(boolean cold) throws Exception {
      String newestOpen = workspace.newest().get(OPEN);
      int chats = Math.min(serverCounts().size(), 500);
      browser.reload(cold);
      JsonObject result = new JsonObject().put("cold", cold);
      awaitQuietly(60, () -> visible(List.of(newestOpen)).containsKey(newestOpen));
      JsonArray shown = visible(List.of(newestOpen)).getJsonArray(newestOpen);
      if (shown != null) {
        double at = shown.getDouble(1);
        result.put("visibleMs", ClientFigures.round(at))
            .put("bytes", browser.probeJson("bytes(arguments[0])", at));
      }
      JsonObject[] sync = {null};
      JsonObject[] all = {null};
      awaitQuietly(60, () -> {
        all[0] = (JsonObject) browser.probeJson("syncs()");
        double now = browser.pageNow();
        sync[0] = all[0].getJsonArray("syncs").stream().map(JsonObject.class::cast)
            .filter(entry -> entry.getInteger("chats") >= chats).findFirst().orElse(null);
        if (sync[0] == null) {
          return now > SYNC_SENT_WITHIN_MS;
        }
        return sync[0].getValue("outcome") != null || now - sync[0].getDouble("at") > CLIENT_REQUEST_TIMEOUT_MS + 1000;
      });
      boolean answered = sync[0] != null && "answered".equals(sync[0].getString("outcome"))
          && sync[0].getDouble("answeredAt") - sync[0].getDouble("at") <= CLIENT_REQUEST_TIMEOUT_MS;
      result.put("syncAnswered", answered).put("sync", sync[0])
          .put("syncsSent", all[0] == null ? 0 : all[0].getJsonArray("syncs").size())
          .put("unaddressedErrors", all[0] == null ? null : all[0].getJsonArray("unaddressedErrors"));
      LOG.info("{} load: list {} ms, chat.sync at connect {}", cold ? "cold" : "warm", result.getValue("visibleMs"),
          answered ? "answered" : sync[0] == null ? "not sent" : "not answered (" + sync[0].getString("outcome") + ")");
      return result;
    }

    // Reading the page

    private boolean isShown(String messageId) {
      return !browser.find(By.cssSelector(".message-list article[data-message-id='" + messageId + "']")).isEmpty();
    }

    private JsonObject visible(List<String> ids) {
      return (JsonObject) browser.probeJson("visible(arguments[0])", ids);
    }

    private List<ClientFigures.BadgeChange> badgeLog() {
      List<ClientFigures.BadgeChange> log = new ArrayList<>();
      ((JsonArray) browser.probeJson("takeBadgeLog()")).forEach(entry -> {
        JsonArray change = (JsonArray) entry;
        log.add(new ClientFigures.BadgeChange(change.getString(0), change.getInteger(1), change.getLong(2)));
      });
      return log;
    }

    private Map<String, Integer> badgeCounts() {
      Map<String, Integer> counts = new HashMap<>();
      ((JsonObject) browser.probeJson("badgeCounts()")).forEach(entry ->
          counts.put(entry.getKey(), ((Number) entry.getValue()).intValue()));
      return counts;
    }

    /** The viewer's counts by chat as the server has them ({@code GET /api/v1/chats}, with the page's own token). */
    private Map<String, Integer> serverCounts() {
      String token = (String) browser.script("return JSON.parse(localStorage.getItem('ocomms.session')).accessToken;");
      try {
        JsonObject answer = Lanes.await(api.chats(token), 60);
        Map<String, Integer> counts = new HashMap<>();
        answer.getJsonArray("chats").forEach(entry -> {
          JsonObject chat = (JsonObject) entry;
          // The row shows the mentions when there are any, else the unread messages.
          int mentions = chat.getInteger("mentionCount", 0);
          counts.put(chat.getString("id"), mentions > 0 ? mentions : chat.getInteger("unreadCount", 0));
        });
        return counts;
      } catch (Exception e) {
        throw new IllegalStateException("GET /api/v1/chats failed", e);
      }
    }

    private Window begin(String phase) {
      return new Window(browser, config.pageProfile() == null ? null : Path.of(config.pageProfile()), phase,
          config.pageTrace());
    }
  }

  /** A measured window: page clock and DevTools metrics at its start and end. */
  private static final class Window {
    private final Chromium browser;
    final double from;
    private final Map<String, Double> before;
    double to;
    private Map<String, Double> after;

    /** Where the phase's CPU profile of the page goes ({@code --page-profile DIR}), or null. */
    private final Path profile;

    private final boolean trace;
    private final String phase;

    Window(Chromium browser, Path profileDir, String phase, boolean trace) {
      this.browser = browser;
      this.trace = trace;
      this.phase = phase;
      if (trace) {
        browser.mainThreadTime(); // what came before the window is not counted
      }
      this.profile = profileDir == null ? null : profileDir.resolve(phase + ".cpuprofile");
      if (profile != null) {
        browser.cdp("Profiler.enable", Map.of());
        browser.cdp("Profiler.start", Map.of());
      }
      this.before = browser.metrics();
      this.from = browser.pageNow();
    }

    void end() {
      to = browser.pageNow();
      after = browser.metrics();
      if (trace) {
        StringBuilder top = new StringBuilder();
        browser.mainThreadTime().entrySet().stream()
            .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(25)
            .forEach(entry -> top.append(String.format("%9.1f ms  %s%n", entry.getValue(), entry.getKey())));
        LOG.info("{}: the page's main thread by traced event (ms, nested events in their parents too):\n{}", phase, top);
      }
      if (profile != null) {
        JsonObject cpu = new JsonObject(browser.cdp("Profiler.stop", Map.of())).getJsonObject("profile");
        try {
          Files.createDirectories(profile.getParent());
          Files.writeString(profile, cpu.encode());
          LOG.info("CPU profile {}; the most self time:\n{}", profile, ClientFigures.topSelfTime(cpu, 15));
        } catch (java.io.IOException e) {
          LOG.warn("could not write {}", profile, e);
        }
      }
    }

    JsonObject busy() {
      return ClientFigures.busy(before, after);
    }

    JsonObject longTasks() {
      return ClientFigures.longTasks((JsonArray) browser.probeJson("longTasks(arguments[0], arguments[1])", from, to));
    }
  }

  /** Waits up to {@code seconds} for a condition, checking every 250 ms; whether it held. */
  private static boolean awaitQuietly(int seconds, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(250);
    }
    return condition.getAsBoolean();
  }

  private static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
    if (!awaitQuietly(seconds, condition)) {
      throw new IllegalStateException("the page did not show " + what + " within " + seconds + " s");
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // The report

  /** Main-thread busy and badge lag per rate into the channels not open. */
  private static JsonArray charts(JsonObject results) {
    List<Double> rates = new ArrayList<>();
    List<Double> busy = new ArrayList<>();
    List<Double> lagP50 = new ArrayList<>();
    List<Double> lagP99 = new ArrayList<>();
    JsonObject idle = results.getJsonObject("idle");
    if (idle != null && idle.getValue("busyPercent") != null) {
      rates.add(0.0);
      busy.add(idle.getDouble("busyPercent"));
    }
    List<Double> lagRates = new ArrayList<>();
    results.getJsonArray("elsewhere", new JsonArray()).forEach(entry -> {
      JsonObject phase = (JsonObject) entry;
      if (phase.getValue("busyPercent") != null) {
        rates.add(phase.getDouble("ratePerSecond"));
        busy.add(phase.getDouble("busyPercent"));
      }
      JsonObject lag = phase.getJsonObject("badgeLagMs");
      if (lag != null && lag.getValue("p50") != null) {
        lagRates.add(phase.getDouble("ratePerSecond"));
        lagP50.add(lag.getDouble("p50"));
        lagP99.add(lag.getDouble("p99"));
      }
    });
    return new JsonArray()
        .add(new JsonObject().put("title", "main thread busy").put("xAxisTitle", "msg/s into channels not open")
            .put("yAxisTitle", "% of wall time").put("lines", new JsonArray().add(line("busy", rates, busy))))
        .add(new JsonObject().put("title", "badge lag per message").put("xAxisTitle", "msg/s into channels not open")
            .put("yAxisTitle", "ms").put("lines", new JsonArray()
                .add(line("p50", lagRates, lagP50)).add(line("p99", lagRates, lagP99))));
  }

  private static JsonObject line(String name, List<Double> x, List<Double> y) {
    return new JsonObject().put("name", name).put("x", new JsonArray(new ArrayList<>(x)))
        .put("y", new JsonArray(new ArrayList<>(y)));
  }

  @Override
  public String figures(JsonObject report) {
    JsonObject results = report.getJsonObject("results");
    List<String> parts = new ArrayList<>();
    JsonObject idle = results.getJsonObject("idle");
    if (idle != null) {
      parts.add(String.format("idle %s %% busy", idle.getValue("busyPercent")));
    }
    results.getJsonArray("elsewhere").forEach(entry -> {
      JsonObject phase = (JsonObject) entry;
      JsonObject lag = phase.getJsonObject("badgeLagMs");
      JsonObject tasks = phase.getJsonObject("longTasks");
      parts.add(String.format("%s/s elsewhere %s %% busy, %d tasks > 50 ms (max %s), badge lag p50/p99 %s/%s ms,"
              + " right %s after stop", number(phase.getDouble("ratePerSecond")), phase.getValue("busyPercent"),
          tasks.getInteger("count"), tasks.getValue("maxMs"), lag.getValue("p50"), lag.getValue("p99"),
          phase.getValue("badgesRightAfterStopMs") == null ? "never (within " + phase.getValue("settleSeconds") + " s)"
              : phase.getValue("badgesRightAfterStopMs") + " ms"));
    });
    results.getJsonArray("openChat").forEach(entry -> {
      JsonObject phase = (JsonObject) entry;
      JsonObject visible = phase.getJsonObject("sendToVisibleMs");
      parts.add(String.format("%s/s into the open chat: send→visible p50/p90/p99 %s/%s/%s ms, %s %% busy,"
              + " longest read gap %s ms", number(phase.getDouble("ratePerSecond")), visible.getValue("p50"),
          visible.getValue("p90"), visible.getValue("p99"), phase.getValue("busyPercent"),
          phase.getJsonObject("reads").getValue("longestGapMs")));
    });
    JsonObject switches = results.getJsonObject("switch");
    parts.add(String.format("switch median/max: light %s/%s ms, heavy (%s loaded) %s/%s ms",
        switches.getJsonObject("light").getValue("medianMs"), switches.getJsonObject("light").getValue("maxMs"),
        switches.getJsonObject("heavy").getValue("messagesLoaded"), switches.getJsonObject("heavy").getValue("medianMs"),
        switches.getJsonObject("heavy").getValue("maxMs")));
    JsonObject cold = results.getJsonObject("coldLoad");
    Double bytes = cold.getDouble("transferBytesMedian");
    parts.add(String.format("cold load median/max %s/%s ms, %s KB", cold.getValue("medianMs"), cold.getValue("maxMs"),
        bytes == null ? "?" : String.valueOf(Math.round(bytes / 1024))));
    JsonObject underLoad = results.getJsonObject("syncUnderLoad");
    parts.add(String.format("chat.sync at connect answered %d/%d idle, %d/%d at %s/s", cold.getLong("syncAnswered"),
        cold.getJsonArray("loads").size(), underLoad.getLong("syncAnswered"), underLoad.getInteger("loads"),
        number(underLoad.getDouble("ratePerSecond"))));
    JsonArray targets = results.getJsonArray("targets");
    long met = targets.stream().filter(row -> Boolean.TRUE.equals(((JsonObject) row).getBoolean("pass"))).count();
    long measured = targets.stream().filter(row -> ((JsonObject) row).getValue("pass") != null).count();
    parts.add(String.format("targets met %d of %d measured (%d)", met, measured, targets.size()));
    return String.join("; ", parts);
  }

  /** 100.0 as 100. */
  static String number(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
  }
}
