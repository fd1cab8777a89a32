package dev.ocomms.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Search (issue #15): a workspace of {@code users} accounts and {@code chats} chats made through the API, then
 * {@code messages} messages loaded in bulk into messaging's tables ({@link MessageFill}: Zipf-distributed words over a
 * year), then the wait until the search verticle, following the event stream, has indexed them all (a message with a
 * word of its own, sent through the API after the fill, becomes findable). Then, over the bridge ({@code search.query},
 * {@code connections} users, each searching as itself, at most once per {@code search-gap-ms}):
 * <ul>
 *   <li>{@code warmup-seconds} of searches of every kind, unmeasured;</li>
 *   <li>each of the seven {@link SearchQueries.Kind kinds} of query, {@code warmup-queries} unmeasured and
 *   {@code queries} measured, {@code query-concurrency} at once: p50/p95/p99, how many results they found;</li>
 *   <li>sustained searches per second: {@code sustained-concurrency} closed loops of mixed kinds over the users for
 *   {@code sustained-seconds};</li>
 *   <li>freshness under a send load ({@link SearchFreshness}): send ack → the first search that finds the message.</li>
 * </ul>
 * Targets: p95 ≤ 50 ms and p99 ≤ 100 ms for every kind, freshness p99 ≤ 1 s.
 */
final class SearchScenario implements Scenario {
  private static final Logger LOG = LoggerFactory.getLogger(SearchScenario.class);
  static final double P95_TARGET_MS = 50;
  static final double P99_TARGET_MS = 100;
  static final double FRESHNESS_P99_TARGET_MS = 1000;
  static final double AUTOCOMPLETE_P95_TARGET_MS = 20;

  /** What to run. */
  record Config(SearchWorkspace.Shape shape, MessageFill.Config fill, int vocabulary, double zipf, int connections,
                int queries, int warmupQueries, int warmupSeconds, int queryConcurrency, int sustainedSeconds,
                int sustainedWarmupSeconds, int sustainedConcurrency, int searchGapMs, SearchFreshness.Config freshness,
                int indexTimeoutSeconds, int setupConcurrency, String databaseUrl, int keepSeconds) {
    JsonObject toJson() {
      return new JsonObject().put("workspace", shape.toJson()).put("fill", fill.toJson())
          .put("vocabulary", vocabulary).put("zipfExponent", zipf).put("connections", connections)
          .put("queriesPerKind", queries).put("warmupQueriesPerKind", warmupQueries)
          .put("warmupSeconds", warmupSeconds)
          .put("queryConcurrency", queryConcurrency).put("sustainedSeconds", sustainedSeconds)
          .put("sustainedConcurrency", sustainedConcurrency)
          .put("searchGapMs", searchGapMs).put("freshness", freshness.toJson())
          .put("indexTimeoutSeconds", indexTimeoutSeconds);
    }
  }

  private final Vertx vertx;
  private final Target target;
  private final Config config;

  static SearchScenario from(Vertx vertx, Target target, Options options) {
    long seed = options.integer("seed", 1);
    String databaseUrl = options.text("pg-url", target.databaseUrl());
    if (databaseUrl == null) {
      throw new IllegalArgumentException("with --url, give --pg-url postgresql://user@host:port/db: the fill writes"
          + " messaging's tables directly");
    }
    return new SearchScenario(vertx, target, new Config(
        new SearchWorkspace.Shape(options.integer("users", 500), options.integer("chats", 200),
            options.integer("private-channels", 20), options.integer("dms", 20), options.integer("chats-per-user", 30),
            seed),
        new MessageFill.Config(options.integer("messages", 1_000_000), options.integer("chunk", 100_000),
            options.integer("days", 365), options.integer("min-words", 4), options.integer("max-words", 18), seed),
        options.integer("vocabulary", 50_000), options.decimal("zipf", 1.0), options.integer("connections", 100),
        options.integer("queries", 300), options.integer("warmup-queries", 50),
        options.integer("warmup-seconds", 15),
        options.integer("query-concurrency", 4), options.integer("sustained-seconds", 20),
        options.integer("sustained-warmup", 5), options.integer("sustained-concurrency", 8),
        options.integer("search-gap-ms", 250),
        new SearchFreshness.Config(options.decimal("send-rate", 200), options.integer("senders", 40),
            options.integer("probes", 100), options.integer("probe-interval-ms", 300), options.integer("poll-ms", 50),
            options.integer("probe-timeout-seconds", 10), options.integer("send-warmup", 3)),
        options.integer("index-timeout", 3600), options.integer("setup-concurrency", 16),
        databaseUrl, options.integer("keep-seconds", 0)));
  }

