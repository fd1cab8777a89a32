package dev.ocomms.accounts;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Profiles and the user directory: one's own profile (with email), public profiles by id, and users by username.
 * A user sees another's profile only when they share a workspace (messaging knows who does); to anyone else it does
 * not exist. The directory's lookups are internal: messaging resolves mentions, presence names who is typing, the
 * gateway adds profiles to member lists (which messaging has already limited to members).
 */
final class Profiles {
  private static final int MAX_LOOKUP = 1000;
  private static final int MAX_USERNAMES = 100;
  private static final int MAX_USERNAME_LENGTH = 32;
  private static final long REQUEST_TIMEOUT_MS = 10_000;
  /** The avatars uploads serves: {@code /api/v1/avatars/<uuid>}. */
  private static final Pattern AVATAR_URL = Pattern.compile("/api/v1/avatars/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Vertx vertx;
  private final AccountStore store;

  Profiles(Vertx vertx, AccountStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  /** {} → {user}: the caller's own profile. */
  Single<JsonObject> me(BusRequest request) {
    return store.findById(request.caller())
        .switchIfEmpty(Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "account no longer exists")))
        .map(user -> new JsonObject().put("user", user.ownProfile()));
  }

  /** {displayName} → {user}. */
  Single<JsonObject> updateMe(BusRequest request) {
    String displayName = Registration.displayName(request.body());
    return store.updateDisplayName(request.caller(), displayName)
        .switchIfEmpty(Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "account no longer exists")))
        .map(user -> new JsonObject().put("user", user.ownProfile()));
  }

  /**
   * {avatarUrl} → {user, previousAvatarUrl}: sets the caller's avatar (null clears it). Uploads asks, after it stored
   * the image; only a URL of its own avatars is taken.
   */
  Single<JsonObject> setAvatar(BusRequest request) {
    String avatarUrl = request.body().has("avatarUrl") ? request.body().string("avatarUrl") : null;
    if (avatarUrl != null && !AVATAR_URL.matcher(avatarUrl).matches()) {
      throw Input.invalid("avatarUrl", "avatarUrl must be an avatar served by uploads");
    }
    return store.updateAvatar(request.caller(), avatarUrl)
        .switchIfEmpty(Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "account no longer exists")))
        .map(changed -> new JsonObject().put("user", changed.getKey().ownProfile())
            .put("previousAvatarUrl", changed.getValue().orElse(null)));
  }

  /**
   * {userId} → {user}: a public profile, of the caller or of someone who shares a workspace with them;
   * {@code not_found}, alike, for an unknown or malformed id and for a user the caller shares no workspace with.
   */
  Single<JsonObject> get(BusRequest request) {
    OcommsException noSuchUser = new OcommsException(ErrorCode.NOT_FOUND, "no such user");
    UUID userId = Ids.parse(request.body().string("userId")).orElseThrow(() -> noSuchUser);
    return visibleTo(request, userId)
        .flatMap(visible -> visible ? store.findById(userId).switchIfEmpty(Single.error(noSuchUser))
            : Single.<AccountStore.User>error(noSuchUser))
        .map(user -> new JsonObject().put("user", user.publicProfile()));
  }

  /** Whether the caller is {@code userId} or shares a workspace with them (messaging's {@code users.visible}). */
  private Single<Boolean> visibleTo(BusRequest request, UUID userId) {
    if (userId.equals(request.caller())) {
      return Single.just(true);
    }
    DeliveryOptions onBehalf = new Caller(request.caller().toString(), request.sessionId()).deliveryOptions()
        .setSendTimeout(REQUEST_TIMEOUT_MS);
    return Requests.<JsonObject>request(vertx, Addresses.USERS_VISIBLE,
            new JsonObject().put("userIds", new JsonArray().add(userId.toString())), onBehalf)
        .map(reply -> reply.body().getJsonArray("userIds", new JsonArray()).contains(userId.toString()))
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  /** {userIds} → {users}: public profiles, in no particular order; unknown ids are left out. */
  Single<JsonObject> profiles(Input request) {
    List<UUID> ids = strings(request, "userIds").stream().map(Ids::parse).flatMap(Optional::stream).distinct()
        .toList();
    if (ids.isEmpty()) {
      return Single.just(users(List.of()));
    }
    return store.findByIds(ids).map(Profiles::users);
  }

  /** {usernames} → {users}: by username, case-insensitively (for mentions); unknown names are left out. */
  Single<JsonObject> byUsernames(Input request) {
    List<String> names = strings(request, "usernames").stream()
        .filter(name -> name.length() <= MAX_USERNAME_LENGTH).distinct().limit(MAX_USERNAMES).toList();
    if (names.isEmpty()) {
      return Single.just(users(List.of()));
    }
    return store.findByUsernames(names).map(Profiles::users);
  }

  private static JsonObject users(List<AccountStore.User> users) {
    return new JsonObject().put("users", new JsonArray(users.stream().map(AccountStore.User::publicProfile).toList()));
  }

  /**
   * The lookup's keys: the first {@link #MAX_LOOKUP} strings of the list; an absent list asks for nobody. Lenient on
   * purpose: a lookup answers for what it can (a long message's mentions, a large workspace's members), never fails.
   */
  private static List<String> strings(Input request, String field) {
    if (!request.has(field)) {
      return List.of();
    }
    return request.array(field).stream().limit(MAX_LOOKUP).filter(String.class::isInstance).map(String.class::cast)
        .toList();
  }
}
