package dev.ocomms.integrations;

import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slack's incoming-webhook payload, read into what an OComms message carries (docs/protocol.md, "Incoming webhooks"):
 * {@code text} with Slack's mrkdwn converted to our markdown, {@code username} and {@code icon_url} for the
 * {@code via} marker, and the {@code attachments} and {@code blocks} we render, sanitized: only the keys we know,
 * strings capped, URLs http(s) only. Anything else in the payload is ignored, as Slack ignores what it does not know.
 */
final class SlackPayload {
  /** Slack's own advice for a message's text; at most 16 KB in UTF-8 with the cut's ellipsis, messaging's limit. */
  static final int MAX_TEXT = 4000;
  static final int MAX_SHORT = 300;
  static final int MAX_LONG = 3000;
  static final int MAX_URL = 2048;
  static final int MAX_ATTACHMENTS = 20;
  static final int MAX_BLOCKS = 50;
  static final int MAX_FIELDS = 20;
  static final int MAX_ELEMENTS = 10;
  private static final Pattern COLOR = Pattern.compile("#?[0-9a-fA-F]{6}|good|warning|danger");
  private static final Set<String> BLOCK_TYPES = Set.of("header", "section", "context", "divider", "image");

  /** What a post becomes: the message's text, and its {via-less} rich parts. */
  record Post(String text, String username, String iconUrl, JsonArray attachments, JsonArray blocks) {
    boolean isEmpty() {
      return text.isBlank() && attachments.isEmpty() && blocks.isEmpty();
    }
  }

  private SlackPayload() {
  }

  /** Reads a payload; {@code invalid_payload} when it is not Slack's shape or says nothing. */
  static Post read(JsonObject payload) {
    String text = mrkdwn(string(payload, "text", MAX_TEXT));
    String username = capped(string(payload, "username", MAX_SHORT), 80);
    String iconUrl = url(payload.getValue("icon_url"));
    JsonArray attachments = new JsonArray();
    for (Object item : array(payload, "attachments", MAX_ATTACHMENTS)) {
      attachments.add(attachment(object(item, "attachments")));
    }
    JsonArray blocks = new JsonArray();
    for (Object item : array(payload, "blocks", MAX_BLOCKS)) {
      JsonObject block = block(object(item, "blocks"));
      if (block != null) {
        blocks.add(block);
      }
    }
    Post post = new Post(text == null ? "" : text, username, iconUrl, attachments, blocks);
    if (post.isEmpty()) {
      throw invalid("the payload has no text, attachments or blocks");
    }
    return post;
  }

