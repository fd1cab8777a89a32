package dev.ocomms.uploads;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import dev.ocomms.uploads.inspect.FileInspector;
import dev.ocomms.uploads.inspect.Previews;
import dev.ocomms.uploads.inspect.ServingPolicy;
import dev.ocomms.uploads.storage.StorageKeys;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.web.FileUpload;
import io.vertx.rxjava3.ext.web.RoutingContext;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Avatars: an image (JPEG, PNG, GIF or WebP, at most {@link #MAX_BYTES}) square-cropped to
 * {@value Previews#AVATAR_SIDE} px and stored as an avatar of its own, served at an unguessable URL; accounts keeps
 * which one a user shows ({@code accounts.users.avatar.set}). The avatar it replaced is removed.
 */
final class Avatars {
  static final long MAX_BYTES = 2 * 1024 * 1024;
  private static final Pattern OWN_URL = Pattern.compile("/api/v1/avatars/([0-9a-f-]{36})");
  private static final long ASK_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final FileStore store;
  private final FileInspector inspector;
  private final Previews previews;
  private final Uploading uploading;
  private final Clock clock = Clock.systemUTC();

  Avatars(Vertx vertx, FileStore store, FileInspector inspector, Previews previews, Uploading uploading) {
    this.vertx = vertx;
    this.store = store;
    this.inspector = inspector;
    this.previews = previews;
    this.uploading = uploading;
  }

  /** {@code PUT /api/v1/users/me/avatar}: {@code 200 {user}} with the new {@code avatarUrl}. */
  void set(RoutingContext ctx) {
    Caller caller = HttpExchange.caller(ctx);
    UUID userId = UUID.fromString(caller.userId());
    FileUpload upload = Uploading.thePart(ctx, MAX_BYTES);
    Path received = Path.of(upload.uploadedFileName());
    inspector.inspect(received, upload.fileName())
        .flatMap(inspection -> {
          if (!inspection.inline()) {
            throw new OcommsException(Reason.FILE_TYPE_NOT_ALLOWED, "an avatar must be a JPEG, PNG, GIF or WebP image",
                new JsonObject().put("detected", inspection.mediaType())
                    .put("allowed", new JsonArray(ServingPolicy.INLINE_TYPES.stream().sorted().toList())));
          }
          return previews.avatar(received, inspection.mediaType());
        })
        .flatMap(image -> {
          FileStore.Avatar avatar = new FileStore.Avatar(Ids.next(), userId, StorageKeys.next(clock),
              image.mediaType());
          return uploading.storeBytes(avatar.storageKey(), image.bytes(), image.mediaType())
              .andThen(store.insertAvatar(avatar))
              .andThen(show(caller, "/api/v1/avatars/" + avatar.id()))
              .onErrorResumeNext(failure -> uploading.removeQuietly(avatar.storageKey())
                  .andThen(Single.error(failure)));
        })
        .subscribe(user -> HttpExchange.json(ctx, 200, new JsonObject().put("user", user)), ctx::fail);
  }

  /** {@code DELETE /api/v1/users/me/avatar}: {@code 200 {user}} with {@code avatarUrl: null}. */
  void remove(RoutingContext ctx) {
    show(HttpExchange.caller(ctx), null)
        .subscribe(user -> HttpExchange.json(ctx, 200, new JsonObject().put("user", user)), ctx::fail);
  }

  /** Has accounts show this avatar (or none), then removes the one it replaced. */
  private Single<JsonObject> show(Caller caller, String avatarUrl) {
    return Requests.<JsonObject>request(vertx, Addresses.USERS_AVATAR_SET, new JsonObject().put("avatarUrl", avatarUrl),
            caller.deliveryOptions().setSendTimeout(ASK_TIMEOUT_MS))
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)))
        .flatMap(reply -> removePrevious(UUID.fromString(caller.userId()),
                reply.body().getString("previousAvatarUrl"))
            .andThen(Single.just(reply.body().getJsonObject("user"))));
  }

  private Completable removePrevious(UUID userId, String previousUrl) {
    Optional<UUID> previous = Optional.ofNullable(previousUrl).map(OWN_URL::matcher).filter(Matcher::matches)
        .flatMap(matcher -> Ids.parse(matcher.group(1)));
    return previous.map(id -> store.deleteAvatar(id, userId)
            .flatMapCompletable(uploading::removeQuietly)
            .onErrorComplete())
        .orElse(Completable.complete());
  }
}
