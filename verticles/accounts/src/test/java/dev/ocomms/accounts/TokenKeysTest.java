package dev.ocomms.accounts;

import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.shared.db.Migrations;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.keys.Es256KeyPair;
import dev.ocomms.shared.keys.MasterKey;
import dev.ocomms.testkit.TestConfigs;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.pgclient.PgBuilder;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The access-token keys of a cluster, kept in its PostgreSQL ({@code accounts.token_keys}): each {@link TokenKeys}
 * here stands for one accounts instance (of any node), with a connection pool of its own, as instances have.
 */
@DisplayName("The cluster's access-token keys")
class TokenKeysTest {
  private final Vertx vertx = Vertx.vertx();
  private final List<Pool> pools = new ArrayList<>();

  @AfterEach
  void close() {
    pools.forEach(pool -> pool.close().blockingAwait());
    vertx.close().blockingAwait();
  }

  /** A node's settings without configured keys, on a new database with accounts' schema. */
  private OcommsConfig cluster(Path dataDir) {
    OcommsConfig config = TestConfigs.node().without(Setting.JWT_PRIVATE_KEY).without(Setting.JWT_PUBLIC_KEY)
        .with(Setting.DATA_DIR, dataDir.toString());
    Migrations.migrate(vertx, config.pgUrl().orElseThrow(), "accounts").blockingAwait();
    return config;
  }

  /** One accounts instance of the cluster, not started. */
  private TokenKeys instance(OcommsConfig config) {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(PgConnectOptions.fromUri(config.pgUrl().orElseThrow())).using(vertx).build();
    pools.add(pool);
    return new TokenKeys(vertx, pool, config);
  }

  private TokenKeys started(OcommsConfig config) {
    TokenKeys keys = instance(config);
    keys.start().blockingAwait();
    return keys;
  }

