package dev.ocomms.accounts;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.events.Events;
import io.vertx.core.json.JsonArray;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.Locale;
import java.util.UUID;

import static dev.ocomms.shared.bus.Addresses.USERS_AVATAR_SET;
import static dev.ocomms.shared.bus.Addresses.USERS_BY_USERNAME;
import static dev.ocomms.shared.bus.Addresses.USERS_GET;
import static dev.ocomms.shared.bus.Addresses.USERS_ME;
import static dev.ocomms.shared.bus.Addresses.USERS_ME_UPDATE;
import static dev.ocomms.shared.bus.Addresses.USERS_PROFILES;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Profiles and the user directory over the event bus (accounts.users.*)")
class ProfilesTest {
  private static AccountsApi accounts;

  @BeforeAll
  static void start() {
    accounts = AccountsApi.startWithMessaging();
  }

  @AfterAll
  static void stop() {
    accounts.close();
  }

  @Test
  @DisplayName("the caller's own profile carries the email")
  void me() {
    AccountsApi.Session session = accounts.register();
    JsonObject user = accounts.call(session, USERS_ME, new JsonObject()).getJsonObject("user");

    assertThat(user.getString("id")).isEqualTo(session.userId());
    assertThat(user.getString("email")).isEqualTo(session.email());
  }

  @Test
  @DisplayName("a request for one's own profile without a caller is unauthorized")
  void meNeedsCaller() {
    accounts.fails(ErrorCode.UNAUTHORIZED, USERS_ME, new JsonObject());
  }

  @Test
  @DisplayName("the display name changes, trimmed, and is what others see from then on")
  void updateDisplayName() {
    AccountsApi.Session session = accounts.register();
    AccountsApi.Session other = accounts.register();
    accounts.shareWorkspace(session, other);
    JsonObject updated = accounts.call(session, USERS_ME_UPDATE, new JsonObject().put("displayName", "  Ada L.  "))
        .getJsonObject("user");

    assertThat(updated.getString("displayName")).isEqualTo("Ada L.");
    assertThat(accounts.call(other, USERS_GET, new JsonObject().put("userId", session.userId()))
        .getJsonObject("user").getString("displayName")).isEqualTo("Ada L.");
  }

  @Test
  @DisplayName("an empty or too long display name, or one with NUL, a lone surrogate, a line break, a bidi override "
      + "or a zero-width character, is validation_failed naming displayName")
  void invalidDisplayName() {
    AccountsApi.Session session = accounts.register();
    for (String name : List.of(" ", "x".repeat(65), "Ada\u0000", "Ada\uDC00", "Ada\nLovelace", "\u202EadA",
        "A\u200Bda")) {
      assertThat(accounts.fails(ErrorCode.VALIDATION_FAILED, session, USERS_ME_UPDATE,
          new JsonObject().put("displayName", name)).details().getString("field")).isEqualTo("displayName");
    }
  }

  @Test
  @DisplayName("a status with text, emoji and expiry is what workspace mates see in the profile")
  void statusIsPublic() {
    AccountsApi.Session session = accounts.register();
    AccountsApi.Session other = accounts.register();
    accounts.shareWorkspace(session, other);
    String expiresAt = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS).toString();
    accounts.call(session, USERS_ME_UPDATE, new JsonObject().put("status",
        new JsonObject().put("text", "  In a meeting ").put("emoji", "📅").put("expiresAt", expiresAt)));

