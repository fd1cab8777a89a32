package dev.ocomms.notes;

import dev.ocomms.shared.Ids;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.RowSet;
import io.vertx.rxjava3.sqlclient.SqlConnection;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * All SQL of the notes verticle (schema {@code notes}). A save runs in one transaction holding the note's advisory
 * lock, so that saves of one note (from any node) are decided one after the other against the version they find.
 */
final class NoteStore {
  /** How many versions of a note are kept (the current one included). */
  static final int KEPT_REVISIONS = 100;

  /** What a save did: stored a new version ({@code merged} when it merged two saves), or found a conflict. */
  sealed interface Outcome {
  }

  record Saved(Note note, boolean merged, boolean changed) implements Outcome {
  }

  record Conflict(Note current) implements Outcome {
  }

  private final Pool pg;

  NoteStore(Pool pg) {
    this.pg = pg;
  }

  /** The note as it stands (version 0 and empty when nobody has saved it). */
  Single<Note> find(NoteKey key) {
    return pg.preparedQuery(select(key)).rxExecute(where(key))
        .map(rows -> first(rows).map(row -> Note.of(key, row)).orElseGet(() -> Note.unsaved(key)));
  }

  /**
   * Saves {@code content} made from version {@code expectedVersion}. From the current version it is simply the next
   * one; from an older one it is merged with what was saved since ({@link ThreeWayMerge}), and a conflict when the
   * two changed the same lines or the older version is no longer kept. Saving the text the note already has stores
   * nothing.
   */
  Single<Outcome> save(NoteKey key, UUID editor, int expectedVersion, String content, int maxLength) {
    return pg.rxWithTransaction(connection -> locked(connection, key)
        .flatMap(current -> {
          if (expectedVersion == current.version()) {
            return store(connection, current, editor, content, "edit", null, maxLength)
                .map(note -> (Outcome) new Saved(note, false, note != current));
          }
          return revisionContent(connection, current, expectedVersion)
              .map(base -> ThreeWayMerge.merge(base, current.content(), content))
              .flatMapSingle(merged -> merged.isEmpty()
                  ? Single.just((Outcome) new Conflict(current))
                  : store(connection, current, editor, merged.get(), "merge", null, maxLength)
                      .map(note -> (Outcome) new Saved(note, true, note != current)))
              .defaultIfEmpty(new Conflict(current));
        })
        .toMaybe())
        .toSingle();
  }

  /** Brings back a kept version as the next one; empty when that version is not kept. */
  Maybe<Note> restore(NoteKey key, UUID editor, int version, int maxLength) {
    return pg.rxWithTransaction(connection -> locked(connection, key)
        .flatMapMaybe(current -> current.id() == null ? Maybe.empty()
            : revision(connection, current.id(), version)
                .flatMapSingle(revision -> store(connection, current, editor, revision.content(), "restore", version,
                    maxLength))));
  }

  /** The kept versions of a note, newest first, without their text. */
  Single<List<Revision>> revisions(UUID noteId) {
    return pg.preparedQuery("SELECT " + Revision.SUMMARY_COLUMNS
            + " FROM notes.note_revisions r WHERE r.note_id = $1 ORDER BY r.version DESC")
        .rxExecute(Tuple.of(noteId))
        .map(rows -> {
          List<Revision> revisions = new ArrayList<>();
          rows.forEach(row -> revisions.add(Revision.of(row)));
          return revisions;
        });
  }

  Maybe<Revision> revision(UUID noteId, int version) {
    return pg.rxWithConnection(connection -> revision(connection, noteId, version));
  }

  private Maybe<Revision> revision(SqlConnection connection, UUID noteId, int version) {
    return connection.preparedQuery("SELECT " + Revision.COLUMNS
            + " FROM notes.note_revisions r WHERE r.note_id = $1 AND r.version = $2")
        .rxExecute(Tuple.of(noteId, version))
        .flatMapMaybe(rows -> Maybe.fromOptional(first(rows).map(Revision::of)));
  }

  /** The text of version {@code version} of the note (0: the empty text before the first save); empty if not kept. */
  private Maybe<String> revisionContent(SqlConnection connection, Note current, int version) {
    if (version == 0) {
      return Maybe.just("");
    }
    return current.id() == null || version > current.version() ? Maybe.empty()
        : revision(connection, current.id(), version).map(Revision::content);
  }

  /** Takes the note's lock for the transaction, then reads it. */
  private Single<Note> locked(SqlConnection connection, NoteKey key) {
    return connection.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .rxExecute(Tuple.of(key.lockName()))
        .flatMap(lock -> connection.preparedQuery(select(key)).rxExecute(where(key)))
        .map(rows -> first(rows).map(row -> Note.of(key, row)).orElseGet(() -> Note.unsaved(key)));
  }

