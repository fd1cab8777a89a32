package dev.ocomms.gateway.web;

import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The gateway serves the web client")
class WebClientRoutesTest {
  private static TestSystem system;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    system = TestSystem.builder().deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(system.baseUrl() + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void the_page_is_served_at_the_root_with_a_policy_that_allows_only_its_own_scripts() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
        .startsWith("text/html"));
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
    String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(policy).contains("default-src 'self'", "style-src 'self'", "connect-src 'self'",
        "object-src 'none'", "frame-ancestors 'none'").doesNotContain("unsafe-inline", "unsafe-eval");

    Matcher importMap = Pattern.compile("<script type=\"importmap\">(.*?)</script>", Pattern.DOTALL)
        .matcher(page.body());
    assertThat(importMap.find()).as("index.html has an import map").isTrue();
    String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
        .digest(importMap.group(1).getBytes(StandardCharsets.UTF_8)));
    assertThat(policy).contains("script-src 'self' 'sha256-" + hash + "'");
  }

  @Test
  void every_library_of_the_import_map_comes_from_a_webjar_as_javascript() throws Exception {
    String body = get("/").body();
    Matcher importMap = Pattern.compile("<script type=\"importmap\">(.*?)</script>", Pattern.DOTALL).matcher(body);
    assertThat(importMap.find()).isTrue();
    JsonObject imports = new JsonObject(importMap.group(1)).getJsonObject("imports");
    assertThat(imports.fieldNames()).contains("preact", "preact/hooks", "marked", "dompurify");
    for (String name : imports.fieldNames()) {
      String url = imports.getString(name);
      HttpResponse<String> library = get(url);
      assertThat(library.statusCode()).as(url).isEqualTo(200);
      assertThat(library.headers().firstValue("Content-Type").orElse("")).as(url).contains("javascript");
      assertThat(library.headers().firstValue("Cache-Control").orElse("")).as(url).contains("max-age=31536000");
    }
    assertThat(get("/webjars/sockjs-client/1.6.1/dist/sockjs.min.js").statusCode()).isEqualTo(200);
  }

  @Test
  void our_own_modules_are_served_and_everything_else_is_still_the_api_or_a_404_problem() throws Exception {
    HttpResponse<String> main = get("/js/main.js");
    assertThat(main.statusCode()).isEqualTo(200);
    assertThat(main.headers().firstValue("Content-Type").orElse("")).contains("javascript");
    assertThat(get("/css/app.css").headers().firstValue("Content-Type").orElse("")).contains("text/css");

    HttpResponse<String> missing = get("/no/such/file.js");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(get("/webjars/").statusCode()).as("no directory listings").isEqualTo(404);
    assertThat(get("/health").statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/users/me").statusCode()).isEqualTo(401);
  }
}
