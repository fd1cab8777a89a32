package dev.ocomms.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bots: a bot's round trip. {@code bots} bots, each created over REST by the workspace's owner (with its
 * {@code ocb_} token) and added to a channel of its own with {@code sendersPerBot} people. Each bot is connected
 * over the event bus over TCP ({@code OCOMMS_BOT_BRIDGE_PORT}), registered on its channel, and answers every message
 * that mentions it, in that message's thread ({@code chat.message.send} with {@code replyTo}), as
 * {@code examples/echo-bot.js} does. The people are connected over the browser bridge ({@code /eventbus} WebSocket),
 * registered on their channel and their {@code user.<id>}, and post mentions of their channel's bot at a fixed total
 * {@code rate} (open loop). Measures mention send → the sender seeing the bot's reply (the round trip), send → the
 * bot hearing the mention, the mention's ack, lost replies, and the CPU of the servers and stores per mention.
 *
 * <p>A bot sends at most 10 messages per second (the server's {@code chat.send} and {@code bot.requests} limits), so
 * the default is one bot per 8 mentions/s: the measure is the path a mention and its answer take, not one bot's
 * budget. The bots run in this process (speaking the TCP framing as any client does), so their CPU is the bench's.
 */
final class BotsScenario implements Scenario {
  private static final Logger LOG = LoggerFactory.getLogger(BotsScenario.class);
  /** What a mention says after the bot's name, then its number; the bot's answer says the reply word and the number. */
  private static final String PING = " ping ";
  private static final String PONG = "pong ";

  /** What to run. */
  record Config(double rate, int bots, int sendersPerBot, int seconds, int warmupSeconds, int idleSeconds,
                int setupConcurrency, int drainSeconds) {
    int senders() {
      return bots * sendersPerBot;
    }

    JsonObject toJson() {
      return new JsonObject().put("mentionsPerSecond", rate).put("bots", bots).put("sendersPerBot", sendersPerBot)
          .put("senders", senders()).put("seconds", seconds).put("warmupSeconds", warmupSeconds)
          .put("idleSeconds", idleSeconds).put("drainSeconds", drainSeconds);
    }
  }

  private final Vertx vertx;
  private final Target target;
  private final Config config;

  static BotsScenario from(Vertx vertx, Target target, Options options) {
    double rate = options.decimal("rate", 100);
    return new BotsScenario(vertx, target, new Config(rate, options.integer("bots", (int) Math.ceil(rate / 8)),
        options.integer("senders-per-bot", 2), options.integer("seconds", 60), options.integer("warmup", 10),
        options.integer("idle-seconds", 10), options.integer("setup-concurrency", 16),
        options.integer("drain-seconds", 15)));
  }

  BotsScenario(Vertx vertx, Target target, Config config) {
    this.vertx = vertx;
    this.target = target;
    this.config = config;
  }

  /** A bot: its channel, its id and name, and its TCP connection. */
  private record Bot(int index, String chatId, String botId, String username, TcpBridgeConnection connection) {
  }

  /** A person who mentions the bot of its channel, over the browser bridge. */
  private record Sender(int index, Bot bot, BridgeClient bridge) {
  }

  @Override
  public JsonObject run() throws Exception {
    if (config.rate() / config.bots() > 10) {
      throw new IllegalArgumentException("a bot may send at most 10 messages per second (the server's limit):"
          + " use at least rate/10 bots");
    }
    if (config.rate() / config.senders() > 10) {
      throw new IllegalArgumentException("a person may send at most 10 messages per second (the server's limit):"
          + " use more senders per bot");
    }
    for (int node = 0; node < target.size(); node++) {
      if (target.botBridgePort(node) <= 0) {
        throw new IllegalArgumentException("the bots connect to the TCP bridge: with --url, give each node's"
            + " OCOMMS_BOT_BRIDGE_PORT as --bot-bridge-port port[,port]");
      }
    }
    WebClient web = WebClient.create(vertx, new WebClientOptions(),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(config.setupConcurrency()));
    WebSocketClient sockets = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(Integer.MAX_VALUE).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    NetClient tcp = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
    Tally tally = new Tally(capacity());
    List<Bot> bots = List.of();
    List<Sender> senders = List.of();
    try {
      Population population = Lanes.await(Population.create(web, target, config.senders(), config.bots(),
          i -> List.of(i % config.bots()), config.setupConcurrency()), 1800);
      bots = Lanes.await(bots(web, tcp, population, tally), 600);
      senders = Lanes.await(senders(sockets, population, bots, tally), 600);
      LOG.info("set up: {} bots over TCP, {} senders over the bridge", bots.size(), senders.size());
      return measure(tally, senders);
    } finally {
      Future.join(java.util.stream.Stream.concat(bots.stream().map(bot -> bot.connection().close()),
              senders.stream().map(sender -> sender.bridge().close())).toList())
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      tcp.close();
      sockets.close();
      web.close();
    }
  }

  /** Capacity for every mention's number: the rate over warm-up and measured phase, with room to spare. */
  private int capacity() {
    return (int) Math.min(Integer.MAX_VALUE - 1,
        Math.ceil(config.rate() * (config.warmupSeconds() + config.seconds() + 5) * 1.5) + 1000);
  }

  /**
   * Creates a bot per channel (the owner creates it and adds it to the channel), connects it over TCP (round-robin
   * over the nodes) and registers it on its channel, answering every mention of it from then on.
   */
  private Future<List<Bot>> bots(WebClient web, NetClient tcp, Population population, Tally tally) {
    return Lanes.bounded(config.bots(), config.setupConcurrency(), i -> {
      Api api = new Api(web, target.host, target.port(i % target.size()));
      String chatId = population.chatIds.get(i);
      String username = "b" + population.runId + "bot" + i;
      return api.createBot(population.ownerToken, population.workspaceId, username, "Bench bot " + i)
          .compose(created -> {
            String botId = created.getJsonObject("bot").getString("id");
            return api.addMember(population.ownerToken, chatId, botId)
                .compose(added -> TcpBridgeConnection.connect(vertx, tcp, target.host,
                    target.botBridgePort(i % target.size()), created.getString("token")))
                .compose(connection -> {
                  Bot bot = new Bot(i, chatId, botId, username, connection);
                  connection.onEvent(frame -> answer(bot, frame.getJsonObject("body"), tally));
                  return connection.register("chat." + chatId).map(ok -> bot);
                });
          });
    });
  }

  /** The bot's part: a mention of it, by someone else, is answered in the mention's thread. */
  private void answer(Bot bot, JsonObject event, Tally tally) {
    if (event == null || !"message.new".equals(event.getString("type"))) {
      return;
    }
    JsonObject message = event.getJsonObject("message");
    JsonObject mentions = message.getJsonObject("mentions", new JsonObject());
    if (bot.botId().equals(message.getString("senderId"))
        || !mentions.getJsonArray("users", new JsonArray()).contains(bot.botId())) {
      return;
    }
    String content = message.getString("content", "");
    int at = content.indexOf(PING);
    long number = at < 0 ? -1 : parse(content, at + PING.length());
    tally.heard(number);
    sendAnswer(bot, new JsonObject().put("chatId", bot.chatId()).put("clientId", UUID.randomUUID().toString())
        .put("replyTo", message.getString("id")).put("content", PONG + (number < 0 ? "?" : String.valueOf(number))),
        number, tally);
  }

  /**
   * Sends the answer; one the server refuses as {@code rate_limited} (a bot sends at most 10 messages a second, and a
   * stall upstream hands it a burst of mentions at once) goes again after the {@code retryAfterMs} it names, with
   * the same clientId, as the protocol tells a client to do. Anything else is counted and given up.
   */
  private void sendAnswer(Bot bot, JsonObject answer, long number, Tally tally) {
    bot.connection().request("chat.message.send", answer)
        .onSuccess(reply -> tally.answered(number))
        .onFailure(failure -> {
          tally.botFailed(failure);
          if (failure instanceof BridgeClient.BenchFailure refusal && "rate_limited".equals(refusal.code())) {
            long waitMs = Math.max(1, refusal.problem.getLong("retryAfterMs",
                1000 * refusal.problem.getLong("retryAfter", 1L)));
            vertx.setTimer(waitMs, id -> sendAnswer(bot, answer, number, tally));
          }
        });
  }

  /** The senders, round-robin over the nodes, each registered on its channel and its user address. */
  private Future<List<Sender>> senders(WebSocketClient sockets, Population population, List<Bot> bots, Tally tally) {
    return Lanes.bounded(population.users.size(), config.setupConcurrency(), i -> {
      Population.User user = population.users.get(i);
      Bot bot = bots.get(i % config.bots());
      return BridgeClient.connect(vertx, sockets, target.host, target.port(i % target.size()), user.accessToken())
          .compose(bridge -> bridge.register("chat." + bot.chatId())
              .compose(ok -> bridge.register("user." + user.userId()))
              .map(ok -> {
                Sender sender = new Sender(i, bot, bridge);
                bridge.onEvent(frame -> seeReply(sender, frame.getJsonObject("body"), tally));
                return sender;
              }));
    });
  }

  /** The sender's part: the bot's answer to one of this sender's mentions ends that mention's round trip. */
  private static void seeReply(Sender sender, JsonObject event, Tally tally) {
    if (event == null || !"message.new".equals(event.getString("type"))) {
      return;
    }
    JsonObject message = event.getJsonObject("message");
    String content = message.getString("content", "");
    if (!sender.bot().botId().equals(message.getString("senderId")) || message.getString("replyTo") == null
        || !content.startsWith(PONG)) {
      return;
    }
    tally.replySeen(sender.index(), parse(content, PONG.length()));
  }

  /**
   * Sends at the configured rate, spread evenly over the senders: {@code warmupSeconds} unmeasured, then
   * {@code seconds} measured; waits up to {@code drainSeconds} for the last replies; the report.
   */
  private JsonObject measure(Tally tally, List<Sender> senders) throws Exception {
    // At a hundred mentions a second the nodes' own background work (cluster heartbeats, timers, PostgreSQL's
    // housekeeping) is a visible part of the CPU per mention: measured first, everyone connected and silent.
    double idleServerBefore = target.serverCpuSeconds();
    double idleStoresBefore = target.storesCpuSeconds();
    long idleStart = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(config.idleSeconds()));
    double idleElapsed = (System.nanoTime() - idleStart) / 1e9;
    double idleServer = delta(target.serverCpuSeconds(), idleServerBefore);
    double idleStores = delta(target.storesCpuSeconds(), idleStoresBefore);
    double idlePerSecond = config.idleSeconds() <= 0 || idleServer < 0 || idleStores < 0 ? -1
        : (idleServer + idleStores) / idleElapsed;
    double perSender = config.rate() / senders.size();
    long intervalMs = Math.max(1, Math.round(1000 / perSender));
    long endAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.warmupSeconds() + config.seconds());
    List<Long> timers = new CopyOnWriteArrayList<>();
    for (int i = 0; i < senders.size(); i++) {
      Sender sender = senders.get(i);
      long offsetMs = Math.max(1, Math.round(i * (1000.0 / perSender) / senders.size()));
      // Timers on the sender's own event loop: a connection is used from one thread only.
      sender.bridge().context().runOnContext(v -> vertx.setTimer(offsetMs, first -> timers.add(
          vertx.setPeriodic(intervalMs, id -> {
            if (System.nanoTime() < endAt) {
              mention(sender, tally);
            }
          }))));
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(config.warmupSeconds()));
    double serverCpuBefore = target.serverCpuSeconds();
    double storesCpuBefore = target.storesCpuSeconds();
    double benchCpuBefore = ProcessStats.cpuSeconds(ProcessHandle.current().pid());
    double machineBefore = ProcessStats.machineBusySeconds();
    target.beginMeasuring();
    long start = System.nanoTime();
    tally.measuring = true;
    JsonArray series = new JsonArray();
    long seriesTimer = vertx.setPeriodic(1000, id -> series.add(tally.sample(start)));
    Thread.sleep(TimeUnit.SECONDS.toMillis(config.seconds()));
    tally.measuring = false;
    timers.forEach(vertx::cancelTimer);
    double sendingSeconds = (System.nanoTime() - start) / 1e9;
    target.endMeasuring();
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.drainSeconds());
    while (System.nanoTime() < drainUntil && !tally.drained()) {
      Thread.sleep(100);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    vertx.cancelTimer(seriesTimer);
    double serverCpu = delta(target.serverCpuSeconds(), serverCpuBefore);
    double storesCpu = delta(target.storesCpuSeconds(), storesCpuBefore);
    double benchCpu = ProcessStats.cpuSeconds(ProcessHandle.current().pid()) - benchCpuBefore;
    double machine = delta(ProcessStats.machineBusySeconds(), machineBefore);
    // What other processes on the machine took meanwhile (other runs, builds): known only when this run started the
    // servers and stores, whose CPU it can tell apart.
    double others = machine < 0 || serverCpu < 0 || storesCpu < 0 ? -1
        : Math.max(0, machine - serverCpu - storesCpu - benchCpu);
    int cores = Runtime.getRuntime().availableProcessors();
    long acked = tally.acked.sum();
    JsonObject cpu = new JsonObject()
        .put("seconds", MessageLoad.round(elapsed))
        .put("serverSeconds", serverCpu)
        .put("storesSeconds", storesCpu)
        .put("benchSeconds", MessageLoad.round(benchCpu))
        .put("serverShareOfMachine", serverCpu < 0 ? null : MessageLoad.round(serverCpu / (elapsed * cores)))
        .put("storesShareOfMachine", storesCpu < 0 ? null : MessageLoad.round(storesCpu / (elapsed * cores)))
        .put("benchShareOfMachine", MessageLoad.round(benchCpu / (elapsed * cores)))
        .put("machineBusyShare", machine < 0 ? null : MessageLoad.round(machine / (elapsed * cores)))
        .put("othersShareOfMachine", others < 0 ? null : MessageLoad.round(others / (elapsed * cores)))
        // A mention costs two messages (the mention and the answer) and their deliveries.
        .put("serverAndStoresMsPerMention", serverCpu < 0 || acked == 0 ? null
            : MessageLoad.round((serverCpu + Math.max(0, storesCpu)) * 1000 / acked))
        .put("idleServerAndStoresShareOfMachine", idlePerSecond < 0 ? null
            : MessageLoad.round(idlePerSecond / cores))
        .put("serverAndStoresMsPerMentionAboveIdle", serverCpu < 0 || storesCpu < 0 || idlePerSecond < 0 || acked == 0
            ? null : MessageLoad.round(Math.max(0, serverCpu + storesCpu - idlePerSecond * elapsed) * 1000 / acked));
    JsonObject results = tally.results(sendingSeconds);
    return new JsonObject().put("scenario", "bots").put("config", config.toJson()).put("results", results)
        .put("cpu", cpu).put("series", series).put("charts", charts(series));
  }

  private static void mention(Sender sender, Tally tally) {
    boolean measured = tally.measuring;
    int number = tally.begin(sender.index(), measured);
    if (number < 0) {
      return;
    }
    long sent = System.nanoTime();
    sender.bridge().request("chat.message.send", new JsonObject().put("chatId", sender.bot().chatId())
            .put("clientId", UUID.randomUUID().toString())
            .put("content", "@" + sender.bot().username() + PING + number))
        .onComplete(done -> {
          if (!measured) {
            return;
          }
          if (done.succeeded()) {
            tally.acked(sent);
          } else {
            tally.refused(number, done.cause());
          }
        });
  }

  /** The report's chart: round-trip percentiles per second, and mentions acked and replies seen per second. */
  private static JsonArray charts(JsonArray series) {
    JsonObject latency = new JsonObject().put("title", "mention → reply seen by the sender").put("yAxisTitle", "ms")
        .put("lines", new JsonArray().add(line(series, "roundTripP50")).add(line(series, "roundTripP99"))
            .add(line(series, "heardP99")).add(line(series, "ackP99")));
    JsonObject counts = new JsonObject().put("title", "per second").put("yAxisTitle", "count")
        .put("lines", new JsonArray().add(line(series, "acked")).add(line(series, "replies")));
    return new JsonArray().add(latency).add(counts);
  }

  private static JsonObject line(JsonArray series, String metric) {
    JsonArray x = new JsonArray();
    JsonArray y = new JsonArray();
    series.forEach(entry -> {
      JsonObject point = (JsonObject) entry;
      if (point.getValue(metric) != null) {
        x.add(point.getDouble("t"));
        y.add(point.getValue(metric));
      }
    });
    return new JsonObject().put("name", metric).put("x", x).put("y", y);
  }

  @Override
  public String figures(JsonObject report) {
    JsonObject results = report.getJsonObject("results");
    JsonObject cpu = report.getJsonObject("cpu");
    JsonObject roundTrip = results.getJsonObject("roundTrip");
    return String.format("%d mentions/s acked, %d bots over TCP; round trip (mention → reply seen by the sender)"
            + " p50/p95/p99/max %.1f/%.1f/%.1f/%.1f ms over %d; bot heard p99 %.1f ms; mention ack p99 %.1f ms;"
            + " lost %d, dup %d, refused %d, bot answers refused %d (rate_limited ones sent again);"
            + " CPU per mention (server + stores) %s ms (%s above idle);"
            + " CPU of %d cores: server %s, stores %s, bench %s, other processes %s",
        results.getLong("ackedPerSecond"), config.bots(),
        roundTrip.getDouble("p50"), roundTrip.getDouble("p95"), roundTrip.getDouble("p99"),
        roundTrip.getDouble("max"), roundTrip.getLong("count"),
        results.getJsonObject("heard").getDouble("p99"), results.getJsonObject("ack").getDouble("p99"),
        results.getLong("lost"), results.getLong("duplicated"), results.getLong("refused"),
        results.getLong("botRefused"), cpu.getValue("serverAndStoresMsPerMention"),
        cpu.getValue("serverAndStoresMsPerMentionAboveIdle"),
        report.getJsonObject("machine", new JsonObject()).getInteger("cores",
            Runtime.getRuntime().availableProcessors()),
        cpu.getValue("serverShareOfMachine"), cpu.getValue("storesShareOfMachine"), cpu.getValue("benchShareOfMachine"),
        cpu.getValue("othersShareOfMachine"));
  }

  /** Digits from {@code from}; -1 when there are none. */
  private static long parse(String text, int from) {
    long value = 0;
    int i = from;
    for (; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
      value = value * 10 + (text.charAt(i) - '0');
    }
    return i == from ? -1 : value;
  }

  private static double delta(double after, double before) {
    return before < 0 || after < 0 ? -1 : MessageLoad.round(after - before);
  }

  /**
   * The counts. Mentions are numbered; {@code sentAt} holds the send time of each measured one (0 for warm-up and
   * refused ones), {@code senderOf} its sender (index + 1), so that only the sender's own view of the answer counts.
   */
  private static final class Tally {
    final AtomicLongArray sentAt;
    final AtomicIntegerArray senderOf;
    /** Per mention: whether the bot heard it (1), whether its sender saw the answer (2). */
    final AtomicIntegerArray seen;
    final AtomicLong nextNumber = new AtomicLong();
    volatile boolean measuring;
    final Latencies ack = new Latencies();
    final Latencies heard = new Latencies();
    final Latencies roundTrip = new Latencies();
    final LongAdder sent = new LongAdder();
    final LongAdder acked = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder replies = new LongAdder();
    final LongAdder duplicated = new LongAdder();
    final LongAdder unexpected = new LongAdder();
    /** Measured mentions not refused: each should get its answer to its sender. */
    final LongAdder expected = new LongAdder();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final Map<String, LongAdder> botErrors = new ConcurrentHashMap<>();
    final LongAdder secondAcked = new LongAdder();
    final LongAdder secondReplies = new LongAdder();

    Tally(int capacity) {
      sentAt = new AtomicLongArray(capacity);
      senderOf = new AtomicIntegerArray(capacity);
      seen = new AtomicIntegerArray(capacity);
    }

    /** The next mention's number for sender {@code sender} (-1 when the numbers ran out). */
    int begin(int sender, boolean measured) {
      long number = nextNumber.getAndIncrement();
      if (number >= sentAt.length()) {
        return -1;
      }
      senderOf.set((int) number, sender + 1);
      if (measured) {
        sentAt.set((int) number, System.nanoTime());
        sent.increment();
        expected.increment();
      }
      return (int) number;
    }

    void acked(long sentNanos) {
      ack.record(System.nanoTime() - sentNanos);
      acked.increment();
      secondAcked.increment();
    }

    /** A refused mention is never answered: it is not expected either. One that timed out may still be. */
    void refused(int number, Throwable failure) {
      String code = failure instanceof BridgeClient.BenchFailure bench ? bench.code()
          : failure.getClass().getSimpleName();
      errors.computeIfAbsent(code, c -> new LongAdder()).increment();
      if (!"timeout".equals(code)) {
        expected.decrement();
        sentAt.set(number, 0);
      }
    }

    /** The bot heard mention {@code number}. */
    void heard(long number) {
      if (!valid(number)) {
        unexpected.increment();
        return;
      }
      long sentNanos = sentAt.get((int) number);
      int before = seen.getAndUpdate((int) number, bits -> bits | 1);
      if (sentNanos != 0 && (before & 1) == 0) {
        heard.record(System.nanoTime() - sentNanos);
      }
    }

    void answered(long number) {
      if (valid(number) && sentAt.get((int) number) != 0) {
        answered.increment();
      }
    }

    void botFailed(Throwable failure) {
      String code = failure instanceof BridgeClient.BenchFailure bench ? bench.code()
          : failure.getClass().getSimpleName();
      botErrors.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    /** Sender {@code sender} saw the bot's answer to mention {@code number} (another's mention does not count). */
    void replySeen(int sender, long number) {
      if (!valid(number)) {
        unexpected.increment();
        return;
      }
      if (senderOf.get((int) number) != sender + 1) {
        return; // the answer to the other sender of the channel
      }
      long sentNanos = sentAt.get((int) number);
      int before = seen.getAndUpdate((int) number, bits -> bits | 2);
      if ((before & 2) != 0) {
        duplicated.increment();
        return;
      }
      if (sentNanos == 0) {
        return; // a warm-up mention
      }
      roundTrip.record(System.nanoTime() - sentNanos);
      replies.increment();
      secondReplies.increment();
    }

    private boolean valid(long number) {
      return number >= 0 && number < nextNumber.get() && number < sentAt.length();
    }

    boolean drained() {
      return replies.sum() >= expected.sum();
    }

    JsonObject sample(long start) {
      Histogram roundTripSecond = roundTrip.interval();
      Histogram heardSecond = heard.interval();
      Histogram ackSecond = ack.interval();
      JsonObject point = new JsonObject()
          .put("t", Math.round((System.nanoTime() - start) / 1e8) / 10.0)
          .put("acked", secondAcked.sumThenReset())
          .put("replies", secondReplies.sumThenReset());
      if (roundTripSecond.getTotalCount() > 0) {
        point.put("roundTripP50", Latencies.ms(roundTripSecond.getValueAtPercentile(50)))
            .put("roundTripP99", Latencies.ms(roundTripSecond.getValueAtPercentile(99)));
      }
      if (heardSecond.getTotalCount() > 0) {
        point.put("heardP99", Latencies.ms(heardSecond.getValueAtPercentile(99)));
      }
      if (ackSecond.getTotalCount() > 0) {
        point.put("ackP99", Latencies.ms(ackSecond.getValueAtPercentile(99)));
      }
      return point;
    }

    JsonObject results(double sendingSeconds) {
      JsonObject errorCounts = new JsonObject();
      errors.forEach((code, count) -> errorCounts.put(code, count.sum()));
      JsonObject botErrorCounts = new JsonObject();
      botErrors.forEach((code, count) -> botErrorCounts.put(code, count.sum()));
      long refused = errors.values().stream().mapToLong(LongAdder::sum).sum();
      long botRefused = botErrors.values().stream().mapToLong(LongAdder::sum).sum();
      return new JsonObject()
          .put("sent", sent.sum())
          .put("sentPerSecond", Math.round(sent.sum() / sendingSeconds))
          .put("acked", acked.sum())
          .put("ackedPerSecond", Math.round(acked.sum() / sendingSeconds))
          .put("answered", answered.sum())
          .put("replies", replies.sum())
          .put("expectedReplies", expected.sum())
          .put("lost", Math.max(0, expected.sum() - replies.sum()))
          .put("duplicated", duplicated.sum())
          .put("unexpected", unexpected.sum())
          .put("drained", drained())
          .put("refused", refused)
          .put("errors", errorCounts)
          .put("botRefused", botRefused)
          .put("botErrors", botErrorCounts)
          .put("ack", Latencies.summary(ack.total()))
          .put("heard", Latencies.summary(heard.total()))
          .put("roundTrip", Latencies.summary(roundTrip.total()))
          .put("sendingSeconds", MessageLoad.round(sendingSeconds));
    }
  }
}
