package dev.ocomms.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Index freshness under a send load: {@code senders} users send ordinary messages over the bridge at {@code rate} per
 * second in total (each on an evenly spaced schedule, into one of their chats drawn at random, words of the
 * vocabulary), and meanwhile {@code probes} probes, one every {@code probeIntervalMs}: a user sends a message with a
 * word of its own into one of its public channels, and from the send's ack other users search for that word every
 * {@code pollMs} until a search finds the message (by its id). A probe's freshness runs from the ack to the reply of
 * that search; a probe not found within {@code probeTimeoutSeconds} counts as not found.
 */
final class SearchFreshness {
  /** What to run. */
  record Config(double rate, int senders, int probes, int probeIntervalMs, int pollMs, int probeTimeoutSeconds,
                int warmupSeconds) {
    JsonObject toJson() {
      return new JsonObject().put("sendRate", rate).put("senders", senders).put("probes", probes)
          .put("probeIntervalMs", probeIntervalMs).put("pollMs", pollMs).put("probeTimeoutSeconds", probeTimeoutSeconds)
          .put("warmupSeconds", warmupSeconds);
    }
  }

  private final Vertx vertx;
  private final SearchWorkspace workspace;
  private final Vocabulary vocabulary;
  private final Searchers searchers;
  private final Config config;
  private final String runTag = letters(System.currentTimeMillis() % 10_000_000L);
  private final Latencies freshness = new Latencies();
  private final Latencies sendAck = new Latencies();
  private final List<Double> perProbe = new ArrayList<>();
  private final LongAdder sent = new LongAdder();
  private final LongAdder acked = new LongAdder();
  private final LongAdder polls = new LongAdder();
  private final LongAdder notFound = new LongAdder();
  private final Map<String, LongAdder> sendErrors = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> pollErrors = new ConcurrentHashMap<>();
  private final AtomicLong unanswered = new AtomicLong();
  private volatile boolean sending = true;

  SearchFreshness(Vertx vertx, SearchWorkspace workspace, Vocabulary vocabulary, Searchers searchers, Config config) {
    if (config.senders() >= searchers.all().size()) {
      throw new IllegalArgumentException("freshness needs more connections than senders: probes come from the others");
    }
    if (config.rate() / config.senders() > 10) {
      throw new IllegalArgumentException("each sender may send at most 10 messages per second: use more senders");
    }
    this.vertx = vertx;
    this.workspace = workspace;
    this.vocabulary = vocabulary;
    this.searchers = searchers;
    this.config = config;
  }

  /** Runs the load and the probes; {@code {freshness, perProbeMs, probes, found, notFound, polls, load}}. */
  JsonObject run() throws InterruptedException {
    List<Searchers.Searcher> all = searchers.all();
    long intervalNanos = Math.round(1e9 * config.senders() / config.rate());
    long begin = System.nanoTime();
    List<Long> timers = new ArrayList<>();
    for (int i = 0; i < config.senders(); i++) {
      Searchers.Searcher sender = all.get(i);
      SplittableRandom random = new SplittableRandom(i);
      long offsetMs = Math.round(i * TimeUnit.NANOSECONDS.toMillis(intervalNanos) / (double) config.senders());
      // Started on the connection's event loop, so that its timer fires there: one thread per connection.
      sender.bridge.context().runOnContext(v -> vertx.setTimer(offsetMs + 1, first -> {
        synchronized (timers) {
          timers.add(vertx.setPeriodic(Math.max(1, TimeUnit.NANOSECONDS.toMillis(intervalNanos)),
              id -> sendLoad(sender, random)));
        }
      }));
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(config.warmupSeconds()));
    sendAck.total().reset();
    long measuredFrom = System.nanoTime();
    long sentBefore = sent.sum();
    long ackedBefore = acked.sum();
    CountDownLatch done = new CountDownLatch(config.probes());
    List<Searchers.Searcher> probers = all.subList(config.senders(), all.size()).stream()
        .filter(searcher -> publicChannel(searcher.user, new SplittableRandom(0)) != null).toList();
    if (probers.isEmpty()) {
      throw new IllegalStateException("no prober is in a public channel");
    }
    for (int k = 0; k < config.probes(); k++) {
      probe(k, probers.get(k % probers.size()), done);
      Thread.sleep(config.probeIntervalMs());
    }
    done.await(config.probeTimeoutSeconds() + 30L, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - measuredFrom) / 1e9;
    long sentMeasured = sent.sum() - sentBefore;
    long ackedMeasured = acked.sum() - ackedBefore;
    sending = false;
    synchronized (timers) {
      timers.forEach(vertx::cancelTimer);
    }
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (unanswered.get() > 0 && System.nanoTime() < drainUntil) {
      Thread.sleep(50);
    }
    JsonArray probeMs;
    synchronized (perProbe) {
      probeMs = new JsonArray(new ArrayList<>(perProbe));
    }
    return new JsonObject()
        .put("freshness", Latencies.summary(freshness.total()))
        .put("probes", config.probes()).put("found", freshness.total().getTotalCount()).put("notFound", notFound.sum())
        .put("polls", polls.sum()).put("pollErrors", Searchers.counts(pollErrors)).put("perProbeMs", probeMs)
        .put("load", new JsonObject().put("offeredPerSecond", config.rate())
            .put("sentPerSecond", MessageLoad.round(sentMeasured / seconds))
            .put("ackedPerSecond", MessageLoad.round(ackedMeasured / seconds))
            .put("ack", Latencies.summary(sendAck.total())).put("errors", Searchers.counts(sendErrors)));
  }

