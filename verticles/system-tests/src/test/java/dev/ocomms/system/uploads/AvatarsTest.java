package dev.ocomms.system.uploads;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.uploads.UploadsVerticle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static dev.ocomms.system.uploads.FileSharing.SANDBOX_CSP;
import static dev.ocomms.system.uploads.FileSharing.get;
import static dev.ocomms.system.uploads.FileSharing.putAvatar;
import static dev.ocomms.system.uploads.SampleFiles.colorAt;
import static dev.ocomms.system.uploads.SampleFiles.near;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Avatars through the gateway of a node running accounts, messaging, uploads and the gateway: set from an image,
 * cropped to its centre square of 256 px, served without a token, shown on profiles, and removed.
 */
@DisplayName("Avatars")
class AvatarsTest {
  private static final String AVATAR_URL =
      "/api/v1/avatars/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  private static TestSystem system;

  @BeforeAll
  static void start() {
    system = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(UploadsVerticle::new)
        .deploy(GatewayVerticle::new)
        .start();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  /** Sets an avatar that must be accepted; its URL. */
  private static String avatarOf(Account account, Buffer image) {
    HttpResponse<Buffer> response = putAvatar(system, account, "me.png", image);
    assertThat(response.statusCode()).as("PUT avatar: %s", response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getJsonObject("user").getString("avatarUrl");
  }

  private static JsonObject profile(Account reader, Account user) {
    return system.expect(200, HttpMethod.GET, "/users/" + user.id(), reader.token(), null).getJsonObject("user");
  }

  @Test
  @DisplayName("PUT /users/me/avatar with a wide PNG answers 200 {user} with an avatarUrl")
  void putAvatarSetsUrl() {
    Account alice = system.register();

    HttpResponse<Buffer> response = putAvatar(system, alice, "me.png", SampleFiles.png(600, 300, 150));

    assertThat(response.statusCode()).as("PUT avatar: %s", response.bodyAsString()).isEqualTo(200);
    JsonObject user = response.bodyAsJsonObject().getJsonObject("user");
    assertThat(user.getString("id")).isEqualTo(alice.id());
    assertThat(user.getString("avatarUrl")).matches(AVATAR_URL);
  }

  @Test
  @DisplayName("The avatar is served without a token: the image's centre square at 256 × 256, cached as immutable")
  void avatarIsCentreSquare() {
    Account alice = system.register();
    // 600 × 300: the centre square is the red and blue middle; the green margins fall outside it.
    String url = avatarOf(alice, SampleFiles.png(600, 300, 150));

    HttpResponse<Buffer> served = get(system, 0, url, null);

    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.getHeader("Content-Type")).isEqualTo("image/png");
    assertThat(served.getHeader("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
    assertThat(served.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(served.getHeader("Content-Security-Policy")).isEqualTo(SANDBOX_CSP);
    BufferedImage image = SampleFiles.decode(served.body());
    assertThat(List.of(image.getWidth(), image.getHeight())).as("the avatar's size").containsExactly(256, 256);
    assertThat(near(colorAt(image, 2, 128), SampleFiles.LEFT)).as("left edge is the middle's left half: %s",
        colorAt(image, 2, 128)).isTrue();
    assertThat(near(colorAt(image, 253, 128), SampleFiles.RIGHT)).as("right edge is the middle's right half: %s",
        colorAt(image, 253, 128)).isTrue();
  }

  @Test
  @DisplayName("The profile shows the avatar, to its owner and to a member of a shared workspace")
  void profileShowsAvatar() {
    Account alice = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(bob));

    String url = avatarOf(alice, SampleFiles.png(300, 300));

    assertThat(system.expect(200, HttpMethod.GET, "/users/me", alice.token(), null).getJsonObject("user")
        .getString("avatarUrl")).as("alice's own profile").isEqualTo(url);
    assertThat(profile(bob, alice).getString("avatarUrl")).as("alice's profile as bob sees it").isEqualTo(url);
  }

  @Test
  @DisplayName("A PDF as avatar is refused: 415 file_type_not_allowed, and the profile keeps no avatar")
  void pdfIsRefused() {
    Account alice = system.register();

    HttpResponse<Buffer> response = putAvatar(system, alice, "me.pdf", SampleFiles.pdf());

    JsonObject problem = assertProblem(response, 415, "unsupported_media_type");
    assertThat(problem.getString("reason")).isEqualTo("file_type_not_allowed");
    assertThat(problem.getString("detected")).isEqualTo("application/pdf");
    assertThat(profile(alice, alice).getValue("avatarUrl")).isNull();
  }

  @Test
  @DisplayName("An avatar over 2 MB is refused: 413 upload_too_large with the limit")
  void oversizeAvatarIsRefused() {
    Account alice = system.register();

    HttpResponse<Buffer> response = putAvatar(system, alice, "me.png", SampleFiles.text(2 * 1024 * 1024 + 100_000));

    JsonObject problem = assertProblem(response, 413, "payload_too_large");
    assertThat(problem.getString("reason")).isEqualTo("upload_too_large");
    assertThat(problem.getLong("limitBytes")).isEqualTo(2 * 1024 * 1024);
    assertThat(profile(alice, alice).getValue("avatarUrl")).isNull();
  }

  @Test
  @DisplayName("DELETE /users/me/avatar answers the user with avatarUrl null, and the image is gone")
  void deleteClearsAvatar() {
    Account alice = system.register();
    String url = avatarOf(alice, SampleFiles.png(100, 100));

    JsonObject user = system.expect(200, HttpMethod.DELETE, "/users/me/avatar", alice.token(), null)
        .getJsonObject("user");

    assertThat(user.containsKey("avatarUrl")).isTrue();
    assertThat(user.getValue("avatarUrl")).isNull();
    assertThat(profile(alice, alice).getValue("avatarUrl")).isNull();
    assertProblem(get(system, 0, url, null), 404, "not_found");
  }

  @Test
  @DisplayName("A new avatar replaces the old one, whose URL then answers 404")
  void newAvatarReplacesOld() {
    Account alice = system.register();
    String first = avatarOf(alice, SampleFiles.png(100, 100));

    String second = avatarOf(alice, SampleFiles.png(120, 120));

    assertThat(second).isNotEqualTo(first);
    assertThat(profile(alice, alice).getString("avatarUrl")).isEqualTo(second);
    assertProblem(get(system, 0, first, null), 404, "not_found");
    assertThat(get(system, 0, second, null).statusCode()).isEqualTo(200);
  }
}
