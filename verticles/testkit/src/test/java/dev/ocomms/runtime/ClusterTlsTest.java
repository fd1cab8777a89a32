package dev.ocomms.runtime;

import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.shared.keys.MasterKey;
import dev.ocomms.testkit.TestConfigs;
import dev.ocomms.testkit.TestInfra;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The cluster's TLS material (CA in the database, or configured)")
class ClusterTlsTest {

  @Test
  @DisplayName("the first node stores a CA in the database and the next node reads the same one")
  void oneCaPerDatabase() {
    String pgUrl = TestInfra.get().newPgUrl();
    ClusterTls.Ca first = ClusterTls.storedCa(pgUrl, Optional.empty());
    ClusterTls.Ca second = ClusterTls.storedCa(pgUrl, Optional.empty());
    assertThat(second).isEqualTo(first);
    assertThat(ClusterTls.storedCa(TestInfra.get().newPgUrl(), Optional.empty()).certificate())
        .isNotEqualTo(first.certificate());
  }

  @Test
  @DisplayName("a node's certificate is signed by the CA, names the cluster host and expires within 30 days")
  void nodeCertificate() throws Exception {
    ClusterTls.Ca ca = ClusterTls.newCa();
    ClusterTls.Material material = ClusterTls.issue(ca, "10.0.0.7");
    X509Certificate certificate = ClusterTls.parseCertificate(material.certificate());
    certificate.verify(ClusterTls.parseCertificate(ca.certificate()).getPublicKey());
    assertThat(certificate.getSubjectAlternativeNames()).containsExactly(List.of(7, "10.0.0.7"));
    assertThat(certificate.getNotAfter().toInstant())
        .isBefore(Instant.now().plus(ClusterTls.NODE_CERTIFICATE_VALIDITY).plus(Duration.ofMinutes(1)));
    assertThat(certificate.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(material.ca()).isEqualTo(ca.certificate());
  }

  @Test
  @DisplayName("with OCOMMS_SECRETS_MASTER_KEY the CA's private key is stored encrypted, and does not open without it")
  void sealedWithTheMasterKey() throws Exception {
    String pgUrl = TestInfra.get().newPgUrl();
    MasterKey master = MasterKey.parse(randomKey());
    ClusterTls.Ca ca = ClusterTls.storedCa(pgUrl, Optional.of(master));
    assertThat(storedPrivateKey(pgUrl)).startsWith(MasterKey.SEALED_PREFIX).doesNotContain(ca.privateKey());
    assertThat(ClusterTls.storedCa(pgUrl, Optional.of(master))).isEqualTo(ca);
    assertThatThrownBy(() -> ClusterTls.storedCa(pgUrl, Optional.empty()))
        .hasMessageContaining("set OCOMMS_SECRETS_MASTER_KEY");
    assertThatThrownBy(() -> ClusterTls.storedCa(pgUrl, Optional.of(MasterKey.parse(randomKey()))))
        .hasMessageContaining("another master key");
  }

  @Test
  @DisplayName("configured certificate, key and CA files win: the database is not used")
  void configuredFilesWin(@TempDir Path dir) throws Exception {
    ClusterTls.Material configured = ClusterTls.issue(ClusterTls.newCa(), "127.0.0.1");
    Files.writeString(dir.resolve("node.pem"), configured.certificate());
    Files.writeString(dir.resolve("node.key"), configured.privateKey());
    Files.writeString(dir.resolve("ca.pem"), configured.ca());
    // Nothing listens there: the node must not need its database for this.
    OcommsConfig config = TestConfigs.node()
        .with(Setting.PG_URL, "postgres://nobody:nothing@127.0.0.1:" + FreePorts.next() + "/none")
        .with(Setting.CLUSTER_TLS_CERT, dir.resolve("node.pem").toString())
        .with(Setting.CLUSTER_TLS_KEY, dir.resolve("node.key").toString())
        .with(Setting.CLUSTER_TLS_CA, dir.resolve("ca.pem").toString());
    ClusterTls.Material material = ClusterTls.forNode(config);
    assertThat(material.certificate()).isEqualTo(configured.certificate());
    assertThat(material.privateKey()).isEqualTo(configured.privateKey());
    assertThat(material.ca()).isEqualTo(configured.ca());
    assertThat(material.issuer()).as("a CA to renew with").isEmpty();
  }

  @Test
  @DisplayName("a node whose database cannot be reached does not start, and says where it looked for the CA")
  void databaseDown() {
    int port = FreePorts.next();
    assertThatThrownBy(() -> ClusterTls.storedCa("postgresql://postgres@127.0.0.1:" + port + "/ocomms",
        Optional.empty()))
        .hasMessageContaining("cannot read the cluster's CA: PostgreSQL at 127.0.0.1:" + port + " is not reachable");
  }

  private static String randomKey() {
    byte[] key = new byte[MasterKey.KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static String storedPrivateKey(String pgUrl) throws Exception {
    PgConnectOptions options = PgConnectOptions.fromUri(pgUrl);
    try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + options.getHost() + ":"
        + options.getPort() + "/" + options.getDatabase(), options.getUser(), options.getPassword());
         ResultSet row = connection.createStatement().executeQuery("SELECT private_key FROM cluster.cluster_ca")) {
      assertThat(row.next()).isTrue();
      return row.getString(1);
    }
  }
}
