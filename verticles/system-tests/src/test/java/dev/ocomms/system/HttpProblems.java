package dev.ocomms.system;

import dev.ocomms.gateway.http.Problems;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** What every refused REST call must look like: an {@code application/problem+json} answer with a stable code. */
public final class HttpProblems {
  private HttpProblems() {
  }

  /** Asserts a problem answer with this status and code; returns its body. */
  public static JsonObject assertProblem(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as("status of %s", response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo(Problems.CONTENT_TYPE);
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("code")).isEqualTo(code);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("type")).isEqualTo("https://ocomms.dev/problems/" + code);
    assertThat(problem.getString("title")).isNotBlank();
    return problem;
  }
}
