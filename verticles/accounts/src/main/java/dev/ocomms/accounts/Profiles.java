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
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
  private static final int MAX_STATUS_TEXT = 100;
  private static final int MAX_EMOJI_LENGTH = 16;
  private static final Duration MAX_STATUS_DURATION = Duration.ofDays(366);
  private static final Logger LOG = LoggerFactory.getLogger(Profiles.class);
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

  /**
   * {displayName?, status?, timeZone?} → {user}: changes the fields given. {@code status}: {text?, emoji?,
   * expiresAt?} (null clears it); {@code timeZone}: an IANA zone. Workspace mates hear of it ({@code user.updated}).
   */
  Single<JsonObject> updateMe(BusRequest request) {
    Input body = request.body();
    Optional<String> displayName = body.has("displayName") ? Optional.of(Registration.displayName(body))
        : Optional.empty();
    Optional<Optional<AccountStore.Status>> status = body.given("status")
        ? Optional.of(body.has("status") ? Optional.of(status(Input.of(body.object("status")))) : Optional.empty())
        : Optional.empty();
    Optional<String> timeZone = body.has("timeZone") ? Optional.of(timeZone(body.string("timeZone")))
        : Optional.empty();
    if (displayName.isEmpty() && status.isEmpty() && timeZone.isEmpty()) {
      throw Input.invalid("displayName", "give displayName, status or timeZone");
    }
    return store.updateProfile(request.caller(), displayName, status, timeZone)
        .switchIfEmpty(Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "account no longer exists")))
        .doOnSuccess(user -> announce(request, user))
        .map(user -> new JsonObject().put("user", user.ownProfile()));
  }

  /** A status as given: text (≤ 100 characters) and emoji, at least one of them, and a future expiry or none. */
  static AccountStore.Status status(Input status) {
    String text = nested("status.text", () -> status.optionalText("text", 0, MAX_STATUS_TEXT)).orElse("");
    String emoji = status.has("emoji") ? emoji(nested("status.emoji", () -> status.string("emoji"))) : "";
    if (text.isEmpty() && emoji.isEmpty()) {
      throw Input.invalid("status", "a status needs text or an emoji; null clears it");
    }
    OffsetDateTime expiresAt = null;
    if (status.has("expiresAt")) {
      try {
        expiresAt = OffsetDateTime.ofInstant(Instant.parse(status.string("expiresAt")), ZoneOffset.UTC);
      } catch (DateTimeParseException | OcommsException notAnInstant) {
        throw Input.invalid("status.expiresAt", "status.expiresAt must be an ISO instant");
      }
      OffsetDateTime now = AccountStore.now();
      if (!expiresAt.isAfter(now) || expiresAt.isAfter(now.plus(MAX_STATUS_DURATION))) {
        throw Input.invalid("status.expiresAt", "status.expiresAt must be in the future, within a year");
      }
    }
    return new AccountStore.Status(text, emoji, expiresAt);
  }

  /** An emoji: 1 to 16 code points, no whitespace or control characters (ZWJ sequences and keycaps allowed). */
  private static String emoji(String raw) {
    String emoji = raw.strip();
    int length = emoji.codePointCount(0, emoji.length());
    boolean clean = emoji.codePoints().allMatch(c -> c == 0x200D || (!Character.isWhitespace(c)
        && !Character.isISOControl(c) && Character.getType(c) != Character.FORMAT
        && Character.getType(c) != Character.LINE_SEPARATOR && Character.getType(c) != Character.PARAGRAPH_SEPARATOR));
    if (length > MAX_EMOJI_LENGTH || !clean) {
      throw Input.invalid("status.emoji", "status.emoji must be one emoji (or a :shortcode:)");
    }
    return emoji;
  }

  /** An IANA time zone id ({@code Europe/Berlin}), not an offset. */
  private static String timeZone(String zone) {
    if (!ZoneId.getAvailableZoneIds().contains(zone)) {
      throw Input.invalid("timeZone", "timeZone must be an IANA time zone such as Europe/Berlin");
    }
    return zone;
  }

  /** A field of the status object, its failure naming it as {@code status.<field>}. */
  private static <T> T nested(String field, Supplier<T> read) {
    try {
      return read.get();
    } catch (OcommsException invalid) {
      throw Input.invalid(field, invalid.getMessage().replaceFirst("^(text|emoji)", field));
    }
  }

  /**
   * Tells the caller's workspace mates (and the caller's other sessions) of the changed profile: {@code user.updated}
   * on each one's {@code user.<id>}. Best effort, after the change is stored: a mate who misses it sees the change on
   * the next load.
   */
  private void announce(BusRequest request, AccountStore.User user) {
    DeliveryOptions onBehalf = new Caller(request.caller().toString(), request.sessionId()).deliveryOptions()
        .setSendTimeout(REQUEST_TIMEOUT_MS);
    Requests.<JsonObject>request(vertx, Addresses.WORKSPACE_LIST, new JsonObject(), onBehalf)
        .flattenAsObservable(reply -> reply.body().getJsonArray("workspaces", new JsonArray()))
        .concatMapSingle(workspace -> Requests.<JsonObject>request(vertx, Addresses.WORKSPACE_MEMBERS,
            new JsonObject().put("workspaceId", ((JsonObject) workspace).getString("id")), onBehalf))
        .flatMapIterable(reply -> reply.body().getJsonArray("members", new JsonArray()))
        .map(member -> ((JsonObject) member).getString("userId"))
        .collect(Collectors.toCollection(LinkedHashSet<String>::new))
        .subscribe(audience -> {
          audience.add(user.id().toString());
          Events.publish(vertx.eventBus(), new Event.UserUpdated(user.id().toString(), user.publicProfile()),
              audience);
        }, failure -> LOG.warn("telling workspace mates of a profile change failed: {}", failure.toString()));
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
        .doOnSuccess(changed -> announce(request, changed.getKey()))
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
