package dev.ocomms.system.uploads;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.uploads.UploadsVerticle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static dev.ocomms.system.uploads.FileSharing.STORED_OBJECT;
import static dev.ocomms.system.uploads.FileSharing.awaitTree;
import static dev.ocomms.system.uploads.FileSharing.get;
import static dev.ocomms.system.uploads.FileSharing.limits;
import static dev.ocomms.system.uploads.FileSharing.storedObjects;
import static dev.ocomms.system.uploads.FileSharing.tree;
import static dev.ocomms.system.uploads.FileSharing.uploadNamed;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/v1/files} through the gateway of a node running accounts, messaging, uploads (local storage) and
 * the gateway: what is accepted, what is refused, and that a refused upload leaves nothing behind. The node's limits
 * are made small so that they are reached with small files: {@value #MAX_BYTES} bytes a file, a quota of 1 MB.
 */
@DisplayName("Uploading files")
class UploadsTest {
  private static final int MAX_BYTES = 200_000;
  private static final long QUOTA_BYTES = 1024 * 1024;
  private static TestSystem system;
  private static Path uploadsDir;

  @BeforeAll
  static void start() {
    system = TestSystem.builder()
        .configure(config -> config.with(Setting.UPLOADS_MAX_BYTES, MAX_BYTES).with(Setting.UPLOADS_QUOTA_MB, 1))
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(UploadsVerticle::new)
        .deploy(GatewayVerticle::new)
        .start();
    uploadsDir = Path.of(system.cluster().config(0).uploadsDir());
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  @Test
  @DisplayName("A PNG is accepted (201) with its detected type and size, and its thumbnail is at most 400 px")
  void pngIsAccepted() {
    Account alice = system.register();
    Buffer png = SampleFiles.png(800, 500);

    HttpResponse<Buffer> response = system.upload(0, alice, "holiday.png", png);

    assertThat(response.statusCode()).as("upload: %s", response.bodyAsString()).isEqualTo(201);
    JsonObject file = response.bodyAsJsonObject().getJsonObject("file");
    String id = file.getString("id");
    assertThat(file.copy().put("id", "ID").put("createdAt", "T")).isEqualTo(new JsonObject()
        .put("id", "ID").put("name", "holiday.png").put("type", "image/png").put("size", png.length())
        .put("width", 800).put("height", 500).put("url", "/api/v1/files/" + id)
        .put("thumbnailUrl", "/api/v1/files/" + id + "/thumbnail").put("uploaderId", alice.id()).put("createdAt", "T"));
    HttpResponse<Buffer> thumbnail = get(system, 0, file.getString("thumbnailUrl"), alice.token());
    assertThat(thumbnail.statusCode()).isEqualTo(200);
    assertThat(thumbnail.getHeader("Content-Type")).isEqualTo("image/png");
    BufferedImage image = SampleFiles.decode(thumbnail.body());
    assertThat(List.of(image.getWidth(), image.getHeight())).as("the thumbnail's size").containsExactly(400, 250);
  }

  @Test
  @DisplayName("A web page named .png is refused: 415 file_type_mismatch, naming what it is and what the name claims")
  void htmlNamedPngIsRefused() {
    Account alice = system.register();

    JsonObject problem = assertProblem(system.upload(0, alice, "cat.png", SampleFiles.html()), 415,
        "unsupported_media_type");

    assertThat(problem.getString("reason")).isEqualTo("file_type_mismatch");
    assertThat(problem.getString("detected")).isEqualTo("text/html");
    assertThat(problem.getString("claimed")).isEqualTo("image/png");
    assertThat(limits(system, alice).getLong("usedBytes")).as("bytes alice's files take").isZero();
  }

  @Test
  @DisplayName("An SVG with a script, named .png, is refused: 415 file_type_mismatch")
  void svgWithScriptNamedPngIsRefused() {
    Account alice = system.register();

    JsonObject problem = assertProblem(system.upload(0, alice, "logo.png", SampleFiles.svgWithScript()), 415,
        "unsupported_media_type");

    assertThat(problem.getString("reason")).isEqualTo("file_type_mismatch");
    assertThat(problem.getString("detected")).isEqualTo("image/svg+xml");
    assertThat(problem.getString("claimed")).isEqualTo("image/png");
    assertThat(limits(system, alice).getLong("usedBytes")).as("bytes alice's files take").isZero();
  }

  @Test
  @DisplayName("An SVG under its own name is refused too: 415 file_type_not_allowed, listing the accepted types")
  void svgIsNotAllowed() {
    Account alice = system.register();

    JsonObject problem = assertProblem(system.upload(0, alice, "logo.svg", SampleFiles.svgWithScript()), 415,
        "unsupported_media_type");

    assertThat(problem.getString("reason")).isEqualTo("file_type_not_allowed");
    assertThat(problem.getString("detected")).isEqualTo("image/svg+xml");
    assertThat(problem.getJsonArray("allowed")).contains("image/png", "application/pdf", "text/plain")
        .doesNotContain("image/svg+xml", "text/html");
  }

  static Stream<Arguments> pathTraversalNames() {
    return Stream.of(
        Arguments.of("../../etc/passwd.png", "filename=\"../../etc/passwd.png\"", "passwd.png"),
        Arguments.of("..\\..\\x.png", "filename=\"..\\..\\x.png\"", "x.png"),
        // RFC 8187's filename* carries line breaks past the multipart parser, as a hand-made request can.
        Arguments.of("../../etc/report<CR><LF>final<LF>.png",
            "filename*=UTF-8''..%2F..%2Fetc%2Freport%0D%0Afinal%0A.png", "reportfinal.png"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pathTraversalNames")
  @DisplayName("A file name with a path or line breaks is harmless: the name kept is its last segment without "
      + "control characters, and nothing is written outside the uploads directory")
  void pathTraversalNameIsHarmless(String description, String fileNameParameter, String keptName) {
    Account alice = system.register();
    // Every test node's uploads directory is in one temporary directory: a climb out of one lands in it.
    Path allUploads = uploadsDir.getParent();
    SortedSet<String> before = tree(allUploads);

    HttpResponse<Buffer> response = uploadNamed(system, alice, fileNameParameter, SampleFiles.png(40, 30));

    assertThat(response.statusCode()).as("upload: %s", response.bodyAsString()).isEqualTo(201);
    JsonObject file = response.bodyAsJsonObject().getJsonObject("file");
    assertThat(file.getString("name")).isEqualTo(keptName);
    awaitTree(uploadsDir.resolve(".incoming"), new TreeSet<>());
    SortedSet<String> added = new TreeSet<>(tree(allUploads));
    added.removeAll(before);
    String node = uploadsDir.getFileName().toString();
    assertThat(added).as("what the upload added").isNotEmpty().allSatisfy(path -> assertThat(path)
        .matches(node + "/(\\d{4}-\\d{2}|" + STORED_OBJECT + ")"));
    assertThat(added.stream().filter(path -> path.matches(node + "/" + STORED_OBJECT)))
        .as("stored objects added: the file and its thumbnail").hasSize(2);
    HttpResponse<Buffer> download = get(system, 0, file.getString("url"), alice.token());
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.getHeader("Content-Disposition")).startsWith("inline; filename=\"" + keptName + "\";");
  }

  @Test
  @DisplayName("GET /files/limits tells the configured limits and what the caller's files take")
  void limitsAreTold() {
    Account alice = system.register();
    system.uploaded(alice, "notes.txt", SampleFiles.text(1_234));

    JsonObject limits = limits(system, alice);

    assertThat(limits.copy().put("allowedTypes", new JsonArray())).isEqualTo(new JsonObject()
        .put("maxBytes", MAX_BYTES).put("avatarMaxBytes", 2 * 1024 * 1024).put("allowedTypes", new JsonArray())
        .put("quotaBytes", QUOTA_BYTES).put("usedBytes", 1_234).put("uploadsPerMinute", 10));
    assertThat(limits.getJsonArray("allowedTypes")).contains("image/jpeg", "image/png", "image/gif", "image/webp",
        "application/pdf", "text/plain", "application/zip");
  }

  /**
   * How an upload's body is framed: as browsers send a form (its {@code Content-Length} known up front), or streamed in
   * chunks of unknown total length (as Vert.x's form encoder sends it). The server checks each differently.
   */
  enum Framing {
    WITH_CONTENT_LENGTH, CHUNKED;

    HttpResponse<Buffer> upload(Account uploader, String fileName, Buffer bytes) {
      return this == CHUNKED ? system.upload(0, uploader, fileName, bytes)
          : uploadNamed(system, uploader, "filename=\"" + fileName + "\"", bytes);
    }
  }

  static Stream<Arguments> oversizeUploads() {
    return Stream.of(
        // Read to the end of the part, which is found too large.
        Arguments.of(Framing.WITH_CONTENT_LENGTH, MAX_BYTES + 1),
        // Refused from its Content-Length before a byte of it is read.
        Arguments.of(Framing.WITH_CONTENT_LENGTH, 4 * MAX_BYTES),
        Arguments.of(Framing.CHUNKED, MAX_BYTES + 1),
        // Cut off where the body passes the limit.
        Arguments.of(Framing.CHUNKED, 4 * MAX_BYTES));
  }

  @ParameterizedTest(name = "{0}, {1} bytes")
  @MethodSource("oversizeUploads")
  @DisplayName("An upload over the size limit gets 413 upload_too_large with the limit, and leaves no file, "
      + "temporary or stored, and no record behind")
  void oversizeUploadLeavesNothing(Framing framing, int size) {
    Account alice = system.register();
    SortedSet<String> before = tree(uploadsDir);

    JsonObject problem = assertProblem(framing.upload(alice, "big.txt", SampleFiles.text(size)), 413,
        "payload_too_large");

    assertThat(problem.getString("reason")).isEqualTo("upload_too_large");
    assertThat(problem.getLong("limitBytes")).isEqualTo(MAX_BYTES);
    awaitTree(uploadsDir, before);
    assertThat(limits(system, alice).getLong("usedBytes")).as("bytes alice's files take").isZero();
  }

  @ParameterizedTest
  @EnumSource(Framing.class)
  @DisplayName("A file of exactly the size limit is accepted")
  void fileOfTheLimitIsAccepted(Framing framing) {
    Account alice = system.register();

    HttpResponse<Buffer> response = framing.upload(alice, "just-fits.txt", SampleFiles.text(MAX_BYTES));

    assertThat(response.statusCode()).as("upload: %s", response.bodyAsString()).isEqualTo(201);
    JsonObject file = response.bodyAsJsonObject().getJsonObject("file");
    assertThat(file.getLong("size")).isEqualTo(MAX_BYTES);
    assertThat(file.getString("type")).isEqualTo("text/plain");
  }

  static Stream<Arguments> uploadsPastTheQuota() {
    return Stream.of(
        // Its Content-Length fits, so it is stored; recording it finds the quota passed, and the bytes go again.
        Arguments.of(Framing.WITH_CONTENT_LENGTH, MAX_BYTES / 2),
        // Its Content-Length alone passes the quota: refused before it is read.
        Arguments.of(Framing.WITH_CONTENT_LENGTH, MAX_BYTES),
        // Of unknown length: stored, then found past the quota, and removed.
        Arguments.of(Framing.CHUNKED, MAX_BYTES / 2));
  }

  @ParameterizedTest(name = "{0}, {1} bytes")
  @MethodSource("uploadsPastTheQuota")
  @DisplayName("An upload that would take the uploader past the quota gets 413 quota_exceeded with the quota and "
      + "what is used, and leaves no stored bytes behind")
  void quotaExceeded(Framing framing, int size) {
    Account alice = system.register();
    for (int i = 0; i < 5; i++) {
      system.uploaded(alice, "part-" + i + ".txt", SampleFiles.text(MAX_BYTES));
    }
    SortedSet<String> objectsBefore = storedObjects(uploadsDir);

    JsonObject problem = assertProblem(framing.upload(alice, "one-more.txt", SampleFiles.text(size)), 413,
        "payload_too_large");

    assertThat(problem.getString("reason")).isEqualTo("quota_exceeded");
    assertThat(problem.getLong("quotaBytes")).isEqualTo(QUOTA_BYTES);
    assertThat(problem.getLong("usedBytes")).isEqualTo(5L * MAX_BYTES);
    assertThat(limits(system, alice).getLong("usedBytes")).isEqualTo(5L * MAX_BYTES);
    awaitTree(uploadsDir.resolve(".incoming"), new TreeSet<>());
    assertThat(storedObjects(uploadsDir)).as("stored objects").isEqualTo(objectsBefore);
  }

  @Test
  @DisplayName("The 11th upload within a minute is refused with 429 rate_limited and Retry-After, and not stored")
  void eleventhUploadInAMinuteIsRateLimited() {
    Account alice = system.register();
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      statuses.add(system.upload(0, alice, "note-" + i + ".txt", SampleFiles.text(100)).statusCode());
    }

    HttpResponse<Buffer> eleventh = system.upload(0, alice, "note-10.txt", SampleFiles.text(100));

    assertThat(statuses).as("the first ten").containsOnly(201);
    JsonObject problem = assertProblem(eleventh, 429, "rate_limited");
    assertThat(problem.getInteger("retryAfter")).isPositive();
    assertThat(eleventh.getHeader("Retry-After")).isEqualTo(String.valueOf(problem.getInteger("retryAfter")));
    assertThat(limits(system, alice).getLong("usedBytes")).isEqualTo(10 * 100L);
    assertThat(system.upload(0, system.register(), "note.txt", SampleFiles.text(100)).statusCode())
        .as("another user's upload meanwhile").isEqualTo(201);
  }

  @Test
  @DisplayName("Avatars count toward the same limit: after 10 uploads within a minute, an avatar is refused with 429")
  void avatarsShareTheUploadRate() {
    Account alice = system.register();
    for (int i = 0; i < 10; i++) {
      system.uploaded(alice, "note-" + i + ".txt", SampleFiles.text(100));
    }

    HttpResponse<Buffer> avatar = FileSharing.putAvatar(system, alice, "me.png", SampleFiles.png(64, 64));

    assertProblem(avatar, 429, "rate_limited");
    assertThat(system.expect(200, HttpMethod.GET, "/users/me", alice.token(), null).getJsonObject("user")
        .getValue("avatarUrl")).as("alice's avatarUrl").isNull();
  }
}
