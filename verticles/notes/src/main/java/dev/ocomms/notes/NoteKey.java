package dev.ocomms.notes;

import io.vertx.core.json.JsonObject;

import java.util.UUID;

/** Which note: a chat's ({@code chatId}), or a user's own in a workspace ({@code workspaceId} and its owner). */
record NoteKey(UUID chatId, UUID workspaceId, UUID ownerId) {

  static NoteKey ofChat(UUID chatId) {
    return new NoteKey(chatId, null, null);
  }

  static NoteKey personal(UUID workspaceId, UUID ownerId) {
    return new NoteKey(null, workspaceId, ownerId);
  }

  boolean isPersonal() {
    return ownerId != null;
  }

  /** Serializes the saves of one note (a transaction-scoped advisory lock on this text). */
  String lockName() {
    return isPersonal() ? "notes.personal:" + workspaceId + ":" + ownerId : "notes.chat:" + chatId;
  }

  /** How answers and events name the note: {@code chatId}, or {@code workspaceId} for a personal note. */
  JsonObject identify(JsonObject json) {
    return isPersonal() ? json.put("workspaceId", workspaceId.toString()) : json.put("chatId", chatId.toString());
  }
}
