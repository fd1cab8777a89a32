package dev.ocomms.search;

import dev.ocomms.gateway.http.Problems;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a search answered, over REST or the bridge, in one shape: the status (the HTTP status, or an {@code err}
 * frame's failureCode, 200 for a {@code rec}) and the body (the answer, or the error's problem document / the
 * {@code err} frame's body, both carrying {@code code}, {@code detail} and the error's fields).
 */
record Answer(Via via, int status, JsonObject body, String raw) {

  /** Where a search is asked. */
  enum Via { REST, BRIDGE }

  static Answer of(HttpResponse<Buffer> response) {
    String text = response.bodyAsString();
    if (response.statusCode() >= 400) {
      assertThat(response.getHeader("Content-Type")).as("an error is a problem document: %s", text)
          .isEqualTo(Problems.CONTENT_TYPE);
      if (response.statusCode() == 429) {
        assertThat(response.getHeader("Retry-After")).as("429 carries Retry-After").isNotBlank();
      }
    }
    JsonObject body;
    try {
      body = text == null ? new JsonObject() : new JsonObject(text);
    } catch (RuntimeException notJson) {
      body = new JsonObject();
    }
    return new Answer(Via.REST, response.statusCode(), body, text);
  }

  static Answer of(JsonObject frame) {
    if ("err".equals(frame.getString("type"))) {
      JsonObject body = frame.getJsonObject("body", new JsonObject());
      assertThat(frame.getString("message")).as("an err frame's message is its code: %s", frame)
          .isEqualTo(body.getString("code"));
      return new Answer(Via.BRIDGE, frame.getInteger("failureCode"), body, frame.encode());
    }
    return new Answer(Via.BRIDGE, 200, frame.getJsonObject("body"), frame.encode());
  }

  /** The results of a successful answer. */
  List<JsonObject> results() {
    assertThat(status).as("search over %s: %s", via, raw).isEqualTo(200);
    assertThat(body.getValue("results")).as("results of %s", raw).isInstanceOf(io.vertx.core.json.JsonArray.class);
    return body.getJsonArray("results").stream().map(JsonObject.class::cast).toList();
  }

  /** The ids of the message results, in the order given. */
  List<String> messageIds() {
    return results().stream().map(result -> {
      assertThat(result.getString("type")).as("a messages result: %s", result).isEqualTo("message");
      return result.getString("messageId");
    }).toList();
  }

  String nextCursor() {
    return body.getString("nextCursor");
  }

  /** Asserts an error with this status and code; its body (with {@code field}, {@code operator}, {@code reason} …). */
  JsonObject error(int expectedStatus, String code) {
    assertThat(status).as("status over %s of %s", via, raw).isEqualTo(expectedStatus);
    assertThat(body.getString("code")).as("code over %s of %s", via, raw).isEqualTo(code);
    assertThat(body.getString("detail")).as("detail over %s of %s", via, raw).isNotBlank();
    return body;
  }

  /** Asserts {@code 400 validation_failed} naming {@code field}; the error's body. */
  JsonObject invalid(String field) {
    JsonObject error = error(400, "validation_failed");
    assertThat(error.getString("field")).as("field over %s of %s", via, raw).isEqualTo(field);
    return error;
  }

  @Override
  public String toString() {
    return via + " " + status + " " + raw;
  }
}
