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
import java.util.List;
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

  private static HttpResponse<byte[]> getBytes(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(system.baseUrl() + path))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Every URL the page names in an src or href attribute. */
  private static List<String> urlsOf(String page) {
    return Pattern.compile("\\s(?:src|href)=\"([^\"]*)\"").matcher(page).results()
        .map(url -> url.group(1)).toList();
  }

  /** The version the page puts its own files under. */
  private static String versionOf(String page) {
    Matcher versioned = Pattern.compile("src=\"/v/([^/\"]+)/js/main\\.js\"").matcher(page);
    assertThat(versioned.find()).as("the page loads main.js under a version").isTrue();
    return versioned.group(1);
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
      assertThat(library.headers().firstValue("Cache-Control").orElse("")).as(url)
          .contains("max-age=31536000", "immutable");
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

  @Test
  void the_page_names_our_own_files_only_under_one_version() throws Exception {
    String page = get("/").body();
    String version = versionOf(page);
    assertThat(version).matches("[0-9a-f]{12}");
    List<String> urls = urlsOf(page);
    assertThat(urls).contains("/v/" + version + "/js/main.js", "/v/" + version + "/js/theme-boot.js",
        "/v/" + version + "/css/app.css", "/v/" + version + "/favicon.svg");
    assertThat(urls).allSatisfy(url -> assertThat(url).startsWith("/"))
        .allSatisfy(url -> assertThat(url.startsWith("/v/" + version + "/") || url.startsWith("/webjars/"))
            .as(url).isTrue());
    assertThat(get("/index.html").body()).isEqualTo(page);
  }

  @Test
  void the_page_is_revalidated_on_every_load_and_answers_304_until_a_file_changes() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
    String etag = page.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).isEqualTo('"' + versionOf(page.body()) + '"');

    for (String path : List.of("/", "/index.html")) {
      HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(system.baseUrl() + path))
          .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(again.statusCode()).as(path).isEqualTo(304);
      assertThat(again.body()).as(path).isEmpty();
      assertThat(again.headers().firstValue("ETag")).as(path).hasValue(etag);
    }
    HttpResponse<String> stale = HTTP.send(HttpRequest.newBuilder(URI.create(system.baseUrl() + "/"))
        .header("If-None-Match", "\"000000000000\"").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.body()).isEqualTo(page.body());
  }

  @Test
  void an_invite_link_is_the_page_and_only_one_segment_under_invite_is() throws Exception {
    String page = get("/").body();
    HttpResponse<String> invite = get("/invite/AbC123xy");
    assertThat(invite.statusCode()).isEqualTo(200);
    assertThat(invite.body()).isEqualTo(page);
    assertThat(get("/invite/AbC123xy/more").statusCode()).isEqualTo(404);
  }

  @Test
  void a_head_request_for_the_page_gets_its_headers_only() throws Exception {
    HttpResponse<String> page = get("/");
    HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create(system.baseUrl() + "/"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("ETag")).isEqualTo(page.headers().firstValue("ETag"));
    assertThat(head.headers().firstValue("Content-Length"))
        .hasValue(String.valueOf(page.body().getBytes(StandardCharsets.UTF_8).length));
  }

  @Test
  void a_file_under_the_version_is_cached_for_good_and_is_the_same_file() throws Exception {
    String page = get("/").body();
    String prefix = "/v/" + versionOf(page);
    List<String> ours = urlsOf(page).stream().filter(url -> url.startsWith(prefix)).toList();
    assertThat(ours).hasSizeGreaterThanOrEqualTo(4);
    for (String url : ours) {
      HttpResponse<byte[]> versioned = getBytes(url);
      HttpResponse<byte[]> unversioned = getBytes(url.substring(prefix.length()));
      assertThat(versioned.statusCode()).as(url).isEqualTo(200);
      assertThat(versioned.headers().firstValue("Cache-Control").orElse("")).as(url)
          .contains("public", "max-age=31536000", "immutable");
      assertThat(versioned.headers().firstValue("Content-Type"))
          .as(url).isEqualTo(unversioned.headers().firstValue("Content-Type"));
      assertThat(versioned.headers().firstValue("Content-Security-Policy")).as(url).isPresent();
      assertThat(versioned.body()).as(url).isEqualTo(unversioned.body());
      assertThat(unversioned.headers().firstValue("Cache-Control")).as(url).hasValue("no-cache");
    }
    // A module imported relatively by another, so the browser asks for it under the same version.
    assertThat(getBytes(prefix + "/js/store/client.js").body()).isEqualTo(getBytes("/js/store/client.js").body());
  }

  @Test
  void another_version_still_gets_the_current_file_but_revalidated() throws Exception {
    String version = versionOf(get("/").body());
    String other = version.equals("0123456789ab") ? "ba9876543210" : "0123456789ab";
    HttpResponse<byte[]> main = getBytes("/v/" + other + "/js/main.js");
    assertThat(main.statusCode()).isEqualTo(200);
    assertThat(main.body()).isEqualTo(getBytes("/js/main.js").body());
    assertThat(main.headers().firstValue("Cache-Control")).hasValue("no-cache");
  }

  @Test
  void the_page_and_missing_files_are_never_cached_under_a_version() throws Exception {
    String version = versionOf(get("/").body());
    for (String path : List.of("/", "/index.html", "/js/", "/js/no-such-module.js")) {
      HttpResponse<String> answer = get("/v/" + version + path);
      assertThat(answer.statusCode()).as(path).isEqualTo(404);
      assertThat(answer.headers().firstValue("Content-Type")).as(path).hasValue("application/problem+json");
      assertThat(answer.headers().firstValue("Cache-Control").orElse("")).as(path).doesNotContain("max-age");
    }
  }
}
