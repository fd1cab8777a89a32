package dev.ocomms.accounts;

import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.core.Vertx;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Argon2id hashing with OWASP's minimum parameters (19 MiB, 2 iterations, 1 lane). Hashing costs tens of
 * milliseconds of CPU by design, so it runs on worker threads, never on an event loop.
 */
final class Passwords {
  private static final Argon2PasswordEncoder ENCODER = new Argon2PasswordEncoder(16, 32, 1, 19_456, 2);

  /** Verified against when the login names nobody, so that a wrong login costs as long as a wrong password. */
  private static final class Decoy {
    // Initialised on first use, which is on a worker thread (hashing is slow on purpose).
    static final String HASH = ENCODER.encode("decoy-password-for-unknown-logins");
  }

  private final Vertx vertx;

  Passwords(Vertx vertx) {
    this.vertx = vertx;
  }

  Single<String> hash(String password) {
    return vertx.rxExecuteBlocking(() -> ENCODER.encode(password), false).toSingle();
  }

  Single<Boolean> matches(String password, String hash) {
    return vertx.rxExecuteBlocking(() -> ENCODER.matches(password, hash == null ? Decoy.HASH : hash), false)
        .toSingle()
        .map(matched -> matched && hash != null);
  }
}
