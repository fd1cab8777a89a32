package dev.ocomms.uploads.storage;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;

import java.nio.file.Path;

/**
 * Where uploaded files' bytes live: a local directory ({@link LocalFileStorage}) or an S3-compatible object store
 * ({@link S3FileStorage}), chosen by {@link FileStorages}. Both pass the same contract tests.
 *
 * <p>Objects are named by keys from {@link StorageKeys#next}; what a file is (its name, type, owner) is the caller's
 * business, kept in its own table. Bytes are streamed both ways, never held whole in memory, and every result is
 * delivered on the Vert.x context that asked.
 */
public interface FileStorage {

  /**
   * Stores a verified upload that is already a local file under {@code key}, replacing what the key held; readers see
   * the old bytes or the new, never a mix. The file is copied, not consumed: the caller removes it afterwards.
   *
   * @param size the file's size in bytes, as verified on upload
   * @param contentType the detected type, kept with the object where the backend can (S3)
   */
  Completable store(String key, Path file, long size, String contentType);

  /** The whole object; see {@link #read(String, ByteRange)}. */
  default Maybe<StoredContent> read(String key) {
    return read(key, ByteRange.WHOLE);
  }

  /**
   * The bytes of {@code range} of the object under {@code key}, with the object's total size.
   *
   * <p>A missing key completes empty (the caller decides whether that is a 404); a range starting at or past the end
   * of a non-empty object fails with {@code OcommsException} {@code validation_failed}. Nothing is opened until the
   * returned body is subscribed to.
   */
  Maybe<StoredContent> read(String key, ByteRange range);

  /** Removes the object under {@code key}; removing a missing key succeeds (deletion is idempotent). */
  Completable delete(String key);

  /** Releases the backend's resources (clients, threads); the storage is unusable afterwards. */
  Completable close();
}
