package dev.ocomms.notes;

import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.sqlclient.Row;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** A note as it stands: its text, its version (0 for one never saved) and who saved it last, when. */
record Note(UUID id, NoteKey key, String content, int version, UUID lastEditedBy, OffsetDateTime updatedAt) {
  static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX");
  static final String COLUMNS = "n.id, n.content, n.version, n.last_edited_by, n.updated_at";

  /** A note nobody has saved yet: empty, version 0. */
  static Note unsaved(NoteKey key) {
    return new Note(null, key, "", 0, null, null);
  }

  static Note of(NoteKey key, Row row) {
    return new Note(row.getUUID("id"), key, row.getString("content"), row.getInteger("version"),
        row.getUUID("last_edited_by"), row.getOffsetDateTime("updated_at"));
  }

  /** {chatId | workspaceId, content, version, lastEditedBy, updatedAt}. */
  JsonObject toJson() {
    return key.identify(new JsonObject())
        .put("content", content)
        .put("version", version)
        .put("lastEditedBy", lastEditedBy == null ? null : lastEditedBy.toString())
        .put("updatedAt", iso(updatedAt));
  }

  static String iso(OffsetDateTime time) {
    return time == null ? null : time.withOffsetSameInstant(ZoneOffset.UTC).format(ISO_MILLIS);
  }
}
