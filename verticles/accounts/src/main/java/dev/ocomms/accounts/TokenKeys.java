package dev.ocomms.accounts;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.keys.Es256KeyPair;
import dev.ocomms.shared.keys.MasterKey;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.auth.jwt.JWTAuth;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The keys access tokens are signed with, one set for the whole cluster (docs/operations.md, "Secrets").
 *
 * <p>Configured keys ({@code OCOMMS_JWT_PRIVATE_KEY} and {@code OCOMMS_JWT_PUBLIC_KEY}) win: that pair signs and
 * verifies, nothing is stored and nothing rotates. Otherwise the keys live in {@code accounts.token_keys}, shared by
 * every node: the first instance to start generates the first key (or imports the pair an earlier version kept under
 * the data directory, so that its tokens stay valid across the upgrade); every later one, on any node, reads it. The
 * key of the highest generation signs; a rotation (after {@code tokenKeyRotationDays}, or asked by an operator) adds
 * generation + 1 in one statement, so that instances rotating at once add one key between them. A replaced key still
 * verifies until every token it signed has expired, and is deleted a day after it was replaced.
 *
 * <p>The private keys are stored as PEM, or sealed with the operator's master key ({@code OCOMMS_SECRETS_MASTER_KEY})
 * when one is set; keys stored before it was set stay readable, and are replaced by sealed ones as they rotate.
 *
 * <p>Every token carries its key's id ({@code kid}, {@link Es256KeyPair#kidOf}); gateways ask for the verification
 * keys ({@link Addresses#TOKEN_KEYS}) and hear of changes ({@link Addresses#TOKEN_KEYS_CHANGED}).
 */
final class TokenKeys {
  private static final Logger LOG = LoggerFactory.getLogger(TokenKeys.class);
  /**
   * How often every instance looks at the keys again by itself ({@link #maintain}): the longest an instance that missed
   * a rotation's announcement goes on signing with the replaced key.
   */
  static final Duration MAINTENANCE_INTERVAL = Duration.ofMinutes(10);
  /** How long a replaced key is kept: far longer than any token it signed can live. */
  static final Duration REPLACED_KEPT = Duration.ofDays(1);
  /** Where versions before the shared keys kept the node's pair, under the data directory. */
  static final String LEGACY_DIRECTORY = "keys";
  static final String LEGACY_PRIVATE_FILE = "jwt-es256-private.pem";
  static final String LEGACY_PUBLIC_FILE = "jwt-es256-public.pem";
  /** What a sealed private key is bound to, with its kid: it opens in no other row and for no other use. */
  private static final String SEALING_CONTEXT = "accounts.token_keys:";
  private static final String COLUMNS = "generation, kid, private_key, public_key, created_at,"
      + " lead(created_at) OVER (ORDER BY generation) AS replaced_at";

  /** A stored key (or the configured one, as generation 0); {@code replacedAt} null for the current key. */
  record Key(int generation, String kid, String privateKey, String publicKey, OffsetDateTime replacedAt) {

    /** What a gateway needs of it: never the private key. */
    JsonObject verification() {
      JsonObject key = new JsonObject().put("kid", kid).put("publicKey", publicKey);
      if (replacedAt != null) {
        // An instance that missed the rotation may sign with it until its next round; its tokens live 15 minutes.
        key.put("notAfter", replacedAt.plus(MAINTENANCE_INTERVAL).plusSeconds(Tokens.ACCESS_LIFETIME_SECONDS)
            .format(DateTimeFormatter.ISO_INSTANT));
      }
      return key;
    }
  }

  /** The key that signs, with its signer. */
  private record Signer(Key key, JWTAuth jwt) {
  }

  private final Vertx vertx;
  /** Null when the keys are configured. */
  private final Pool pg;
  private final Optional<Es256KeyPair> configured;
  private final Duration rotationPeriod;
  private final Path legacyDirectory;
  /** Encrypts the private keys stored from now on, and opens the stored ones that are encrypted; empty: plain. */
  private final Optional<MasterKey> masterKey;
  private volatile Signer signer;

  TokenKeys(Vertx vertx, Pool pg, OcommsConfig settings) {
    this.vertx = vertx;
    this.configured = settings.jwtPrivateKey()
        .map(privateKey -> new Es256KeyPair(privateKey, settings.jwtPublicKey().orElseThrow()));
    this.pg = configured.isPresent() ? null : pg;
    this.rotationPeriod = Duration.ofDays(settings.tokenKeyRotationDays());
    this.legacyDirectory = Path.of(settings.dataDir(), LEGACY_DIRECTORY);
    this.masterKey = settings.secretsMasterKey();
  }

  /** Whether the keys come from the configuration (and are neither stored nor rotated). */
  boolean isConfigured() {
    return configured.isPresent();
  }

  /** Loads the current key, generating or importing the first one if the cluster has none yet. */
  Completable start() {
    if (configured.isPresent()) {
      Es256KeyPair pair = configured.get();
      adopt(new Key(0, pair.kid(), pair.privateKey(), pair.publicKey(), null));
      LOG.info("access-token keys: configured, kid={}", pair.kid());
      return Completable.complete();
    }
    return load()
        .flatMap(keys -> keys.isEmpty() ? firstKey().andThen(load()) : Single.just(keys))
        .doOnSuccess(this::adoptNewest)
        .doOnSuccess(keys -> LOG.info("access-token keys: kept in the database, current kid={} keys={}",
            signer.key().kid(), keys.size()))
        .ignoreElement();
  }

  /** The JWT signer of the current key; the tokens it signs carry the key's kid. */
  JWTAuth signer() {
    return signer.jwt();
  }

  String currentKid() {
    return signer.key().kid();
  }

  /** {@link Addresses#TOKEN_KEYS}: the keys that verify, read from the database (not from this instance's memory). */
  Single<JsonObject> verificationKeys(Input ignored) {
    Single<List<Key>> keys = configured.isPresent() ? Single.just(List.of(signer.key())) : load();
    return keys.map(list -> new JsonObject().put("keys",
        new JsonArray(list.stream().map(Key::verification).map(Object.class::cast).toList())));
  }

  /** {@link Addresses#TOKEN_KEYS_ROTATE}: a new key signs from now on. */
  Single<JsonObject> rotateNow(Input ignored) {
    if (configured.isPresent()) {
      return Single.error(new OcommsException(ErrorCode.CONFLICT,
          "the access-token keys are configured (OCOMMS_JWT_PRIVATE_KEY): rotate them by changing the configuration"));
    }
    return rotate(Duration.ZERO).map(kid -> new JsonObject().put("kid", kid));
  }

  /**
   * The periodic round of every instance: rotates when the current key is due, deletes keys replaced long enough
   * ago, and picks up a rotation it may not have heard of.
   */
  Completable maintain() {
    if (configured.isPresent()) {
      return Completable.complete();
    }
    return rotate(rotationPeriod)
        .flatMapCompletable(kid -> pg.preparedQuery("DELETE FROM accounts.token_keys k"
                + " WHERE EXISTS (SELECT 1 FROM accounts.token_keys n WHERE n.generation > k.generation"
                + " AND n.created_at < now() - $1 * interval '1 second')")
            .rxExecute(Tuple.of(REPLACED_KEPT.toSeconds()))
            .doOnSuccess(rows -> {
              if (rows.rowCount() > 0) {
                LOG.info("access-token keys: deleted replaced keys={}", rows.rowCount());
              }
            })
            .ignoreElement());
  }

  /** Reads the keys again and signs with the newest (after {@link Addresses#TOKEN_KEYS_CHANGED}). */
  Completable reload() {
    if (configured.isPresent()) {
      return Completable.complete();
    }
    return load().doOnSuccess(this::adoptNewest).ignoreElement();
  }

  /**
   * Adds generation + 1 if the current key is at least {@code dueAfter} old; several instances doing so at once add
   * one key. Announces a key it added, and answers the kid that signs now.
   */
  private Single<String> rotate(Duration dueAfter) {
    return vertx.rxExecuteBlocking(Es256KeyPair::generate, false).toSingle()
        .flatMap(pair -> pg.preparedQuery("INSERT INTO accounts.token_keys (generation, kid, private_key, public_key)"
                + " SELECT generation + 1, $1, $2, $3 FROM accounts.token_keys"
                + " WHERE generation = (SELECT max(generation) FROM accounts.token_keys)"
                + " AND created_at <= now() - $4 * interval '1 second'"
                + " ON CONFLICT DO NOTHING RETURNING generation")
            .rxExecute(Tuple.of(pair.kid(), stored(pair), pair.publicKey(), dueAfter.toSeconds()))
            .map(rows -> rows.size() > 0))
        .flatMap(added -> load().map(keys -> {
          adoptNewest(keys);
          String kid = signer.key().kid();
          if (added) {
            LOG.info("access-token keys: rotated, current kid={}", kid);
            vertx.eventBus().publish(Addresses.TOKEN_KEYS_CHANGED, new JsonObject().put("kid", kid));
          }
          return kid;
        }));
  }

  /** The first key: the pair an earlier version kept under the data directory, or a new one. */
  private Completable firstKey() {
    return legacyPair()
        .doOnSuccess(pair -> LOG.info("access-token keys: importing the pair from {} as the first key, kid={}",
            legacyDirectory, pair.kid()))
        .switchIfEmpty(vertx.rxExecuteBlocking(Es256KeyPair::generate, false).toSingle())
        .flatMapCompletable(pair -> pg.preparedQuery("INSERT INTO accounts.token_keys (generation, kid, private_key,"
                + " public_key) VALUES (1, $1, $2, $3) ON CONFLICT DO NOTHING")
            .rxExecute(Tuple.of(pair.kid(), stored(pair), pair.publicKey()))
            .ignoreElement());
  }

  /** The pair under {@code <dataDir>/keys}, if both files are there. */
  private Maybe<Es256KeyPair> legacyPair() {
    Path privateFile = legacyDirectory.resolve(LEGACY_PRIVATE_FILE);
    Path publicFile = legacyDirectory.resolve(LEGACY_PUBLIC_FILE);
    return vertx.rxExecuteBlocking(() -> Files.isReadable(privateFile) && Files.isReadable(publicFile)
        ? new Es256KeyPair(Files.readString(privateFile, StandardCharsets.US_ASCII),
            Files.readString(publicFile, StandardCharsets.US_ASCII))
        : null, false);
  }

  private Single<List<Key>> load() {
    return pg.query("SELECT " + COLUMNS + " FROM accounts.token_keys ORDER BY generation").rxExecute()
        .map(rows -> {
          List<Key> keys = new ArrayList<>();
          rows.forEach(row -> keys.add(key(row)));
          return keys;
        });
  }

  /** The private key as it is stored: sealed with the master key if there is one. */
  private String stored(Es256KeyPair pair) {
    return masterKey.map(master -> master.seal(pair.privateKey(), SEALING_CONTEXT + pair.kid()))
        .orElse(pair.privateKey());
  }

  private Key key(Row row) {
    String kid = row.getString("kid");
    String privateKey = row.getString("private_key");
    if (MasterKey.isSealed(privateKey)) {
      if (masterKey.isEmpty()) {
        throw new IllegalStateException("the stored access-token keys are encrypted: set OCOMMS_SECRETS_MASTER_KEY to"
            + " the master key they were encrypted with");
      }
      try {
        privateKey = masterKey.get().open(privateKey, SEALING_CONTEXT + kid);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("the stored access-token key " + kid + " does not open with"
            + " OCOMMS_SECRETS_MASTER_KEY: it was encrypted with another master key");
      }
    }
    return new Key(row.getInteger("generation"), kid, privateKey, row.getString("public_key"),
        row.getOffsetDateTime("replaced_at"));
  }

  private void adoptNewest(List<Key> keys) {
    if (!keys.isEmpty()) {
      adopt(keys.get(keys.size() - 1));
    }
  }

  private void adopt(Key key) {
    Signer current = signer;
    if (current != null && current.key().kid().equals(key.kid())) {
      return;
    }
    signer = new Signer(key, JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(key.privateKey()).setId(key.kid()))));
  }
}