    JsonObject status = accounts.call(other, USERS_GET, new JsonObject().put("userId", session.userId()))
        .getJsonObject("user").getJsonObject("status");
    assertThat(status).isEqualTo(new JsonObject().put("text", "In a meeting").put("emoji", "📅")
        .put("expiresAt", expiresAt));
  }

  @Test
  @DisplayName("a status past its expiresAt is answered as no status")
  void statusClearsAtExpiry() throws InterruptedException {
    AccountsApi.Session session = accounts.register();
    accounts.call(session, USERS_ME_UPDATE, new JsonObject().put("status", new JsonObject().put("text", "Lunch")
        .put("expiresAt", Instant.now().plusSeconds(2).toString())));
    assertThat(accounts.call(session, USERS_ME, new JsonObject()).getJsonObject("user").getJsonObject("status"))
        .isNotNull();

    Thread.sleep(2500);
    assertThat(accounts.call(session, USERS_ME, new JsonObject()).getJsonObject("user").getValue("status")).isNull();
  }

  @Test
  @DisplayName("status null clears the status and leaves the display name as it was")
  void statusNullClears() {
    AccountsApi.Session session = accounts.register();
    accounts.call(session, USERS_ME_UPDATE, new JsonObject().put("status", new JsonObject().put("emoji", "🌴")));
    JsonObject user = accounts.call(session, USERS_ME_UPDATE, new JsonObject().putNull("status"))
        .getJsonObject("user");

    assertThat(user.getValue("status")).isNull();
    assertThat(user.getString("displayName")).isNotBlank();
  }

  @Test
  @DisplayName("a status text over 100 characters, an empty status, a past expiresAt or a sentence as emoji is "
      + "validation_failed naming the field")
  void invalidStatus() {
    AccountsApi.Session session = accounts.register();
    Map<String, JsonObject> cases = Map.of(
        "status.text", new JsonObject().put("text", "x".repeat(101)),
        "status", new JsonObject().put("text", " "),
        "status.expiresAt", new JsonObject().put("text", "Away").put("expiresAt", Instant.now().minusSeconds(60)
            .toString()),
        "status.emoji", new JsonObject().put("emoji", "not an emoji at all"));
    cases.forEach((field, status) -> assertThat(accounts.fails(ErrorCode.VALIDATION_FAILED, session,
        USERS_ME_UPDATE, new JsonObject().put("status", status)).details().getString("field")).as(field)
        .isEqualTo(field));
  }

  @Test
  @DisplayName("the time zone is an IANA zone, kept with the profile; an offset or an unknown zone is "
      + "validation_failed")
  void timeZone() {
    AccountsApi.Session session = accounts.register();
    assertThat(accounts.call(session, USERS_ME_UPDATE, new JsonObject().put("timeZone", "Europe/Berlin"))
        .getJsonObject("user").getString("timeZone")).isEqualTo("Europe/Berlin");
    for (String zone : List.of("+02:00", "Mars/Olympus")) {
      assertThat(accounts.fails(ErrorCode.VALIDATION_FAILED, session, USERS_ME_UPDATE,
          new JsonObject().put("timeZone", zone)).details().getString("field")).isEqualTo("timeZone");
    }
  }

  @Test
  @DisplayName("a changed profile is published to each workspace mate as user.updated on user.<id>")
  void workspaceMatesHearOfTheChange() throws Exception {
    AccountsApi.Session session = accounts.register();
    AccountsApi.Session other = accounts.register();
    accounts.shareWorkspace(session, other);
    CompletableFuture<JsonObject> heard = new CompletableFuture<>();
    MessageConsumer<Object> consumer = accounts.client().eventBus().consumer(Addresses.user(other.userId()),
        message -> heard.complete(Events.json(message.body())));
    consumer.rxCompletion().blockingAwait();
    try {
      accounts.call(session, USERS_ME_UPDATE, new JsonObject().put("status", new JsonObject().put("text", "Focus")));

      JsonObject event = heard.get(10, TimeUnit.SECONDS);
      assertThat(event.getString("type")).isEqualTo("user.updated");
      assertThat(event.getJsonObject("user").getString("id")).isEqualTo(session.userId());
      assertThat(event.getJsonObject("user").getJsonObject("status").getString("text")).isEqualTo("Focus");
      assertThat(event.getJsonObject("user").containsKey("email")).isFalse();
    } finally {
      consumer.rxUnregister().blockingAwait();
    }
  }

  @Test
  @DisplayName("a workspace mate's profile is public: no email")
  void publicProfile() {
    AccountsApi.Session session = accounts.register();
    AccountsApi.Session other = accounts.register();
    accounts.shareWorkspace(other, session);
    JsonObject user = accounts.call(session, USERS_GET, new JsonObject().put("userId", other.userId()))
        .getJsonObject("user");

    assertThat(user.fieldNames()).containsExactlyInAnyOrder("id", "username", "displayName", "avatarUrl", "kind",
        "createdAt", "status", "timeZone");
    assertThat(user.getString("username")).isEqualTo(other.username());
    assertThat(user.getValue("avatarUrl")).isNull();
  }

  @Test
  @DisplayName("an avatar set by uploads shows in the profile, and the next one answers the one it replaced")
  void avatarIsKeptWithTheProfile() {
    AccountsApi.Session session = accounts.register();
    String first = "/api/v1/avatars/" + UUID.randomUUID();
    String second = "/api/v1/avatars/" + UUID.randomUUID();

    JsonObject set = accounts.call(session, USERS_AVATAR_SET, new JsonObject().put("avatarUrl", first));
    assertThat(set.getJsonObject("user").getString("avatarUrl")).isEqualTo(first);
    assertThat(set.getValue("previousAvatarUrl")).isNull();

    JsonObject replaced = accounts.call(session, USERS_AVATAR_SET, new JsonObject().put("avatarUrl", second));
    assertThat(replaced.getString("previousAvatarUrl")).isEqualTo(first);
    assertThat(accounts.call(session, USERS_ME, new JsonObject()).getJsonObject("user").getString("avatarUrl"))
        .isEqualTo(second);

    JsonObject cleared = accounts.call(session, USERS_AVATAR_SET, new JsonObject().putNull("avatarUrl"));
    assertThat(cleared.getJsonObject("user").getValue("avatarUrl")).isNull();
    assertThat(cleared.getString("previousAvatarUrl")).isEqualTo(second);
  }

  @Test
  @DisplayName("an avatar URL that is not one of uploads' avatars is validation_failed")
  void avatarMustBeServedByUploads() {
    AccountsApi.Session session = accounts.register();
    for (String url : List.of("https://evil.example/a.png", "javascript:alert(1)", "/api/v1/avatars/../files/x")) {
      OcommsException failure = accounts.fails(ErrorCode.VALIDATION_FAILED, session, USERS_AVATAR_SET,
          new JsonObject().put("avatarUrl", url));
      assertThat(failure.details().getString("field")).as(url).isEqualTo("avatarUrl");
    }
    assertThat(accounts.call(session, USERS_ME, new JsonObject()).getJsonObject("user").getValue("avatarUrl"))
        .isNull();
  }

  @Test
  @DisplayName("the profile of a user who shares no workspace with the caller is not_found, as an unknown id's is")
  void strangerProfile() {
    AccountsApi.Session session = accounts.register();
    AccountsApi.Session stranger = accounts.register();
    AccountsApi.Session strangersMate = accounts.register();
    accounts.shareWorkspace(session);
    accounts.shareWorkspace(stranger, strangersMate);
    OcommsException hidden = accounts.fails(ErrorCode.NOT_FOUND, session, USERS_GET,
        new JsonObject().put("userId", stranger.userId()));
    OcommsException unknown = accounts.fails(ErrorCode.NOT_FOUND, session, USERS_GET,
        new JsonObject().put("userId", UUID.randomUUID().toString()));

    assertThat(hidden.getMessage()).isEqualTo(unknown.getMessage());
    assertThat(hidden.details()).isEqualTo(unknown.details());
  }

  @Test
  @DisplayName("one's own profile by id is answered, in no workspace at all")
  void ownProfileById() {
    AccountsApi.Session session = accounts.register();
    JsonObject user = accounts.call(session, USERS_GET, new JsonObject().put("userId", session.userId()))
        .getJsonObject("user");

    assertThat(user.getString("id")).isEqualTo(session.userId());
    assertThat(user.containsKey("email")).isFalse();
  }

  @Test
  @DisplayName("an unknown and a malformed user id are both not_found, with the same detail")
  void unknownUser() {
    AccountsApi.Session session = accounts.register();
    OcommsException unknown = accounts.fails(ErrorCode.NOT_FOUND, session, USERS_GET,
        new JsonObject().put("userId", UUID.randomUUID().toString()));
    OcommsException malformed = accounts.fails(ErrorCode.NOT_FOUND, session, USERS_GET,
        new JsonObject().put("userId", "not-a-uuid"));

    assertThat(malformed.getMessage()).isEqualTo(unknown.getMessage());
  }

  @Test
  @DisplayName("profiles by id: public profiles of the known ids; unknown and malformed ids are left out")
  void profilesById() {
    AccountsApi.Session ada = accounts.register();
    AccountsApi.Session bob = accounts.register();
    JsonArray users = accounts.call(USERS_PROFILES, new JsonObject().put("userIds",
        new JsonArray().add(ada.userId()).add(bob.userId()).add(UUID.randomUUID().toString()).add("nonsense")))
        .getJsonArray("users");

    assertThat(users.stream().map(user -> ((JsonObject) user).getString("id")))
        .containsExactlyInAnyOrder(ada.userId(), bob.userId());
    assertThat(users.stream().map(user -> ((JsonObject) user).containsKey("email"))).containsOnly(false);
  }

  @Test
  @DisplayName("users by username, in any case; unknown names are left out")
  void byUsername() {
    AccountsApi.Session ada = accounts.register();
    JsonArray users = accounts.call(USERS_BY_USERNAME, new JsonObject().put("usernames",
        new JsonArray().add(ada.username().toUpperCase(Locale.ROOT)).add("nobody_here"))).getJsonArray("users");

    assertThat(users).hasSize(1);
    assertThat(users.getJsonObject(0).getString("id")).isEqualTo(ada.userId());
  }

  @Test
  @DisplayName("a lookup without a list finds nobody rather than failing")
  void emptyLookup() {
    assertThat(accounts.call(USERS_PROFILES, new JsonObject()).getJsonArray("users")).isEmpty();
    assertThat(accounts.call(USERS_BY_USERNAME, new JsonObject()).getJsonArray("users")).isEmpty();
  }
}