  SearchScenario(Vertx vertx, Target target, Config config) {
    this.vertx = vertx;
    this.target = target;
    this.config = config;
  }

  @Override
  public JsonObject run() throws Exception {
    if (config.connections() > config.shape().users()) {
      throw new IllegalArgumentException("more connections than users: each connection is a user of its own");
    }
    WebClient web = WebClient.create(vertx, new WebClientOptions(),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(config.setupConcurrency()));
    WebSocketClient sockets = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(Integer.MAX_VALUE).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    JsonObject results = new JsonObject();
    List<Searchers.Searcher> connected = new ArrayList<>();
    try {
      long started = System.nanoTime();
      SearchWorkspace workspace = Lanes.await(SearchWorkspace.create(web, target, config.shape(),
          config.setupConcurrency()), 3600);
      results.put("setupSeconds", seconds(started));
      LOG.info("workspace: {} users, {} chats in {} s", workspace.users.size(), workspace.chats.size(),
          results.getDouble("setupSeconds"));

      Vocabulary vocabulary = new Vocabulary(config.vocabulary(), config.zipf(), config.shape().seed());
      MessageFill.Result fill = MessageFill.fill(MessageFill.jdbcUrl(config.databaseUrl()), workspace, vocabulary,
          config.fill());
      long filledAt = System.nanoTime();
      results.put("fill", fill.toJson().put("accentedWords", vocabulary.accentedCount())
          .put("commonestWordShare", MessageLoad.round(vocabulary.share(1))));
      LOG.info("fill: {} messages in {} s", fill.messages(), MessageLoad.round(fill.seconds()));

      Sessions sessions = new Sessions(web, target,
          workspace.users.stream().map(SearchWorkspace.User::asPopulationUser).toList(), config.setupConcurrency(),
          Sessions.RENEW_EVERY_SECONDS);
      // Setting up and filling may take longer than an access token lives.
      workspace = workspace.withAccessTokens(Lanes.await(sessions.renewAll(), 600));
      results.put("indexing", awaitIndexed(web, workspace, sessions, filledAt));
      long settling = System.nanoTime();
      MessageFill.settle(MessageFill.jdbcUrl(config.databaseUrl()));
      results.put("vacuumSeconds", seconds(settling));
      LOG.info("vacuumed and analyzed after the load in {} s", results.getDouble("vacuumSeconds"));

      workspace = workspace.withAccessTokens(Lanes.await(sessions.renewAll(), 600));
      connected.addAll(connect(sockets, workspace));
      Searchers searchers = new Searchers(vertx, connected, workspace.workspaceId, config.searchGapMs());
      SearchQueries queries = new SearchQueries(vocabulary, fill.phrases(),
          workspace.users.stream().map(SearchWorkspace.User::username).toList(), fill.from(), fill.to());

      warmUp(searchers, queries);
      JsonObject kinds = new JsonObject();
      for (SearchQueries.Kind kind : SearchQueries.Kind.values()) {
        kinds.put(kind.label, measureKind(searchers, queries, kind));
      }
      results.put("kinds", kinds);
      results.put("autocomplete", autocomplete(searchers, workspace));
      results.put("sustained", sustained(searchers, queries));
      results.put("freshness", new SearchFreshness(vertx, workspace, vocabulary, searchers, config.freshness()).run());
      results.put("targets", targets(results));
      printTable(results);
      if (config.keepSeconds() > 0) {
        LOG.info("keeping the servers and the database up for {} s: {}", config.keepSeconds(), config.databaseUrl());
        Thread.sleep(TimeUnit.SECONDS.toMillis(config.keepSeconds()));
      }
    } finally {
      Future.join(connected.stream().map(searcher -> searcher.bridge.close()).toList())
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      sockets.close();
      web.close();
    }
    return new JsonObject().put("scenario", "search").put("config", config.toJson()).put("results", results)
        .put("charts", charts(results));
  }

