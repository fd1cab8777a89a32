package dev.ocomms.uploads.storage;

import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The local file storage")
class LocalFileStorageTest extends FileStorageContract {
  @TempDir
  Path root;

  @Override
  protected Single<FileStorage> startStorage(Vertx vertx) {
    return LocalFileStorage.start(vertx, root.resolve("uploads"));
  }

  @Test
  @DisplayName("keeps a file at {root}/{yyyy-mm}/{uuid}, creating the root and the month's directory, nothing else")
  void layout() throws Exception {
    String key = store(randomBytes(1_000, 20));

    Path file = root.resolve("uploads").resolve(key);
    assertThat(file).isRegularFile().hasSize(1_000);
    try (var monthDirectory = Files.list(file.getParent())) {
      assertThat(monthDirectory).containsExactly(file);
    }
  }
}
