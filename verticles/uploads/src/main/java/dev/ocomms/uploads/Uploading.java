package dev.ocomms.uploads;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import dev.ocomms.shared.limits.Quota;
import dev.ocomms.shared.limits.RateLimiter;
import dev.ocomms.uploads.inspect.FileInspector;
import dev.ocomms.uploads.inspect.Inspection;
import dev.ocomms.uploads.inspect.Previews;
import dev.ocomms.uploads.storage.FileStorage;
import dev.ocomms.uploads.storage.StorageKeys;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.web.FileUpload;
import io.vertx.rxjava3.ext.web.RoutingContext;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Receiving a file: before a byte is read, the caller's upload rate, quota and (with {@code chatId}) right to post are
 * checked; the body handler then streams the multipart part to a temporary file, stopping at the size limit; the file
 * is inspected from its bytes, previewed if it is an image, copied to the file storage, and recorded within the
 * uploader's quota. The temporary file is removed when the answer is sent, whatever it is.
 */
final class Uploading {
  /** What a multipart body adds around its file (boundaries, part headers); a body may exceed the limit by this. */
  static final long MULTIPART_OVERHEAD_BYTES = 64 * 1024;
  static final String PART = "file";

  private final Vertx vertx;
  private final FileStore store;
  private final FileStorage storage;
  private final FileInspector inspector;
  private final Previews previews;
  private final RateLimiter limiter;
  private final ReadAccess access;
  private final Quota perMinute;
  private final long maxBytes;
  private final long quotaBytes;
  private final Path incoming;
  private final Clock clock = Clock.systemUTC();

  Uploading(Vertx vertx, FileStore store, FileStorage storage, FileInspector inspector, Previews previews,
            RateLimiter limiter, ReadAccess access, int uploadsPerMinute, long maxBytes, long quotaBytes,
            Path incoming) {
    this.vertx = vertx;
    this.store = store;
    this.storage = storage;
    this.inspector = inspector;
    this.previews = previews;
    this.limiter = limiter;
    this.access = access;
    this.perMinute = Quota.window("uploads.file", uploadsPerMinute, Duration.ofMinutes(1),
        "too many uploads; wait a minute");
    this.maxBytes = maxBytes;
    this.quotaBytes = quotaBytes;
    this.incoming = incoming;
  }

  long maxBytes() {
    return maxBytes;
  }

  long quotaBytes() {
    return quotaBytes;
  }

  Quota perMinute() {
    return perMinute;
  }

  /**
   * Runs before the body is read (the request stays paused meanwhile): a body declared larger than {@code limitBytes}
   * is refused at once; then the rate limit, and for files the quota and the chat.
   */
  void admit(RoutingContext ctx, long limitBytes, boolean isFile) {
    ctx.request().pause();
    HttpExchange.limitBodyTo(ctx, limitBytes);
    Caller caller = HttpExchange.caller(ctx);
    UUID userId = UUID.fromString(caller.userId());
    long declared = HttpExchange.declaredLength(ctx.request().getDelegate());
    if (declared > limitBytes + MULTIPART_OVERHEAD_BYTES) {
      throw HttpExchange.tooLarge(limitBytes);
    }
    Completable checks = limiter.take(userId.toString(), perMinute);
    if (isFile) {
      long expected = declared < 0 ? 0 : Math.max(0, Math.min(declared - MULTIPART_OVERHEAD_BYTES, limitBytes));
      checks = checks.andThen(store.usedBytes(userId).flatMapCompletable(used -> used + expected > quotaBytes
              ? Completable.error(quotaExceeded(used)) : Completable.complete()))
          .andThen(Completable.defer(() -> mayPostIn(ctx, caller)));
    }
    checks.subscribe(ctx::next, ctx::fail);
  }

  /** {@code POST /api/v1/files}: the stored file, {@code 201 {file}}. */
  void receiveFile(RoutingContext ctx) {
    UUID uploader = HttpExchange.callerId(ctx);
    FileUpload upload = thePart(ctx, maxBytes);
    Path received = Path.of(upload.uploadedFileName());
    inspector.inspect(received, upload.fileName())
        .flatMap(inspection -> store(uploader, received, upload.size(), inspection))
        .subscribe(file -> HttpExchange.json(ctx, 201, new JsonObject().put("file", file.toJson())), ctx::fail);
  }

