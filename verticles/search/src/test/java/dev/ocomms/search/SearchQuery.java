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
record SearchQuery(String workspaceId, String q, String scope, String sort, String cursor, String tz, Object limit) {

  static SearchQuery messages(String workspaceId, String q) {
    return new SearchQuery(workspaceId, q, null, null, null, null, null);
  }

  static SearchQuery people(String workspaceId, String prefix) {
    return new SearchQuery(workspaceId, prefix, "people", null, null, null, null);
  }

  static SearchQuery channels(String workspaceId, String prefix) {
    return new SearchQuery(workspaceId, prefix, "channels", null, null, null, null);
  }

  SearchQuery q(String q) {
    return new SearchQuery(workspaceId, q, scope, sort, cursor, tz, limit);
  }

  SearchQuery scope(String scope) {
    return new SearchQuery(workspaceId, q, scope, sort, cursor, tz, limit);
  }

  SearchQuery sort(String sort) {
    return new SearchQuery(workspaceId, q, scope, sort, cursor, tz, limit);
  }

  SearchQuery cursor(String cursor) {
    return new SearchQuery(workspaceId, q, scope, sort, cursor, tz, limit);
  }

  SearchQuery tz(String tz) {
    return new SearchQuery(workspaceId, q, scope, sort, cursor, tz, limit);
  }

  /** A number, or (for malformed input) any other value as it would be sent. */
  SearchQuery limit(Object limit) {
    return new SearchQuery(workspaceId, q, scope, sort, cursor, tz, limit);
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
