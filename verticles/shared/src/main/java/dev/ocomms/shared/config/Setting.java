package dev.ocomms.shared.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every setting OComms understands. Each has one key in {@code conf/ocomms.json} and one environment variable
 * ({@code OCOMMS_} + the enum name); the environment wins. Anything else is ignored with a warning at start (a
 * setting of another version, during a rolling upgrade).
 */
public enum Setting {
  HTTP_HOST("httpHost", Kind.TEXT, false),
  HTTP_PORT("httpPort", Kind.PORT, false),
  HTTP_IDLE_TIMEOUT_SECONDS("httpIdleTimeoutSeconds", Kind.POSITIVE_INT, false),
  HTTP_REQUEST_HEADER_TIMEOUT_SECONDS("httpRequestHeaderTimeoutSeconds", Kind.POSITIVE_INT, false),
  // The edge: who the client is behind proxies, and the operators' port (docs/operations.md, "Security").
  TRUSTED_PROXIES("trustedProxies", Kind.LIST, false),
  OPS_HOST("opsHost", Kind.TEXT, false),
  OPS_PORT("opsPort", Kind.PORT, false),
  DATA_DIR("dataDir", Kind.TEXT, false),
  PG_URL("pgUrl", Kind.URL, true),
  PG_POOL_SIZE("pgPoolSize", Kind.POSITIVE_INT, false),
  // A streaming replica of PG_URL for reads that may lag a moment (older history pages, searches).
  PG_REPLICA_URL("pgReplicaUrl", Kind.URL, true),
  // Redis: one server, a Sentinel-watched master (the URLs are the sentinels') or a Redis Cluster (any of its nodes).
  REDIS_URL("redisUrl", Kind.URL, true),
  REDIS_MODE("redisMode", Kind.TEXT, false),
  REDIS_MASTER_NAME("redisMasterName", Kind.TEXT, false),
  REDIS_POOL_SIZE("redisPoolSize", Kind.POSITIVE_INT, false),
  CLUSTER_HOST("clusterHost", Kind.TEXT, false),
  CLUSTER_PORT("clusterPort", Kind.PORT, false),
  CLUSTER_MEMBERS("clusterMembers", Kind.LIST, false),
  CLUSTER_DISCOVERY("clusterDiscovery", Kind.TEXT, false),
  CLUSTER_K8S_SERVICE("clusterK8sService", Kind.TEXT, false),
  CLUSTER_K8S_NAMESPACE("clusterK8sNamespace", Kind.TEXT, false),
  // The event bus between nodes (docs/operations.md, "Security of the cluster transport"): mutual TLS with the
  // cluster's CA, kept in the database unless these three PEM files (paths) are given; false only for tests.
  CLUSTER_TLS("clusterTls", Kind.BOOLEAN, false),
  // The event bus's own TCP port on the cluster host; unset: one Vert.x picks at start.
  CLUSTER_BUS_PORT("clusterBusPort", Kind.PORT, false),
  CLUSTER_TLS_CERT("clusterTlsCert", Kind.TEXT, false),
  CLUSTER_TLS_KEY("clusterTlsKey", Kind.TEXT, false),
  CLUSTER_TLS_CA("clusterTlsCa", Kind.TEXT, false),
  VERTICLES("verticles", Kind.LIST, false),
  SHUTDOWN_GRACE_SECONDS("shutdownGraceSeconds", Kind.POSITIVE_INT, false),
  JWT_PRIVATE_KEY("jwtPrivateKey", Kind.PEM, true),
  JWT_PUBLIC_KEY("jwtPublicKey", Kind.PEM, false),
  // Access-token keys kept in the database (docs/operations.md, "Secrets"): a new one signs after this many days.
  TOKEN_KEY_ROTATION_DAYS("tokenKeyRotationDays", Kind.POSITIVE_INT, false),
  // Encrypts the secrets kept in the database (the token keys' private keys) at rest, when set.
  SECRETS_MASTER_KEY("secretsMasterKey", Kind.TEXT, true),
  ALLOWED_ORIGINS("allowedOrigins", Kind.LIST, false),
  BRIDGE_CONNECTIONS_PER_SECOND("bridgeConnectionsPerSecond", Kind.POSITIVE_INT, false),
  BRIDGE_CONNECTIONS_PER_IP_PER_SECOND("bridgeConnectionsPerIpPerSecond", Kind.POSITIVE_INT, false),
  BRIDGE_CONNECTIONS_PER_USER("bridgeConnectionsPerUser", Kind.POSITIVE_INT, false),
  BRIDGE_CONNECTION_QUEUE_BYTES("bridgeConnectionQueueBytes", Kind.POSITIVE_INT, false),
  PRESENCE_SESSION_TTL_SECONDS("presenceSessionTtlSeconds", Kind.POSITIVE_INT, false),
  REGISTRATIONS_PER_IP_PER_HOUR("registrationsPerIpPerHour", Kind.POSITIVE_INT, false),
  SESSION_MAX_AGE_DAYS("sessionMaxAgeDays", Kind.POSITIVE_INT, false),
  PASSWORD_HASH_THREADS("passwordHashThreads", Kind.POSITIVE_INT, false),
  PASSWORD_HASH_QUEUE("passwordHashQueue", Kind.POSITIVE_INT, false),
  // Redis outages: how long a connection attempt or a command may take before it fails.
  REDIS_TIMEOUT_MILLIS("redisTimeoutMillis", Kind.POSITIVE_INT, false),
  // Where uploaded files' bytes live (docs/operations.md, "File storage"): a local directory, or S3 for clusters.
  UPLOADS_STORAGE("uploadsStorage", Kind.TEXT, false),
  UPLOADS_DIR("uploadsDir", Kind.TEXT, false),
  S3_ENDPOINT("s3Endpoint", Kind.URL, false),
  S3_REGION("s3Region", Kind.TEXT, false),
  S3_BUCKET("s3Bucket", Kind.TEXT, false),
  S3_ACCESS_KEY("s3AccessKey", Kind.TEXT, false),
  S3_SECRET_KEY("s3SecretKey", Kind.TEXT, true),
  S3_PATH_STYLE("s3PathStyle", Kind.BOOLEAN, false),
  // Uploads: the file types (MIME, detected from the bytes) accepted; see docs/operations.md.
  UPLOADS_ALLOWED_TYPES("uploadsAllowedTypes", Kind.LIST, false),
  // Uploads: the verticle's internal HTTP port (the gateway streams files to it), and the limits per file and user.
  UPLOADS_PORT("uploadsPort", Kind.PORT, false),
  UPLOADS_MAX_BYTES("uploadsMaxBytes", Kind.POSITIVE_INT, false),
  UPLOADS_QUOTA_MB("uploadsQuotaMb", Kind.POSITIVE_INT, false),
  UPLOADS_PER_MINUTE("uploadsPerMinute", Kind.POSITIVE_INT, false),
  // Web Push (docs/operations.md, "Web Push"): the VAPID key pair (base64url; generated and kept in the database when
  // not given), the contact it names, and whether http endpoints on loopback hosts are accepted (tests only).
  VAPID_PUBLIC_KEY("vapidPublicKey", Kind.TEXT, false),
  VAPID_PRIVATE_KEY("vapidPrivateKey", Kind.TEXT, true),
  VAPID_SUBJECT("vapidSubject", Kind.TEXT, false),
  WEB_PUSH_ALLOW_HTTP_LOOPBACK("webPushAllowHttpLoopback", Kind.BOOLEAN, false),
  // The event bus over TCP for bots and command-line clients (docs/protocol.md, "The event bus over TCP"): its port
  // (0 turns it off) and, when both are set, the PEM certificate chain and key it serves TLS with (paths).
  BOT_BRIDGE_PORT("botBridgePort", Kind.PORT_OR_OFF, false),
  BOT_BRIDGE_TLS_CERT("botBridgeTlsCert", Kind.TEXT, false),
  BOT_BRIDGE_TLS_KEY("botBridgeTlsKey", Kind.TEXT, false),
  // Outbound calls of slash commands and outgoing webhooks (docs/operations.md, "Outbound calls"): hosts
  // ({@code host[:port]}) let through although they resolve to loopback, private or link-local addresses.
  OUTBOUND_ALLOWED_HOSTS("outboundAllowedHosts", Kind.LIST, false),
  // The server's public address as users and integrations reach it (scheme://host[:port]), for the absolute URLs it
  // hands out (a slash command's response_url); unset: http://localhost:<httpPort>.
  PUBLIC_URL("publicUrl", Kind.TEXT, false);

  /** How a raw value is checked and converted. {@code PORT_OR_OFF}: a port, or 0 for "not served". */
  public enum Kind { TEXT, URL, PORT, PORT_OR_OFF, POSITIVE_INT, LIST, PEM, BOOLEAN }

  public static final String ENV_PREFIX = "OCOMMS_";

  private final String key;
  private final Kind kind;
  private final boolean secret;

  Setting(String key, Kind kind, boolean secret) {
    this.key = key;
    this.kind = kind;
    this.secret = secret;
  }

  /** The key in {@code conf/ocomms.json} and in the effective configuration. */
  public String key() {
    return key;
  }

  public String envName() {
    return ENV_PREFIX + name();
  }

  public Kind kind() {
    return kind;
  }

  /** Secret settings may hold credentials (URLs with passwords, keys) and are masked when printed. */
  public boolean secret() {
    return secret;
  }

  public static Optional<Setting> byKey(String key) {
    return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst();
  }

  public static Optional<Setting> byEnvName(String envName) {
    return Arrays.stream(values()).filter(s -> s.envName().equals(envName)).findFirst();
  }
}
