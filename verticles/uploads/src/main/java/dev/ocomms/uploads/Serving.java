package dev.ocomms.uploads;

import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.uploads.inspect.ServingPolicy;
import dev.ocomms.uploads.storage.ByteRange;
import dev.ocomms.uploads.storage.FileStorage;
import dev.ocomms.uploads.storage.StoredContent;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.http.HttpServerResponse;
import io.vertx.rxjava3.ext.web.RoutingContext;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serving files, their thumbnails and avatars: streamed from the file storage with their detected type, and headers
 * that keep any file from acting as a page of ours ({@link ServingPolicy}). A file is answered only to those who may
 * read it ({@link ReadAccess}); to anyone else it does not exist (404). A file's bytes never change, so its id is its
 * ETag; one {@code Range} is honoured (206).
 */
final class Serving {
  /** A browser keeps a file it may read for a day, for this user only. */
  private static final String PRIVATE_CACHE = "private, max-age=86400";
  /** An avatar's URL changes with the image. */
  private static final String IMMUTABLE_CACHE = "public, max-age=31536000, immutable";
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  private final FileStore store;
  private final FileStorage storage;
  private final ReadAccess access;

  Serving(FileStore store, FileStorage storage, ReadAccess access) {
    this.store = store;
    this.storage = storage;
    this.access = access;
  }

  /** {@code GET /api/v1/files/{fileId}}. */
  void file(RoutingContext ctx) {
    readable(ctx).flatMapCompletable(file -> {
      String etag = "\"" + file.id() + "\"";
      if (notModified(ctx, etag, PRIVATE_CACHE)) {
        return Completable.complete();
      }
      Optional<ByteRange> range = range(ctx.request().getHeader("Range"), file.size());
      return storage.read(file.storageKey(), range.orElse(ByteRange.WHOLE))
          .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such file")))
          .flatMapCompletable(content -> {
            HttpServerResponse response = fileHeaders(ctx, file.mediaType(), etag, PRIVATE_CACHE)
                .putHeader("Content-Disposition", ServingPolicy.contentDisposition(file.mediaType(), file.name()))
                .putHeader("Accept-Ranges", "bytes");
            if (range.isPresent()) {
              response.setStatusCode(206).putHeader("Content-Range", "bytes " + content.offset() + "-"
                  + (content.offset() + content.length() - 1) + "/" + content.totalSize());
            }
            return send(response, content);
          });
    }).subscribe(() -> { }, ctx::fail);
  }

  /** {@code GET /api/v1/files/{fileId}/thumbnail}: images only. */
  void thumbnail(RoutingContext ctx) {
    readable(ctx).flatMapCompletable(file -> {
      if (file.thumbnailKey() == null) {
        return Completable.error(new OcommsException(ErrorCode.NOT_FOUND, "this file has no thumbnail (not an image)"));
      }
      String etag = "\"" + file.id() + "-thumbnail\"";
      if (notModified(ctx, etag, PRIVATE_CACHE)) {
        return Completable.complete();
      }
      return storage.read(file.thumbnailKey())
          .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such file")))
          .flatMapCompletable(content -> send(fileHeaders(ctx, file.thumbnailType(), etag, PRIVATE_CACHE)
              .putHeader("Content-Disposition", ServingPolicy.contentDisposition(file.thumbnailType(), file.name())),
              content));
    }).subscribe(() -> { }, ctx::fail);
  }

  /** {@code GET /api/v1/avatars/{avatarId}}: anyone with the URL (it is unguessable, and an avatar is public). */
  void avatar(RoutingContext ctx) {
    UUID id = HttpExchange.pathId(ctx, "avatarId");
    store.findAvatar(id)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such avatar")))
        .flatMapCompletable(avatar -> {
          String etag = "\"" + avatar.id() + "\"";
          if (notModified(ctx, etag, IMMUTABLE_CACHE)) {
            return Completable.complete();
          }
          return storage.read(avatar.storageKey())
              .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such avatar")))
              .flatMapCompletable(content -> send(fileHeaders(ctx, avatar.mediaType(), etag, IMMUTABLE_CACHE)
                  .putHeader("Content-Disposition", "inline"), content));
        })
        .subscribe(() -> { }, ctx::fail);
  }

