package dev.ocomms.search;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A message as the index keeps it, read from the message's current state in a stream event (the same JSON clients
 * get). What {@code has:} asks is decided here, once, when the message is indexed.
 */
record Document(UUID messageId, UUID chatId, long seq, UUID senderId, UUID rootId, boolean inThread,
                OffsetDateTime createdAt, OffsetDateTime editedAt, boolean hasFile, boolean hasImage, boolean hasLink,
                List<UUID> mentions, String content) {

  private static final Pattern LINK = Pattern.compile("(?i)\\bhttps?://[^\\s<>]+|\\bwww\\.[^\\s<>]+\\.[a-z]{2,}");
  private static final Pattern IMAGE_LINK = Pattern.compile(
      "(?i)\\bhttps?://[^\\s<>()]+\\.(?:png|jpe?g|gif|webp|avif|svg)(?:[?#][^\\s<>()]*)?(?=[\\s)<>]|$)");
  /** Control characters: the index uses a few as markers, so the text keeps none. */
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]");

  /** From a stream event's {@code message}; the caller has checked that it is not deleted. */
  static Document of(JsonObject message) {
    String content = message.getString("content", "");
    JsonArray fileIds = message.getJsonArray("fileIds", new JsonArray());
    JsonArray attachments = message.getJsonArray("attachments", new JsonArray());
    String replyTo = message.getString("replyTo");
    List<UUID> mentions = new ArrayList<>();
    JsonObject mentioned = message.getJsonObject("mentions", new JsonObject());
    for (Object id : mentioned.getJsonArray("users", new JsonArray())) {
      mentions.add(UUID.fromString((String) id));
    }
    String edited = message.getString("editedAt");
    return new Document(
        UUID.fromString(message.getString("id")),
        UUID.fromString(message.getString("chatId")),
        message.getLong("seq"),
        UUID.fromString(message.getString("senderId")),
        replyTo == null ? null : UUID.fromString(replyTo),
        replyTo != null || message.getInteger("replyCount", 0) > 0,
        OffsetDateTime.parse(message.getString("createdAt")),
        edited == null ? null : OffsetDateTime.parse(edited),
        !fileIds.isEmpty() || !attachments.isEmpty(),
        IMAGE_LINK.matcher(content).find() || hasImageAttachment(attachments),
        LINK.matcher(content).find(),
        mentions,
        indexable(content));
  }

  /**
   * The text as the index keeps it: control characters become spaces (snippets mark matches with two of them), and
   * angle brackets become two others ({@link Snippets#LESS_THAN}, {@link Snippets#GREATER_THAN}), because PostgreSQL's
   * text parser reads {@code <...>} as markup and would not index the words of {@code <script>alert()</script>}.
   */
  static String indexable(String content) {
    return CONTROL.matcher(content).replaceAll(" ")
        .replace('<', Snippets.LESS_THAN).replace('>', Snippets.GREATER_THAN);
  }

  /** Attachment metadata (once uploads describe files on messages): an image by its detected type. */
  private static boolean hasImageAttachment(JsonArray attachments) {
    for (Object attachment : attachments) {
      if (attachment instanceof JsonObject file
          && file.getString("type", "").toLowerCase(Locale.ROOT).startsWith("image/")) {
        return true;
      }
    }
    return false;
  }
}
