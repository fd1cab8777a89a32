package dev.ocomms.system.http;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.gateway.http.Problems;
import dev.ocomms.testkit.TestSystem;
import io.reactivex.rxjava3.core.Flowable;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static dev.ocomms.testkit.TestSystem.API;
import static dev.ocomms.testkit.TestSystem.newRegistration;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The REST layer: contract, bodies, routing and problem documents")
class RestApiTest {
  private static TestSystem gateway;

  @BeforeAll
  static void start() {
    gateway = TestSystem.builder().deploy(AccountsVerticle::new).deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path) {
    return gateway.request(method, path).rxSend().blockingGet();
  }

  /** A 4xx problem document with a code from the catalogue: never a 500, never a bare text answer. */
  private static void assertClientProblem(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as("status of %s", response.bodyAsString()).isBetween(400, 499);
    assertThat(response.getHeader("Content-Type")).isEqualTo(Problems.CONTENT_TYPE);
    assertThat(response.bodyAsJsonObject().getString("code")).isNotBlank().isNotEqualTo("internal");
  }

  @Test
  @DisplayName("GET /api/v1/openapi.yaml serves the OpenAPI 3 contract")
  void servesContract() {
    HttpResponse<Buffer> response = send(HttpMethod.GET, API + "/openapi.yaml");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("application/yaml");
    assertThat(response.bodyAsString()).contains("openapi: 3").contains("operationId: register");
  }

  @Test
  @DisplayName("an unknown path under /api/v1 is a 404 not_found problem")
  void unknownApiPath() {
    assertProblem(send(HttpMethod.GET, API + "/no/such/thing"), 404, "not_found");
  }

  @Test
  @DisplayName("an unknown path outside the API is a 404 not_found problem")
  void unknownPath() {
    assertProblem(send(HttpMethod.GET, "/nothing-here"), 404, "not_found");
  }

  @Test
  @DisplayName("a wrong method on a known path is a 405 or 404 problem, never a 500")
  void wrongMethod() {
    for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE}) {
      HttpResponse<Buffer> response = send(method, API + "/auth/register");
      assertThat(response.statusCode()).as("%s /auth/register", method).isIn(404, 405);
      assertClientProblem(response);
    }
    HttpResponse<Buffer> response = send(HttpMethod.DELETE, API + "/users/me");
    assertThat(response.statusCode()).isIn(404, 405);
    assertClientProblem(response);
  }

  @Test
  @DisplayName("a body that is not JSON is a 400 malformed_json problem")
  void malformedJson() {
    assertProblem(gateway.postRaw("/auth/register", "application/json", Buffer.buffer("{\"email\": \"a@b.c\", ")),
        400, "malformed_json");
  }

  @Test
  @DisplayName("a JSON array where an object is expected is a 400 validation_failed")
  void jsonArrayBody() {
    assertProblem(gateway.postRaw("/auth/login", "application/json", Buffer.buffer("[1, 2, 3]")), 400,
        "validation_failed");
  }

  @Test
  @DisplayName("an empty JSON body on an operation that requires one is a 400 problem, never a 500")
  void emptyBody() {
    HttpResponse<Buffer> response = gateway.postRaw("/auth/login", "application/json", Buffer.buffer());
    assertThat(response.statusCode()).isEqualTo(400);
    assertClientProblem(response);
  }

  @Test
  @DisplayName("a POST without any body or content type on an operation that requires one is a 400 validation_failed")
  void noBodyAtAll() {
    assertProblem(send(HttpMethod.POST, API + "/auth/register"), 400, "validation_failed");
  }

  @Test
  @DisplayName("a body over 64 KB is a 413 payload_too_large problem")
  void bodyTooLarge() {
    JsonObject registration = newRegistration().put("displayName", "x".repeat(70 * 1024));
    assertProblem(gateway.postRaw("/auth/register", "application/json", registration.toBuffer()), 413,
        "payload_too_large");
  }

  @Test
  @DisplayName("a chunked body (no Content-Length) within the limit is read as usual")
  void chunkedBodyWithinLimit() {
    Buffer registration = newRegistration().toBuffer();
    Flowable<Buffer> chunks = Flowable.just(registration.slice(0, 10), registration.slice(10, registration.length()));
    HttpResponse<Buffer> response = gateway.request(HttpMethod.POST, API + "/auth/register")
        .putHeader("Content-Type", "application/json").rxSendStream(chunks).timeout(10, TimeUnit.SECONDS)
        .blockingGet();
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
  }

  @Test
  @DisplayName("a chunked body (no Content-Length) over 64 KB is a 413 payload_too_large problem")
  void chunkedBodyTooLarge() throws IOException {
    // A raw socket: what the server writes back, whatever a client library does with an early answer.
    try (Socket socket = new Socket("127.0.0.1", gateway.cluster().config(0).httpPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + API + "/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String chunk = "400\r\n" + "x".repeat(1024) + "\r\n";
      for (int i = 0; i < 80; i++) {
        out.write(chunk.getBytes(StandardCharsets.US_ASCII));
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String statusLine = in.readLine();
      StringBuilder head = new StringBuilder();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        head.append(line.toLowerCase(Locale.ROOT)).append('\n');
      }
      assertThat(statusLine).startsWith("HTTP/1.1 413");
      assertThat(head.toString()).contains("content-type: " + Problems.CONTENT_TYPE);
    }
  }

  @Test
  @DisplayName("a JSON body sent as text/plain is a 415 unsupported_media_type problem")
  void wrongContentType() {
    assertProblem(gateway.postRaw("/auth/register", "text/plain", newRegistration().toBuffer()), 415,
        "unsupported_media_type");
  }

  @Test
  @DisplayName("a form-encoded body is a 415 unsupported_media_type problem")
  void formBody() {
    assertProblem(gateway.postRaw("/auth/login", "application/x-www-form-urlencoded",
        Buffer.buffer("login=someone&password=secret")), 415, "unsupported_media_type");
  }

  @Test
  @DisplayName("a JSON body with a charset parameter in its content type is accepted")
  void jsonWithCharset() {
    HttpResponse<Buffer> response = gateway.postRaw("/auth/register", "application/json; charset=utf-8",
        newRegistration().toBuffer());
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
  }

  @Test
  @DisplayName("problem documents never carry a stack trace or exception class name")
  void noInternalsInProblems() {
    HttpResponse<Buffer> response = gateway.postRaw("/auth/register", "application/json", Buffer.buffer("{nope"));
    assertThat(response.bodyAsString()).doesNotContain("Exception").doesNotContain("\tat ");
  }
}