  /**
   * Sends a message with a word of its own through the API (it wakes the event stream's followers, which the bulk
   * load does not, and it is the last event of the stream), then searches for that word every 500 ms until the
   * search finds it: from then on, everything before it is indexed too.
   */
  private JsonObject awaitIndexed(WebClient web, SearchWorkspace workspace, Sessions sessions, long filledAt)
      throws Exception {
    SearchWorkspace.Chat chat = workspace.chats.stream()
        .filter(c -> c.kind() == SearchWorkspace.Kind.PUBLIC && !c.members().isEmpty()).findFirst().orElseThrow();
    SearchWorkspace.User sender = workspace.users.get(chat.members().get(0));
    SearchWorkspace.User searcher = workspace.users.get(chat.members().size() > 1 ? chat.members().get(1) : 0);
    String word = "xqindexed" + SearchFreshness.letters(System.currentTimeMillis() % 10_000_000L);
    Api api = new Api(web, target.host, target.port);
    String messageId = Lanes.await(api.sendMessage(sender.accessToken(), chat.id(), UUID.randomUUID().toString(),
        "the last of the history " + word), 60).getString("id");
    long sentAt = System.nanoTime();
    long deadline = sentAt + TimeUnit.SECONDS.toNanos(config.indexTimeoutSeconds());
    String token = searcher.accessToken();
    String lastProblem = null;
    long loggedAt = sentAt;
    while (System.nanoTime() < deadline) {
      Map<String, String> renewed = sessions.poll();
      if (renewed != null) {
        token = renewed.getOrDefault(searcher.userId(), token);
      }
      try {
        JsonObject answer = Lanes.await(api.search(token, workspace.workspaceId, word), 30);
        boolean found = answer.getJsonArray("results", new JsonArray()).stream()
            .anyMatch(r -> r instanceof JsonObject json && messageId.equals(json.getString("messageId")));
        if (found) {
          double afterFill = seconds(filledAt);
          LOG.info("indexed: the fill's last message is found {} s after the fill", afterFill);
          return new JsonObject().put("secondsAfterFill", afterFill).put("secondsAfterLastSend", seconds(sentAt));
        }
        lastProblem = null;
      } catch (Exception e) {
        lastProblem = e.getMessage();
      }
      if (System.nanoTime() - loggedAt > TimeUnit.SECONDS.toNanos(30)) {
        loggedAt = System.nanoTime();
        LOG.info("waiting for the index: {} s after the fill{}", Math.round(seconds(filledAt)),
            lastProblem == null ? "" : " (last search: " + lastProblem + ")");
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("the search did not find the fill's last message within "
        + config.indexTimeoutSeconds() + " s" + (lastProblem == null ? "" : " (last search: " + lastProblem + ")"));
  }

  /** One bridge connection per user for {@code connections} users spread over all of them and over the nodes. */
  private List<Searchers.Searcher> connect(WebSocketClient sockets, SearchWorkspace workspace) throws Exception {
    int users = workspace.users.size();
    return Lanes.await(Lanes.bounded(config.connections(), config.setupConcurrency(), i -> {
      SearchWorkspace.User user = workspace.users.get((int) ((long) i * users / config.connections()));
      return BridgeClient.connect(vertx, sockets, target.host, target.port(i % target.size()), user.accessToken())
          .map(bridge -> new Searchers.Searcher(user, bridge));
    }), 600);
  }

  /**
   * Searches of every kind, unmeasured, for {@code warmup-seconds} before the first kind is measured: the server's
   * search code is compiled by the JIT during its first few thousand searches, and the first kind measured would
   * otherwise pay for it.
   */
  private void warmUp(Searchers searchers, SearchQueries queries) throws Exception {
    if (config.warmupSeconds() <= 0) {
      return;
    }
    long ends = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.warmupSeconds());
    SearchQueries.Kind[] kinds = SearchQueries.Kind.values();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < config.queryConcurrency(); lane++) {
      SplittableRandom random = new SplittableRandom(lane + 104_729L * config.shape().seed());
      Promise<Void> done = Promise.promise();
      lanes.add(done.future());
      searchLoop(searchers, () -> queries.next(kinds[random.nextInt(kinds.length)], random), ends,
          (begun, answer) -> { }, done);
    }
    Lanes.await(Future.join(lanes), config.warmupSeconds() + 60);
    LOG.info("warmed up: {} s of searches of every kind", config.warmupSeconds());
  }

