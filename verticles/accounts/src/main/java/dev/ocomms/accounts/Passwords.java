package dev.ocomms.accounts;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.WorkerExecutor;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Argon2id hashing with OWASP's minimum parameters (19 MiB, 2 iterations, 1 lane). Hashing costs tens of
 * milliseconds of CPU by design, so it runs on a small pool of its own ({@value #POOL_NAME}), never on an event loop
 * and never on the shared worker pool: a burst of logins or registrations must not delay health checks or other
 * blocking work. At most {@code threads + queue} hashes are in flight; one more is refused at once as
 * {@code unavailable} with {@code retryAfter}, rather than waiting ever longer (and costing Redis and memory).
 */
final class Passwords {
  static final String POOL_NAME = "ocomms-password-hashing";
  /** A hash that waits this long is stuck rather than queued; the pool's threads are never blocked longer. */
  private static final long MAX_EXECUTE_SECONDS = 30;
  private static final int RETRY_AFTER_SECONDS = 1;
  private static final Argon2PasswordEncoder ENCODER = new Argon2PasswordEncoder(16, 32, 1, 19_456, 2);

  /** Verified against when the login names nobody, so that a wrong login costs as long as a wrong password. */
  private static final class Decoy {
    // Initialised on first use, which is on a hashing thread (hashing is slow on purpose).
    static final String HASH = ENCODER.encode("decoy-password-for-unknown-logins");
  }

  private final WorkerExecutor pool;
  private final int maxInFlight;
  private final InFlight inFlight;

  /** A pool of {@code threads} hashing threads with room for {@code queue} waiting hashes. */
  Passwords(Vertx vertx, int threads, int queue) {
    // Shared by name: every accounts instance of a node hashes on the same few threads, whatever their number, and
    // counts against the same bound.
    this.pool = vertx.createSharedWorkerExecutor(POOL_NAME, threads, MAX_EXECUTE_SECONDS, TimeUnit.SECONDS);
    this.maxInFlight = threads + queue;
    LocalMap<String, InFlight> counters = vertx.getDelegate().sharedData().getLocalMap(POOL_NAME);
    counters.putIfAbsent("inFlight", new InFlight());
    this.inFlight = counters.get("inFlight");
  }

  /** The node's count of hashes running or waiting; shared as it is between the instances of one node. */
  private static final class InFlight extends AtomicInteger implements Shareable {
  }

  Single<String> hash(String password) {
    return run(() -> ENCODER.encode(password));
  }

  Single<Boolean> matches(String password, String hash) {
    return run(() -> ENCODER.matches(password, hash == null ? Decoy.HASH : hash))
        .map(matched -> matched && hash != null);
  }

  void close() {
    pool.close();
  }

  private <T> Single<T> run(Callable<T> work) {
    return Single.defer(() -> {
      if (inFlight.incrementAndGet() > maxInFlight) {
        inFlight.decrementAndGet();
        return Single.error(busy());
      }
      // Unordered: hashes of unrelated requests need not wait for each other.
      return pool.rxExecuteBlocking(work, false).toSingle()
          .doFinally(inFlight::decrementAndGet);
    });
  }

  static OcommsException busy() {
    return new OcommsException(ErrorCode.UNAVAILABLE, "too many password checks in progress; retry shortly",
        new JsonObject().put("retryAfter", RETRY_AFTER_SECONDS));
  }
}