  private static final Pattern LINK = Pattern.compile("<([^<>|\\s]+)(?:\\|([^<>]*))?>");
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]");
  private static final Pattern BOLD = Pattern.compile("(?<![\\w*])\\*(?=\\S)([^*\\n]*?\\S)\\*(?![\\w*])");

  /**
   * Slack mrkdwn to our markdown: {@code *bold*} → {@code **bold**}, {@code _italic_} stays, {@code <url|label>} →
   * {@code [label](url)}, {@code <url>} → the URL, {@code <!channel>} → {@code @channel}, {@code <!here>} →
   * {@code @here}, {@code <!everyone>} → {@code @channel}; user references ({@code <@U…>}) and other specials stay as
   * text. Slack's HTML escapes ({@code &lt; &gt; &amp;}) are undone after the links are read.
   */
  static String mrkdwn(String text) {
    if (text == null) {
      return null;
    }
    // Links first, each held as a placeholder while bold is converted, so that *<url|label>* is bold too.
    List<String> links = new java.util.ArrayList<>();
    StringBuilder out = new StringBuilder();
    // Control characters other than tabs and line breaks are not text (messaging refuses them): removed first.
    Matcher link = LINK.matcher(CONTROL.matcher(text).replaceAll(""));
    while (link.find()) {
      String target = link.group(1);
      String label = link.group(2);
      String converted = switch (target) {
        case "!channel", "!everyone" -> "@channel";
        case "!here" -> "@here";
        default -> {
          if (target.startsWith("@") || target.startsWith("#") || target.startsWith("!")) {
            yield link.group();
          }
          String href = unescape(target);
          if (!isHttp(href) && !href.startsWith("mailto:")) {
            yield label == null ? link.group() : label;
          }
          yield label == null || label.isBlank() ? href : "[" + bold(label) + "](" + href + ")";
        }
      };
      link.appendReplacement(out, Matcher.quoteReplacement("\u0000" + links.size() + "\u0000"));
      links.add(converted);
    }
    link.appendTail(out);
    String converted = bold(out.toString());
    for (int i = 0; i < links.size(); i++) {
      converted = converted.replace("\u0000" + i + "\u0000", links.get(i));
    }
    return unescape(converted);
  }

  private static String bold(String text) {
    return BOLD.matcher(text).replaceAll(match -> Matcher.quoteReplacement("**" + match.group(1) + "**"));
  }

  private static String unescape(String text) {
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
  }

  private static JsonObject attachment(JsonObject given) {
    JsonObject kept = new JsonObject();
    Object color = given.getValue("color");
    if (color instanceof String c && COLOR.matcher(c).matches()) {
      kept.put("color", c.matches("[0-9a-fA-F]{6}") ? "#" + c : c);
    }
    putText(kept, "pretext", mrkdwn(string(given, "pretext", MAX_LONG)));
    putText(kept, "title", capped(string(given, "title", MAX_SHORT), MAX_SHORT));
    putText(kept, "title_link", url(given.getValue("title_link")));
    putText(kept, "text", mrkdwn(string(given, "text", MAX_LONG)));
    if (kept.getString("text") == null) {
      putText(kept, "text", capped(string(given, "fallback", MAX_LONG), MAX_LONG));
    }
    JsonArray fields = new JsonArray();
    for (Object item : array(given, "fields", MAX_FIELDS)) {
      JsonObject field = object(item, "fields");
      JsonObject keptField = new JsonObject();
      putText(keptField, "title", capped(string(field, "title", MAX_SHORT), MAX_SHORT));
      putText(keptField, "value", mrkdwn(string(field, "value", MAX_LONG)));
      keptField.put("short", Boolean.TRUE.equals(field.getValue("short")));
      fields.add(keptField);
    }
    if (!fields.isEmpty()) {
      kept.put("fields", fields);
    }
    putText(kept, "footer", capped(string(given, "footer", MAX_SHORT), MAX_SHORT));
    Object ts = given.getValue("ts");
    if (ts instanceof Number number) {
      kept.put("ts", number.longValue());
    } else if (ts instanceof String s && s.matches("\\d{1,12}(\\.\\d+)?")) {
      kept.put("ts", Long.parseLong(s.split("\\.")[0]));
    }
    return kept;
  }

  /** One block of the kinds we render; others (actions, input...) are dropped. */
  private static JsonObject block(JsonObject given) {
    if (!(given.getValue("type") instanceof String type) || !BLOCK_TYPES.contains(type)) {
      return null;
    }
    JsonObject kept = new JsonObject().put("type", type);
    switch (type) {
      case "header" -> putText(kept, "text", plain(given.getValue("text"), MAX_SHORT));
      case "section" -> {
        putText(kept, "text", textObject(given.getValue("text")));
        JsonArray fields = new JsonArray();
        for (Object item : array(given, "fields", MAX_FIELDS)) {
          String field = textObject(item);
          if (field != null) {
            fields.add(field);
          }
        }
        if (!fields.isEmpty()) {
          kept.put("fields", fields);
        }
      }
      case "context" -> {
        JsonArray elements = new JsonArray();
        for (Object item : array(given, "elements", MAX_ELEMENTS)) {
          JsonObject element = object(item, "elements");
          if ("image".equals(element.getValue("type"))) {
            String src = url(element.getValue("image_url"));
            if (src != null) {
              elements.add(new JsonObject().put("type", "image").put("image_url", src)
                  .put("alt_text", capped(string(element, "alt_text", MAX_SHORT), MAX_SHORT)));
            }
          } else {
            String text = textObject(element);
            if (text != null) {
              elements.add(new JsonObject().put("type", "text").put("text", text));
            }
          }
        }
        kept.put("elements", elements);
      }
      case "image" -> {
        String src = url(given.getValue("image_url"));
        if (src == null) {
          return null;
        }
        kept.put("image_url", src).put("alt_text", capped(string(given, "alt_text", MAX_SHORT), MAX_SHORT));
        putText(kept, "title", plain(given.getValue("title"), MAX_SHORT));
      }
      default -> { }
    }
    return kept;
  }

  /** A text object ({type: mrkdwn | plain_text, text}) as our markdown. */
  private static String textObject(Object value) {
    if (!(value instanceof JsonObject object) || !(object.getValue("text") instanceof String text)) {
      return null;
    }
    String capped = capped(text, MAX_LONG);
    return "mrkdwn".equals(object.getValue("type")) ? mrkdwn(capped) : capped;
  }

  private static String plain(Object value, int max) {
    if (value instanceof JsonObject object && object.getValue("text") instanceof String text) {
      return capped(text, max);
    }
    return null;
  }

  private static void putText(JsonObject into, String key, String value) {
    if (value != null && !value.isBlank()) {
      into.put(key, value);
    }
  }

  private static String string(JsonObject from, String key, int max) {
    Object value = from.getValue(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw invalid(key + " must be a string");
    }
    return capped(text, max);
  }

  private static String capped(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    // Never cut a surrogate pair in two.
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end) + "…";
  }

  private static String url(Object value) {
    return value instanceof String text && text.length() <= MAX_URL && isHttp(text) ? text : null;
  }

  private static boolean isHttp(String url) {
    return (url.startsWith("https://") || url.startsWith("http://")) && url.length() > 8
        && url.chars().noneMatch(c -> c <= ' ' || c == '"' || c == '\\');
  }

  private static List<Object> array(JsonObject from, String key, int max) {
    Object value = from.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray items)) {
      throw invalid(key + " must be an array");
    }
    return items.getList().subList(0, Math.min(max, items.size())).stream()
        .map(item -> item instanceof java.util.Map<?, ?> || item instanceof List<?> ? wrap(item) : item).toList();
  }

  @SuppressWarnings("unchecked")
  private static Object wrap(Object item) {
    return item instanceof java.util.Map<?, ?> map ? new JsonObject((java.util.Map<String, Object>) map)
        : new JsonArray((List<Object>) item);
  }

  private static JsonObject object(Object item, String key) {
    if (!(item instanceof JsonObject object)) {
      throw invalid(key + " must hold objects");
    }
    return object;
  }

  static OcommsException invalid(String detail) {
    return new OcommsException(Reason.INVALID_PAYLOAD, detail);
  }
}
