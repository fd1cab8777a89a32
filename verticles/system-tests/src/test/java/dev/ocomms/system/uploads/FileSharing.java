package dev.ocomms.system.uploads;

import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.Blocking;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpRequest;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import io.vertx.rxjava3.ext.web.multipart.MultipartForm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What this package's tests do with files as a browser does it (downloads with headers, avatars, messages carrying
 * files), and what they look at on the server's disk (the uploads directory's tree).
 */
final class FileSharing {
  /** The sandbox every file response carries (docs/protocol.md, "Files"). */
  static final String SANDBOX_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";
  /** A stored object's path under the uploads directory: {@code yyyy-mm/uuid}. */
  static final String STORED_OBJECT = "\\d{4}-\\d{2}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  private FileSharing() {
  }

  /**
   * A GET of {@code path} (absolute, such as {@code /api/v1/files/<id>}) through {@code node}, with the access token
   * if not null and the given header names and values: the answer, whatever its status.
   */
  static HttpResponse<Buffer> get(TestSystem system, int node, String path, String token, String... headers) {
    HttpRequest<Buffer> request = system.request(node, HttpMethod.GET, path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return request.rxSend().timeout(TestSystem.WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet();
  }

  /** {@code PUT /api/v1/users/me/avatar} as a browser sends it (part {@code file}): the answer. */
  static HttpResponse<Buffer> putAvatar(TestSystem system, Account account, String fileName, Buffer bytes) {
    return system.request(0, HttpMethod.PUT, TestSystem.API + "/users/me/avatar")
        .bearerTokenAuthentication(account.token())
        .rxSendMultipartForm(MultipartForm.create().binaryFileUpload("file", fileName, bytes, "image/png"))
        .timeout(TestSystem.WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet();
  }

  /**
   * {@code POST /api/v1/files} with a multipart body written byte by byte, whose file part's
   * {@code Content-Disposition} carries {@code fileNameParameter} as given (such as an RFC 8187
   * {@code filename*=UTF-8''...} with encoded line breaks, which no form encoder writes): the answer.
   */
  static HttpResponse<Buffer> uploadNamed(TestSystem system, Account uploader, String fileNameParameter,
                                          Buffer bytes) {
    String boundary = "----ocomms-" + UUID.randomUUID();
    Buffer body = Buffer.buffer()
        .appendString("--" + boundary + "\r\n"
            + "Content-Disposition: form-data; name=\"file\"; " + fileNameParameter + "\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n", StandardCharsets.US_ASCII.name())
        .appendBuffer(bytes)
        .appendString("\r\n--" + boundary + "--\r\n", StandardCharsets.US_ASCII.name());
    return system.request(0, HttpMethod.POST, TestSystem.API + "/files")
        .bearerTokenAuthentication(uploader.token())
        .putHeader("Content-Type", "multipart/form-data; boundary=" + boundary)
        .rxSendBuffer(body)
        .timeout(TestSystem.WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet();
  }

  /** {@code GET /api/v1/files/limits} of {@code account}. */
  static JsonObject limits(TestSystem system, Account account) {
    return system.expect(200, HttpMethod.GET, "/files/limits", account.token(), null);
  }

  /** A message carrying these files, sent through {@code node}; the stored message. */
  static JsonObject sendWithFiles(TestSystem system, int node, Account sender, String chatId, String content,
                                  List<String> fileIds) {
    HttpResponse<Buffer> response = system.call(node, HttpMethod.POST, "/chats/" + chatId + "/messages",
        sender.token(), newMessage(content, fileIds));
    assertThat(response.statusCode()).as("send with files: %s", response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  static JsonObject newMessage(String content, List<String> fileIds) {
    return new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", content)
        .put("fileIds", new JsonArray(fileIds));
  }

  /** What a message says of one of its files: the upload's answer without uploader and time. */
  static JsonObject attachment(JsonObject file) {
    JsonObject attachment = new JsonObject();
    for (String field : List.of("id", "name", "type", "size", "width", "height", "url", "thumbnailUrl")) {
      attachment.put(field, file.getValue(field));
    }
    return attachment;
  }

  // The server's disk

  /** Every file and directory under {@code root}, as paths relative to it with {@code /}; empty if it is missing. */
  static SortedSet<String> tree(Path root) {
    SortedSet<String> paths = new TreeSet<>();
    if (!Files.exists(root)) {
      return paths;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(path -> !path.equals(root))
          .forEach(path -> paths.add(root.relativize(path).toString().replace('\\', '/')));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return paths;
  }

  /** The stored objects ({@code yyyy-mm/uuid} files) under an uploads directory. */
  static SortedSet<String> storedObjects(Path uploadsDir) {
    SortedSet<String> objects = new TreeSet<>(tree(uploadsDir));
    objects.removeIf(path -> !path.matches(STORED_OBJECT));
    return objects;
  }

  /**
   * Waits until the tree under {@code root} is {@code expected}: an answer is sent before the server has removed the
   * temporary files of its request. Fails showing the difference if it is not so within {@link TestSystem#WAIT}.
   */
  static void awaitTree(Path root, SortedSet<String> expected) {
    long deadline = System.nanoTime() + TestSystem.WAIT.toNanos();
    while (!tree(root).equals(expected) && System.nanoTime() < deadline) {
      Blocking.pause(20);
    }
    assertThat(tree(root)).as("the files and directories under %s", root).containsExactlyElementsOf(expected);
  }
}
