package dev.ocomms.uploads.storage;

import dev.ocomms.shared.config.ConfigException;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.TestConfigs;
import io.vertx.junit5.VertxExtension;
import io.vertx.rxjava3.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(VertxExtension.class)
@DisplayName("Choosing the file storage")
class FileStoragesTest {

  @Test
  @DisplayName("S3 without a bucket is refused at start, naming the missing setting")
  void s3WithoutBucket(io.vertx.core.Vertx core) {
    var config = TestConfigs.defaults()
        .with(Setting.UPLOADS_STORAGE, "s3")
        .with(Setting.S3_ENDPOINT, "http://127.0.0.1:9");

    assertThatThrownBy(() -> FileStorages.start(Vertx.newInstance(core), config).blockingGet())
        .isInstanceOf(ConfigException.class).hasMessageContaining("OCOMMS_S3_BUCKET");
  }

  @Test
  @DisplayName("by default files go to the local directory, which the start creates")
  void localByDefault(io.vertx.core.Vertx core, @TempDir Path dir) {
    var config = TestConfigs.defaults().with(Setting.UPLOADS_DIR, dir.resolve("files").toString());

    FileStorage storage = FileStorages.start(Vertx.newInstance(core), config).blockingGet();

    assertThat(storage).isInstanceOf(LocalFileStorage.class);
    assertThat(dir.resolve("files")).isDirectory();
    storage.close().blockingAwait();
  }
}
