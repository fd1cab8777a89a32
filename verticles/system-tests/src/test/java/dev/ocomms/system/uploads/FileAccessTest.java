package dev.ocomms.system.uploads;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import dev.ocomms.uploads.UploadsVerticle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import io.vertx.rxjava3.ext.web.multipart.MultipartForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static dev.ocomms.system.uploads.FileSharing.SANDBOX_CSP;
import static dev.ocomms.system.uploads.FileSharing.attachment;
import static dev.ocomms.system.uploads.FileSharing.get;
import static dev.ocomms.system.uploads.FileSharing.newMessage;
import static dev.ocomms.system.uploads.FileSharing.sendWithFiles;
import static dev.ocomms.testkit.bridge.Frames.eventOfType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may read a shared file, and how it is served: a file attached to a message in a chat is readable by the chat's
 * members (whole, by range, revalidated by ETag) and does not exist for anyone else; every file response keeps the
 * file from acting as a page of ours. Alice and Bob share a channel; Carol is in their workspace but not in it. The
 * node accepts SVG and HTML besides the default types, as an operator may configure it.
 */
@DisplayName("Reading shared files")
class FileAccessTest {
  private static TestSystem system;
  private Account alice;
  private Account bob;
  private Account carol;
  private String chatId;

  @BeforeAll
  static void start() {
    List<String> allowed = new ArrayList<>(OcommsConfig.DEFAULT_UPLOADS_ALLOWED_TYPES);
    // An operator may accept SVG and web pages; they are still never shown as pages of ours.
    allowed.addAll(List.of("image/svg+xml", "text/html"));
    system = TestSystem.builder()
        .configure(config -> config.with(Setting.UPLOADS_ALLOWED_TYPES, String.join(",", allowed)))
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(UploadsVerticle::new)
        .deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .start();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  @BeforeEach
  void aChannelOfAliceAndBob() {
    List<Account> users = system.register(3, 3);
    alice = users.get(0);
    bob = users.get(1);
    carol = users.get(2);
    String workspaceId = system.workspace(alice, List.of(bob, carol));
    chatId = system.channel(alice, workspaceId, "files-" + UUID.randomUUID().toString().substring(0, 8));
    system.joinChat(bob, chatId);
  }

  @AfterEach
  void closeClients() {
    system.closeClients();
  }

  /** A PNG of random pixels Alice uploaded and sent in the channel: the upload's {@code file}. */
  private JsonObject sharedPicture(Buffer png) {
    JsonObject file = system.uploaded(alice, "picture.png", png);
    sendWithFiles(system, 0, alice, chatId, "look", List.of(file.getString("id")));
    return file;
  }

  @Test
  @DisplayName("Someone not in the chat gets 404 for the file and its thumbnail, exactly as for an unknown file")
  void nonMemberGets404() {
    JsonObject file = sharedPicture(SampleFiles.noisyPng(120, 80, 1));

    HttpResponse<Buffer> download = get(system, 0, file.getString("url"), carol.token());
    HttpResponse<Buffer> thumbnail = get(system, 0, file.getString("thumbnailUrl"), carol.token());

    JsonObject refused = assertProblem(download, 404, "not_found");
    assertProblem(thumbnail, 404, "not_found");
    JsonObject unknown = assertProblem(get(system, 0, "/api/v1/files/" + UUID.randomUUID(), carol.token()), 404,
        "not_found");
    assertThat(refused).as("the answer for a file carol may not read").isEqualTo(unknown);
  }

  @Test
  @DisplayName("A file is its uploader's alone until a message carries it; then the chat's members read it")
  void fileIsTheUploadersUntilSent() {
    JsonObject file = system.uploaded(alice, "draft.png", SampleFiles.noisyPng(50, 50, 2));
    String url = file.getString("url");

    int bobBefore = get(system, 0, url, bob.token()).statusCode();
    int aliceBefore = get(system, 0, url, alice.token()).statusCode();
    sendWithFiles(system, 0, alice, chatId, "", List.of(file.getString("id")));
    int bobAfter = get(system, 0, url, bob.token()).statusCode();

    assertThat(List.of(aliceBefore, bobBefore, bobAfter)).as("alice before, bob before, bob after the message")
        .containsExactly(200, 404, 200);
  }

  @Test
  @DisplayName("A member removed from the chat no longer reads its files: 404")
  void removedMemberGets404() {
    JsonObject file = sharedPicture(SampleFiles.noisyPng(40, 40, 10));
    int whileMember = get(system, 0, file.getString("url"), bob.token()).statusCode();

    system.removeMember(alice, chatId, bob);

    assertThat(whileMember).as("bob's download while a member").isEqualTo(200);
    assertProblem(get(system, 0, file.getString("url"), bob.token()), 404, "not_found");
    assertProblem(get(system, 0, file.getString("thumbnailUrl"), bob.token()), 404, "not_found");
  }

  @Test
  @DisplayName("A member downloads the whole file: its bytes, detected type, caching headers, inline for a PNG")
  void memberDownloadsWholeFile() {
    Buffer png = SampleFiles.noisyPng(120, 80, 3);
    JsonObject file = sharedPicture(png);

    HttpResponse<Buffer> download = get(system, 0, file.getString("url"), bob.token());

    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).as("the bytes bob downloaded").isEqualTo(png);
    assertThat(download.getHeader("Content-Type")).isEqualTo("image/png");
    assertThat(download.getHeader("Content-Length")).isEqualTo(String.valueOf(png.length()));
    assertThat(download.getHeader("Accept-Ranges")).isEqualTo("bytes");
    assertThat(download.getHeader("Cache-Control")).isEqualTo("private, max-age=86400");
    assertThat(download.getHeader("ETag")).isNotBlank();
    assertThat(download.getHeader("Content-Disposition"))
        .isEqualTo("inline; filename=\"picture.png\"; filename*=UTF-8''picture.png");
  }