  /**
   * A kind's warm-up, then its measured queries, {@code queryConcurrency} at once: the percentiles of all of them
   * (refused ones at the time they took), and the mean number of results of those answered.
   */
  private JsonObject measureKind(Searchers searchers, SearchQueries queries, SearchQueries.Kind kind)
      throws Exception {
    SplittableRandom random = new SplittableRandom(kind.ordinal() + 1000L * config.shape().seed());
    List<String> warmup = new ArrayList<>();
    for (int i = 0; i < config.warmupQueries(); i++) {
      warmup.add(queries.next(kind, random));
    }
    List<String> measured = new ArrayList<>();
    for (int i = 0; i < config.queries(); i++) {
      measured.add(queries.next(kind, random));
    }
    Lanes.await(Lanes.bounded(warmup.size(), config.queryConcurrency(), i -> searchers.next(warmup.get(i))), 600);
    Latencies latencies = new Latencies();
    LongAdder results = new LongAdder();
    LongAdder empty = new LongAdder();
    LongAdder withTotal = new LongAdder();
    Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    List<Searchers.Answer> answers = Lanes.await(Lanes.bounded(measured.size(), config.queryConcurrency(),
        i -> searchers.next(measured.get(i))), 1800);
    for (Searchers.Answer answer : answers) {
      // A refused search counts at the time it took too: a search_unavailable comes after the server's second.
      latencies.record(answer.nanos());
      if (answer.error() != null) {
        errors.computeIfAbsent(answer.error(), e -> new LongAdder()).increment();
        continue;
      }
      results.add(answer.resultCount());
      if (answer.resultCount() == 0) {
        empty.increment();
      }
      if (answer.reply().getValue("total") != null) {
        withTotal.increment();
      }
    }
    long answered = config.queries() - errors.values().stream().mapToLong(LongAdder::sum).sum();
    JsonObject summary = Latencies.summary(latencies.total())
        .put("shape", kind.shape).put("examples", new JsonArray(measured.subList(0, Math.min(3, measured.size()))))
        .put("meanResults", answered == 0 ? null : MessageLoad.round(results.sum() / (double) answered))
        .put("emptyShare", answered == 0 ? null : MessageLoad.round(empty.sum() / (double) answered))
        .put("withTotal", withTotal.sum()).put("errors", Searchers.counts(errors));
    LOG.info("{}: p50/p95/p99 {}/{}/{} ms, {} results on average, {} errors", kind.label, summary.getValue("p50"),
        summary.getValue("p95"), summary.getValue("p99"), summary.getValue("meanResults"), summary.getJsonObject(
            "errors").encode());
    return summary;
  }

  /**
   * People and channels by prefix, as the @mention box and the quick switcher ask while someone types: one to three
   * letters of a username or a channel name, {@code queries} of each scope, {@code query-concurrency} at once.
   */
  private JsonObject autocomplete(Searchers searchers, SearchWorkspace workspace) throws Exception {
    List<String> names = new ArrayList<>();
    workspace.users.forEach(user -> names.add(user.username()));
    List<String> channels = workspace.chats.stream().filter(c -> c.name() != null).map(c -> c.name()).toList();
    JsonObject figures = new JsonObject();
    for (String scope : List.of("people", "channels")) {
      List<String> pool = scope.equals("people") ? names : channels;
      SplittableRandom random = new SplittableRandom(7L * config.shape().seed() + scope.length());
      List<String> prefixes = new ArrayList<>();
      for (int i = 0; i < config.queries() + config.warmupQueries(); i++) {
        String name = pool.get(random.nextInt(pool.size()));
        prefixes.add(name.substring(0, Math.min(name.length(), 1 + random.nextInt(3))));
      }
      Lanes.await(Lanes.bounded(config.warmupQueries(), config.queryConcurrency(),
          i -> searchers.suggest(scope, prefixes.get(i))), 600);
      List<Searchers.Answer> answers = Lanes.await(Lanes.bounded(config.queries(), config.queryConcurrency(),
          i -> searchers.suggest(scope, prefixes.get(config.warmupQueries() + i))), 600);
      Latencies latencies = new Latencies();
      Map<String, LongAdder> errors = new ConcurrentHashMap<>();
      LongAdder results = new LongAdder();
      for (Searchers.Answer answer : answers) {
        latencies.record(answer.nanos());
        if (answer.error() != null) {
          errors.computeIfAbsent(answer.error(), e -> new LongAdder()).increment();
        } else {
          results.add(answer.resultCount());
        }
      }
      JsonObject summary = Latencies.summary(latencies.total()).put("errors", Searchers.counts(errors))
          .put("meanResults", MessageLoad.round(results.sum() / (double) Math.max(1, answers.size())));
      LOG.info("autocomplete {}: p50/p95/p99 {}/{}/{} ms, {} results on average, errors {}", scope,
          summary.getValue("p50"), summary.getValue("p95"), summary.getValue("p99"), summary.getValue("meanResults"),
          summary.getJsonObject("errors").encode());
      figures.put(scope, summary);
    }
    return figures;
  }

