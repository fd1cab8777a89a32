package dev.ocomms.accounts;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.BusService;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.Migrations;
import dev.ocomms.shared.db.PgClients;
import dev.ocomms.shared.limits.RateLimiter;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Accounts: users, sessions, refresh tokens and profiles (schema {@code accounts}), and the issuing of access tokens.
 * The gateway asks here on the browser's behalf ({@code accounts.auth.*}, {@code accounts.users.*}) and verifies
 * access tokens itself; other verticles look users up in the directory. Every address is internal: browsers reach
 * accounts only through the gateway's REST API.
 */
public class AccountsVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(AccountsVerticle.class);
  /** Refresh tokens nobody can use any more are deleted this often, in batches, by every instance. */
  private static final long PRUNE_INTERVAL_MS = Duration.ofHours(1).toMillis();
  private static final long PRUNE_FIRST_DELAY_MS = Duration.ofMinutes(1).toMillis();
  private static final int PRUNE_BATCH = 1000;
  /** Every instance checks this often whether the access-token key is due for rotation (docs/operations.md). */
  private static final long KEY_MAINTENANCE_INTERVAL_MS = TokenKeys.MAINTENANCE_INTERVAL.toMillis();

  private Pool pg;
  private Redis redis;
  private Passwords passwords;
  private long pruning = -1;
  private long keyMaintenance = -1;

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    passwords = new Passwords(vertx, settings.passwordHashThreads(), settings.passwordHashQueue());
    return PgClients.connectedPool(vertx, settings, "accounts")
        .doOnSuccess(pool -> pg = pool)
        .flatMap(pool -> RedisClients.connectedClient(vertx, settings))
        .doOnSuccess(client -> redis = client)
        .ignoreElement()
        .andThen(Completable.defer(() -> Migrations.migrate(vertx, settings.pgUrl().orElseThrow(), "accounts")))
        .andThen(Completable.defer(() -> {
          TokenKeys keys = new TokenKeys(vertx, pg, settings);
          return keys.start().andThen(Completable.defer(() -> serve(settings, keys)));
        }));
  }

  @Override
  public Completable rxStop() {
    if (pruning >= 0) {
      vertx.cancelTimer(pruning);
    }
    if (keyMaintenance >= 0) {
      vertx.cancelTimer(keyMaintenance);
    }
    // The requests begun are answered before the pools they use close.
    return BusService.drain(vertx, Duration.ofSeconds(OcommsConfig.fromJson(config()).shutdownGraceSeconds()))
        .andThen(Completable.defer(() -> pg == null ? Completable.complete() : pg.rxClose()))
        .doFinally(() -> {
          if (passwords != null) {
            passwords.close();
          }
          if (redis != null) {
            redis.close();
          }
        });
  }

  private Completable serve(OcommsConfig settings, TokenKeys keys) {
    Tokens tokens = new Tokens(keys);
    AccountStore store = new AccountStore(pg);
    Revocations revocations = new Revocations(vertx, redis);
    Duration sessionMaxAge = Duration.ofDays(settings.sessionMaxAgeDays());
    RateLimiter limiter = RateLimiter.create(vertx, redis);
    Sessions sessions = new Sessions(store, passwords, new LoginThrottle(limiter), tokens, revocations, sessionMaxAge);
    Registration registration = new Registration(store, passwords, sessions,
        new RegistrationThrottle(limiter, settings.registrationsPerIpPerHour()));
    pruning = vertx.setPeriodic(PRUNE_FIRST_DELAY_MS, PRUNE_INTERVAL_MS, id -> prune(store, sessionMaxAge));
    Profiles profiles = new Profiles(vertx, store);
    Bots bots = new Bots(vertx, store, revocations);

    // Asked before anyone is authenticated (the gateway sends them without a caller), or by other verticles.
    Map<String, Function<Input, Single<JsonObject>>> internal = new LinkedHashMap<>();
    internal.put(Addresses.ACCOUNTS_REGISTER, registration::register);
    internal.put(Addresses.ACCOUNTS_LOGIN, sessions::login);
    internal.put(Addresses.ACCOUNTS_REFRESH, sessions::refresh);
    internal.put(Addresses.SESSION_STATUS, sessions::status);
    internal.put(Addresses.USERS_PROFILES, profiles::profiles);
    internal.put(Addresses.USERS_BY_USERNAME, profiles::byUsernames);
    internal.put(Addresses.TOKEN_KEYS, keys::verificationKeys);
    internal.put(Addresses.TOKEN_KEYS_ROTATE, keys::rotateNow);
    internal.put(Addresses.BOTS_TOKEN_VERIFY, bots::verify);
    // Asked on behalf of the user whose access token the gateway verified.
    Map<String, Function<BusRequest, Single<JsonObject>>> onBehalf = new LinkedHashMap<>();
    onBehalf.put(Addresses.ACCOUNTS_LOGOUT, sessions::logout);
    onBehalf.put(Addresses.USERS_ME, profiles::me);
    onBehalf.put(Addresses.USERS_ME_BRIDGE, profiles::me);
    onBehalf.put(Addresses.USERS_ME_UPDATE, profiles::updateMe);
    onBehalf.put(Addresses.USERS_GET, profiles::get);
    onBehalf.put(Addresses.USERS_AVATAR_SET, profiles::setAvatar);
    onBehalf.put(Addresses.BOTS_CREATE, bots::create);
    onBehalf.put(Addresses.BOTS_LIST, bots::list);
    onBehalf.put(Addresses.BOTS_DELETE, bots::delete);
    onBehalf.put(Addresses.BOTS_TOKEN_ROTATE, bots::rotate);

    // Revocations made by the other instances: answered from memory from now on.
    MessageConsumer<JsonObject> revoked = vertx.eventBus().consumer(Addresses.SESSION_REVOKED,
        message -> revocations.remember(message.body().getString("sessionId")));
    // A rotation made by another instance: sign with the new key too.
    MessageConsumer<JsonObject> keysChanged = vertx.eventBus().consumer(Addresses.TOKEN_KEYS_CHANGED,
        message -> keys.reload().subscribe(() -> { },
            failure -> LOG.warn("reloading the access-token keys failed; retried within minutes: {}",
                failure.toString())));
    if (!keys.isConfigured()) {
      keyMaintenance = vertx.setPeriodic(KEY_MAINTENANCE_INTERVAL_MS, id -> keys.maintain().subscribe(() -> { },
          failure -> LOG.warn("access-token key maintenance failed; retried in ten minutes: {}", failure.toString())));
    }
    // Wait until the cluster knows every consumer, so that requests sent right after deployment find one.
    return BusService.serveInternal(vertx, internal)
        .andThen(BusService.serve(vertx, onBehalf))
        .andThen(revoked.rxCompletion())
        .andThen(keysChanged.rxCompletion())
        .doOnComplete(() -> LOG.info("accounts ready: addresses={}", internal.size() + onBehalf.size()));
  }

  /** Deletes unusable refresh tokens batch after batch until a batch is not full; a failure waits for the next round. */
  private void prune(AccountStore store, Duration sessionMaxAge) {
    store.pruneRefreshTokens(sessionMaxAge, PRUNE_BATCH)
        .repeat()
        .takeUntil(deleted -> deleted < PRUNE_BATCH)
        .reduce(0, Integer::sum)
        .subscribe(deleted -> {
          if (deleted > 0) {
            LOG.info("pruned refresh tokens: deleted={}", deleted);
          }
        }, failure -> LOG.warn("pruning refresh tokens failed; retried in an hour: {}", failure.toString()));
  }
}
