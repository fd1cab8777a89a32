package dev.ocomms.shared.config;

import dev.ocomms.shared.keys.MasterKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The effective, validated configuration of one node. Built once at start from {@code conf/ocomms.json} and the
 * {@code OCOMMS_*} environment (see {@link ConfigLoader}); handed to every verticle as its deployment config in the
 * canonical form of {@link #toJson()}.
 */
public final class OcommsConfig {

  /** The verticles a node can run, by the names {@code OCOMMS_VERTICLES} takes. */
  public static final List<String> VERTICLE_NAMES =
      List.of("gateway", "accounts", "messaging", "presence", "notes", "uploads", "notifications", "search",
          "integrations");

  private static final Set<String> DISCOVERY_MODES = Set.of("tcp", "kubernetes");
  /** How Redis is reached: see {@link #redisMode()}. */
  public static final List<String> REDIS_MODES = List.of("standalone", "sentinel", "cluster");
  /** A bare MIME type as RFC 6838 names them (type/subtype), lower case, without parameters. */
  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");

  /** Where uploaded files' bytes live, by the names {@code OCOMMS_UPLOADS_STORAGE} takes. */
  public enum UploadsStorage { LOCAL, S3 }

  private static final Set<String> UPLOADS_STORAGE_NAMES = Set.of("local", "s3");

  // S3's rule for bucket names (lower case, digits, dots and hyphens; 3 to 63), checked here rather than at first use.
  private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  private final Map<Setting, Object> values;
  /** Settings this version does not know, named; logged as warnings at start (see {@link #warnings()}). */
  private final List<String> warnings;

  /** Variables that bin/ocomms reads before the JVM starts: not settings, but not unknown either. */
  private static final java.util.Set<String> LAUNCH_SCRIPT_VARIABLES = java.util.Set.of("OCOMMS_JAVA_OPTS");

  private OcommsConfig(Map<Setting, Object> values, List<String> warnings) {
    this.values = values;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Validates a merged configuration. Keys are either file keys ({@code httpPort}) or environment names
   * ({@code OCOMMS_HTTP_PORT}); environment names win. Other environment variables (not {@code OCOMMS_*}) are ignored.
   * An unknown {@code OCOMMS_*} variable or file key is not an error but a {@linkplain #warnings() warning}: during a
   * rolling upgrade, nodes of the previous version run with the settings of the next (docs/operations.md, "Rolling
   * upgrades").
   *
   * @throws ConfigException naming every invalid value of a known setting
   */
  public static OcommsConfig parse(JsonObject fileValues, Map<String, String> environment) {
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Map<Setting, Object> raw = new EnumMap<>(Setting.class);
    for (String key : fileValues.fieldNames()) {
      Optional<Setting> setting = Setting.byKey(key);
      if (setting.isEmpty()) {
        warnings.add("unknown setting '" + key + "' in the configuration file, ignored (a setting of another version,"
            + " or a typo; known: " + knownKeys() + ")");
      } else if (fileValues.getValue(key) != null) {
        raw.put(setting.get(), fileValues.getValue(key));
      }
    }
    environment.forEach((name, value) -> {
      if (!name.startsWith(Setting.ENV_PREFIX) || LAUNCH_SCRIPT_VARIABLES.contains(name)) {
        return;
      }
      Optional<Setting> setting = Setting.byEnvName(name);
      if (setting.isEmpty()) {
        warnings.add("unknown environment variable " + name + ", ignored (a setting of another version, or a typo;"
            + " known: " + knownEnvNames() + ")");
      } else if (!value.isBlank()) {
        raw.put(setting.get(), value.trim());
      }
    });

    Map<Setting, Object> values = new EnumMap<>(Setting.class);
    raw.forEach((setting, value) -> {
      try {
        values.put(setting, convert(setting, value));
      } catch (ConfigException e) {
        problems.add(setting.envName() + " / " + setting.key() + ": " + e.getMessage());
      }
    });
    if (raw.containsKey(Setting.JWT_PRIVATE_KEY) != raw.containsKey(Setting.JWT_PUBLIC_KEY)) {
      problems.add("OCOMMS_JWT_PRIVATE_KEY and OCOMMS_JWT_PUBLIC_KEY go together: set both, or neither to have the"
          + " cluster's keys generated once and kept in its database");
    }
    for (Setting required : List.of(Setting.HTTP_HOST, Setting.HTTP_PORT, Setting.HTTP_IDLE_TIMEOUT_SECONDS,
        Setting.HTTP_REQUEST_HEADER_TIMEOUT_SECONDS, Setting.DATA_DIR, Setting.PG_POOL_SIZE,
        Setting.REDIS_POOL_SIZE, Setting.CLUSTER_HOST, Setting.CLUSTER_PORT, Setting.CLUSTER_DISCOVERY,
        Setting.SHUTDOWN_GRACE_SECONDS, Setting.BRIDGE_CONNECTIONS_PER_SECOND,
        Setting.BRIDGE_CONNECTIONS_PER_IP_PER_SECOND, Setting.BRIDGE_CONNECTIONS_PER_USER,
        Setting.BRIDGE_CONNECTION_QUEUE_BYTES,
        Setting.PRESENCE_SESSION_TTL_SECONDS, Setting.REGISTRATIONS_PER_IP_PER_HOUR, Setting.SESSION_MAX_AGE_DAYS,
        Setting.PASSWORD_HASH_THREADS, Setting.PASSWORD_HASH_QUEUE,
        Setting.OPS_PORT)) {
      if (!values.containsKey(required) && !raw.containsKey(required)) {
        problems.add(required.envName() + " / " + required.key() + ": missing (the defaults file sets it)");
      }
    }
    if ("standalone".equals(values.getOrDefault(Setting.REDIS_MODE, "standalone"))
        && values.get(Setting.REDIS_URL) instanceof String redisUrls && redisUrls.contains(",")) {
      problems.add("OCOMMS_REDIS_URL lists several servers: set OCOMMS_REDIS_MODE to sentinel or cluster");
    }
    if (raw.containsKey(Setting.VAPID_PUBLIC_KEY) != raw.containsKey(Setting.VAPID_PRIVATE_KEY)) {
      problems.add("OCOMMS_VAPID_PUBLIC_KEY and OCOMMS_VAPID_PRIVATE_KEY go together: set both, or neither to have a"
          + " key pair generated and kept in the database");
    }
    long tlsFiles = Stream.of(Setting.CLUSTER_TLS_CERT, Setting.CLUSTER_TLS_KEY, Setting.CLUSTER_TLS_CA)
        .filter(raw::containsKey).count();
    if (raw.containsKey(Setting.BOT_BRIDGE_TLS_CERT) != raw.containsKey(Setting.BOT_BRIDGE_TLS_KEY)) {
      problems.add("OCOMMS_BOT_BRIDGE_TLS_CERT and OCOMMS_BOT_BRIDGE_TLS_KEY go together: set both or neither");
    }
    if (tlsFiles != 0 && tlsFiles != 3) {
      problems.add("OCOMMS_CLUSTER_TLS_CERT, OCOMMS_CLUSTER_TLS_KEY and OCOMMS_CLUSTER_TLS_CA go together: set all"
          + " three, or none to have the cluster's CA generated once and kept in its database");
    }
    problems.addAll(s3Problems(values));
    if (!problems.isEmpty()) {
      throw new ConfigException("Invalid configuration:\n  - " + String.join("\n  - ", problems));
    }
    return new OcommsConfig(values, warnings);
  }

  /**
   * What is missing for the S3 storage when it is chosen: without a bucket and an endpoint the uploads verticle could
   * not store a file, so the start fails instead of the first upload.
   */
  private static List<String> s3Problems(Map<Setting, Object> values) {
    if (!"s3".equals(values.get(Setting.UPLOADS_STORAGE))) {
      return List.of();
    }
    List<String> problems = new ArrayList<>();
    for (Setting needed : List.of(Setting.S3_ENDPOINT, Setting.S3_BUCKET)) {
      if (!values.containsKey(needed)) {
        problems.add("OCOMMS_UPLOADS_STORAGE=s3 needs " + needed.envName() + " / " + needed.key());
      }
    }
    if (values.containsKey(Setting.S3_ACCESS_KEY) != values.containsKey(Setting.S3_SECRET_KEY)) {
      problems.add("OCOMMS_S3_ACCESS_KEY and OCOMMS_S3_SECRET_KEY go together: set both");
    }
    return problems;
  }

  /** Reads the canonical form produced by {@link #toJson()}, as verticles receive it. */
  public static OcommsConfig fromJson(JsonObject canonical) {
    return parse(canonical, Map.of());
  }

  private static Object convert(Setting setting, Object value) {
    String text = value instanceof String s ? s : String.valueOf(value);
    return switch (setting.kind()) {
      case TEXT -> {
        if (text.isBlank()) {
          throw new ConfigException("must not be empty");
        }
        if (setting == Setting.CLUSTER_DISCOVERY && !DISCOVERY_MODES.contains(text)) {
          throw new ConfigException("'" + text + "' is not one of " + DISCOVERY_MODES);
        }
        if (setting == Setting.REDIS_MODE && !REDIS_MODES.contains(text)) {
          throw new ConfigException("'" + text + "' is not one of " + REDIS_MODES);
        }
        if (setting == Setting.UPLOADS_STORAGE && !UPLOADS_STORAGE_NAMES.contains(text)) {
          throw new ConfigException("'" + text + "' is not one of " + UPLOADS_STORAGE_NAMES);
        }
        if (setting == Setting.SECRETS_MASTER_KEY) {
          try {
            MasterKey.parse(text);
          } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
          }
        }
        if (setting == Setting.S3_BUCKET && !BUCKET_NAME.matcher(text).matches()) {
          throw new ConfigException("'" + text + "' is not a bucket name (3-63 lower-case letters, digits, dots and"
              + " hyphens, starting and ending with a letter or digit)");
        }
        yield text;
      }
      case PORT -> {
        int port = integer(text);
        if (port < 1 || port > 65535) {
          throw new ConfigException(port + " is not a port (1-65535)");
        }
        yield port;
      }
      case PORT_OR_OFF -> {
        int port = integer(text);
        if (port < 0 || port > 65535) {
          throw new ConfigException(port + " is not a port (1-65535) or 0 (off)");
        }
        yield port;
      }
      case POSITIVE_INT -> {
        int number = integer(text);
        if (number < 1) {
          throw new ConfigException(number + " must be at least 1");
        }
        yield number;
      }
      case URL -> {
        if (setting != Setting.REDIS_URL) {
          yield checkUrl(setting, text);
        }
        // Sentinel and Cluster modes take several: the sentinels, or the cluster's seed nodes.
        for (String url : text.split(",")) {
          checkUrl(setting, url.trim());
        }
        yield text;
      }
      case BOOLEAN -> {
        if (!text.equals("true") && !text.equals("false")) {
          throw new ConfigException("'" + text + "' is not true or false");
        }
        yield Boolean.parseBoolean(text);
      }
      case PEM -> {
        if (!text.contains("-----BEGIN ") || !text.contains("-----END ")) {
          throw new ConfigException("expected a PEM-encoded key (-----BEGIN ... KEY-----)");
        }
        yield text;
      }
      case LIST -> {
        List<String> items = value instanceof JsonArray array
            ? array.stream().map(String::valueOf).map(String::trim).filter(s -> !s.isEmpty()).toList()
            : Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (setting == Setting.VERTICLES) {
          if (items.isEmpty()) {
            yield VERTICLE_NAMES;
          }
          List<String> unknown = items.stream().filter(n -> !VERTICLE_NAMES.contains(n)).toList();
          if (!unknown.isEmpty()) {
            throw new ConfigException("unknown verticle(s) " + unknown + " (known: " + VERTICLE_NAMES + ")");
          }
        }
        if (setting == Setting.CLUSTER_MEMBERS) {
          items.forEach(OcommsConfig::checkMember);
        }
        if (setting == Setting.TRUSTED_PROXIES) {
          items.forEach(IpRange::parse);
        }
        if (setting == Setting.UPLOADS_ALLOWED_TYPES) {
          items.forEach(OcommsConfig::checkMediaType);
        }
        yield items;
      }
    };
  }

  private static int integer(String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException("'" + text + "' is not a whole number");
    }
  }

  private static String checkUrl(Setting setting, String text) {
    Set<String> schemes = switch (setting) {
      case PG_URL, PG_REPLICA_URL -> Set.of("postgres", "postgresql");
      case S3_ENDPOINT -> Set.of("http", "https");
      default -> Set.of("redis", "rediss");
    };
    try {
      URI uri = new URI(text);
      if (uri.getScheme() == null || !schemes.contains(uri.getScheme()) || uri.getHost() == null) {
        throw new ConfigException("expected a URL like " + schemes.iterator().next() + "://host:port/...");
      }
    } catch (URISyntaxException e) {
      throw new ConfigException("not a URL: " + e.getReason());
    }
    return text;
  }

  private static void checkMember(String member) {
    int colon = member.lastIndexOf(':');
    if (colon <= 0) {
      throw new ConfigException("member '" + member + "' must be host:port");
    }
    String port = member.substring(colon + 1);
    if (port.contains("-")) {
      throw new ConfigException("member '" + member + "' has a port range; list each port as its own member");
    }
    int number = integer(port);
    if (number < 1 || number > 65535) {
      throw new ConfigException("member '" + member + "' has no valid port");
    }
  }

  private static void checkMediaType(String type) {
    if (!MEDIA_TYPE.matcher(type).matches()) {
      throw new ConfigException("'" + type + "' is not a MIME type in lower case such as image/png (no parameters)");
    }
  }

  private static String knownKeys() {
    return Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.joining(", "));
  }

  private static String knownEnvNames() {
    return Arrays.stream(Setting.values()).map(Setting::envName).collect(Collectors.joining(", "));
  }

  /** A copy without one setting (as if it were not set). */
  public OcommsConfig without(Setting setting) {
    Map<Setting, Object> copy = new EnumMap<>(values);
    copy.remove(setting);
    return new OcommsConfig(copy, warnings);
  }

  /** A copy with one setting changed; validated like any other value. */
  public OcommsConfig with(Setting setting, Object value) {
    Map<Setting, Object> copy = new EnumMap<>(values);
    copy.put(setting, convert(setting, value));
    return new OcommsConfig(copy, warnings);
  }

  /**
   * The settings given that this version does not know (unknown {@code OCOMMS_*} variables and file keys), each
   * named; the launcher logs each as a warning.
   */
  public List<String> warnings() {
    return warnings;
  }

  public String httpHost() {
    return (String) values.get(Setting.HTTP_HOST);
  }

  public int httpPort() {
    return (Integer) values.get(Setting.HTTP_PORT);
  }

  public String dataDir() {
    return (String) values.get(Setting.DATA_DIR);
  }

  /** Empty when OComms is to start its own embedded PostgreSQL. */
  public Optional<String> pgUrl() {
    return Optional.ofNullable((String) values.get(Setting.PG_URL));
  }

  /** A read replica of {@link #pgUrl()}, for reads that may lag it by a moment; empty: those read the primary too. */
  public Optional<String> pgReplicaUrl() {
    return Optional.ofNullable((String) values.get(Setting.PG_REPLICA_URL));
  }

  public int pgPoolSize() {
    return (Integer) values.get(Setting.PG_POOL_SIZE);
  }

  /** Empty when OComms is to start its own embedded Redis. */
  public Optional<String> redisUrl() {
    return Optional.ofNullable((String) values.get(Setting.REDIS_URL));
  }

  /** The endpoints of {@link Setting#REDIS_URL}: one server, the sentinels, or seed nodes of a Redis Cluster. */
  public List<String> redisUrls() {
    return redisUrl().stream().flatMap(urls -> Arrays.stream(urls.split(","))).map(String::trim).toList();
  }

  /**
   * {@code standalone} (one server, the default), {@code sentinel} (the master that the sentinels at
   * {@link Setting#REDIS_URL} name {@link #redisMasterName()}, followed through failovers) or {@code cluster} (a Redis
   * Cluster; OComms's multi-key scripts keep their keys in one hash slot).
   */
  public String redisMode() {
    return (String) values.getOrDefault(Setting.REDIS_MODE, "standalone");
  }

  /** The master's name the sentinels know it by (Redis's own examples call it {@code mymaster}). */
  public String redisMasterName() {
    return (String) values.getOrDefault(Setting.REDIS_MASTER_NAME, "mymaster");
  }

  public int redisPoolSize() {
    return (Integer) values.get(Setting.REDIS_POOL_SIZE);
  }

  public String clusterHost() {
    return (String) values.get(Setting.CLUSTER_HOST);
  }

  public int clusterPort() {
    return (Integer) values.get(Setting.CLUSTER_PORT);
  }

  @SuppressWarnings("unchecked")
  public List<String> clusterMembers() {
    return (List<String>) values.getOrDefault(Setting.CLUSTER_MEMBERS, List.of());
  }

  public String clusterDiscovery() {
    return (String) values.get(Setting.CLUSTER_DISCOVERY);
  }

  public Optional<String> clusterK8sService() {
    return Optional.ofNullable((String) values.get(Setting.CLUSTER_K8S_SERVICE));
  }

  public Optional<String> clusterK8sNamespace() {
    return Optional.ofNullable((String) values.get(Setting.CLUSTER_K8S_NAMESPACE));
  }

  /** The port of the event bus between nodes (on the cluster host); 0: a free one picked at start. */
  public int clusterBusPort() {
    return (Integer) values.getOrDefault(Setting.CLUSTER_BUS_PORT, 0);
  }

  /** Whether the event bus between nodes runs over mutual TLS (the default; off only in tests that show why). */
  public boolean clusterTls() {
    return (Boolean) values.getOrDefault(Setting.CLUSTER_TLS, true);
  }

  /**
   * This node's event-bus certificate, its private key and the CA certificate that every member's certificate must
   * be signed by (paths of PEM files), when configured; empty: the cluster's CA is kept in the database and each node
   * issues itself a certificate at start.
   */
  public Optional<ClusterTlsFiles> clusterTlsFiles() {
    if (!values.containsKey(Setting.CLUSTER_TLS_CERT)) {
      return Optional.empty();
    }
    return Optional.of(new ClusterTlsFiles((String) values.get(Setting.CLUSTER_TLS_CERT),
        (String) values.get(Setting.CLUSTER_TLS_KEY), (String) values.get(Setting.CLUSTER_TLS_CA)));
  }

  /** Paths of the configured event-bus TLS material (PEM). */
  public record ClusterTlsFiles(String certificate, String privateKey, String ca) {
  }

  /** The verticles this node runs; all of them unless {@code OCOMMS_VERTICLES} names a subset. */
  @SuppressWarnings("unchecked")
  public List<String> verticles() {
    return (List<String>) values.getOrDefault(Setting.VERTICLES, VERTICLE_NAMES);
  }

  /** A connection on which nothing is read or written for this long is closed. */
  public int httpIdleTimeoutSeconds() {
    return (Integer) values.get(Setting.HTTP_IDLE_TIMEOUT_SECONDS);
  }

  /** A connection with no request in progress whose next request's headers have not arrived within this is closed. */
  public int httpRequestHeaderTimeoutSeconds() {
    return (Integer) values.get(Setting.HTTP_REQUEST_HEADER_TIMEOUT_SECONDS);
  }

  public int shutdownGraceSeconds() {
    return (Integer) values.get(Setting.SHUTDOWN_GRACE_SECONDS);
  }

  /**
   * The ES256 key pair that signs and verifies access tokens (PEM), when configured; empty: the cluster's keys are
   * generated once and kept in the database by the accounts verticle, and rotated (docs/operations.md, "Secrets").
   */
  public Optional<String> jwtPrivateKey() {
    return Optional.ofNullable((String) values.get(Setting.JWT_PRIVATE_KEY));
  }

  public Optional<String> jwtPublicKey() {
    return Optional.ofNullable((String) values.get(Setting.JWT_PUBLIC_KEY));
  }

  /** The default of {@link Setting#TOKEN_KEY_ROTATION_DAYS}. */
  public static final int DEFAULT_TOKEN_KEY_ROTATION_DAYS = 30;

  /** How long a stored access-token key signs before a new one replaces it (configured keys are never rotated). */
  public int tokenKeyRotationDays() {
    return (Integer) values.getOrDefault(Setting.TOKEN_KEY_ROTATION_DAYS, DEFAULT_TOKEN_KEY_ROTATION_DAYS);
  }

  /**
   * The key that encrypts the secrets kept in the database (the access-token keys' private keys) at rest; empty:
   * they are stored as they are (docs/operations.md, "Secrets").
   */
  public Optional<MasterKey> secretsMasterKey() {
    return Optional.ofNullable((String) values.get(Setting.SECRETS_MASTER_KEY)).map(MasterKey::parse);
  }

  /** The server's public base URL, without a trailing slash (see {@link Setting#PUBLIC_URL}). */
  public String publicUrl() {
    String url = (String) values.get(Setting.PUBLIC_URL);
    if (url == null) {
      return "http://localhost:" + values.getOrDefault(Setting.HTTP_PORT, 8080);
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /**
   * Hosts ({@code host} or {@code host:port}, lower case) that slash commands and outgoing webhooks may call although
   * they resolve to loopback, private, link-local or other internal addresses; empty: none.
   */
  @SuppressWarnings("unchecked")
  public List<String> outboundAllowedHosts() {
    return ((List<String>) values.getOrDefault(Setting.OUTBOUND_ALLOWED_HOSTS, List.of())).stream()
        .map(host -> host.toLowerCase(java.util.Locale.ROOT)).toList();
  }

  /**
   * Browser origins (scheme://host[:port]) allowed to open bridge connections and call the API, besides the
   * server's own origin.
   */
  @SuppressWarnings("unchecked")
  public List<String> allowedOrigins() {
    return (List<String>) values.getOrDefault(Setting.ALLOWED_ORIGINS, List.of());
  }

  public int bridgeConnectionsPerSecond() {
    return (Integer) values.get(Setting.BRIDGE_CONNECTIONS_PER_SECOND);
  }

  public int bridgeConnectionsPerIpPerSecond() {
    return (Integer) values.get(Setting.BRIDGE_CONNECTIONS_PER_IP_PER_SECOND);
  }

  /** Open bridge connections one user may hold across the cluster; a new one beyond it closes the oldest. */
  public int bridgeConnectionsPerUser() {
    return (Integer) values.get(Setting.BRIDGE_CONNECTIONS_PER_USER);
  }

  /**
   * Bytes that may wait for one bridge connection (replies, errors and events written to it and not yet taken by its
   * transport) before it counts as behind; one that stays behind, or reaches 16 times this, is closed.
   */
  public int bridgeConnectionQueueBytes() {
    return (Integer) values.get(Setting.BRIDGE_CONNECTION_QUEUE_BYTES);
  }

  /**
   * How long a bridge connection counts as present without a heartbeat; gateways report live connections every
   * third of it, so that the users of a node that died go offline within this time.
   */
  public int presenceSessionTtlSeconds() {
    return (Integer) values.get(Setting.PRESENCE_SESSION_TTL_SECONDS);
  }

  /** Registrations accepted from one client address per hour (whether they succeed or not). */
  public int registrationsPerIpPerHour() {
    return (Integer) values.get(Setting.REGISTRATIONS_PER_IP_PER_HOUR);
  }

  /** A session's absolute lifetime: past it, its refresh token is refused however recently it rotated. */
  public int sessionMaxAgeDays() {
    return (Integer) values.get(Setting.SESSION_MAX_AGE_DAYS);
  }

  /** Threads of the dedicated password-hashing pool of each accounts instance. */
  public int passwordHashThreads() {
    return (Integer) values.get(Setting.PASSWORD_HASH_THREADS);
  }

  /** Hashes that may wait for a hashing thread; one more is refused as {@code unavailable}. */
  public int passwordHashQueue() {
    return (Integer) values.get(Setting.PASSWORD_HASH_QUEUE);
  }

  // The edge (docs/operations.md, "Security").

  /**
   * The proxies whose {@code Forwarded} / {@code X-Forwarded-For} headers name the client (addresses and CIDR
   * blocks); empty: the socket's peer is the client, and those headers are ignored.
   */
  @SuppressWarnings("unchecked")
  public List<IpRange> trustedProxies() {
    return ((List<String>) values.getOrDefault(Setting.TRUSTED_PROXIES, List.of())).stream().map(IpRange::parse)
        .toList();
  }

  /** Where the operator endpoints ({@code /metrics}, and {@code /health} and {@code /ready} again) listen. */
  public String opsHost() {
    return (String) values.getOrDefault(Setting.OPS_HOST, httpHost());
  }

  public int opsPort() {
    return (Integer) values.get(Setting.OPS_PORT);
  }

  // Redis outages

  /** The default of {@link Setting#REDIS_TIMEOUT_MILLIS}, for configurations from before it existed. */
  public static final int DEFAULT_REDIS_TIMEOUT_MILLIS = 2_000;

  /**
   * How long connecting to Redis, or one command (or batch) on it, may take before it fails: a Redis that hangs
   * must not hang the requests that use it.
   */
  public int redisTimeoutMillis() {
    return (Integer) values.getOrDefault(Setting.REDIS_TIMEOUT_MILLIS, DEFAULT_REDIS_TIMEOUT_MILLIS);
  }

  // File storage (docs/operations.md, "File storage")

  /** The storage of uploaded files; the local directory unless {@code OCOMMS_UPLOADS_STORAGE} says {@code s3}. */
  public UploadsStorage uploadsStorage() {
    return "s3".equals(values.get(Setting.UPLOADS_STORAGE)) ? UploadsStorage.S3 : UploadsStorage.LOCAL;
  }

  /** The local storage's root directory: {@code OCOMMS_UPLOADS_DIR}, else {@code uploads} under the data directory. */
  public String uploadsDir() {
    String dir = (String) values.get(Setting.UPLOADS_DIR);
    return dir != null ? dir : Path.of(dataDir(), "uploads").toString();
  }

  /** The S3-compatible server's base URL ({@code https://s3.example.com}, {@code http://minio:9000}). */
  public Optional<String> s3Endpoint() {
    return Optional.ofNullable((String) values.get(Setting.S3_ENDPOINT));
  }

  public String s3Region() {
    return (String) values.getOrDefault(Setting.S3_REGION, "us-east-1");
  }

  public Optional<String> s3Bucket() {
    return Optional.ofNullable((String) values.get(Setting.S3_BUCKET));
  }

  /** Static credentials; empty: the AWS SDK's default chain (environment, profile, instance role). */
  public Optional<String> s3AccessKey() {
    return Optional.ofNullable((String) values.get(Setting.S3_ACCESS_KEY));
  }

  public Optional<String> s3SecretKey() {
    return Optional.ofNullable((String) values.get(Setting.S3_SECRET_KEY));
  }

  /** Path-style addresses ({@code endpoint/bucket/key}), as MinIO and most self-hosted servers need. */
  public boolean s3PathStyle() {
    return (Boolean) values.getOrDefault(Setting.S3_PATH_STYLE, true);
  }

  // Uploads

  /**
   * The default of {@link Setting#UPLOADS_ALLOWED_TYPES}: the safe raster images, PDF, plain text, ZIP, and Office
   * documents (OOXML and the legacy binary formats).
   */
  public static final List<String> DEFAULT_UPLOADS_ALLOWED_TYPES = List.of(
      "image/jpeg", "image/png", "image/gif", "image/webp",
      "application/pdf", "text/plain", "application/zip",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
      "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint");

  /** The MIME types an upload may be, as detected from its bytes; the defaults when the setting is unset or empty. */
  @SuppressWarnings("unchecked")
  public List<String> uploadsAllowedTypes() {
    List<String> types = (List<String>) values.get(Setting.UPLOADS_ALLOWED_TYPES);
    return types == null || types.isEmpty() ? DEFAULT_UPLOADS_ALLOWED_TYPES : types;
  }

  /** The TCP event-bus bridge's port (bots, command-line clients); 0: not served. Default 7000. */
  public int botBridgePort() {
    return (Integer) values.getOrDefault(Setting.BOT_BRIDGE_PORT, 7000);
  }

  /** The TCP bridge's TLS certificate chain and key (PEM paths), when both are set: it then speaks TLS only. */
  public Optional<Map.Entry<String, String>> botBridgeTls() {
    if (!values.containsKey(Setting.BOT_BRIDGE_TLS_CERT)) {
      return Optional.empty();
    }
    return Optional.of(Map.entry((String) values.get(Setting.BOT_BRIDGE_TLS_CERT),
        (String) values.get(Setting.BOT_BRIDGE_TLS_KEY)));
  }

  /** The uploads verticle's internal HTTP port, on the cluster host; 0 picks a free one (tests). */
  public int uploadsPort() {
    return (Integer) values.getOrDefault(Setting.UPLOADS_PORT, 8091);
  }

  /** The largest file an upload may be, in bytes (default 25 MB). */
  public long uploadsMaxBytes() {
    return ((Integer) values.getOrDefault(Setting.UPLOADS_MAX_BYTES, 25 * 1024 * 1024)).longValue();
  }

  /** How much one user's files may take in all, in bytes (default 1 GB). */
  public long uploadsQuotaBytes() {
    return ((Integer) values.getOrDefault(Setting.UPLOADS_QUOTA_MB, 1024)).longValue() * 1024 * 1024;
  }

  /** Uploads (files and avatars) one user may start per minute (default 10). */
  public int uploadsPerMinute() {
    return (Integer) values.getOrDefault(Setting.UPLOADS_PER_MINUTE, 10);
  }

  // Web Push (docs/operations.md, "Web Push")

  /** The default of {@link Setting#VAPID_SUBJECT}: the contact a push service may reach about our pushes. */
  public static final String DEFAULT_VAPID_SUBJECT = "mailto:admin@localhost";

  /** The VAPID public key (base64url uncompressed P-256 point); empty: the one kept in the database. */
  public Optional<String> vapidPublicKey() {
    return Optional.ofNullable((String) values.get(Setting.VAPID_PUBLIC_KEY));
  }

  /** The VAPID private key (base64url 32-byte scalar); given together with the public key. */
  public Optional<String> vapidPrivateKey() {
    return Optional.ofNullable((String) values.get(Setting.VAPID_PRIVATE_KEY));
  }

  /** The VAPID {@code sub}: a {@code mailto:} or {@code https:} contact for the push services. */
  public String vapidSubject() {
    return (String) values.getOrDefault(Setting.VAPID_SUBJECT, DEFAULT_VAPID_SUBJECT);
  }

  /**
   * Whether a push subscription's endpoint may be plain http on a loopback host (a push endpoint run by a test);
   * otherwise only https endpoints are accepted.
   */
  public boolean webPushAllowHttpLoopback() {
    return (Boolean) values.getOrDefault(Setting.WEB_PUSH_ALLOW_HTTP_LOOPBACK, false);
  }

  /** The canonical form, keyed by file keys; what verticles receive as their config. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    values.forEach((setting, value) ->
        json.put(setting.key(), value instanceof List<?> list ? new JsonArray(new ArrayList<>(list)) : value));
    return json;
  }

  /** The canonical form with secrets masked, safe to log. */
  public JsonObject toMaskedJson() {
    JsonObject json = toJson();
    for (Setting setting : Setting.values()) {
      if (setting.secret() && json.containsKey(setting.key())) {
        // A URL keeps where it points; any other secret (a key, a password) is masked whole.
        json.put(setting.key(), setting.kind() == Setting.Kind.URL ? Secrets.mask(json.getString(setting.key())) : "****");
      }
    }
    return json;
  }

  @Override
  public String toString() {
    return toMaskedJson().encode();
  }
}
