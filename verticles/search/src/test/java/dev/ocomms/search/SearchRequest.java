package dev.ocomms.search;

import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One search as a client asks it: the fields of {@code search.query} (bridge body) and of {@code GET /api/v1/search}
 * (query parameters of the same names). Null fields are left out, so the server's defaults apply.
 */
record SearchRequest(String workspaceId, String q, String scope, String sort, String cursor, String tz, Object limit) {

  static SearchRequest messages(String workspaceId, String q) {
    return new SearchRequest(workspaceId, q, null, null, null, null, null);
  }

  static SearchRequest people(String workspaceId, String prefix) {
    return new SearchRequest(workspaceId, prefix, "people", null, null, null, null);
  }

  static SearchRequest channels(String workspaceId, String prefix) {
    return new SearchRequest(workspaceId, prefix, "channels", null, null, null, null);
  }

  SearchRequest q(String q) {
    return new SearchRequest(workspaceId, q, scope, sort, cursor, tz, limit);
  }

  SearchRequest scope(String scope) {
    return new SearchRequest(workspaceId, q, scope, sort, cursor, tz, limit);
  }

  SearchRequest sort(String sort) {
    return new SearchRequest(workspaceId, q, scope, sort, cursor, tz, limit);
  }

  SearchRequest cursor(String cursor) {
    return new SearchRequest(workspaceId, q, scope, sort, cursor, tz, limit);
  }

  SearchRequest tz(String tz) {
    return new SearchRequest(workspaceId, q, scope, sort, cursor, tz, limit);
  }

  /** A number, or (for malformed input) any other value as it would be sent. */
  SearchRequest limit(Object limit) {
    return new SearchRequest(workspaceId, q, scope, sort, cursor, tz, limit);
  }

  private Map<String, Object> fields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("workspaceId", workspaceId);
    fields.put("q", q);
    fields.put("scope", scope);
    fields.put("sort", sort);
    fields.put("cursor", cursor);
    fields.put("tz", tz);
    fields.put("limit", limit);
    fields.values().removeIf(java.util.Objects::isNull);
    return fields;
  }

  /** The bridge request's body. */
  JsonObject body() {
    return new JsonObject(fields());
  }

  /** The REST path under {@code /api/v1}, every parameter percent-encoded. */
  String path() {
    StringJoiner query = new StringJoiner("&", "/search?", "");
    fields().forEach((name, value) -> query.add(name + "=" + encode(String.valueOf(value))));
    return query.toString();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
