package dev.ocomms.runtime;

import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.Migrations;
import dev.ocomms.shared.keys.MasterKey;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.impl.clustered.ClusteredEventBus;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.pgclient.PgConnectOptions;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The TLS material of a node's event bus (docs/operations.md, "Security of the cluster transport"). Every member
 * presents a certificate signed by the cluster's own CA and accepts only peers that do, both ways: a process that is
 * not a member can neither deliver a message to a node nor receive one.
 *
 * <p>The CA is configured ({@code OCOMMS_CLUSTER_TLS_CERT/KEY/CA}, which wins) or generated once by the first node
 * and kept in the shared database (schema {@code cluster}, its private key sealed with
 * {@code OCOMMS_SECRETS_MASTER_KEY} when set); each node then issues itself a short-lived certificate at start. This
 * runs before the node joins the cluster, on the starting thread (never an event loop): JDBC is blocking.
 */
public final class ClusterTls {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterTls.class);
  /** The schema (and Flyway location) the runtime owns. */
  public static final String SCHEMA = "cluster";
  /** How long a node's own certificate is valid: a node must be restarted within it (rolling restarts do). */
  public static final Duration NODE_CERTIFICATE_VALIDITY = Duration.ofDays(30);
  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  /** Allows for clocks of the members that are a little apart. */
  private static final Duration CLOCK_SKEW = Duration.ofHours(1);
  private static final String SEALING_CONTEXT = "cluster-ca";
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private ClusterTls() {
  }

  /**
   * A node's certificate (PEM), its private key (PKCS#8 PEM), the CA certificate members must be signed by, and the
   * CA that issued the certificate when the node did (to renew it), empty when both were configured.
   */
  public record Material(String certificate, String privateKey, String ca, Optional<Ca> issuer) {
    /** {@code options} with mutual TLS: this node's certificate, trust in the CA only, a client certificate required. */
    public EventBusOptions applyTo(EventBusOptions options) {
      return options.setSsl(true)
          .setKeyCertOptions(keyCert())
          .setTrustOptions(trust())
          .setClientAuth(ClientAuth.REQUIRED);
    }

    private PemKeyCertOptions keyCert() {
      return new PemKeyCertOptions().setCertValue(Buffer.buffer(certificate)).setKeyValue(Buffer.buffer(privateKey));
    }

    private PemTrustOptions trust() {
      return new PemTrustOptions().addCertValue(Buffer.buffer(ca));
    }

    /** When this node's certificate expires. */
    public Instant expires() {
      try {
        return parseCertificate(certificate).getNotAfter().toInstant();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("not a certificate", e);
      }
    }

    /** Never prints the private key. */
    @Override
    public String toString() {
      return "ClusterTls.Material[****]";
    }
  }

  /** The cluster's CA: its certificate and private key, both PEM. */
  public record Ca(String certificate, String privateKey) {
    @Override
    public String toString() {
      return "ClusterTls.Ca[****]";
    }
  }

  /**
   * This node's material: read from the configured files, or issued by the CA kept in the database (created there
   * by the first node). Blocking.
   */
  public static Material forNode(OcommsConfig config) {
    Optional<OcommsConfig.ClusterTlsFiles> files = config.clusterTlsFiles();
    if (files.isPresent()) {
      Material material = new Material(read(files.get().certificate()), read(files.get().privateKey()),
          read(files.get().ca()), Optional.empty());
      LOG.info("cluster TLS: configured certificate and CA");
      return material;
    }
    String pgUrl = config.pgUrl().orElseThrow(() -> new IllegalStateException(
        "the cluster's CA is kept in PostgreSQL: OCOMMS_PG_URL is needed (or OCOMMS_CLUSTER_TLS_CERT/KEY/CA)"));
    Ca ca = storedCa(pgUrl, config.secretsMasterKey());
    Material material = issue(ca, config.clusterHost());
    LOG.info("cluster TLS: node certificate issued by the cluster's CA: host={} validDays={}", config.clusterHost(),
        NODE_CERTIFICATE_VALIDITY.toDays());
    return material;
  }

  /** The CA kept in the database, created and stored first if there is none yet (the first node's start). */
  static Ca storedCa(String pgUrl, Optional<MasterKey> masterKey) {
    PgConnectOptions options = PgConnectOptions.fromUri(pgUrl);
    try {
      Migrations.migrateBlocking(pgUrl, SCHEMA);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot read the cluster's CA: PostgreSQL at " + options.getHost() + ":"
          + options.getPort() + " is not reachable or refused the migration of schema " + SCHEMA + " ("
          + e.getMessage() + ")", e);
    }
    String jdbcUrl = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    try (Connection connection = DriverManager.getConnection(jdbcUrl, options.getUser(), options.getPassword())) {
      Optional<Ca> stored = select(connection, masterKey);
      if (stored.isPresent()) {
        return stored.get();
      }
      Ca created = newCa();
      String storedKey = masterKey.map(master -> master.seal(created.privateKey(), SEALING_CONTEXT))
          .orElse(created.privateKey());
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO cluster.cluster_ca (id, certificate, private_key) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING")) {
        insert.setString(1, created.certificate());
        insert.setString(2, storedKey);
        if (insert.executeUpdate() == 1) {
          LOG.info("cluster TLS: the cluster's CA generated and stored: sealed={}", masterKey.isPresent());
          return created;
        }
      }
      // Another node stored one first: that one is the cluster's.
      return select(connection, masterKey).orElseThrow();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read or store the cluster's CA in PostgreSQL at " + options.getHost()
          + ":" + options.getPort() + ": " + e.getMessage(), e);
    }
  }

  private static Optional<Ca> select(Connection connection, Optional<MasterKey> masterKey) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(
        "SELECT certificate, private_key FROM cluster.cluster_ca WHERE id = 1");
         ResultSet row = query.executeQuery()) {
      if (!row.next()) {
        return Optional.empty();
      }
      String privateKey = row.getString("private_key");
      if (MasterKey.isSealed(privateKey)) {
        if (masterKey.isEmpty()) {
          throw new IllegalStateException("the stored cluster CA key is encrypted: set OCOMMS_SECRETS_MASTER_KEY to"
              + " the master key it was encrypted with");
        }
        try {
          privateKey = masterKey.get().open(privateKey, SEALING_CONTEXT);
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException("the stored cluster CA key does not open with OCOMMS_SECRETS_MASTER_KEY:"
              + " it was encrypted with another master key");
        }
      }
      return Optional.of(new Ca(row.getString("certificate"), privateKey));
    }
  }

  /** A new CA: an EC P-256 key and a self-signed certificate that may sign node certificates only. */
  public static Ca newCa() {
    try {
      KeyPair keys = ecKeyPair();
      Instant now = Instant.now();
      X500Name name = new X500Name("CN=OComms cluster CA " + Long.toHexString(RANDOM.nextLong() >>> 1));
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
          Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(CA_VALIDITY)), name, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false,
              extensions.createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate certificate = sign(builder, keys.getPrivate());
      return new Ca(pem("CERTIFICATE", certificate.getEncoded()), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot create the cluster's CA", e);
    }
  }

  /**
   * A certificate for one node, signed by {@code ca}: valid for {@link #NODE_CERTIFICATE_VALIDITY}, for both ends of
   * a connection (server and client), naming the node's cluster host.
   */
  public static Material issue(Ca ca, String clusterHost) {
    try {
      X509Certificate caCertificate = parseCertificate(ca.certificate());
      PrivateKey caKey = privateKey(ca.privateKey());
      KeyPair keys = ecKeyPair();
      Instant now = Instant.now();
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      GeneralName subjectName = isIpAddress(clusterHost)
          ? new GeneralName(GeneralName.iPAddress, clusterHost)
          : new GeneralName(GeneralName.dNSName, clusterHost);
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate, serial(),
          Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(NODE_CERTIFICATE_VALIDITY)),
          new X500Name("CN=OComms node " + clusterHost), keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(subjectName))
          .addExtension(Extension.authorityKeyIdentifier, false,
              extensions.createAuthorityKeyIdentifier(caCertificate))
          .addExtension(Extension.subjectKeyIdentifier, false,
              extensions.createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate certificate = sign(builder, caKey);
      certificate.verify(caCertificate.getPublicKey());
      return new Material(pem("CERTIFICATE", certificate.getEncoded()),
          pem("PRIVATE KEY", keys.getPrivate().getEncoded()), ca.certificate(), Optional.of(ca));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot issue this node's cluster certificate", e);
    }
  }

  /**
   * Keeps a running node's certificate valid: every {@link #RENEWAL_CHECK} it checks, and once less than a third of
   * the validity is left, issues a new certificate from the same CA (on a worker thread) and gives it to the event
   * bus's server and client; new connections present it, open ones go on. Configured material is not renewed.
   */
  public static void renewWhileRunning(io.vertx.rxjava3.core.Vertx vertx, Material initial, String clusterHost) {
    if (initial.issuer().isEmpty()) {
      return;
    }
    AtomicReference<Material> current = new AtomicReference<>(initial);
    vertx.setPeriodic(RENEWAL_CHECK.toMillis(), id -> {
      if (current.get().expires().isAfter(Instant.now().plus(NODE_CERTIFICATE_VALIDITY.dividedBy(3)))) {
        return;
      }
      renew(vertx, initial.issuer().get(), clusterHost).subscribe(current::set,
          failure -> LOG.error("cluster TLS: this node's certificate could not be renewed (it expires {}): {}",
              current.get().expires(), failure.toString()));
    });
  }

  /** How often a running node checks whether its certificate is due for renewal. */
  static final Duration RENEWAL_CHECK = Duration.ofHours(6);

  /**
   * Issues this node a new certificate from {@code ca} and has its event bus present it from now on (on new
   * connections, in both directions).
   */
  public static io.reactivex.rxjava3.core.Single<Material> renew(io.vertx.rxjava3.core.Vertx vertx, Ca ca,
      String clusterHost) {
    return vertx.rxExecuteBlocking(() -> issue(ca, clusterHost), false)
        .toSingle()
        .flatMap(material -> {
          EventBusEndpoints endpoints = EventBusEndpoints.of(vertx);
          Future<Boolean> server = endpoints.server().updateSSLOptions(new ServerSSLOptions()
              .setKeyCertOptions(material.keyCert())
              .setTrustOptions(material.trust())
              .setClientAuth(ClientAuth.REQUIRED), false);
          Future<Boolean> client = endpoints.client().updateSSLOptions(new ClientSSLOptions()
              .setKeyCertOptions(material.keyCert())
              .setTrustOptions(material.trust())
              .setHostnameVerificationAlgorithm(""), false);
          return io.reactivex.rxjava3.core.Single.fromCompletionStage(
                  Future.all(server, client).toCompletionStage())
              .map(done -> material);
        })
        .doOnSuccess(material -> LOG.info("cluster TLS: this node's certificate renewed: expires={}",
            material.expires()));
  }

  /**
   * The event bus's own TCP server and client. Vert.x does not expose them; they are read from its clustered event
   * bus once, when a certificate is renewed ({@code EventBusTlsTest} fails if a Vert.x upgrade renames them).
   */
  private record EventBusEndpoints(NetServer server, NetClient client) {
    static EventBusEndpoints of(io.vertx.rxjava3.core.Vertx vertx) {
      Object bus = ((VertxInternal) vertx.getDelegate()).eventBus();
      try {
        return new EventBusEndpoints((NetServer) field(bus, "server"), (NetClient) field(bus, "client"));
      } catch (ReflectiveOperationException | ClassCastException e) {
        throw new IllegalStateException("this Vert.x's clustered event bus has no server and client to renew", e);
      }
    }

    private static Object field(Object bus, String name) throws ReflectiveOperationException {
      Field field = ClusteredEventBus.class.getDeclaredField(name);
      field.setAccessible(true);
      return field.get(bus);
    }
  }

  private static boolean isIpAddress(String host) {
    return IPV4.matcher(host).matches() || host.contains(":");
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  static X509Certificate parseCertificate(String pem) throws GeneralSecurityException {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the cluster TLS file " + path, e);
    }
  }
}
