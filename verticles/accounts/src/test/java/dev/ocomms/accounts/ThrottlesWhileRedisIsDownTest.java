package dev.ocomms.accounts;

import dev.ocomms.runtime.EmbeddedRedisServer;
import dev.ocomms.runtime.FreePorts;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_LOGIN;
import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_REGISTER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Login and registration limits with a Redis of this class's own, stopped once the accounts are registered (the
 * shared test Redis must stay up): they are counted in the node's memory, not switched off, and logins still work.
 */
@DisplayName("Login and registration limits while Redis is down")
class ThrottlesWhileRedisIsDownTest {
  private static final int REGISTRATIONS_PER_HOUR = 3;

  @TempDir
  static Path redisDirectory;
  private static EmbeddedRedisServer redis;
  private static AccountsApi accounts;
  private static AccountsApi.Session registered;

  // Started once for the class, so that a slow start-up on a busy machine is not taken for a blocked event loop.
  @BeforeAll
  static void start() throws IOException {
    redis = EmbeddedRedisServer.start(redisDirectory, FreePorts.next(), 16);
    accounts = AccountsApi.start(config -> config.with(Setting.REDIS_URL, redis.url(0))
        .with(Setting.REGISTRATIONS_PER_IP_PER_HOUR, REGISTRATIONS_PER_HOUR));
    registered = accounts.register(TestSystem.newRegistration().put("clientIp", "192.0.2.40"));
    redis.close();
    redis = null;
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      accounts.close();
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  private static JsonObject login(String login, String password, String clientIp) {
    return new JsonObject().put("login", login).put("password", password).put("clientIp", clientIp);
  }

  @Test
  @DisplayName("wrong passwords are still throttled: after 3 failures the next attempt is rate_limited with retryAfter")
  void loginsThrottled() {
    String attacker = "192.0.2.41";
    for (int i = 0; i < 3; i++) {
      accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_LOGIN, login(registered.username(), "wrong " + i, attacker));
    }
    assertThat(accounts.fails(ErrorCode.RATE_LIMITED, ACCOUNTS_LOGIN,
        login(registered.username(), registered.password(), attacker)).details().getLong("retryAfter"))
        .isEqualTo(1L);
  }

  @Test
  @DisplayName("the right password still logs in")
  void loginWorks() {
    JsonObject session = accounts.call(ACCOUNTS_LOGIN, login(registered.email(), registered.password(), "192.0.2.42"));
    assertThat(session.getJsonObject("user").getString("id")).isEqualTo(registered.userId());
  }

  @Test
  @DisplayName("registrations from one address past the hourly limit are still rate_limited")
  void registrationsLimited() {
    String address = "192.0.2.43";
    for (int i = 0; i < REGISTRATIONS_PER_HOUR; i++) {
      accounts.call(ACCOUNTS_REGISTER, TestSystem.newRegistration().put("clientIp", address));
    }
    assertThat(accounts.fails(ErrorCode.RATE_LIMITED, ACCOUNTS_REGISTER,
        TestSystem.newRegistration().put("clientIp", address)).details().getLong("retryAfter"))
        .isBetween(3500L, 3600L);
  }
}
