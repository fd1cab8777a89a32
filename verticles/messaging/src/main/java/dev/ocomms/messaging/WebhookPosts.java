package dev.ocomms.messaging;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Input;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * What a webhook's post carries beside its text (docs/protocol.md, "Incoming webhooks"): the {@code via} marker and
 * Slack's attachments and blocks. The integrations verticle sanitized them; messaging checks their shape and size
 * again before storing, and takes only these keys.
 */
final class WebhookPosts {
  static final int MAX_INTEGRATION_BYTES = 32 * 1024;
  private static final int MAX_NAME = 80;
  private static final int MAX_URL = 2048;
  private static final int MAX_ITEMS = 50;
  /** What may post with a marker: incoming webhooks, slash commands, outgoing webhooks (one id each). */
  private static final java.util.List<String> ID_KEYS = java.util.List.of("webhookId", "commandId", "outgoingWebhookId");

  private WebhookPosts() {
  }

  /**
   * {@code integration} of the body, checked: {via: {webhookId | commandId | outgoingWebhookId, name, username?,
   * iconUrl?}, attachments, blocks}.
   */
  static JsonObject integration(Input body) {
    JsonObject given = body.object("integration");
    if (!(given.getValue("via") instanceof JsonObject via)) {
      throw Input.invalid("integration", "integration.via must be an object");
    }
    // Exactly one of: an incoming webhook, a slash command (its in-channel reply) or an outgoing webhook (its answer).
    String idKey = null;
    for (String key : ID_KEYS) {
      if (via.containsKey(key)) {
        if (idKey != null) {
          throw Input.invalid("integration", "integration.via names one of " + ID_KEYS);
        }
        idKey = key;
      }
    }
    if (idKey == null || !(via.getValue(idKey) instanceof String id) || Ids.parse(id).isEmpty()) {
      throw Input.invalid("integration", "integration.via.webhookId must be a UUID");
    }
    JsonObject marker = new JsonObject().put(idKey, id)
        .put("name", text(via, "name", true));
    String username = text(via, "username", false);
    if (username != null) {
      marker.put("username", username);
    }
    Object icon = via.getValue("iconUrl");
    if (icon != null) {
      if (!(icon instanceof String url) || url.length() > MAX_URL
          || !(url.startsWith("https://") || url.startsWith("http://"))) {
        throw Input.invalid("integration", "integration.via.iconUrl must be an http(s) URL");
      }
      marker.put("iconUrl", url);
    }
    JsonObject integration = new JsonObject().put("via", marker)
        .put("attachments", list(given, "attachments"))
        .put("blocks", list(given, "blocks"));
    if (integration.encode().getBytes(StandardCharsets.UTF_8).length > MAX_INTEGRATION_BYTES) {
      throw Input.invalid("integration", "integration is limited to " + MAX_INTEGRATION_BYTES + " bytes");
    }
    return integration;
  }

  /** Whether a post has nothing to show beside its text (then its text must not be empty). */
  static boolean isEmpty(JsonObject integration) {
    return integration.getJsonArray("attachments").isEmpty() && integration.getJsonArray("blocks").isEmpty();
  }

  private static String text(JsonObject via, String key, boolean required) {
    Object value = via.getValue(key);
    if (value == null && !required) {
      return null;
    }
    if (!(value instanceof String text) || text.isBlank() || text.length() > MAX_NAME) {
      throw Input.invalid("integration", "integration.via." + key + " must be 1 to " + MAX_NAME + " characters");
    }
    return text;
  }

  private static JsonArray list(JsonObject given, String key) {
    Object value = given.getValue(key);
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray items) || items.size() > MAX_ITEMS
        || items.stream().anyMatch(item -> !(item instanceof JsonObject))) {
      throw Input.invalid("integration", "integration." + key + " must be at most " + MAX_ITEMS + " objects");
    }
    return items;
  }
}
