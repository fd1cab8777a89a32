package dev.ocomms.notes;

import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One kept version of a note: its text, who made it and how ({@code edit}, {@code merge} of two saves, or
 * {@code restore} of an older version, named by {@code restoredFrom}).
 */
record Revision(int version, String content, int length, UUID editedBy, OffsetDateTime createdAt, String kind,
                Integer restoredFrom) {
  /** What a list of revisions reads: all but the text ({@code content} is then null). */
  static final String SUMMARY_COLUMNS = "r.version, char_length(r.content) AS length, r.edited_by, r.created_at,"
      + " r.kind, r.restored_from";
  static final String COLUMNS = SUMMARY_COLUMNS + ", r.content";

  static Revision of(Row row) {
    return new Revision(row.getInteger("version"), row.getColumnIndex("content") < 0 ? null : row.getString("content"),
        row.getInteger("length"), row.getUUID("edited_by"), row.getOffsetDateTime("created_at"),
        row.getString("kind"), row.getInteger("restored_from"));
  }

  /** As a list shows it: {version, editedBy, createdAt, kind, restoredFrom, length}, without the text. */
  JsonObject summary() {
    return new JsonObject()
        .put("version", version)
        .put("editedBy", editedBy.toString())
        .put("createdAt", Note.iso(createdAt))
        .put("kind", kind)
        .put("restoredFrom", restoredFrom)
        .put("length", length);
  }

  JsonObject toJson() {
    return summary().put("content", content);
  }
}