  /**
   * Stores {@code content} as the note's next version and keeps the last {@link #KEPT_REVISIONS}; the current note
   * itself (the same instance) when it already has that text. Content past {@code maxLength} is refused by the caller
   * before it comes here, except a merge's: that is checked here.
   */
  private Single<Note> store(SqlConnection connection, Note current, UUID editor, String content, String kind,
                             Integer restoredFrom, int maxLength) {
    if (content.equals(current.content())) {
      return Single.just(current);
    }
    if (NoteActions.tooLong(content, maxLength)) {
      return Single.error(NoteActions.contentTooLong(maxLength));
    }
    NoteKey key = current.key();
    UUID id = current.id() == null ? Ids.next() : current.id();
    int version = current.version() + 1;
    Single<RowSet<Row>> write = current.id() == null
        ? connection.preparedQuery("""
              INSERT INTO notes.notes AS n (id, chat_id, workspace_id, owner_id, content, version, last_edited_by)
              VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING\s""" + Note.COLUMNS)
            .rxExecute(Tuple.from(new Object[] {id, key.chatId(), key.workspaceId(), key.ownerId(), content, version,
                editor}))
        : connection.preparedQuery("""
              UPDATE notes.notes AS n SET content = $2, version = $3, last_edited_by = $4, updated_at = now()
              WHERE n.id = $1 RETURNING\s""" + Note.COLUMNS)
            .rxExecute(Tuple.of(id, content, version, editor));
    return write
        .flatMap(rows -> connection.preparedQuery("""
                INSERT INTO notes.note_revisions (note_id, version, content, edited_by, kind, restored_from)
                VALUES ($1, $2, $3, $4, $5, $6)""")
            .rxExecute(Tuple.of(id, version, content, editor, kind, restoredFrom))
            .flatMap(inserted -> connection.preparedQuery(
                    "DELETE FROM notes.note_revisions WHERE note_id = $1 AND version <= $2")
                .rxExecute(Tuple.of(id, version - KEPT_REVISIONS)))
            .map(pruned -> Note.of(key, rows.iterator().next())));
  }

  /** Where a chat's note stands: its version and who saved it last. */
  record Stand(UUID chatId, int version, UUID lastEditedBy) {
  }

  /** The notes that exist among these chats: version and last editor of each. */
  Single<List<Stand>> stands(List<UUID> chatIds) {
    return pg.preparedQuery("SELECT chat_id, version, last_edited_by FROM notes.notes WHERE chat_id = ANY($1)")
        .rxExecute(Tuple.of(chatIds.toArray(UUID[]::new)))
        .map(rows -> {
          List<Stand> stands = new ArrayList<>();
          rows.forEach(row -> stands.add(new Stand(row.getUUID("chat_id"), row.getInteger("version"),
              row.getUUID("last_edited_by"))));
          return stands;
        });
  }

  /** A chat note as search indexes it. */
  record ChatNote(UUID chatId, String content, int version, OffsetDateTime updatedAt) {
  }

  /** Chat notes saved after ({@code afterTime}, {@code afterChatId}), in that order; at most {@code limit}. */
  Single<List<ChatNote>> chatChangesAfter(OffsetDateTime afterTime, UUID afterChatId, int limit) {
    return pg.preparedQuery("""
            SELECT n.chat_id, n.content, n.version, n.updated_at FROM notes.notes n
             WHERE n.chat_id IS NOT NULL AND (n.updated_at, n.chat_id) > ($1, $2)
             ORDER BY n.updated_at, n.chat_id LIMIT $3""")
        .rxExecute(Tuple.of(afterTime, afterChatId, limit))
        .map(rows -> {
          List<ChatNote> notes = new ArrayList<>();
          rows.forEach(row -> notes.add(new ChatNote(row.getUUID("chat_id"), row.getString("content"),
              row.getInteger("version"), row.getOffsetDateTime("updated_at"))));
          return notes;
        });
  }

  private static String select(NoteKey key) {
    return "SELECT " + Note.COLUMNS + " FROM notes.notes n WHERE "
        + (key.isPersonal() ? "n.workspace_id = $1 AND n.owner_id = $2" : "n.chat_id = $1");
  }

  private static Tuple where(NoteKey key) {
    return key.isPersonal() ? Tuple.of(key.workspaceId(), key.ownerId()) : Tuple.of(key.chatId());
  }

  private static Optional<Row> first(RowSet<Row> rows) {
    var iterator = rows.iterator();
    return iterator.hasNext() ? Optional.of(iterator.next()) : Optional.empty();
  }
}