  /** The one part named {@value #PART}, within {@code limitBytes}. */
  static FileUpload thePart(RoutingContext ctx, long limitBytes) {
    List<FileUpload> parts = ctx.fileUploads().stream().filter(part -> PART.equals(part.name())).toList();
    if (parts.size() != 1) {
      throw new OcommsException(ErrorCode.VALIDATION_FAILED,
          "a multipart/form-data body with one file part named \"file\" is required",
          new JsonObject().put("field", PART));
    }
    FileUpload upload = parts.get(0);
    if (upload.size() > limitBytes) {
      throw HttpExchange.tooLarge(limitBytes);
    }
    return upload;
  }

  private Single<UploadedFile> store(UUID uploader, Path received, long size, Inspection inspection) {
    UUID id = Ids.next();
    String key = StorageKeys.next(clock);
    Single<Optional<Previews.Preview>> thumbnail = inspection.inline()
        ? previews.thumbnail(received, inspection.mediaType()).map(Optional::of)
        : Single.just(Optional.empty());
    return thumbnail.flatMap(preview -> {
      String thumbnailKey = preview.isPresent() ? StorageKeys.next(clock) : null;
      UploadedFile file = new UploadedFile(id, uploader, inspection.name(), inspection.mediaType(), size,
          inspection.dimensions() == null ? null : inspection.dimensions().width(),
          inspection.dimensions() == null ? null : inspection.dimensions().height(),
          key, thumbnailKey, preview.map(Previews.Preview::mediaType).orElse(null), null);
      Completable stored = storage.store(key, received, size, inspection.mediaType())
          .andThen(preview.map(p -> storeBytes(thumbnailKey, p.bytes(), p.mediaType())).orElse(Completable.complete()));
      return stored
          .andThen(store.insertWithinQuota(file, quotaBytes)
              .switchIfEmpty(Single.defer(() -> store.usedBytes(uploader).flatMap(used ->
                  Single.<UploadedFile>error(quotaExceeded(used))))))
          // Nothing stays behind a refused or failed upload: its objects go with it.
          .onErrorResumeNext(failure -> removeQuietly(key).andThen(removeQuietly(thumbnailKey))
              .andThen(Single.error(failure)));
    });
  }

  /** Stores a small encoded image (a preview) under {@code key}, through a temporary file. */
  Completable storeBytes(String key, byte[] bytes, String mediaType) {
    Path temporary = incoming.resolve("preview-" + UUID.randomUUID());
    return vertx.fileSystem().rxWriteFile(temporary.toString(), Buffer.buffer(bytes))
        .andThen(Completable.defer(() -> storage.store(key, temporary, bytes.length, mediaType)))
        .doFinally(() -> vertx.fileSystem().delete(temporary.toString()).subscribe(() -> { }, e -> { }));
  }

  Completable removeQuietly(String key) {
    return key == null ? Completable.complete() : storage.delete(key).onErrorComplete();
  }

  private OcommsException quotaExceeded(long used) {
    return new OcommsException(Reason.QUOTA_EXCEEDED,
        "your files may take at most " + quotaBytes + " bytes; delete messages with files to make room",
        new JsonObject().put("quotaBytes", quotaBytes).put("usedBytes", used));
  }

  /** With {@code ?chatId=}, the caller must be a member of that chat (else not_found, as for any chat of others). */
  private Completable mayPostIn(RoutingContext ctx, Caller caller) {
    String chatId = ctx.request().getParam("chatId");
    if (chatId == null) {
      return Completable.complete();
    }
    Optional<UUID> id = Ids.parse(chatId);
    OcommsException noSuchChat = new OcommsException(ErrorCode.NOT_FOUND, "no such chat");
    return id.isEmpty() ? Completable.error(noSuchChat)
        : access.isMember(caller, id.get())
            .flatMapCompletable(member -> member ? Completable.complete() : Completable.error(noSuchChat));
  }
}
