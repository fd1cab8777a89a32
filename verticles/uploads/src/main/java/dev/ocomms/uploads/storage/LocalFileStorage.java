package dev.ocomms.uploads.storage;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.OpenOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.rxjava3.core.file.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Files under a local directory, {@code {root}/{yyyy-mm}/{uuid}}: the default, for a single node (a cluster needs
 * storage every node reaches, see {@link S3FileStorage}). Only Vert.x's non-blocking file system API is used, so no
 * call blocks an event loop.
 */
public final class LocalFileStorage implements FileStorage {
  private static final Logger LOG = LoggerFactory.getLogger(LocalFileStorage.class);
  // Bigger than AsyncFile's 8 KiB default: fewer, larger writes to the HTTP response; still small per download.
  private static final int READ_BUFFER_BYTES = 64 * 1024;

  private final FileSystem fs;
  private final Path root;

  private LocalFileStorage(Vertx vertx, Path root) {
    this.fs = vertx.fileSystem();
    this.root = root;
  }

  /** A storage under {@code root}, which is created if missing. */
  public static Single<FileStorage> start(Vertx vertx, Path root) {
    Path absolute = root.toAbsolutePath().normalize();
    return vertx.fileSystem().rxMkdirs(absolute.toString())
        .doOnComplete(() -> LOG.info("local file storage ready: root={}", absolute))
        .toSingle(() -> new LocalFileStorage(vertx, absolute));
  }

  @Override
  public Completable store(String key, Path file, long size, String contentType) {
    return Completable.defer(() -> {
      Path target = pathOf(key);
      // Copied beside the target, then renamed over it: a reader never sees a half-written file, and one reading the
      // old bytes keeps them until it is done.
      String partial = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".part").toString();
      return fs.rxMkdirs(target.getParent().toString())
          .andThen(fs.rxCopy(file.toString(), partial))
          .andThen(fs.rxMove(partial, target.toString(), new CopyOptions().setReplaceExisting(true).setAtomicMove(true)))
          .onErrorResumeNext(failure -> fs.rxDelete(partial).onErrorComplete().andThen(Completable.error(failure)));
    });
  }

  @Override
  public Maybe<StoredContent> read(String key, ByteRange range) {
    return Maybe.defer(() -> {
      String path = pathOf(key).toString();
      return fs.rxProps(path)
          .toMaybe()
          .onErrorResumeNext(failure -> isMissing(failure) ? Maybe.empty() : Maybe.error(failure))
          .map(props -> {
            long length = range.lengthWithin(props.size());
            return new StoredContent(props.size(), range.offset(), length, body(path, range.offset(), length));
          });
    });
  }

  private Flowable<Buffer> body(String path, long offset, long length) {
    if (length == 0) {
      return Flowable.empty();
    }
    return fs.rxOpen(path, new OpenOptions().setRead(true).setWrite(false).setCreate(false))
        .flatMapPublisher(file -> file
            .setReadPos(offset)
            .setReadLength(length)
            .setReadBufferSize(READ_BUFFER_BYTES)
            .toFlowable()
            .doFinally(() -> file.rxClose().onErrorComplete().subscribe()));
  }

  @Override
  public Completable delete(String key) {
    return Completable.defer(() -> fs.rxDelete(pathOf(key).toString()))
        .onErrorResumeNext(failure -> isMissing(failure) ? Completable.complete() : Completable.error(failure));
  }

  @Override
  public Completable close() {
    return Completable.complete();
  }

  private Path pathOf(String key) {
    return root.resolve(StorageKeys.requireValid(key));
  }

  private static boolean isMissing(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof NoSuchFileException) {
        return true;
      }
    }
    return false;
  }
}
