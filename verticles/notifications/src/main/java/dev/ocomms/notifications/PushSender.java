package dev.ocomms.notifications;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.rxjava3.core.RxHelper;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.WorkerExecutor;
import io.vertx.rxjava3.ext.web.client.HttpRequest;
import io.vertx.rxjava3.ext.web.client.WebClient;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.Tuple;
import nl.martijndwars.webpush.AbstractPushService;
import nl.martijndwars.webpush.Encoding;
import nl.martijndwars.webpush.Notification;
import nl.martijndwars.webpush.Urgency;
import nl.martijndwars.webpush.Utils;
import org.bouncycastle.jce.interfaces.ECPublicKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends the pushes due ({@code notifications.push_due}, recorded by the {@link Notifier}) to the users' browsers by Web
 * Push. Every {@value #DRAIN_INTERVAL_MS} ms it claims the due rows of users whose oldest row has waited at least
 * {@link #COALESCE} ({@code FOR UPDATE SKIP LOCKED}, then a lease in {@code claimed_until}, so that of several nodes
 * one sends each row and a node that died leaves its claims to the others once the lease ends), and sends ONE push per
 * subscription of each such user for all of that user's rows: the latest notification and how many there are.
 *
 * <p>The payload is encrypted (RFC 8291, aes128gcm) and signed (RFC 8292, VAPID) by the Web Push library on a small
 * worker pool of its own, never on an event loop; a Vert.x WebClient posts it, with a timeout and at most
 * {@value #MAX_IN_FLIGHT} requests in flight, so that a push service that hangs holds up nothing but its own pushes.
 * A row is deleted once every subscription of its user has it (2xx), is gone (404/410: the subscription is removed),
 * or was given up on (another 4xx, or {@value #MAX_ATTEMPTS} failed attempts); after a 429, a 5xx, a timeout or a
 * connection failure it is tried again later, with backoff. Rows of a user without a subscription are dropped.
 */
final class PushSender {
  private static final Logger LOG = LoggerFactory.getLogger(PushSender.class);
  static final long DRAIN_INTERVAL_MS = 1_000;
  /** A user's pushes wait this long after the first of them, so that a quick run of messages becomes one push. */
  static final Duration COALESCE = Duration.ofSeconds(1);
  static final int USERS_PER_DRAIN = 200;
  static final Duration LEASE = Duration.ofMinutes(2);
  static final long REQUEST_TIMEOUT_MS = 10_000;
  static final int MAX_IN_FLIGHT = 32;
  static final int MAX_ATTEMPTS = 5;
  static final Duration FIRST_RETRY = Duration.ofSeconds(10);
  static final Duration LAST_RETRY = Duration.ofMinutes(10);
  static final int TTL_SECONDS = 24 * 60 * 60;
  /** Push services accept 4 KB of encrypted payload; the JSON stays well below. */
  static final int MAX_PAYLOAD_BYTES = 3_000;
  private static final int ENCRYPTION_THREADS = 2;
  private static final int QUEUE_EVERY_DRAINS = 10;
  /** Pushes waiting, as last counted by any sender of this process (the table is shared, so one number is right). */
  private static final AtomicLong QUEUE = new AtomicLong();

  private final Vertx vertx;
  private final Pool pg;
  private final Preparer preparer;
  private final WebClient client;
  private final WorkerExecutor crypto;
  /** The verticle's context, where every step of a drain runs (timeouts too), so that its state needs no locks. */
  private final Scheduler onContext;
  private final Counter sent;
  private final Counter failed;
  private final Counter retried;
  private final Counter removed;
  private final Counter dropped;
  private long timer = -1;
  private long drains;
  private boolean stopping;
  /** A drain is claiming (and not sending yet): the next waits, so that claims do not pile up. */
  private boolean claiming;
  /** Requests that may still be started: drains take what they need and give each back as a request ends. */
  private int free = MAX_IN_FLIGHT;
  /** The drains not finished (a stop waits for them). */
  private final Set<Completable> running = new HashSet<>();

  PushSender(Vertx vertx, Pool pg, VapidKeys vapid, String subject, MeterRegistry meters) {
    this.vertx = vertx;
    this.pg = pg;
    this.preparer = new Preparer(vapid, subject);
    this.client = WebClient.create(vertx, new WebClientOptions()
            .setConnectTimeout((int) REQUEST_TIMEOUT_MS)
            .setIdleTimeout((int) (REQUEST_TIMEOUT_MS / 1000)).setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setUserAgent("OComms-WebPush")
            .setFollowRedirects(false),
        new PoolOptions().setHttp1MaxSize(MAX_IN_FLIGHT).setHttp2MaxSize(4));
    this.crypto = vertx.createSharedWorkerExecutor("ocomms-web-push", ENCRYPTION_THREADS);
    this.onContext = RxHelper.scheduler(vertx.getOrCreateContext());
    this.sent = Counter.builder("ocomms.notifications.pushes.sent")
        .description("Pushes a push service accepted (one per subscription and coalesced notification)")
        .register(meters);
    this.failed = Counter.builder("ocomms.notifications.pushes.failed")
        .description("Pushes given up on (refused, or failed too often)").register(meters);
    this.retried = Counter.builder("ocomms.notifications.pushes.retried")
        .description("Push attempts that failed and are tried again later (429, 5xx, timeouts)").register(meters);
    this.removed = Counter.builder("ocomms.notifications.push.subscriptions.removed")
        .description("Push subscriptions removed because their push service said they are gone (404, 410)")
        .register(meters);
    this.dropped = Counter.builder("ocomms.notifications.pushes.dropped")
        .description("Pushes due to users without a push subscription, dropped").register(meters);
    Gauge.builder("ocomms.notifications.push.queue", QUEUE, AtomicLong::get)
        .description("Pushes due and not sent yet").strongReference(true).register(meters);
  }

  void start() {
    timer = vertx.setPeriodic(DRAIN_INTERVAL_MS, id -> drainNow());
  }

  /** Stops draining; completes when the drains in progress (each request times out in 10 s at most) are done. */
  Completable stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    return Completable.defer(() -> Completable.merge(new ArrayList<>(running)))
        .andThen(Completable.fromAction(client::close).onErrorComplete())
        .andThen(Completable.defer(crypto::rxClose).onErrorComplete());
  }

  /**
   * Starts a drain unless one is claiming or every request slot is taken: a push service that hangs holds its own
   * slots until its requests time out, and the other users' pushes go on in the next drains.
   */
  private void drainNow() {
    if (stopping || claiming || free == 0) {
      return;
    }
    claiming = true;
    boolean count = drains++ % QUEUE_EVERY_DRAINS == 0;
    Completable drain = drain()
        .andThen(count ? countQueue() : Completable.complete())
        .doOnError(failure -> LOG.warn("pushes not drained: reason={}", failure.toString()))
        .onErrorComplete()
        .cache();
    running.add(drain);
    drain.doFinally(() -> running.remove(drain)).subscribe();
  }

  private Completable countQueue() {
    return pg.query("SELECT count(*) AS n FROM notifications.push_due").rxExecute()
        .doOnSuccess(rows -> QUEUE.set(rows.iterator().next().getLong("n")))
        .ignoreElement();
  }

  // One drain

  /** A claimed row of push_due. */
  private record Due(long id, UUID userId, UUID chatId, JsonObject payload, boolean mentioned, int attempts,
                     Set<UUID> sentTo) {
  }

  private record Subscription(UUID id, UUID userId, String endpoint, String p256dh, String auth) {
  }

  /** One push to send: to one subscription, for these rows. */
  private record Push(Subscription subscription, List<Due> rows, JsonObject payload, Urgency urgency, String topic) {
  }

  private enum Result { ACCEPTED, GONE, RETRY, REFUSED }

  private record Outcome(Push push, Result result) {
  }

  /**
   * Claims, sends, and records what came of it, user by user as each user's pushes are done; completes when all of
   * it is done.
   */
  Completable drain() {
    return claim().flatMapCompletable(claimed -> {
      if (claimed.isEmpty()) {
        claiming = false;
        return Completable.complete();
      }
      List<UUID> users = claimed.stream().map(Due::userId).distinct().toList();
      return subscriptions(users).flatMapCompletable(subscriptions -> {
        claiming = false;
        Map<UUID, List<Due>> byUser = new LinkedHashMap<>();
        claimed.forEach(due -> byUser.computeIfAbsent(due.userId(), id -> new ArrayList<>()).add(due));
        List<Push> pushes = new ArrayList<>();
        Map<UUID, List<Outcome>> outcomes = new HashMap<>();
        Map<UUID, Integer> waiting = new HashMap<>();
        byUser.forEach((user, rows) -> {
          for (Subscription subscription : subscriptions.getOrDefault(user, List.of())) {
            List<Due> unsent = rows.stream().filter(due -> !due.sentTo().contains(subscription.id())).toList();
            if (!unsent.isEmpty()) {
              pushes.add(push(subscription, unsent));
              waiting.merge(user, 1, Integer::sum);
            }
          }
        });
        // Users with nothing to send (no subscription, or every one has their rows) are recorded at once.
        List<UUID> settled = byUser.keySet().stream().filter(user -> !waiting.containsKey(user)).toList();
        // Slots: this drain takes what it needs of the free ones and gives back those it cannot use any more (more
        // held than requests in flight and left to start); what is left is given back when the drain ends.
        int reserved = Math.min(free, pushes.size());
        free -= reserved;
        int[] started = {0};
        int[] active = {0};
        int[] released = {0};
        Flowable<UUID> finished = Flowable.fromIterable(pushes)
            .doOnNext(push -> started[0]++)
            .flatMapSingle(push -> send(push)
                .doOnSubscribe(subscribed -> active[0]++)
                .doFinally(() -> {
                  active[0]--;
                  while (reserved - released[0] > active[0] + pushes.size() - started[0]) {
                    released[0]++;
                    free++;
                  }
                }), false, Math.max(1, reserved))
            .concatMapMaybe(outcome -> {
              UUID user = outcome.push().subscription().userId();
              outcomes.computeIfAbsent(user, id -> new ArrayList<>()).add(outcome);
              return waiting.merge(user, -1, Integer::sum) == 0 ? Maybe.just(user)
                  : Maybe.empty();
            });
        return Flowable.fromIterable(settled).concatWith(finished)
            .concatMapCompletable(user -> record(Map.of(user, byUser.get(user)), subscriptions,
                outcomes.getOrDefault(user, List.of())))
            .doFinally(() -> {
              free += reserved - released[0];
              released[0] = reserved;
            });
      });
    }).doOnError(failure -> claiming = false);
  }

  private Single<List<Due>> claim() {
    return pg.preparedQuery("""
            WITH users AS (
              SELECT user_id FROM notifications.push_due
              WHERE next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
              GROUP BY user_id HAVING min(created_at) <= now() - make_interval(secs => $1)
              ORDER BY min(id) LIMIT $2),
            claimable AS (
              SELECT id FROM notifications.push_due
              WHERE user_id IN (SELECT user_id FROM users)
                AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
              ORDER BY id FOR UPDATE SKIP LOCKED)
            UPDATE notifications.push_due d SET claimed_until = now() + make_interval(secs => $3)
            FROM claimable c WHERE d.id = c.id
            RETURNING d.id, d.user_id, d.chat_id, d.payload, d.attempts, d.sent_to,
              EXISTS (SELECT 1 FROM notifications.message_mentions m WHERE m.message_id = d.message_id
                      AND (d.user_id = ANY(m.users) OR m.channel OR m.here)) AS mentioned""")
        .rxExecute(Tuple.of((double) COALESCE.toMillis() / 1000, USERS_PER_DRAIN, (double) LEASE.toSeconds()))
        .map(rows -> {
          List<Due> claimed = new ArrayList<>();
          for (Row row : rows) {
            Object payload = row.getValue("payload");
            UUID[] sentTo = row.getArrayOfUUIDs("sent_to");
            claimed.add(new Due(row.getLong("id"), row.getUUID("user_id"), row.getUUID("chat_id"),
                payload instanceof JsonObject json ? json : new JsonObject(String.valueOf(payload)),
                row.getBoolean("mentioned"), row.getInteger("attempts"),
                sentTo == null ? Set.of() : Set.of(sentTo)));
          }
          claimed.sort((a, b) -> Long.compare(a.id(), b.id()));
          return claimed;
        });
  }

  private Single<Map<UUID, List<Subscription>>> subscriptions(List<UUID> users) {
    return pg.preparedQuery("""
            SELECT id, user_id, endpoint, p256dh, auth FROM notifications.push_subscriptions
            WHERE user_id = ANY($1) AND (expiration_time IS NULL OR expiration_time > now())
            ORDER BY created_at""")
        .rxExecute(Tuple.of(users.toArray(UUID[]::new)))
        .map(rows -> {
          Map<UUID, List<Subscription>> found = new HashMap<>();
          for (Row row : rows) {
            Subscription subscription = new Subscription(row.getUUID("id"), row.getUUID("user_id"),
                row.getString("endpoint"), row.getString("p256dh"), row.getString("auth"));
            found.computeIfAbsent(subscription.userId(), id -> new ArrayList<>()).add(subscription);
          }
          return found;
        });
  }

  /** The push of these rows (oldest first) to one subscription: the latest, and how many they are. */
  static Push push(Subscription subscription, List<Due> rows) {
    Due latest = rows.get(rows.size() - 1);
    boolean oneChat = rows.stream().map(Due::chatId).distinct().count() == 1;
    boolean urgent = rows.stream().anyMatch(due -> "urgent".equals(due.payload().getString("priority")));
    boolean mentioned = rows.stream().anyMatch(Due::mentioned);
    JsonObject payload = payload(latest.payload(), rows.size(), oneChat);
    return new Push(subscription, rows, payload, urgent || mentioned ? Urgency.HIGH : Urgency.NORMAL,
        oneChat ? latest.chatId().toString().replace("-", "") : null);
  }

  /**
   * What the service worker receives: {title, body, chatId, messageId, priority, count, url}. One notification as its
   * toast; several as "3 new messages in #general" (one chat) or "3 new messages" (several), with the latest's text.
   */
  static JsonObject payload(JsonObject latest, int count, boolean oneChat) {
    String title = latest.getString("title", "");
    String body = latest.getString("body", "");
    if (count > 1) {
      int place = title.lastIndexOf(" in #");
      String sender = place >= 0 ? title.substring(0, place) : title;
      if (oneChat) {
        String where = place >= 0 ? title.substring(place) : " from " + title;
        body = PlainText.cut(place >= 0 ? sender + ": " + body : body);
        title = count + " new messages" + where;
      } else {
        body = PlainText.cut(title + ": " + body);
        title = count + " new messages";
      }
    }
    String chatId = latest.getString("chatId");
    String messageId = latest.getString("messageId");
    JsonObject payload = new JsonObject().put("title", title).put("body", body).put("chatId", chatId)
        .put("messageId", messageId).put("priority", latest.getString("priority", "normal")).put("count", count)
        .put("url", "/?chat=" + chatId + "&message=" + messageId);
    while (payload.encode().getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD_BYTES) {
      String text = payload.getString("body");
      String longer = text.length() > payload.getString("title").length() ? "body" : "title";
      String cut = payload.getString(longer);
      payload.put(longer, cut.substring(0, cut.length() / 2));
    }
    return payload;
  }

  // Sending

  private Single<Outcome> send(Push push) {
    return crypto.<nl.martijndwars.webpush.HttpRequest>rxExecuteBlocking(() -> preparer.prepare(push), false)
        .toSingle()
        .flatMap(prepared -> {
          HttpRequest<Buffer> request = client.postAbs(prepared.getUrl()).timeout(REQUEST_TIMEOUT_MS);
          prepared.getHeaders().forEach(request::putHeader);
          return request.rxSendBuffer(Buffer.buffer(prepared.getBody()))
              .timeout(REQUEST_TIMEOUT_MS + 1_000, TimeUnit.MILLISECONDS, onContext);
        })
        .map(response -> new Outcome(push, result(response.statusCode())))
        .onErrorReturn(failure -> {
          LOG.debug("push not delivered: subscription={} reason={}", push.subscription().id(), failure.toString());
          return new Outcome(push, failure instanceof java.security.GeneralSecurityException
              || failure instanceof IllegalArgumentException ? Result.REFUSED : Result.RETRY);
        });
  }

  private static Result result(int status) {
    if (status >= 200 && status < 300) {
      return Result.ACCEPTED;
    }
    if (status == 404 || status == 410) {
      return Result.GONE;
    }
    if (status == 429 || status >= 500) {
      return Result.RETRY;
    }
    return Result.REFUSED;
  }

  // Recording

  /** What each row and subscription is now; rows that every subscription has (or gave up on) are deleted. */
  private Completable record(Map<UUID, List<Due>> byUser, Map<UUID, List<Subscription>> subscriptions,
                             List<Outcome> outcomes) {
    Map<Long, Set<UUID>> has = new HashMap<>();
    Set<Long> retry = new HashSet<>();
    Set<UUID> gone = new HashSet<>();
    List<UUID> accepted = new ArrayList<>();
    int refused = 0;
    int gaveUp = 0;
    int retrying = 0;
    for (Outcome outcome : outcomes) {
      UUID subscription = outcome.push().subscription().id();
      switch (outcome.result()) {
        case ACCEPTED -> accepted.add(subscription);
        case GONE -> gone.add(subscription);
        case REFUSED -> refused++;
        case RETRY -> {
          if (outcome.push().rows().stream().allMatch(due -> due.attempts() + 1 >= MAX_ATTEMPTS)) {
            gaveUp++;
          } else {
            retrying++;
          }
        }
      }
      for (Due due : outcome.push().rows()) {
        boolean settled = outcome.result() != Result.RETRY || due.attempts() + 1 >= MAX_ATTEMPTS;
        if (settled) {
          has.computeIfAbsent(due.id(), id -> new HashSet<>(due.sentTo())).add(subscription);
        } else {
          retry.add(due.id());
        }
      }
    }
    List<Long> done = new ArrayList<>();
    List<Tuple> later = new ArrayList<>();
    int withoutSubscription = 0;
    for (Map.Entry<UUID, List<Due>> user : byUser.entrySet()) {
      Set<UUID> live = new HashSet<>();
      subscriptions.getOrDefault(user.getKey(), List.of()).forEach(s -> live.add(s.id()));
      live.removeAll(gone);
      if (subscriptions.getOrDefault(user.getKey(), List.of()).isEmpty()) {
        withoutSubscription += user.getValue().size();
      }
      for (Due due : user.getValue()) {
        Set<UUID> now = has.getOrDefault(due.id(), due.sentTo());
        if (now.containsAll(live)) {
          done.add(due.id());
        } else {
          boolean failedNow = retry.contains(due.id());
          int attempts = due.attempts() + (failedNow ? 1 : 0);
          later.add(Tuple.of(due.id(), now.toArray(UUID[]::new), attempts,
              failedNow ? (double) backoff(attempts).toSeconds() : 0.0));
        }
      }
    }
    sent.increment(accepted.size());
    removed.increment(gone.size());
    failed.increment(refused + gaveUp);
    retried.increment(retrying);
    dropped.increment(withoutSubscription);
    if (gone.size() + refused + gaveUp > 0) {
      LOG.info("pushes sent={} gone={} refused={} gaveUp={} retrying={} dropped={}", accepted.size(), gone.size(),
          refused, gaveUp, retrying, withoutSubscription);
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("pushes sent={} retrying={} dropped={}", accepted.size(), retrying, withoutSubscription);
    }
    List<Completable> writes = new ArrayList<>();
    if (!accepted.isEmpty()) {
      writes.add(pg.preparedQuery("""
              UPDATE notifications.push_subscriptions SET last_success_at = now() WHERE id = ANY($1)""")
          .rxExecute(Tuple.of(accepted.toArray(UUID[]::new))).ignoreElement());
    }
    if (!gone.isEmpty()) {
      writes.add(pg.preparedQuery("DELETE FROM notifications.push_subscriptions WHERE id = ANY($1)")
          .rxExecute(Tuple.of(gone.toArray(UUID[]::new))).ignoreElement());
    }
    if (!done.isEmpty()) {
      writes.add(pg.preparedQuery("DELETE FROM notifications.push_due WHERE id = ANY($1)")
          .rxExecute(Tuple.of(done.toArray(Long[]::new))).ignoreElement());
    }
    if (!later.isEmpty()) {
      writes.add(pg.preparedQuery("""
              UPDATE notifications.push_due SET sent_to = $2, attempts = $3, claimed_until = NULL,
                     next_attempt_at = now() + make_interval(secs => $4)
              WHERE id = $1""")
          .rxExecuteBatch(later).ignoreElement());
    }
    return Completable.concat(writes);
  }

  static Duration backoff(int attempts) {
    Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(attempts - 1, 16));
    return wait.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait;
  }

  /** The Web Push library, used only to prepare a request: encrypted body (aes128gcm) and VAPID headers. */
  private static final class Preparer extends AbstractPushService<Preparer> {
    static {
      VapidKeys.BouncyCastle.register();
    }

    Preparer(VapidKeys vapid, String subject) {
      super(vapid.keyPair(), subject);
    }

    nl.martijndwars.webpush.HttpRequest prepare(Push push) throws Exception {
      Subscription subscription = push.subscription();
      ECPublicKey key = (ECPublicKey) Utils.loadPublicKey(Base64.getUrlDecoder().decode(subscription.p256dh()));
      Notification notification = new Notification(subscription.endpoint(), key,
          Base64.getUrlDecoder().decode(subscription.auth()),
          push.payload().encode().getBytes(StandardCharsets.UTF_8), TTL_SECONDS, push.urgency(), push.topic());
      return prepareRequest(notification, Encoding.AES128GCM);
    }
  }
}
