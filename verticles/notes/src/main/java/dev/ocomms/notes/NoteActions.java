package dev.ocomms.notes;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/**
 * What clients ask of notes: read, save (merged with concurrent saves where they do not overlap), the kept
 * revisions, a diff, a restore, and "is editing". Every save that stores a version tells the note's audience
 * ({@code note.updated} to the chat, {@code note.personal.updated} to the owner's sessions) after its commit.
 */
final class NoteActions {
  /** A note's text is at most 256 KB (UTF-8). */
  static final int MAX_CONTENT_BYTES = 256 * 1024;
  /** How long others show "is editing" after the last {@code notes.editing}; clients repeat it well within. */
  static final long EDITING_EXPIRY_MS = 15_000;
  static final int MAX_CHANGES = 500;
  static final int MAX_VERSIONS = 1000;

  private final Vertx vertx;
  private final NoteStore store;
  private final NoteAccess access;

  NoteActions(Vertx vertx, NoteStore store, NoteAccess access) {
    this.vertx = vertx;
    this.store = store;
    this.access = access;
  }

  /** {@code notes.get {chatId | workspaceId}} → the note (version 0 and empty before the first save). */
  Single<JsonObject> get(BusRequest request) {
    return access.readable(request).flatMap(store::find).map(Note::toJson);
  }

  /**
   * {@code notes.save {chatId | workspaceId, content, expectedVersion}} → the note, with {@code merged}; a save
   * that overlaps one made since its version is {@code conflict} carrying the current note.
   */
  Single<JsonObject> save(BusRequest request) {
    Input body = request.body();
    String content = body.multilineText("content");
    int expectedVersion = body.optionalInt("expectedVersion", 0, Integer.MAX_VALUE)
        .orElseThrow(() -> Input.invalid("expectedVersion",
            "expectedVersion is required: the version the text was based on (0 for a new note)"));
    if (tooLong(content, MAX_CONTENT_BYTES)) {
      throw contentTooLong(MAX_CONTENT_BYTES);
    }
    return access.writable(request)
        .flatMap(key -> store.save(key, request.caller(), expectedVersion, content, MAX_CONTENT_BYTES))
        .map(outcome -> {
          if (outcome instanceof NoteStore.Conflict conflict) {
            throw new OcommsException(ErrorCode.CONFLICT,
                "the note was changed since version " + expectedVersion + " on the same lines",
                new JsonObject().put("note", conflict.current().toJson()));
          }
          NoteStore.Saved saved = (NoteStore.Saved) outcome;
          if (saved.changed()) {
            announce(saved.note());
          }
          return saved.note().toJson().put("merged", saved.merged());
        });
  }

  /**
   * {@code notes.versions {chatIds}} → {notes: {chatId: {version, lastEditedBy}}}: where the notes of these chats
   * stand, for the "changed since you read it" dot at start; chats without a note, and chats the caller is not in,
   * are left out.
   */
  Single<JsonObject> versions(BusRequest request) {
    List<UUID> chatIds = request.body().strings("chatIds", MAX_VERSIONS).stream()
        .map(id -> Ids.parse(id).orElseThrow(() -> Input.invalid("chatIds", "chatIds must be chat ids")))
        .distinct().toList();
    if (chatIds.isEmpty()) {
      return Single.just(new JsonObject().put("notes", new JsonObject()));
    }
    return store.stands(chatIds)
        .flatMap(stands -> Flowable.fromIterable(stands)
            .concatMapSingle(stand -> access.isMember(request, stand.chatId())
                .map(member -> member ? List.of(stand) : List.<NoteStore.Stand>of()))
            .reduce(new JsonObject(), (notes, found) -> {
              found.forEach(stand -> notes.put(stand.chatId().toString(), new JsonObject()
                  .put("version", stand.version()).put("lastEditedBy", stand.lastEditedBy().toString())));
              return notes;
            }))
        .map(notes -> new JsonObject().put("notes", notes));
  }

  /** {@code notes.revisions {chatId | workspaceId}} → {revisions}, newest first (none before the first save). */
  Single<JsonObject> revisions(BusRequest request) {
    return access.readable(request).flatMap(store::find)
        .flatMap(note -> note.id() == null ? Single.just(List.<Revision>of()) : store.revisions(note.id()))
        .map(revisions -> new JsonObject()
            .put("revisions", new JsonArray(revisions.stream().map(Revision::summary).toList())));
  }

