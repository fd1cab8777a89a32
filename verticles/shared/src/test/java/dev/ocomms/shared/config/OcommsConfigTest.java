package dev.ocomms.shared.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Configuration")
class OcommsConfigTest {
  private static final JsonObject FILE = shippedFile();

  /** The shipped {@code conf/ocomms.json}, as this module's jar bundles it. */
  private static JsonObject shippedFile() {
    try (InputStream in = OcommsConfigTest.class.getClassLoader().getResourceAsStream(ConfigLoader.DEFAULT_FILE)) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("the shipped defaults run every verticle on port 8080 with embedded servers")
  void defaults() {
    OcommsConfig config = OcommsConfig.parse(FILE, Map.of());
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.httpIdleTimeoutSeconds()).isEqualTo(75);
    assertThat(config.httpRequestHeaderTimeoutSeconds()).isEqualTo(10);
    assertThat(config.dataDir()).isEqualTo("./data");
    assertThat(config.pgUrl()).isEmpty();
    assertThat(config.redisUrl()).isEmpty();
    assertThat(config.verticles()).containsExactly("gateway", "accounts", "messaging", "presence", "notes", "uploads",
        "notifications", "search", "integrations");
  }

  @Test
  @DisplayName("environment variables override the file")
  void environmentOverridesFile() {
    OcommsConfig config = OcommsConfig.parse(FILE, Map.of(
        "OCOMMS_HTTP_PORT", "9090",
        "OCOMMS_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2:5701",
        "OCOMMS_VERTICLES", "gateway,presence",
        "PATH", "/usr/bin"));
    assertThat(config.httpPort()).isEqualTo(9090);
    assertThat(config.clusterMembers()).containsExactly("10.0.0.1:5701", "10.0.0.2:5701");
    assertThat(config.verticles()).containsExactly("gateway", "presence");
  }

