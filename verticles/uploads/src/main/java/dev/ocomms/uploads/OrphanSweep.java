package dev.ocomms.uploads;

import dev.ocomms.shared.bus.Input;
import dev.ocomms.uploads.storage.FileStorage;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Removes files no message carries once their grace period ({@value FileStore#ORPHAN_GRACE}) is over: uploads never
 * sent, and files whose last message was deleted. It runs every {@link #INTERVAL_MS} on every uploads node, but only
 * one node sweeps at a time (a PostgreSQL advisory lock); the others skip that round.
 */
final class OrphanSweep {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanSweep.class);
  static final long INTERVAL_MS = 10 * 60 * 1000;
  private static final int DELETES_AT_ONCE = 8;

  private final Vertx vertx;
  private final FileStore store;
  private final FileStorage storage;
  private long timer = -1;

  OrphanSweep(Vertx vertx, FileStore store, FileStorage storage) {
    this.vertx = vertx;
    this.store = store;
    this.storage = storage;
  }

  void start() {
    timer = vertx.setPeriodic(INTERVAL_MS, id -> sweep(OffsetDateTime.now(ZoneOffset.UTC))
        .subscribe(removed -> { }, failure -> LOG.warn("orphan sweep failed: {}", failure.toString())));
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /** {@code uploads.sweep {now?}} → {@code {removedFiles}}: a sweep now, as if it were {@code now}. */
  Single<JsonObject> sweepNow(Input body) {
    OffsetDateTime now;
    try {
      now = body.has("now") ? OffsetDateTime.parse(body.string("now")) : OffsetDateTime.now(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw Input.invalid("now", "now must be an ISO-8601 instant with its offset");
    }
    return sweep(now).map(removed -> new JsonObject().put("removedFiles", removed));
  }

  /** How many files went. */
  private Single<Integer> sweep(OffsetDateTime now) {
    return store.sweep(now)
        .flatMapSingle(swept -> removeObjects(swept.keys()).andThen(Single.just(swept.files())))
        .defaultIfEmpty(0)
        .doOnSuccess(removed -> {
          if (removed > 0) {
            LOG.info("orphan sweep removed {} files", removed);
          }
        });
  }

  /** The records are gone already; an object that cannot be deleted now is only space, logged. */
  private io.reactivex.rxjava3.core.Completable removeObjects(List<String> keys) {
    return Flowable.fromIterable(keys)
        .flatMapCompletable(key -> storage.delete(key)
            .doOnError(failure -> LOG.warn("a swept file's object was not deleted: key={} reason={}", key,
                failure.toString()))
            .onErrorComplete(), false, DELETES_AT_ONCE);
  }
}
