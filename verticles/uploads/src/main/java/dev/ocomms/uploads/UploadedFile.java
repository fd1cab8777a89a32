package dev.ocomms.uploads;

import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.sqlclient.Row;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** A stored file: what it is, whose it is, and where its bytes (and its thumbnail's) are kept. */
record UploadedFile(UUID id, UUID uploaderId, String name, String mediaType, long size, Integer width, Integer height,
                    String storageKey, String thumbnailKey, String thumbnailType, OffsetDateTime createdAt) {

  /** The select list {@link #of(Row)} reads; alias the file {@code f}. */
  static final String COLUMNS = "f.id, f.uploader_id, f.name, f.media_type, f.size, f.width, f.height, f.storage_key,"
      + " f.thumbnail_key, f.thumbnail_type, f.created_at";

  static UploadedFile of(Row row) {
    return new UploadedFile(row.getUUID("id"), row.getUUID("uploader_id"), row.getString("name"),
        row.getString("media_type"), row.getLong("size"), row.getInteger("width"), row.getInteger("height"),
        row.getString("storage_key"), row.getString("thumbnail_key"), row.getString("thumbnail_type"),
        row.getOffsetDateTime("created_at"));
  }

  String url() {
    return "/api/v1/files/" + id;
  }

  String thumbnailUrl() {
    return thumbnailKey == null ? null : url() + "/thumbnail";
  }

  /** As a message carries it ({@code attachments}). */
  JsonObject asAttachment() {
    return new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("type", mediaType)
        .put("size", size)
        .put("width", width)
        .put("height", height)
        .put("url", url())
        .put("thumbnailUrl", thumbnailUrl());
  }

  /** As the uploads API answers it. */
  JsonObject toJson() {
    return asAttachment()
        .put("uploaderId", uploaderId.toString())
        .put("createdAt", createdAt.format(DateTimeFormatter.ISO_INSTANT));
  }
}
