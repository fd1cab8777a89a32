package dev.ocomms.uploads.storage;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.rxjava3.core.Context;
import io.vertx.rxjava3.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link FileStorage} backend does, run against each real backend by a small subclass (as Mattermost's
 * {@code storetest} runs against each store). Calls are made from the test thread and awaited there.
 */
@ExtendWith(VertxExtension.class)
abstract class FileStorageContract {
  private static final int SMALL_FILE_BYTES = 3 * 1024 * 1024 + 17;
  private static final long LARGE_FILE_BYTES = 64L * 1024 * 1024;

  protected Vertx vertx;
  protected FileStorage storage;
  @TempDir
  Path scratch;
  private int files;

  /** The backend under test, ready. */
  protected abstract Single<FileStorage> startStorage(Vertx vertx);

  @BeforeEach
  void startStorage(io.vertx.core.Vertx core) {
    vertx = Vertx.newInstance(core);
    storage = startStorage(vertx).blockingGet();
  }

  @AfterEach
  void closeStorage() {
    storage.close().blockingAwait();
  }

  @Test
  @DisplayName("the bytes of a stored file read back identical, with its size")
  void readsBackStoredBytes() throws Exception {
    byte[] bytes = randomBytes(SMALL_FILE_BYTES, 1);
    String key = store(bytes);

    StoredContent content = storage.read(key).blockingGet();

    assertThat(content.totalSize()).isEqualTo(bytes.length);
    assertThat(content.offset()).isZero();
    assertThat(content.length()).isEqualTo(bytes.length);
    assertThat(sha256(collect(content))).isEqualTo(sha256(bytes));
  }

  @Test
  @DisplayName("a range at the start reads only its bytes")
  void rangeAtStart() throws Exception {
    byte[] bytes = randomBytes(SMALL_FILE_BYTES, 2);
    String key = store(bytes);

    StoredContent content = storage.read(key, ByteRange.of(0, 100)).blockingGet();

    assertThat(content.length()).isEqualTo(100);
    assertThat(collect(content)).isEqualTo(Arrays.copyOfRange(bytes, 0, 100));
  }

  @Test
  @DisplayName("a range in the middle reads only its bytes")
  void rangeInMiddle() throws Exception {
    byte[] bytes = randomBytes(SMALL_FILE_BYTES, 3);
    String key = store(bytes);

    StoredContent content = storage.read(key, ByteRange.of(1_000_001, 200_000)).blockingGet();

    assertThat(content.offset()).isEqualTo(1_000_001);
    assertThat(content.length()).isEqualTo(200_000);
    assertThat(collect(content)).isEqualTo(Arrays.copyOfRange(bytes, 1_000_001, 1_200_001));
  }

  @Test
  @DisplayName("a range of the last byte reads that byte")
  void lastByte() throws Exception {
    byte[] bytes = randomBytes(SMALL_FILE_BYTES, 4);
    String key = store(bytes);

    StoredContent content = storage.read(key, ByteRange.of(bytes.length - 1, 1)).blockingGet();

    assertThat(collect(content)).containsExactly(bytes[bytes.length - 1]);
  }

  @Test
  @DisplayName("an open range reads to the end, and a range longer than the file stops at its end")
  void rangeToEnd() throws Exception {
    byte[] bytes = randomBytes(SMALL_FILE_BYTES, 5);
    String key = store(bytes);

    StoredContent open = storage.read(key, ByteRange.from(bytes.length - 70_000)).blockingGet();
    StoredContent tooLong = storage.read(key, ByteRange.of(bytes.length - 10, 1_000)).blockingGet();

    assertThat(collect(open)).isEqualTo(Arrays.copyOfRange(bytes, bytes.length - 70_000, bytes.length));
    assertThat(tooLong.length()).isEqualTo(10);
    assertThat(collect(tooLong)).isEqualTo(Arrays.copyOfRange(bytes, bytes.length - 10, bytes.length));
  }

  @Test
  @DisplayName("a range read reports the whole object's size, for Content-Range")
  void rangeReportsTotalSize() throws Exception {
    byte[] bytes = randomBytes(SMALL_FILE_BYTES, 6);
    String key = store(bytes);

    StoredContent content = storage.read(key, ByteRange.of(10, 20)).blockingGet();

    assertThat(content.totalSize()).isEqualTo(bytes.length);
    assertThat(content.length()).isEqualTo(20);
  }

