package dev.ocomms.shared.events;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.Requests;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.subjects.CompletableSubject;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Follows messaging's durable event stream for a verticle that must see every committed change exactly once (search,
 * notifications): it reads pages after the consumer's cursor until it has caught up, then reads again whenever
 * messaging says that something was appended (and every {@link #POLL_MS} in case a wake-up was missed). Pages are
 * read one at a time, in order.
 *
 * <p>Exactly once rests on the consumer: {@code apply} gets each page with the cursor just after it and must store
 * its effects and that cursor together (one transaction), and {@code loadCursor} gives the stored cursor back after a
 * restart. Then a consumer stopped at any moment resumes where its last applied page ended: nothing is lost and
 * nothing applied twice. Events of types this node does not know are left out of the page (the cursor still moves
 * past them).
 *
 * <p>Several followers of one consumer (its verticle on several nodes) may read the same page: {@code apply} stores it
 * only if the stored cursor is still the one the page was read after ({@link #cursor()} while it runs), and otherwise
 * fails with {@link CursorMoved}; the follower then loads the stored cursor and goes on from there.
 */
public final class EventStream {
  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
  /** The most a page may hold. */
  public static final int MAX_PAGE = 1000;
  static final long POLL_MS = 5_000;
  private static final long RETRY_MS = 1_000;
  private static final long REQUEST_TIMEOUT_MS = 10_000;

  /** An apply found the stored cursor moved on (another follower stored the page, or a reindex reset it). */
  public static final class CursorMoved extends RuntimeException {
    public CursorMoved() {
      super("the stored cursor moved", null, false, false);
    }
  }

  /** One page: its known events, the cursor after it, and whether more was there. */
  public record Page(List<StreamEvent> events, StreamCursor next, boolean hasMore) {
  }

  private final Vertx vertx;
  private final String name;
  private final int pageSize;
  private final Supplier<Single<StreamCursor>> loadCursor;
  private final Function<Page, Completable> apply;
  private MessageConsumer<Object> wakeUps;
  private long pollTimer = -1;
  private StreamCursor cursor;
  private boolean reading;
  /** Completes once the page being read and applied (while {@link #reading}) is stored or has failed. */
  private CompletableSubject inFlight;
  private boolean again;
  private boolean stopped;
  private boolean reload;

  /**
   * @param name       for logs: who follows
   * @param pageSize   events per page, 1 to {@link #MAX_PAGE}
   * @param loadCursor the cursor stored with the last applied page ({@link StreamCursor#START} when none)
   * @param apply      stores a page's effects and the cursor after it ({@link Page#next}), together; the page says
   *                   whether more follows it (whether the follower is catching up)
   */
  public EventStream(Vertx vertx, String name, int pageSize, Supplier<Single<StreamCursor>> loadCursor,
                     Function<Page, Completable> apply) {
    if (pageSize < 1 || pageSize > MAX_PAGE) {
      throw new IllegalArgumentException("pageSize must be 1 to " + MAX_PAGE);
    }
    this.vertx = vertx;
    this.name = name;
    this.pageSize = pageSize;
    this.loadCursor = loadCursor;
    this.apply = apply;
  }

  /** Reads one page after {@code after}. */
  public static Single<Page> read(Vertx vertx, StreamCursor after, int limit) {
    return Requests.<JsonObject>request(vertx, Addresses.EVENTS_READ,
            new JsonObject().put("after", after.wire()).put("limit", limit),
            new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS))
        .map(reply -> {
          JsonObject body = reply.body();
          List<StreamEvent> events = new ArrayList<>();
          JsonArray list = body.getJsonArray("events", new JsonArray());
          for (int i = 0; i < list.size(); i++) {
            StreamEvent event = StreamEvent.of(list.getJsonObject(i));
            if (event.type().isPresent()) {
              events.add(event);
            }
          }
          StreamCursor next = StreamCursor.parse(body.getString("next")).orElse(after);
          return new Page(events, next, body.getBoolean("hasMore", false));
        });
  }

  /** Starts following: completes once the stored cursor is loaded and the wake-ups are registered. */
  public Completable start() {
    return loadCursor.get().flatMapCompletable(stored -> {
      cursor = stored;
      wakeUps = vertx.eventBus().consumer(Addresses.EVENTS_APPENDED, message -> readSoon());
      pollTimer = vertx.setPeriodic(POLL_MS, id -> readSoon());
      return wakeUps.rxCompletion().doOnComplete(this::readSoon);
    });
  }

  /**
   * Stops: completes once the page being applied, if any, is stored (its cursor with it) or has failed, so that a
   * follower started after this completes loads the cursor after it and does not apply it again.
   */
  public Completable stop() {
    stopped = true;
    vertx.cancelTimer(pollTimer);
    Completable unregistered = wakeUps == null ? Completable.complete() : wakeUps.rxUnregister().onErrorComplete();
    return unregistered.andThen(Completable.defer(() -> reading ? inFlight : Completable.complete()));
  }

  /**
   * Loads the stored cursor again before the next read: the consumer reset it (a rebuild from the first event), and a
   * follower that has caught up would otherwise never find out, as it stores nothing until new events come.
   */
  public void reloadStoredCursor() {
    reload = true;
    readSoon();
  }

  /** The cursor after the last page applied. */
  public StreamCursor cursor() {
    return cursor;
  }

  private void reloadCursor(CompletableSubject done) {
    loadCursor.get().subscribe(stored -> {
      cursor = stored;
      reading = false;
      done.onComplete();
      readSoon();
    }, failure -> {
      reading = false;
      done.onComplete();
      vertx.setTimer(RETRY_MS, id -> readSoon());
    });
  }

  private void readSoon() {
    if (stopped) {
      return;
    }
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    again = false;
    CompletableSubject done = CompletableSubject.create();
    inFlight = done;
    if (reload) {
      reload = false;
      reloadCursor(done);
      return;
    }
    read(vertx, cursor, pageSize)
        .flatMap(page -> (page.next().equals(cursor) ? Completable.complete() : apply.apply(page))
            .toSingleDefault(page))
        .subscribe(page -> {
          cursor = page.next();
          reading = false;
          done.onComplete();
          if (page.hasMore() || again) {
            readSoon();
          }
        }, failure -> {
          if (failure instanceof CursorMoved) {
            reloadCursor(done);
            return;
          }
          reading = false;
          done.onComplete();
          LOG.warn("event stream not read: consumer={} cursor={} reason={}", name, cursor, failure.toString());
          vertx.setTimer(RETRY_MS, id -> readSoon());
        });
  }
}