  /** The file named in the path, if the caller may read it; not_found otherwise, revealing nothing. */
  private Single<UploadedFile> readable(RoutingContext ctx) {
    return Single.defer(() -> readable(ctx, HttpExchange.caller(ctx), HttpExchange.pathId(ctx, "fileId")));
  }

  private Single<UploadedFile> readable(RoutingContext ctx, Caller caller, UUID id) {
    OcommsException noSuchFile = new OcommsException(ErrorCode.NOT_FOUND, "no such file");
    return store.find(id)
        .switchIfEmpty(Single.error(noSuchFile))
        .flatMap(file -> access.mayRead(caller, file)
            .flatMap(allowed -> allowed ? Single.just(file) : Single.error(noSuchFile)));
  }

  private static HttpServerResponse fileHeaders(RoutingContext ctx, String mediaType, String etag, String cache) {
    return ctx.response()
        .putHeader("Content-Type", mediaType)
        .putHeader("X-Content-Type-Options", "nosniff")
        // Sent as stored: compressing images and archives again gains nothing, and ranges count stored bytes.
        .putHeader("Content-Encoding", "identity")
        .putHeader("Content-Security-Policy", ServingPolicy.CONTENT_SECURITY_POLICY)
        .putHeader("ETag", etag)
        .putHeader("Cache-Control", cache);
  }

  /** Answers 304 when the client has this version; with the caching and safety headers a 200 would carry. */
  private static boolean notModified(RoutingContext ctx, String etag, String cache) {
    String ifNoneMatch = ctx.request().getHeader("If-None-Match");
    if (ifNoneMatch == null || !(ifNoneMatch.trim().equals("*") || ifNoneMatch.contains(etag))) {
      return false;
    }
    ctx.response().setStatusCode(304)
        .putHeader("ETag", etag)
        .putHeader("Cache-Control", cache)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", ServingPolicy.CONTENT_SECURITY_POLICY)
        .end().subscribe(() -> { }, e -> { });
    return true;
  }

  private static Completable send(HttpServerResponse response, StoredContent content) {
    return response.putHeader("Content-Length", Long.toString(content.length())).rxSend(content.body());
  }

  /**
   * The one range asked for ({@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}), within a file of {@code size};
   * empty for none, or for a header this does not serve (several ranges, another unit): then the whole file is sent,
   * as HTTP allows. A range starting past the end is refused (416).
   */
  static Optional<ByteRange> range(String header, long size) {
    if (header == null) {
      return Optional.empty();
    }
    Matcher matcher = RANGE.matcher(header.trim());
    if (!matcher.matches() || matcher.group(1).isEmpty() && matcher.group(2).isEmpty()) {
      return Optional.empty();
    }
    try {
      if (matcher.group(1).isEmpty()) {
        long suffix = Long.parseLong(matcher.group(2));
        if (suffix == 0) {
          throw unsatisfiable(size);
        }
        return Optional.of(ByteRange.of(Math.max(0, size - suffix), Math.min(suffix, size)));
      }
      long first = Long.parseLong(matcher.group(1));
      if (first >= size) {
        throw unsatisfiable(size);
      }
      if (matcher.group(2).isEmpty()) {
        return Optional.of(ByteRange.from(first));
      }
      long last = Long.parseLong(matcher.group(2));
      if (last < first) {
        return Optional.empty();
      }
      return Optional.of(ByteRange.of(first, Math.min(last, size - 1) - first + 1));
    } catch (NumberFormatException tooLong) {
      return Optional.empty();
    }
  }

  private static OcommsException unsatisfiable(long size) {
    return new OcommsException(ErrorCode.RANGE_NOT_SATISFIABLE, "the range is not within the file (" + size
        + " bytes)", new JsonObject().put("size", size));
  }
}