  @Test
  @DisplayName("the event bus between nodes runs over TLS by default, on a port picked at start unless one is set; its"
      + " certificate, key and CA files go together")
  void clusterTls() {
    OcommsConfig defaults = OcommsConfig.parse(FILE, Map.of());
    assertThat(defaults.clusterTls()).isTrue();
    assertThat(defaults.clusterBusPort()).isZero();
    assertThat(OcommsConfig.parse(FILE, Map.of("OCOMMS_CLUSTER_BUS_PORT", "5801")).clusterBusPort()).isEqualTo(5801);
    assertThat(defaults.clusterTlsFiles()).isEmpty();
    assertThatThrownBy(() -> OcommsConfig.parse(FILE, Map.of("OCOMMS_CLUSTER_TLS_CERT", "/etc/ocomms/node.pem")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OCOMMS_CLUSTER_TLS_CERT, OCOMMS_CLUSTER_TLS_KEY and OCOMMS_CLUSTER_TLS_CA go together");
    OcommsConfig configured = OcommsConfig.parse(FILE, Map.of("OCOMMS_CLUSTER_TLS_CERT", "/etc/ocomms/node.pem",
        "OCOMMS_CLUSTER_TLS_KEY", "/etc/ocomms/node.key", "OCOMMS_CLUSTER_TLS_CA", "/etc/ocomms/ca.pem"));
    assertThat(configured.clusterTlsFiles()).contains(
        new OcommsConfig.ClusterTlsFiles("/etc/ocomms/node.pem", "/etc/ocomms/node.key", "/etc/ocomms/ca.pem"));
  }

  @Test
  @DisplayName("an unknown OCOMMS_ variable (a setting of another version) is named in a warning, not refused")
  void unknownEnvironmentVariable() {
    OcommsConfig config = OcommsConfig.parse(FILE, Map.of("OCOMMS_HTTP_PROT", "80", "OCOMMS_HTTP_PORT", "9090"));

    assertThat(config.httpPort()).isEqualTo(9090);
    assertThat(config.warnings()).singleElement().asString().contains("OCOMMS_HTTP_PROT");
  }

  @Test
  @DisplayName("OCOMMS_JAVA_OPTS, which bin/ocomms reads to start the JVM, is not taken for an unknown setting")
  void launchScriptVariableIsNoSetting() {
    OcommsConfig config = OcommsConfig.parse(FILE, Map.of("OCOMMS_JAVA_OPTS", "-Xmx2g", "OCOMMS_HTTP_PORT", "9090"));

    assertThat(config.httpPort()).isEqualTo(9090);
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  @DisplayName("an unknown key in the file is named in a warning, not refused")
  void unknownFileKey() {
    OcommsConfig config = OcommsConfig.parse(FILE.copy().put("htpPort", 1), Map.of());

    assertThat(config.warnings()).singleElement().asString().contains("htpPort");
  }

  @Test
  @DisplayName("every invalid value is reported at once, each with what was expected")
  void invalidValues() {
    assertThatThrownBy(() -> OcommsConfig.parse(FILE, Map.of(
        "OCOMMS_HTTP_PORT", "eighty",
        "OCOMMS_CLUSTER_PORT", "70000",
        "OCOMMS_PG_URL", "mysql://db/x",
        "OCOMMS_VERTICLES", "gateway,chat")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OCOMMS_HTTP_PORT").hasMessageContaining("not a whole number")
        .hasMessageContaining("OCOMMS_CLUSTER_PORT").hasMessageContaining("not a port")
        .hasMessageContaining("OCOMMS_PG_URL")
        .hasMessageContaining("unknown verticle(s) [chat]");
  }

  @Test
  @DisplayName("a cluster member given as a port range is refused: Hazelcast needs each port listed")
  void memberPortRange() {
    assertThatThrownBy(() -> OcommsConfig.parse(FILE, Map.of("OCOMMS_CLUSTER_MEMBERS", "127.0.0.1:5701-5703")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("port range");
  }

  @Test
  @DisplayName("by default no proxy is trusted and the operator endpoints listen on port 9090 of the HTTP host")
  void edgeDefaults() {
    OcommsConfig config = OcommsConfig.parse(FILE, Map.of("OCOMMS_HTTP_HOST", "10.1.2.3"));
    assertThat(config.trustedProxies()).isEmpty();
    assertThat(config.opsPort()).isEqualTo(9090);
    assertThat(config.opsHost()).isEqualTo("10.1.2.3");
    assertThat(OcommsConfig.parse(FILE, Map.of("OCOMMS_OPS_HOST", "127.0.0.1")).opsHost()).isEqualTo("127.0.0.1");
  }

  @Test
  @DisplayName("trusted proxies are IPv4 and IPv6 addresses and CIDR blocks")
  void trustedProxies() {
    OcommsConfig config = OcommsConfig.parse(FILE, Map.of("OCOMMS_TRUSTED_PROXIES",
        "10.0.0.0/8, 192.0.2.7, fd00::/8, ::1"));
    assertThat(config.trustedProxies()).map(IpRange::toString)
        .containsExactly("10.0.0.0/8", "192.0.2.7/32", "fd00:0:0:0:0:0:0:0/8", "0:0:0:0:0:0:0:1/128");
  }

  @Test
  @DisplayName("a trusted proxy given as a host name or with a bad prefix stops the start and is named")
  void invalidTrustedProxies() {
    assertThatThrownBy(() -> OcommsConfig.parse(FILE, Map.of("OCOMMS_TRUSTED_PROXIES",
        "proxy.internal, 10.0.0.0/33, fd00::/129, 10.0.0.0/x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OCOMMS_TRUSTED_PROXIES").hasMessageContaining("'proxy.internal' is not an IP address");
    assertThatThrownBy(() -> OcommsConfig.parse(FILE, Map.of("OCOMMS_TRUSTED_PROXIES", "10.0.0.0/33")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'10.0.0.0/33' has no valid prefix length (0-32)");
    assertThatThrownBy(() -> OcommsConfig.parse(FILE, Map.of("OCOMMS_TRUSTED_PROXIES", "fd00::/129")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("(0-128)");
  }

  @Test
  @DisplayName("the printable form masks credentials in URLs")
  void masksSecrets() {
    OcommsConfig config = OcommsConfig.parse(FILE, Map.of(
        "OCOMMS_PG_URL", "postgresql://chat:s3cret@db.internal:5432/ocomms",
        "OCOMMS_REDIS_URL", "redis://:hunter2@cache:6379/0"));
    String printed = config.toMaskedJson().encode();
    assertThat(printed).doesNotContain("s3cret").doesNotContain("hunter2")
        .contains("postgresql://****@db.internal:5432/ocomms").contains("redis://****@cache:6379/0");
    assertThat(config.pgUrl()).contains("postgresql://chat:s3cret@db.internal:5432/ocomms");
  }

  @Test
  @DisplayName("uploaded files go to a directory under the data directory unless S3 is chosen")
  void uploadsStorageDefaults() {
    OcommsConfig config = OcommsConfig.parse(FILE, Map.of());
    assertThat(config.uploadsStorage()).isEqualTo(OcommsConfig.UploadsStorage.LOCAL);
    assertThat(config.uploadsDir()).isEqualTo(java.nio.file.Path.of("./data", "uploads").toString());
    assertThat(config.s3Region()).isEqualTo("us-east-1");
    assertThat(config.s3PathStyle()).isTrue();
  }

  @Test
  @DisplayName("S3 storage without an endpoint or a bucket stops the start, naming both")
  void s3WithoutEndpointOrBucket() {
    assertThatThrownBy(() -> OcommsConfig.parse(FILE, Map.of("OCOMMS_UPLOADS_STORAGE", "s3")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OCOMMS_UPLOADS_STORAGE=s3 needs OCOMMS_S3_ENDPOINT")
        .hasMessageContaining("OCOMMS_UPLOADS_STORAGE=s3 needs OCOMMS_S3_BUCKET");
    assertThatThrownBy(() -> OcommsConfig.parse(FILE, Map.of("OCOMMS_UPLOADS_STORAGE", "nfs",
        "OCOMMS_S3_ENDPOINT", "s3.example.com", "OCOMMS_S3_BUCKET", "Files_", "OCOMMS_S3_PATH_STYLE", "yes")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'nfs' is not one of")
        .hasMessageContaining("OCOMMS_S3_ENDPOINT / s3Endpoint: expected a URL like")
        .hasMessageContaining("'Files_' is not a bucket name")
        .hasMessageContaining("'yes' is not true or false");
  }

  @Test
  @DisplayName("the S3 secret key is masked whole in the printable form")
  void masksS3SecretKey() {
    OcommsConfig config = OcommsConfig.parse(FILE, Map.of("OCOMMS_UPLOADS_STORAGE", "s3",
        "OCOMMS_S3_ENDPOINT", "https://s3.example.com", "OCOMMS_S3_BUCKET", "ocomms-files",
        "OCOMMS_S3_ACCESS_KEY", "AKIAEXAMPLE", "OCOMMS_S3_SECRET_KEY", "https://wJalr/XUtnFEMI"));
    assertThat(config.toMaskedJson().getString("s3SecretKey")).isEqualTo("****");
    assertThat(config.toString()).doesNotContain("wJalr");
    assertThat(config.s3SecretKey()).contains("https://wJalr/XUtnFEMI");
    assertThat(config.uploadsStorage()).isEqualTo(OcommsConfig.UploadsStorage.S3);
  }

  @Test
  @DisplayName("the canonical form verticles receive reads back to the same configuration")
  void roundTrip() {
    OcommsConfig config = OcommsConfig.parse(FILE, Map.of("OCOMMS_VERTICLES", "messaging",
        "OCOMMS_CLUSTER_MEMBERS", "a:1,b:2"));
    OcommsConfig copy = OcommsConfig.fromJson(config.toJson());
    assertThat(copy.toJson()).isEqualTo(config.toJson());
    assertThat(copy.verticles()).isEqualTo(List.of("messaging"));
  }

  @Test
  @DisplayName("uploads accept the default file types unless OCOMMS_UPLOADS_ALLOWED_TYPES names others")
  void uploadsAllowedTypes() {
    assertThat(OcommsConfig.parse(FILE, Map.of()).uploadsAllowedTypes())
        .isEqualTo(OcommsConfig.DEFAULT_UPLOADS_ALLOWED_TYPES).contains("image/png", "application/pdf");
    assertThat(OcommsConfig.parse(FILE, Map.of("OCOMMS_UPLOADS_ALLOWED_TYPES", "image/png, text/csv"))
        .uploadsAllowedTypes()).containsExactly("image/png", "text/csv");
  }

  @Test
  @DisplayName("an allowed upload type that is not a bare MIME type stops the start and is named")
  void uploadsAllowedTypesInvalid() {
    assertThatThrownBy(() -> OcommsConfig.parse(FILE, Map.of("OCOMMS_UPLOADS_ALLOWED_TYPES", "image/png,pdf")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OCOMMS_UPLOADS_ALLOWED_TYPES")
        .hasMessageContaining("'pdf'");
  }
}
