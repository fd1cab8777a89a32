package dev.ocomms.uploads;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/** A chat's files, newest first ({@code GET /api/v1/chats/{chatId}/files}), and the caller's limits. */
final class ChatFiles {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 100;

  private final FileStore store;
  private final ReadAccess access;
  private final Uploading uploading;
  private final List<String> allowedTypes;

  ChatFiles(FileStore store, ReadAccess access, Uploading uploading, List<String> allowedTypes) {
    this.store = store;
    this.access = access;
    this.uploading = uploading;
    this.allowedTypes = allowedTypes;
  }

  /** {@code ?before=<cursor>&limit=}: {@code {files: [{...file, messageId, senderId, attachedAt}], nextCursor}}. */
  void list(RoutingContext ctx) {
    Caller caller = HttpExchange.caller(ctx);
    UUID chatId = HttpExchange.pathId(ctx, "chatId");
    int limit = limit(ctx.request().getParam("limit"));
    Cursor before = Cursor.parse(ctx.request().getParam("before"));
    access.isMember(caller, chatId)
        .flatMap(member -> member ? store.chatFiles(chatId, before == null ? null : before.attachedAt(),
                before == null ? null : before.fileId(), limit + 1)
            : Single.error(new OcommsException(ErrorCode.NOT_FOUND, "no such chat")))
        .subscribe(files -> {
          JsonArray page = new JsonArray();
          files.stream().limit(limit).forEach(entry -> page.add(entry.file().toJson()
              .put("messageId", entry.messageId().toString())
              .put("senderId", entry.senderId().toString())
              .put("attachedAt", entry.attachedAt().format(DateTimeFormatter.ISO_INSTANT))));
          String next = null;
          if (files.size() > limit) {
            FileStore.ChatFile last = files.get(limit - 1);
            next = new Cursor(last.attachedAt(), last.file().id()).encode();
          }
          HttpExchange.json(ctx, 200, new JsonObject().put("files", page).put("nextCursor", next));
        }, ctx::fail);
  }

  /** {@code GET /api/v1/files/limits}: what the caller may upload, and how much of their quota is used. */
  void limits(RoutingContext ctx) {
    UUID userId = HttpExchange.callerId(ctx);
    store.usedBytes(userId).subscribe(used -> HttpExchange.json(ctx, 200, new JsonObject()
        .put("maxBytes", uploading.maxBytes())
        .put("avatarMaxBytes", Avatars.MAX_BYTES)
        .put("allowedTypes", new JsonArray(allowedTypes))
        .put("quotaBytes", uploading.quotaBytes())
        .put("usedBytes", used)
        .put("uploadsPerMinute", uploading.perMinute().limit())), ctx::fail);
  }

  private static int limit(String value) {
    if (value == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // answered below
    }
    throw new OcommsException(ErrorCode.VALIDATION_FAILED, "limit must be a whole number from 1 to " + MAX_LIMIT,
        new JsonObject().put("field", "limit"));
  }

  /** Where a page ended: the last file's attachment time and id, opaque to clients. */
  record Cursor(OffsetDateTime attachedAt, UUID fileId) {
    String encode() {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          (attachedAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "|" + fileId).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor parse(String value) {
      if (value == null) {
        return null;
      }
      try {
        String[] parts = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split("\\|", 2);
        UUID fileId = Ids.parse(parts.length == 2 ? parts[1] : "").orElseThrow(IllegalArgumentException::new);
        return new Cursor(OffsetDateTime.parse(parts[0]), fileId);
      } catch (IllegalArgumentException | DateTimeParseException e) {
        throw new OcommsException(ErrorCode.VALIDATION_FAILED, "before must be a nextCursor of this list",
            new JsonObject().put("field", "before"));
      }
    }
  }
}
