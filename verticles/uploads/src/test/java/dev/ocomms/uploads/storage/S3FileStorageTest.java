package dev.ocomms.uploads.storage;

import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.TestConfigs;
import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.core.Vertx;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/** Against a real S3-compatible server (s3proxy, in memory) started on a free port for this class. */
@DisplayName("The S3 file storage")
class S3FileStorageTest extends FileStorageContract {
  private static final String ACCESS_KEY = "ocomms-test";
  private static final String SECRET_KEY = "ocomms-test-secret";
  private static S3Proxy s3;
  private static int bucketsMade;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Proxy.builder()
        .blobStore(new TransientNio2BlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    s3.start();
    while (!"STARTED".equals(s3.getState())) {
      Thread.sleep(10);
    }
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.stop();
  }

  /** A configuration choosing S3 on this class's server, with a bucket of its own. */
  private static OcommsConfig config(String bucket) {
    return TestConfigs.defaults()
        .with(Setting.UPLOADS_STORAGE, "s3")
        .with(Setting.S3_ENDPOINT, "http://127.0.0.1:" + s3.getPort())
        .with(Setting.S3_BUCKET, bucket)
        .with(Setting.S3_ACCESS_KEY, ACCESS_KEY)
        .with(Setting.S3_SECRET_KEY, SECRET_KEY);
  }

  @Override
  protected Single<FileStorage> startStorage(Vertx vertx) {
    // Through the factory, as the verticle starts it; each test in a new bucket the start creates.
    return FileStorages.start(vertx, config("uploads-" + ++bucketsMade));
  }

  @Test
  @DisplayName("a second start finds its bucket and reads what the first stored, as another node would")
  void secondStartSharesBucket() throws Exception {
    String key = store(randomBytes(1_000, 21));
    FileStorage other = FileStorages.start(vertx, config("uploads-" + bucketsMade)).blockingGet();
    try {
      assertThat(collect(other.read(key).blockingGet())).isEqualTo(randomBytes(1_000, 21));
      assertThat(other.read(StorageKeys.next(Clock.systemUTC())).blockingGet()).isNull();
    } finally {
      other.close().blockingAwait();
    }
  }
}