  /**
   * {@code sustained-concurrency} searches at a time, each by the next user in turn (a kind drawn at random each
   * time), each started as soon as the last one of its lane is answered, for the warm-up and then
   * {@code sustainedSeconds}: searches answered per second (those begun in the measured window), their latency, the
   * errors, and the CPU the servers and stores used meanwhile. Few at a time, so that the figure is what the server
   * can answer rather than how deep a queue it holds (a search waiting over a second is answered
   * {@code search_unavailable}); the users' pace caps it at {@code connections × 1000 / search-gap-ms}.
   */
  private JsonObject sustained(Searchers searchers, SearchQueries queries) throws Exception {
    Latencies latencies = new Latencies();
    LongAdder answered = new LongAdder();
    Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    long warmupEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.sustainedWarmupSeconds());
    long ends = warmupEnds + TimeUnit.SECONDS.toNanos(config.sustainedSeconds());
    List<Future<Void>> lanes = new ArrayList<>();
    SearchQueries.Kind[] kinds = SearchQueries.Kind.values();
    for (int lane = 0; lane < config.sustainedConcurrency(); lane++) {
      SplittableRandom random = new SplittableRandom(lane + 7919L * config.shape().seed());
      Promise<Void> done = Promise.promise();
      lanes.add(done.future());
      searchLoop(searchers, () -> queries.next(kinds[random.nextInt(kinds.length)], random), ends,
          (begun, answer) -> {
            if (begun < warmupEnds) {
              return;
            }
            latencies.record(answer.nanos());
            if (answer.error() != null) {
              errors.computeIfAbsent(answer.error(), e -> new LongAdder()).increment();
            } else {
              answered.increment();
            }
          }, done);
    }
    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(warmupEnds - System.nanoTime())));
    double serverCpu = target.serverCpuSeconds();
    double storesCpu = target.storesCpuSeconds();
    Lanes.await(Future.join(lanes), config.sustainedWarmupSeconds() + config.sustainedSeconds() + 60);
    double serverUsed = serverCpu < 0 ? -1 : target.serverCpuSeconds() - serverCpu;
    double storesUsed = storesCpu < 0 ? -1 : target.storesCpuSeconds() - storesCpu;
    int cores = Runtime.getRuntime().availableProcessors();
    double window = config.sustainedSeconds();
    double ceiling = searchers.all().size() * 1000.0 / config.searchGapMs();
    JsonObject summary = new JsonObject()
        .put("searchesPerSecond", MessageLoad.round(answered.sum() / window))
        .put("concurrency", config.sustainedConcurrency())
        .put("ceilingPerSecond", ceiling)
        .put("latency", Latencies.summary(latencies.total()))
        .put("errors", Searchers.counts(errors))
        .put("serverShareOfMachine", serverUsed < 0 ? null : MessageLoad.round(serverUsed / (window * cores)))
        .put("storesShareOfMachine", storesUsed < 0 ? null : MessageLoad.round(storesUsed / (window * cores)));
    LOG.info("sustained: {} searches/s ({} at a time; ceiling {} at one search per {} ms per user), p99 {} ms,"
            + " errors {}", summary.getValue("searchesPerSecond"), config.sustainedConcurrency(), ceiling,
        config.searchGapMs(), summary.getJsonObject("latency").getValue("p99"),
        summary.getJsonObject("errors").encode());
    return summary;
  }

  /** What a closed loop does with each answer: when its search began, and the answer. */
  private interface AnswerSink {
    void accept(long begunNanos, Searchers.Answer answer);
  }

  /** One lane of the sustained phase: a search by the next user in turn, then the next, until {@code endsNanos}. */
  private void searchLoop(Searchers searchers, Supplier<String> next, long endsNanos, AnswerSink sink,
                          Promise<Void> done) {
    if (System.nanoTime() >= endsNanos) {
      done.tryComplete();
      return;
    }
    searchers.next(next.get()).onComplete(result -> {
      Searchers.Answer answer = result.result();
      long begun = System.nanoTime() - answer.nanos();
      if (begun < endsNanos) {
        sink.accept(begun, answer);
      }
      searchLoop(searchers, next, endsNanos, sink, done);
    });
  }

  /** The targets, each with its measured value and whether it is met. */
  private static JsonArray targets(JsonObject results) {
    JsonArray targets = new JsonArray();
    JsonObject kinds = results.getJsonObject("kinds");
    for (SearchQueries.Kind kind : SearchQueries.Kind.values()) {
      JsonObject figures = kinds.getJsonObject(kind.label);
      boolean clean = figures.getJsonObject("errors").isEmpty();
      targets.add(target(kind.label + " p95", "≤ " + (int) P95_TARGET_MS + " ms", figures.getDouble("p95"),
          clean && figures.getDouble("p95") <= P95_TARGET_MS));
      targets.add(target(kind.label + " p99", "≤ " + (int) P99_TARGET_MS + " ms", figures.getDouble("p99"),
          clean && figures.getDouble("p99") <= P99_TARGET_MS));
    }
    JsonObject autocomplete = results.getJsonObject("autocomplete");
    for (String scope : List.of("people", "channels")) {
      JsonObject figures = autocomplete.getJsonObject(scope);
      targets.add(target("autocomplete " + scope + " p95", "≤ " + (int) AUTOCOMPLETE_P95_TARGET_MS + " ms",
          figures.getDouble("p95"), figures.getJsonObject("errors").isEmpty()
              && figures.getDouble("p95") <= AUTOCOMPLETE_P95_TARGET_MS));
    }
    JsonObject freshness = results.getJsonObject("freshness");
    double p99 = freshness.getJsonObject("freshness").getDouble("p99");
    targets.add(target("freshness p99", "≤ " + (int) FRESHNESS_P99_TARGET_MS + " ms", p99,
        freshness.getLong("notFound") == 0 && freshness.getLong("found") > 0 && p99 <= FRESHNESS_P99_TARGET_MS));
    return targets;
  }

  private static JsonObject target(String what, String target, double value, boolean pass) {
    return new JsonObject().put("what", what).put("target", target).put("value", value).put("pass", pass);
  }

  private static void printTable(JsonObject results) {
    StringBuilder table = new StringBuilder("\nquery kind                 |    p50 |    p95 |    p99 | mean results | errors\n");
    JsonObject kinds = results.getJsonObject("kinds");
    for (SearchQueries.Kind kind : SearchQueries.Kind.values()) {
      JsonObject k = kinds.getJsonObject(kind.label);
      table.append(String.format("%-26s | %6.1f | %6.1f | %6.1f | %12s | %s%n", kind.label, k.getDouble("p50"),
          k.getDouble("p95"), k.getDouble("p99"), k.getValue("meanResults"), k.getJsonObject("errors").encode()));
    }
    JsonObject autocomplete = results.getJsonObject("autocomplete");
    for (String scope : List.of("people", "channels")) {
      JsonObject a = autocomplete.getJsonObject(scope);
      table.append(String.format("%-26s | %6.1f | %6.1f | %6.1f | %12s | %s%n", "autocomplete " + scope,
          a.getDouble("p50"), a.getDouble("p95"), a.getDouble("p99"), a.getValue("meanResults"),
          a.getJsonObject("errors").encode()));
    }
    JsonObject sustained = results.getJsonObject("sustained");
    JsonObject freshness = results.getJsonObject("freshness");
    JsonObject fresh = freshness.getJsonObject("freshness");
    table.append(String.format("sustained: %s searches/s, p99 %.1f ms%n", sustained.getValue("searchesPerSecond"),
        sustained.getJsonObject("latency").getDouble("p99")));
    table.append(String.format("freshness: p50/p95/p99 %.1f/%.1f/%.1f ms, %d of %d probes found%n",
        fresh.getDouble("p50"), fresh.getDouble("p95"), fresh.getDouble("p99"), freshness.getLong("found"),
        freshness.getInteger("probes")));
    long met = results.getJsonArray("targets").stream().filter(t -> ((JsonObject) t).getBoolean("pass")).count();
    table.append(String.format("targets met: %d of %d", met, results.getJsonArray("targets").size()));
    LOG.info(table.toString());
  }

  /** p50, p95 and p99 per query kind (x: the kind's number, 1 to 7), and each probe's freshness. */
  private static JsonArray charts(JsonObject results) {
    JsonArray charts = new JsonArray();
    JsonObject kinds = results.getJsonObject("kinds");
    if (kinds != null) {
      JsonArray lines = new JsonArray();
      for (String percentile : List.of("p50", "p95", "p99")) {
        JsonArray x = new JsonArray();
        JsonArray y = new JsonArray();
        for (SearchQueries.Kind kind : SearchQueries.Kind.values()) {
          x.add(kind.ordinal() + 1);
          y.add(kinds.getJsonObject(kind.label).getDouble(percentile));
        }
        lines.add(new JsonObject().put("name", percentile).put("x", x).put("y", y));
      }
      charts.add(new JsonObject().put("title", "latency per query kind").put("yAxisTitle", "ms")
          .put("xAxisTitle", "1 common, 2 rare, 3 two words, 4 phrase, 5 from+dates, 6 exclusion, 7 prefix")
          .put("lines", lines));
    }
    JsonObject freshness = results.getJsonObject("freshness");
    if (freshness != null) {
      JsonArray y = freshness.getJsonArray("perProbeMs");
      JsonArray x = new JsonArray();
      for (int i = 1; i <= y.size(); i++) {
        x.add(i);
      }
      charts.add(new JsonObject().put("title", "send ack → findable, per probe").put("yAxisTitle", "ms")
          .put("xAxisTitle", "probe (in the order found)")
          .put("lines", new JsonArray().add(new JsonObject().put("name", "freshness").put("x", x).put("y", y))));
    }
    return charts;
  }

  private static double seconds(long sinceNanos) {
    return MessageLoad.round((System.nanoTime() - sinceNanos) / 1e9);
  }

  @Override
  public String figures(JsonObject report) {
    JsonObject results = report.getJsonObject("results");
    JsonObject fill = results.getJsonObject("fill");
    StringBuilder figures = new StringBuilder(String.format("fill %d messages in %.0f s (%d/s), indexed %.0f s after"
            + " the fill; p50/p95/p99 ms:", fill.getLong("messages"), fill.getDouble("seconds"),
        fill.getLong("messagesPerSecond"), results.getJsonObject("indexing").getDouble("secondsAfterFill")));
    JsonObject kinds = results.getJsonObject("kinds");
    for (SearchQueries.Kind kind : SearchQueries.Kind.values()) {
      JsonObject k = kinds.getJsonObject(kind.label);
      figures.append(String.format(" %s %.1f/%.1f/%.1f%s,", kind.label, k.getDouble("p50"), k.getDouble("p95"),
          k.getDouble("p99"), k.getJsonObject("errors").isEmpty() ? "" : " (errors " + k.getJsonObject("errors")
              .encode() + ")"));
    }
    JsonObject autocomplete = results.getJsonObject("autocomplete");
    for (String scope : List.of("people", "channels")) {
      JsonObject a = autocomplete.getJsonObject(scope);
      figures.append(String.format(" autocomplete %s %.1f/%.1f/%.1f,", scope, a.getDouble("p50"), a.getDouble("p95"),
          a.getDouble("p99")));
    }
    JsonObject sustained = results.getJsonObject("sustained");
    JsonObject freshness = results.getJsonObject("freshness");
    JsonObject fresh = freshness.getJsonObject("freshness");
    long met = results.getJsonArray("targets").stream().filter(t -> ((JsonObject) t).getBoolean("pass")).count();
    figures.append(String.format(" sustained %s searches/s (p99 %.1f ms, ceiling %s); freshness under %s msg/s"
            + " p50/p95/p99 %.1f/%.1f/%.1f ms, %d of %d found; targets met %d of %d",
        sustained.getValue("searchesPerSecond"), sustained.getJsonObject("latency").getDouble("p99"),
        sustained.getValue("ceilingPerSecond"),
        freshness.getJsonObject("load").getValue("ackedPerSecond"), fresh.getDouble("p50"), fresh.getDouble("p95"),
        fresh.getDouble("p99"), freshness.getLong("found"), freshness.getInteger("probes"), met,
        results.getJsonArray("targets").size()));
    return figures.toString();
  }
}