  /** One message of the background load, on the sender's event loop. */
  private void sendLoad(Searchers.Searcher sender, SplittableRandom random) {
    if (!sending) {
      return;
    }
    List<Integer> chats = sender.user.chats();
    SearchWorkspace.Chat chat = workspace.chats.get(chats.get(random.nextInt(chats.size())));
    StringBuilder content = new StringBuilder();
    int words = 4 + random.nextInt(12);
    for (int w = 0; w < words; w++) {
      content.append(w == 0 ? "" : " ").append(vocabulary.word(vocabulary.draw(random)));
    }
    send(sender, chat.id(), content.toString()).onComplete(done -> { });
  }

  /**
   * Probe {@code k}: a message with its own word into one of the prober's public channels, then, from the ack, a
   * search for that word every {@code pollMs} (each by the next user free to search) until one finds it.
   */
  private void probe(int k, Searchers.Searcher prober, CountDownLatch done) {
    String word = "xqf" + runTag + "q" + letters(k);
    SearchWorkspace.Chat chat = publicChannel(prober.user, new SplittableRandom(k));
    SplittableRandom random = new SplittableRandom(k);
    String content = vocabulary.word(vocabulary.draw(random)) + " " + word + " "
        + vocabulary.word(vocabulary.draw(random));
    prober.bridge.context().runOnContext(v -> send(prober, chat.id(), content).onComplete(stored -> {
      if (stored.failed()) {
        notFound.increment();
        done.countDown();
        return;
      }
      JsonObject reply = stored.result();
      String messageId = reply.getJsonObject("message", reply).getString("id");
      long ackAt = System.nanoTime();
      long deadline = ackAt + TimeUnit.SECONDS.toNanos(config.probeTimeoutSeconds());
      AtomicBoolean finished = new AtomicBoolean();
      long[] timer = new long[1];
      timer[0] = vertx.setPeriodic(1, config.pollMs(), id -> {
        if (finished.get()) {
          vertx.cancelTimer(timer[0]);
          return;
        }
        if (System.nanoTime() > deadline) {
          if (finished.compareAndSet(false, true)) {
            vertx.cancelTimer(timer[0]);
            notFound.increment();
            done.countDown();
          }
          return;
        }
        var search = searchers.nextFree(word);
        if (search == null) {
          return; // every user searched within the last gap: the next tick tries again
        }
        polls.increment();
        search.onSuccess(answer -> {
          if (answer.error() != null) {
            pollErrors.computeIfAbsent(answer.error(), e -> new LongAdder()).increment();
          } else if (answer.finds(messageId) && finished.compareAndSet(false, true)) {
            long nanos = System.nanoTime() - ackAt;
            freshness.record(nanos);
            synchronized (perProbe) {
              perProbe.add(Latencies.ms(TimeUnit.NANOSECONDS.toMicros(nanos)));
            }
            vertx.cancelTimer(timer[0]);
            done.countDown();
          }
        });
      });
    }));
  }

  /** A {@code chat.message.send} over the connection (from its event loop): the reply. */
  private Future<JsonObject> send(Searchers.Searcher sender, String chatId, String content) {
    long start = System.nanoTime();
    sent.increment();
    unanswered.incrementAndGet();
    return sender.bridge.request("chat.message.send", new JsonObject().put("chatId", chatId)
        .put("clientId", UUID.randomUUID().toString()).put("content", content)).onComplete(done -> {
          unanswered.decrementAndGet();
          if (done.succeeded()) {
            acked.increment();
            sendAck.record(System.nanoTime() - start);
          } else {
            String code = done.cause() instanceof BridgeClient.BenchFailure failure ? failure.code()
                : done.cause().getClass().getSimpleName();
            sendErrors.computeIfAbsent(code, c -> new LongAdder()).increment();
          }
        });
  }

  /** One of the user's public channels, drawn at random; null when it has none. */
  private SearchWorkspace.Chat publicChannel(SearchWorkspace.User user, SplittableRandom random) {
    List<SearchWorkspace.Chat> channels = user.chats().stream().map(workspace.chats::get)
        .filter(chat -> chat.kind() == SearchWorkspace.Kind.PUBLIC).toList();
    return channels.isEmpty() ? null : channels.get(random.nextInt(channels.size()));
  }

  /** A number written in the letters a–z (a search word must be a word: no digits). */
  static String letters(long number) {
    StringBuilder text = new StringBuilder();
    long n = number;
    do {
      text.append((char) ('a' + (n % 26)));
      n /= 26;
    } while (n > 0);
    return text.toString();
  }
}
