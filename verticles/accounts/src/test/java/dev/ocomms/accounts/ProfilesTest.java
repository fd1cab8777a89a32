package dev.ocomms.accounts;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
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
  @DisplayName("a workspace mate's profile is public: no email")
  void publicProfile() {
    AccountsApi.Session session = accounts.register();
    AccountsApi.Session other = accounts.register();
    accounts.shareWorkspace(other, session);
    JsonObject user = accounts.call(session, USERS_GET, new JsonObject().put("userId", other.userId()))
        .getJsonObject("user");

    assertThat(user.fieldNames()).containsExactlyInAnyOrder("id", "username", "displayName", "avatarUrl", "kind",
        "createdAt");
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