  @Test
  @DisplayName("a range starting past the end is refused as validation_failed, naming the size")
  void rangePastEnd() throws Exception {
    byte[] bytes = randomBytes(1_000, 7);
    String key = store(bytes);

    assertThatThrownBy(() -> storage.read(key, ByteRange.from(1_000)).blockingGet())
        .isInstanceOfSatisfying(OcommsException.class, failure -> {
          assertThat(failure.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
          assertThat(failure.details().getLong("size")).isEqualTo(1_000L);
        });
  }

  @Test
  @DisplayName("an empty file reads back empty")
  void emptyFile() throws Exception {
    String key = store(new byte[0]);

    StoredContent content = storage.read(key).blockingGet();

    assertThat(content.totalSize()).isZero();
    assertThat(collect(content)).isEmpty();
  }

  @Test
  @DisplayName("reading a key never stored finds nothing")
  void missingKey() {
    assertThat(storage.read(StorageKeys.next(Clock.systemUTC())).blockingGet()).isNull();
  }

  @Test
  @DisplayName("a deleted file is gone")
  void deleteThenRead() throws Exception {
    String key = store(randomBytes(10_000, 8));

    storage.delete(key).blockingAwait();

    assertThat(storage.read(key).blockingGet()).isNull();
  }

  @Test
  @DisplayName("deleting a key that holds nothing succeeds: deletion is idempotent")
  void deleteMissing() throws Exception {
    String key = store(randomBytes(10, 9));
    storage.delete(key).blockingAwait();

    storage.delete(key).blockingAwait();
    storage.delete(StorageKeys.next(Clock.systemUTC())).blockingAwait();

    assertThat(storage.read(key).blockingGet()).isNull();
  }

  @Test
  @DisplayName("storing under the same key again replaces the bytes and the size")
  void storeTwiceReplaces() throws Exception {
    String key = StorageKeys.next(Clock.systemUTC());
    byte[] first = randomBytes(200_000, 10);
    byte[] second = randomBytes(50_000, 11);

    store(key, first);
    store(key, second);
    StoredContent content = storage.read(key).blockingGet();

    assertThat(content.totalSize()).isEqualTo(second.length);
    assertThat(collect(content)).isEqualTo(second);
  }

  @Test
  @DisplayName("a key not made by StorageKeys (a path climbing out of the root) is refused")
  void foreignKey() {
    assertThatThrownBy(() -> storage.read("../../etc/passwd").blockingGet())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> storage.delete("2026-01/../../x").blockingAwait())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a 64 MB file is streamed back in bounded chunks, identical by an incremental digest")
  void largeFileStreamed() throws Exception {
    // Written and hashed in 1 MB steps: the test never holds the file either.
    Path file = scratch.resolve("large.bin");
    MessageDigest written = MessageDigest.getInstance("SHA-256");
    Random random = new Random(12);
    byte[] chunk = new byte[1024 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long done = 0; done < LARGE_FILE_BYTES; done += chunk.length) {
        random.nextBytes(chunk);
        out.write(chunk);
        written.update(chunk);
      }
    }
    String key = StorageKeys.next(Clock.systemUTC());
    storage.store(key, file, LARGE_FILE_BYTES, "application/octet-stream").blockingAwait();

    StoredContent content = storage.read(key).blockingGet();
    MessageDigest read = MessageDigest.getInstance("SHA-256");
    AtomicInteger largestChunk = new AtomicInteger();
    long bytesRead = content.body()
        .doOnNext(buffer -> {
          read.update(buffer.getBytes());
          largestChunk.accumulateAndGet(buffer.length(), Math::max);
        })
        .map(buffer -> (long) buffer.length())
        .reduce(0L, Long::sum)
        .blockingGet();

    assertThat(content.totalSize()).isEqualTo(LARGE_FILE_BYTES);
    assertThat(bytesRead).isEqualTo(LARGE_FILE_BYTES);
    assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(HexFormat.of().formatHex(written.digest()));
    assertThat(largestChunk.get()).isLessThanOrEqualTo(1024 * 1024);
  }

  @Test
  @DisplayName("a read made on a Vert.x context gets its answer and every chunk on that context")
  void resultsOnCallerContext() throws Exception {
    String key = store(randomBytes(SMALL_FILE_BYTES, 13));
    Context context = vertx.getOrCreateContext();
    List<Boolean> onContext = new ArrayList<>();

    Single.<Integer>create(emitter -> context.runOnContext(ignored -> storage.read(key)
            .doOnSuccess(found -> onContext.add(isOn(context)))
            .flatMapPublisher(StoredContent::body)
            .doOnNext(buffer -> onContext.add(isOn(context)))
            .count()
            .map(Long::intValue)
            .subscribe(emitter::onSuccess, emitter::onError)))
        .blockingGet();

    assertThat(onContext).hasSizeGreaterThan(1).containsOnly(true);
  }

  private static boolean isOn(Context context) {
    // The RxJava API wraps anew on each call: the contexts themselves are compared.
    return Vertx.currentContext() != null && Vertx.currentContext().getDelegate() == context.getDelegate();
  }

  /** Stores {@code bytes} under a new key, through a file as an upload arrives. */
  protected String store(byte[] bytes) throws IOException {
    return store(StorageKeys.next(Clock.systemUTC()), bytes);
  }

  protected String store(String key, byte[] bytes) throws IOException {
    Path file = Files.write(scratch.resolve("upload-" + files++), bytes);
    storage.store(key, file, bytes.length, "application/octet-stream").blockingAwait();
    return key;
  }

  protected static byte[] randomBytes(int count, long seed) {
    byte[] bytes = new byte[count];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** The body of a small read, whole. */
  protected static byte[] collect(StoredContent content) {
    return content.body().reduce(Buffer.buffer(), (all, chunk) -> all.appendBuffer(chunk)).blockingGet().getBytes();
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