  private List<String> storedKids(OcommsConfig config) {
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(config.pgUrl().orElseThrow())).using(vertx)
        .build();
    pools.add(pool);
    List<String> kids = new ArrayList<>();
    pool.query("SELECT kid FROM accounts.token_keys ORDER BY generation").rxExecute().blockingGet()
        .forEach((Row row) -> kids.add(row.getString("kid")));
    return kids;
  }

  private void execute(OcommsConfig config, String statement) {
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(config.pgUrl().orElseThrow())).using(vertx)
        .build();
    pools.add(pool);
    pool.query(statement).rxExecute().blockingGet();
  }

  private static List<JsonObject> verificationKeys(TokenKeys keys) {
    return keys.verificationKeys(Input.of(new JsonObject())).blockingGet().getJsonArray("keys").stream()
        .map(JsonObject.class::cast).toList();
  }

  private static String kidOf(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]),
        StandardCharsets.UTF_8)).getString("kid");
  }

  @Test
  @DisplayName("several instances starting at once on a new database agree on one key")
  void concurrentFirstStart(@TempDir Path dataDir) {
    OcommsConfig config = cluster(dataDir);
    List<TokenKeys> instances = IntStream.range(0, 8).mapToObj(i -> instance(config)).toList();

    Completable.merge(instances.stream().map(TokenKeys::start).toList()).blockingAwait();

    List<String> stored = storedKids(config);
    assertThat(stored).hasSize(1);
    assertThat(instances).allSatisfy(keys -> assertThat(keys.currentKid()).isEqualTo(stored.get(0)));
  }

  @Test
  @DisplayName("an instance started later signs with the key the first one generated")
  void laterStartReadsTheKey(@TempDir Path dataDir) {
    OcommsConfig config = cluster(dataDir);
    TokenKeys first = started(config);

    TokenKeys later = started(config.with(Setting.DATA_DIR, dataDir.resolve("another-node").toString()));

    assertThat(later.currentKid()).isEqualTo(first.currentKid());
    assertThat(kidOf(new Tokens(later).access(UUID.randomUUID(), UUID.randomUUID()))).isEqualTo(first.currentKid());
  }

  @Test
  @DisplayName("a rotation makes a new key sign; the previous one is still offered for verification until every token"
      + " it can have signed has expired")
  void rotation(@TempDir Path dataDir) {
    OcommsConfig config = cluster(dataDir);
    TokenKeys keys = started(config);
    String previous = keys.currentKid();

    String current = keys.rotateNow(Input.of(new JsonObject())).blockingGet().getString("kid");

    assertThat(current).isNotEqualTo(previous);
    assertThat(keys.currentKid()).isEqualTo(current);
    assertThat(kidOf(new Tokens(keys).access(UUID.randomUUID(), UUID.randomUUID()))).isEqualTo(current);
    List<JsonObject> offered = verificationKeys(keys);
    assertThat(offered).extracting(key -> key.getString("kid")).containsExactly(previous, current);
    Instant notAfter = Instant.parse(offered.get(0).getString("notAfter"));
    // Its last tokens may be signed by an instance that missed the rotation, until its next round.
    Instant lastExpiry = Instant.now().plus(TokenKeys.MAINTENANCE_INTERVAL)
        .plusSeconds(Tokens.ACCESS_LIFETIME_SECONDS);
    assertThat(notAfter).isBetween(lastExpiry.minusSeconds(60), lastExpiry.plusSeconds(60));
    assertThat(offered.get(1).containsKey("notAfter")).isFalse();
    assertThat(offered).allSatisfy(key -> assertThat(key.fieldNames()).doesNotContain("privateKey"));
  }

  @Test
  @DisplayName("instances that find the key due at once add one new key between them, and all sign with it")
  void concurrentRotation(@TempDir Path dataDir) {
    OcommsConfig config = cluster(dataDir);
    List<TokenKeys> instances = IntStream.range(0, 4).mapToObj(i -> started(config)).toList();
    execute(config, "UPDATE accounts.token_keys SET created_at = now() - interval '31 days'");

    Completable.merge(instances.stream().map(TokenKeys::maintain).toList()).blockingAwait();

    List<String> stored = storedKids(config);
    assertThat(stored).hasSize(2);
    assertThat(instances).allSatisfy(keys -> assertThat(keys.currentKid()).isEqualTo(stored.get(1)));
  }

  @Test
  @DisplayName("another instance signs with the new key once it has heard of the rotation")
  void otherInstancesFollow(@TempDir Path dataDir) {
    OcommsConfig config = cluster(dataDir);
    TokenKeys rotating = started(config);
    TokenKeys other = started(config);

    String current = rotating.rotateNow(Input.of(new JsonObject())).blockingGet().getString("kid");
    other.reload().blockingAwait();

    assertThat(other.currentKid()).isEqualTo(current);
  }

  @Test
  @DisplayName("the periodic round rotates the key only once it has signed for the rotation period")
  void periodicRotation(@TempDir Path dataDir) {
    OcommsConfig config = cluster(dataDir).with(Setting.TOKEN_KEY_ROTATION_DAYS, 30);
    TokenKeys keys = started(config);
    String first = keys.currentKid();

    keys.maintain().blockingAwait();
    assertThat(keys.currentKid()).isEqualTo(first);

    execute(config, "UPDATE accounts.token_keys SET created_at = now() - interval '31 days'");
    keys.maintain().blockingAwait();
    assertThat(keys.currentKid()).isNotEqualTo(first);
    assertThat(storedKids(config)).containsExactly(first, keys.currentKid());
  }

  @Test
  @DisplayName("a replaced key is deleted a day after it was replaced, not before")
  void replacedKeysDeleted(@TempDir Path dataDir) {
    OcommsConfig config = cluster(dataDir);
    TokenKeys keys = started(config);
    String first = keys.currentKid();
    String second = keys.rotateNow(Input.of(new JsonObject())).blockingGet().getString("kid");

    keys.maintain().blockingAwait();
    assertThat(storedKids(config)).containsExactly(first, second);

    execute(config, "UPDATE accounts.token_keys SET created_at = now() - interval '25 hours'");
    keys.maintain().blockingAwait();
    assertThat(storedKids(config)).containsExactly(second);
  }

  @Test
  @DisplayName("configured keys win: they sign, nothing is stored, and they are not rotated")
  void configuredKeysWin(@TempDir Path dataDir) {
    OcommsConfig stored = cluster(dataDir);
    Es256KeyPair pair = Es256KeyPair.generate();
    OcommsConfig configured = stored.with(Setting.JWT_PRIVATE_KEY, pair.privateKey())
        .with(Setting.JWT_PUBLIC_KEY, pair.publicKey());

    TokenKeys keys = started(configured);

    assertThat(keys.currentKid()).isEqualTo(pair.kid());
    assertThat(kidOf(new Tokens(keys).access(UUID.randomUUID(), UUID.randomUUID()))).isEqualTo(pair.kid());
    assertThat(verificationKeys(keys)).extracting(key -> key.getString("kid")).containsExactly(pair.kid());
    assertThat(storedKids(configured)).isEmpty();
    assertThatThrownBy(() -> keys.rotateNow(Input.of(new JsonObject())).blockingGet())
        .isInstanceOfSatisfying(OcommsException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
  }

  @Test
  @DisplayName("the key pair an earlier version kept under the data directory becomes the cluster's first key")
  void legacyPairImported(@TempDir Path dataDir) throws Exception {
    Es256KeyPair legacy = Es256KeyPair.generate();
    Path keysDir = Files.createDirectories(dataDir.resolve("keys"));
    Files.writeString(keysDir.resolve("jwt-es256-private.pem"), legacy.privateKey());
    Files.writeString(keysDir.resolve("jwt-es256-public.pem"), legacy.publicKey());
    OcommsConfig config = cluster(dataDir);

    TokenKeys keys = started(config);

    assertThat(keys.currentKid()).isEqualTo(legacy.kid());
    assertThat(storedKids(config)).containsExactly(legacy.kid());
  }

  @Test
  @DisplayName("key files under the data directory are not imported once the cluster has a key")
  void legacyPairIgnoredLater(@TempDir Path dataDir) throws Exception {
    OcommsConfig config = cluster(dataDir);
    String existing = started(config).currentKid();
    Es256KeyPair legacy = Es256KeyPair.generate();
    Path keysDir = Files.createDirectories(dataDir.resolve("keys"));
    Files.writeString(keysDir.resolve("jwt-es256-private.pem"), legacy.privateKey());
    Files.writeString(keysDir.resolve("jwt-es256-public.pem"), legacy.publicKey());

    TokenKeys keys = started(config);

    assertThat(keys.currentKid()).isEqualTo(existing);
    assertThat(storedKids(config)).containsExactly(existing);
  }

  private static String masterKey() {
    byte[] bytes = new byte[MasterKey.KEY_BYTES];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  private List<String> storedPrivateKeys(OcommsConfig config) {
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(config.pgUrl().orElseThrow())).using(vertx)
        .build();
    pools.add(pool);
    List<String> keys = new ArrayList<>();
    pool.query("SELECT private_key FROM accounts.token_keys ORDER BY generation").rxExecute().blockingGet()
        .forEach((Row row) -> keys.add(row.getString("private_key")));
    return keys;
  }

  @Test
  @DisplayName("with a master key, private keys are stored encrypted, and every instance with that master key signs"
      + " with them")
  void encryptedAtRest(@TempDir Path dataDir) {
    OcommsConfig config = cluster(dataDir).with(Setting.SECRETS_MASTER_KEY, masterKey());
    TokenKeys first = started(config);

    TokenKeys other = started(config);

    assertThat(storedPrivateKeys(config)).singleElement().asString()
        .startsWith(MasterKey.SEALED_PREFIX).doesNotContain("PRIVATE KEY");
    assertThat(other.currentKid()).isEqualTo(first.currentKid());
    assertThat(kidOf(new Tokens(other).access(UUID.randomUUID(), UUID.randomUUID()))).isEqualTo(first.currentKid());
  }

  @Test
  @DisplayName("an instance without the master key the stored keys were encrypted with does not start, naming the"
      + " setting")
  void encryptedKeysNeedTheMasterKey(@TempDir Path dataDir) {
    OcommsConfig config = cluster(dataDir).with(Setting.SECRETS_MASTER_KEY, masterKey());
    started(config);

    assertThatThrownBy(() -> started(config.without(Setting.SECRETS_MASTER_KEY)))
        .hasMessageContaining("OCOMMS_SECRETS_MASTER_KEY");
    assertThatThrownBy(() -> started(config.with(Setting.SECRETS_MASTER_KEY, masterKey())))
        .hasMessageContaining("another master key");
  }

  @Test
  @DisplayName("keys stored before a master key was set still sign; the keys rotated in after it are encrypted")
  void masterKeyAddedLater(@TempDir Path dataDir) {
    OcommsConfig plain = cluster(dataDir);
    String before = started(plain).currentKid();

    TokenKeys keys = started(plain.with(Setting.SECRETS_MASTER_KEY, masterKey()));
    assertThat(keys.currentKid()).isEqualTo(before);
    keys.rotateNow(Input.of(new JsonObject())).blockingGet();

    List<String> stored = storedPrivateKeys(plain);
    assertThat(stored.get(0)).contains("PRIVATE KEY");
    assertThat(stored.get(1)).startsWith(MasterKey.SEALED_PREFIX);
  }
}
