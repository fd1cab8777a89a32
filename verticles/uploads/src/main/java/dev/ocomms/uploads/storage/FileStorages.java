package dev.ocomms.uploads.storage;

import dev.ocomms.shared.config.OcommsConfig;
import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.core.Vertx;

import java.nio.file.Path;

/** Starts the file storage a configuration chooses ({@code OCOMMS_UPLOADS_STORAGE}). */
public final class FileStorages {
  private FileStorages() {
  }

  /**
   * The configured storage, ready: its directory or bucket exists. Fails with a {@code ConfigException} naming what
   * is missing when S3 is chosen without an endpoint or a bucket.
   */
  public static Single<FileStorage> start(Vertx vertx, OcommsConfig config) {
    return Single.defer(() -> switch (config.uploadsStorage()) {
      case LOCAL -> LocalFileStorage.start(vertx, Path.of(config.uploadsDir()));
      case S3 -> S3FileStorage.start(vertx, S3FileStorage.Settings.from(config));
    });
  }
}
