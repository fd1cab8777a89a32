package dev.ocomms.accounts;

import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.testkit.TestSystem;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_REGISTER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limits on work that costs a password hash: registrations per client address, and the bounded hashing pool. One
 * hashing thread with room for one waiting hash, and 3 registrations per address per hour, so both limits are near.
 */
@DisplayName("Limits on registrations and on password hashing")
class PasswordWorkLimitsTest {
  private static final int PER_HOUR = 3;
  private static AccountsApi accounts;

  @BeforeAll
  static void start() {
    accounts = AccountsApi.start(config -> config
        .with(Setting.REGISTRATIONS_PER_IP_PER_HOUR, PER_HOUR)
        .with(Setting.PASSWORD_HASH_THREADS, 1)
        .with(Setting.PASSWORD_HASH_QUEUE, 1));
  }

  @AfterAll
  static void stop() {
    accounts.close();
  }

  @Test
  @DisplayName("registrations from one address past the hourly limit are rate_limited with retryAfter, taken names"
      + " included; another address still registers")
  void registrationsPerAddress() {
    String address = "203.0.113.1";
    AccountsApi.Session first = accounts.register(TestSystem.newRegistration().put("clientIp", address));
    JsonObject sameUsername = TestSystem.newRegistration().put("username", first.username()).put("clientIp", address);
    assertThat(accounts.fails(ErrorCode.CONFLICT, ACCOUNTS_REGISTER, sameUsername).getMessage())
        .startsWith("username");
    accounts.register(TestSystem.newRegistration().put("clientIp", address));

    OcommsException limited = accounts.fails(ErrorCode.RATE_LIMITED, ACCOUNTS_REGISTER, sameUsername);
    assertThat(limited.details().getLong("retryAfter")).isBetween(3000L, 3600L);
    accounts.fails(ErrorCode.RATE_LIMITED, ACCOUNTS_REGISTER,
        TestSystem.newRegistration().put("clientIp", address));
    accounts.register(TestSystem.newRegistration().put("clientIp", "203.0.113.2"));
  }

  @Test
  @DisplayName("with the hashing pool and its queue full, a registration is refused at once: unavailable, retryAfter")
  void hashingPoolFull() {
    List<Outcome> outcomes = Flowable.range(0, 12)
        .flatMapSingle(i -> registerTimed(TestSystem.newRegistration().put("clientIp", "203.0.113." + (10 + i))))
        .toList().blockingGet();

    List<Outcome> refused = outcomes.stream().filter(outcome -> outcome.failure() != null).toList();
    assertThat(refused).as("registrations refused while 2 hashes were in flight").isNotEmpty();
    assertThat(outcomes).as("registrations that got their hash").anyMatch(outcome -> outcome.failure() == null);
    for (Outcome outcome : refused) {
      assertThat(outcome.failure().code()).isEqualTo(ErrorCode.UNAVAILABLE);
      assertThat(outcome.failure().details().getInteger("retryAfter")).isPositive();
      assertThat(outcome.millis()).as("time to the refusal").isLessThan(2_000);
    }
  }

  /** A registration's answer (a failure, or null when it succeeded) and how long it took. */
  private record Outcome(OcommsException failure, long millis) {
  }

  private static Single<Outcome> registerTimed(JsonObject registration) {
    return Single.defer(() -> {
      long started = System.nanoTime();
      return accounts.client().eventBus().<JsonObject>rxRequest(ACCOUNTS_REGISTER, registration)
          .map(reply -> new Outcome(null, (System.nanoTime() - started) / 1_000_000))
          .onErrorReturn(failure -> new Outcome(BusErrors.fromFailure(failure),
              (System.nanoTime() - started) / 1_000_000));
    });
  }
}