  @Test
  @DisplayName("Range: bytes=10-19 answers 206 with Content-Range and exactly those ten bytes")
  void rangeOfTenBytes() {
    Buffer png = SampleFiles.noisyPng(120, 80, 4);
    JsonObject file = sharedPicture(png);

    HttpResponse<Buffer> part = get(system, 0, file.getString("url"), bob.token(), "Range", "bytes=10-19");

    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.getHeader("Content-Range")).isEqualTo("bytes 10-19/" + png.length());
    assertThat(part.getHeader("Content-Length")).isEqualTo("10");
    assertThat(part.body()).isEqualTo(png.getBuffer(10, 20));
  }

  @Test
  @DisplayName("A range starting past the end answers 416 range_not_satisfiable with the file's size")
  void rangePastTheEnd() {
    Buffer png = SampleFiles.noisyPng(20, 20, 5);
    JsonObject file = sharedPicture(png);

    HttpResponse<Buffer> refused = get(system, 0, file.getString("url"), bob.token(),
        "Range", "bytes=" + png.length() + "-");

    assertProblem(refused, 416, "range_not_satisfiable");
    assertThat(refused.getHeader("Content-Range")).isEqualTo("bytes */" + png.length());
  }

  @Test
  @DisplayName("If-None-Match with the file's ETag answers 304 without a body, with the caching and safety headers")
  void etagRevalidates() {
    JsonObject file = sharedPicture(SampleFiles.noisyPng(60, 40, 6));
    String etag = get(system, 0, file.getString("url"), bob.token()).getHeader("ETag");

    HttpResponse<Buffer> again = get(system, 0, file.getString("url"), bob.token(), "If-None-Match", etag);

    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.getHeader("ETag")).isEqualTo(etag);
    assertThat(again.getHeader("Cache-Control")).isEqualTo("private, max-age=86400");
    assertThat(again.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(again.getHeader("Content-Security-Policy")).startsWith("sandbox");
    assertThat(again.body()).as("the body of the 304").isNull();
  }

  @Test
  @DisplayName("Every file response carries nosniff and the sandbox CSP: whole file, range, thumbnail")
  void everyFileResponseIsSandboxed() {
    JsonObject file = sharedPicture(SampleFiles.noisyPng(60, 40, 7));

    List<HttpResponse<Buffer>> responses = List.of(
        get(system, 0, file.getString("url"), bob.token()),
        get(system, 0, file.getString("url"), bob.token(), "Range", "bytes=0-9"),
        get(system, 0, file.getString("thumbnailUrl"), bob.token()));

    assertThat(responses).allSatisfy(response -> {
      assertThat(response.statusCode()).isIn(200, 206);
      assertThat(response.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(response.getHeader("Content-Security-Policy")).isEqualTo(SANDBOX_CSP);
    });
  }

  @Test
  @DisplayName("A PDF is served as an attachment, with nosniff and the sandbox CSP")
  void pdfIsAnAttachment() {
    JsonObject file = system.uploaded(alice, "report.pdf", SampleFiles.pdf());
    sendWithFiles(system, 0, alice, chatId, "the report", List.of(file.getString("id")));

    HttpResponse<Buffer> download = get(system, 0, file.getString("url"), bob.token());

    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.getHeader("Content-Type")).isEqualTo("application/pdf");
    assertThat(download.getHeader("Content-Disposition"))
        .isEqualTo("attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
    assertThat(download.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(download.getHeader("Content-Security-Policy")).isEqualTo(SANDBOX_CSP);
    assertThat(file.getValue("thumbnailUrl")).as("a PDF's thumbnailUrl").isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"logo.svg, image/svg+xml", "page.html, text/html"})
  @DisplayName("An SVG or a web page, where the operator allows them, is served only as an attachment, with nosniff "
      + "and the sandbox CSP, and has no thumbnail")
  void scriptableTypesAreOnlyAttachments(String name, String type) {
    Buffer bytes = name.endsWith(".svg") ? SampleFiles.svgWithScript() : SampleFiles.html();
    JsonObject file = system.uploaded(alice, name, bytes);
    sendWithFiles(system, 0, alice, chatId, "careful", List.of(file.getString("id")));

    HttpResponse<Buffer> download = get(system, 0, file.getString("url"), bob.token());

    assertThat(file.getString("type")).isEqualTo(type);
    assertThat(file.getValue("thumbnailUrl")).as("thumbnailUrl").isNull();
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(bytes);
    assertThat(download.getHeader("Content-Type")).isEqualTo(type);
    assertThat(download.getHeader("Content-Disposition")).startsWith("attachment;");
    assertThat(download.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(download.getHeader("Content-Security-Policy")).isEqualTo(SANDBOX_CSP);
    assertProblem(get(system, 0, file.getString("url") + "/thumbnail", bob.token()), 404, "not_found");
  }

  @Test
  @DisplayName("The chat's file list shows a sent file with its message to members, and is 404 to others")
  void chatFileList() {
    JsonObject file = system.uploaded(alice, "listed.png", SampleFiles.noisyPng(30, 20, 12));
    JsonObject message = sendWithFiles(system, 0, alice, chatId, "for the list", List.of(file.getString("id")));

    JsonObject list = system.expect(200, HttpMethod.GET, "/chats/" + chatId + "/files", bob.token(), null);

    assertThat(list.getJsonArray("files")).hasSize(1);
    JsonObject listed = list.getJsonArray("files").getJsonObject(0);
    assertThat(attachment(listed)).isEqualTo(attachment(file));
    assertThat(listed.getString("messageId")).isEqualTo(message.getString("id"));
    assertThat(listed.getString("senderId")).isEqualTo(alice.id());
    assertProblem(system.call(0, HttpMethod.GET, "/chats/" + chatId + "/files", carol.token(), null), 404,
        "not_found");
  }

  @Test
  @DisplayName("An upload for a chat the uploader is not in (?chatId=) is refused with 404 and not stored")
  void uploadForAChatOfOthersIsRefused() {
    HttpResponse<Buffer> refused = system.request(0, HttpMethod.POST, TestSystem.API + "/files?chatId=" + chatId)
        .bearerTokenAuthentication(carol.token())
        .rxSendMultipartForm(MultipartForm.create()
            .binaryFileUpload("file", "intruder.png", SampleFiles.png(10, 10), "image/png"))
        .timeout(TestSystem.WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet();

    assertProblem(refused, 404, "not_found");
    assertThat(FileSharing.limits(system, carol).getLong("usedBytes")).isZero();
  }

  @Test
  @DisplayName("A message whose fileIds name someone else's file is refused (400 validation_failed on fileIds) and "
      + "not stored; the file stays its uploader's")
  void someoneElsesFileCannotBeSent() {
    JsonObject alicesFile = system.uploaded(alice, "mine.png", SampleFiles.noisyPng(30, 30, 8));
    Set<String> before = system.messageIds(0, bob, chatId); // bob's join line

    HttpResponse<Buffer> refused = system.call(0, HttpMethod.POST, "/chats/" + chatId + "/messages", bob.token(),
        newMessage("look what I found", List.of(alicesFile.getString("id"))));

    JsonObject problem = assertProblem(refused, 400, "validation_failed");
    assertThat(problem.getString("field")).isEqualTo("fileIds");
    assertThat(system.messageIds(0, bob, chatId)).as("the chat's messages").isEqualTo(before);
    assertProblem(get(system, 0, alicesFile.getString("url"), bob.token()), 404, "not_found");
  }

  @Test
  @DisplayName("A message's attachments (id, name, type, size, width, height, url, thumbnailUrl) are in message.new, "
      + "in the history and in chat.sync")
  void attachmentsTravelWithTheMessage() {
    BridgeClient bobsBrowser = system.connect(0, Transport.RAW_WEBSOCKET).signedInAs(bob.token());
    bobsBrowser.listen(Addresses.chat(chatId));
    JsonObject picture = system.uploaded(alice, "picture.png", SampleFiles.noisyPng(64, 48, 9));
    JsonObject notes = system.uploaded(alice, "notes.txt", SampleFiles.text("minutes of the meeting\n"));
    JsonArray expected = new JsonArray().add(attachment(picture)).add(attachment(notes));

    JsonObject sent = sendWithFiles(system, 0, alice, chatId, "both files",
        List.of(picture.getString("id"), notes.getString("id")));

    assertThat(sent.getJsonArray("attachments")).as("the stored message's attachments").isEqualTo(expected);
    assertThat(sent.getJsonArray("fileIds")).isEqualTo(new JsonArray().add(picture.getString("id"))
        .add(notes.getString("id")));
    JsonObject event = bobsBrowser.await(eventOfType(Addresses.chat(chatId), "message.new"), TestSystem.WAIT)
        .getJsonObject("body");
    assertThat(event.getJsonObject("message")).as("the message in message.new").isEqualTo(sent);
    JsonObject history = system.expect(200, HttpMethod.GET, "/chats/" + chatId + "/messages", bob.token(), null);
    assertThat(history.getJsonArray("messages").getJsonObject(0)).as("the history's newest (after bob's join line)")
        .isEqualTo(sent);
    JsonObject synced = bobsBrowser.call(Addresses.CHAT_SYNC,
        new JsonObject().put("chats", new JsonObject().put(chatId, 0))).getJsonObject("chats").getJsonObject(chatId);
    assertThat(synced.getJsonObject("messages").getJsonObject(sent.getString("id")))
        .as("the message in chat.sync").isEqualTo(sent);
    assertThat(picture.getInteger("width")).isEqualTo(64);
    assertThat(notes.getValue("width")).isNull();
  }
}