  /** {@code notes.revision {chatId | workspaceId, version}} → {revision (with content), diff (to the current)}. */
  Single<JsonObject> revision(BusRequest request) {
    int version = version(request.body());
    return access.readable(request).flatMap(store::find)
        .flatMap(note -> (note.id() == null ? Maybe.<Revision>empty()
            : store.revision(note.id(), version))
            .map(revision -> new JsonObject().put("revision", revision.toJson())
                .put("diff", NoteDiff.between(revision.content(), note.content())))
            .switchIfEmpty(Single.error(() -> noSuchRevision(version))));
  }

  /** {@code notes.restore {chatId | workspaceId, version}} → the note, whose new version has that revision's text. */
  Single<JsonObject> restore(BusRequest request) {
    int version = version(request.body());
    return access.writable(request)
        .flatMap(key -> store.restore(key, request.caller(), version, MAX_CONTENT_BYTES)
            .switchIfEmpty(Single.error(() -> noSuchRevision(version))))
        .map(note -> {
          announce(note);
          return note.toJson();
        });
  }

  /** {@code notes.editing {chatId, active}}: tells the chat's members that the caller has its note open to edit. */
  Single<JsonObject> editing(BusRequest request) {
    boolean active = request.body().optionalBool("active")
        .orElseThrow(() -> Input.invalid("active", "active is required: true while editing, false when done"));
    if (!request.body().has("chatId")) {
      throw Input.invalid("chatId", "chatId is required: only a chat's note is edited by several people");
    }
    return access.readable(request).map(key -> {
      Events.publish(vertx.eventBus(), new Event.NoteEditing(key.chatId().toString(), request.caller().toString(),
          active, EDITING_EXPIRY_MS));
      return new JsonObject();
    });
  }

  /** {@code notes.chat.changes}: chat notes saved after a point, for search (see {@link Addresses#NOTES_CHAT_CHANGES}). */
  Single<JsonObject> chatChanges(Input body) {
    OffsetDateTime afterTime = body.has("afterTime") ? instant(body.string("afterTime"))
        : Instant.EPOCH.atOffset(ZoneOffset.UTC);
    UUID afterChatId = body.has("afterChatId") ? body.id("afterChatId") : new UUID(0, 0);
    int limit = body.optionalInt("limit", 1, MAX_CHANGES).orElse(MAX_CHANGES);
    return store.chatChangesAfter(afterTime, afterChatId, limit + 1).map(notes -> new JsonObject()
        .put("notes", new JsonArray(notes.stream().limit(limit).map(note -> new JsonObject()
            .put("chatId", note.chatId().toString())
            .put("content", note.content())
            .put("version", note.version())
            .put("updatedAt", note.updatedAt().toInstant().toString())).toList()))
        .put("hasMore", notes.size() > limit));
  }

  private static OffsetDateTime instant(String text) {
    try {
      return Instant.parse(text).atOffset(ZoneOffset.UTC);
    } catch (DateTimeParseException malformed) {
      throw Input.invalid("afterTime", "afterTime must be an ISO instant");
    }
  }

  private void announce(Note note) {
    NoteKey key = note.key();
    Event event = key.isPersonal()
        ? new Event.PersonalNoteUpdated(key.ownerId().toString(), key.workspaceId().toString(), note.version(),
            Note.iso(note.updatedAt()))
        : new Event.NoteUpdated(key.chatId().toString(), note.version(), note.lastEditedBy().toString(),
            Note.iso(note.updatedAt()));
    Events.publish(vertx.eventBus(), event);
    if (!key.isPersonal()) {
      vertx.eventBus().publish(Addresses.NOTES_CHAT_SAVED,
          new JsonObject().put("chatId", key.chatId().toString()).put("version", note.version()));
    }
  }

  private static int version(Input body) {
    return body.optionalInt("version", 1, Integer.MAX_VALUE)
        .orElseThrow(() -> Input.invalid("version", "version is required"));
  }

  private static OcommsException noSuchRevision(int version) {
    return new OcommsException(ErrorCode.NOT_FOUND, "version " + version + " of this note is not kept");
  }

  static boolean tooLong(String content, int maxBytes) {
    return content.length() > maxBytes || content.getBytes(StandardCharsets.UTF_8).length > maxBytes;
  }

  static OcommsException contentTooLong(int maxBytes) {
    return new OcommsException(Reason.CONTENT_TOO_LONG, "a note is limited to " + maxBytes + " bytes",
        new JsonObject().put("field", "content").put("maxBytes", maxBytes));
  }
}
