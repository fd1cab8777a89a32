package dev.ocomms.uploads;

import dev.ocomms.shared.bus.Input;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.RowSet;
import io.vertx.rxjava3.sqlclient.SqlConnection;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** All SQL of the uploads verticle (schema {@code uploads}): files, their attachments to messages, and avatars. */
final class FileStore {
  /** How long a file attached to no message is kept (from its upload, or from the deletion of its last message). */
  static final String ORPHAN_GRACE = "24 hours";
  /**
   * How long after the attachment follower has caught up an attachment it never saw confirmed is dropped: the send
   * that claimed it failed (a send commits within seconds of its claim).
   */
  private static final String UNCONFIRMED_GRACE = "10 minutes";
  private static final int SWEEP_BATCH = 1000;

  /** One file of a chat's list: the file, and the message that carries it. */
  record ChatFile(UploadedFile file, UUID messageId, UUID senderId, OffsetDateTime attachedAt) {
  }

  /** What a sweep removed: how many files, and the storage keys of their objects (files and thumbnails). */
  record Swept(int files, List<String> keys) {
  }

  /** An avatar image as stored. */
  record Avatar(UUID id, UUID userId, String storageKey, String mediaType) {
  }

  private final Pool pg;

  FileStore(Pool pg) {
    this.pg = pg;
  }

  /** The bytes a user's files take in all (their quota's use). */
  Single<Long> usedBytes(UUID userId) {
    return pg.preparedQuery("SELECT coalesce(sum(size), 0)::bigint AS used FROM uploads.files WHERE uploader_id = $1")
        .rxExecute(Tuple.of(userId))
        .map(rows -> rows.iterator().next().getLong("used"));
  }

  /**
   * Records a stored file if its uploader's files stay within {@code quotaBytes} with it; empty if they would not.
   * Uploads of one user are recorded one at a time (a lock on the user), so two at once cannot both slip under it.
   */
  Maybe<UploadedFile> insertWithinQuota(UploadedFile file, long quotaBytes) {
    return pg.rxWithTransaction(connection -> connection
        .preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))")
        .rxExecute(Tuple.of(file.uploaderId().toString()))
        .flatMap(locked -> connection.preparedQuery("""
                INSERT INTO uploads.files AS f (id, uploader_id, name, media_type, size, width, height, storage_key,
                                                thumbnail_key, thumbnail_type)
                SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::bigint, $6::integer, $7::integer, $8::text, $9::text,
                       $10::text
                WHERE (SELECT coalesce(sum(size), 0) FROM uploads.files WHERE uploader_id = $2) + $5 <= $11::bigint
                RETURNING\s""" + UploadedFile.COLUMNS)
            .rxExecute(Tuple.from(new Object[] {file.id(), file.uploaderId(), file.name(), file.mediaType(),
                file.size(), file.width(), file.height(), file.storageKey(), file.thumbnailKey(),
                file.thumbnailType(), quotaBytes})))
        .flatMapMaybe(FileStore::first));
  }

  Maybe<UploadedFile> find(UUID id) {
    return pg.preparedQuery("SELECT " + UploadedFile.COLUMNS + " FROM uploads.files f WHERE f.id = $1")
        .rxExecute(Tuple.of(id))
        .flatMapMaybe(FileStore::first);
  }

  /** The chats whose messages carry the file (claimed or confirmed): their members may download it. */
  Single<List<UUID>> chatsCarrying(UUID fileId) {
    return pg.preparedQuery("SELECT DISTINCT chat_id FROM uploads.message_attachments WHERE file_id = $1")
        .rxExecute(Tuple.of(fileId))
        .map(rows -> {
          List<UUID> chats = new ArrayList<>();
          rows.forEach(row -> chats.add(row.getUUID("chat_id")));
          return chats;
        });
  }

  /**
   * Attaches files to a message about to be stored: each must be one the sender uploaded (else validation_failed on
   * fileIds, and nothing is attached). Answers the files in the order given.
   */
  Single<List<UploadedFile>> claim(UUID senderId, UUID chatId, UUID messageId, List<UUID> fileIds) {
    UUID[] ids = fileIds.toArray(UUID[]::new);
    return pg.rxWithTransaction(connection -> connection
            .preparedQuery("SELECT " + UploadedFile.COLUMNS
                + " FROM uploads.files f WHERE f.id = ANY($1) AND f.uploader_id = $2")
            .rxExecute(Tuple.of(ids, senderId))
            .flatMap(rows -> {
              Map<UUID, UploadedFile> owned = new HashMap<>();
              rows.forEach(row -> owned.put(row.getUUID("id"), UploadedFile.of(row)));
              if (owned.size() != new LinkedHashSet<>(fileIds).size() || owned.size() != fileIds.size()) {
                return Single.error(Input.invalid("fileIds",
                    "each file id must name a different file you uploaded"));
              }
              return connection.preparedQuery("""
                      INSERT INTO uploads.message_attachments (file_id, message_id, chat_id, sender_id, position)
                      SELECT f.id, $2, $3, $4, f.ord FROM unnest($1::uuid[]) WITH ORDINALITY AS f(id, ord)
                      ON CONFLICT DO NOTHING""")
                  .rxExecute(Tuple.of(ids, messageId, chatId, senderId))
                  .flatMap(inserted -> connection
                      .preparedQuery("UPDATE uploads.files SET detached_at = NULL WHERE id = ANY($1)")
                      .rxExecute(Tuple.of((Object) ids)))
                  .map(updated -> fileIds.stream().map(owned::get).toList());
            })
            .toMaybe())
        .toSingle();
  }

  /**
   * The files attached to a chat's messages, newest first, before a (time, file) position if given. Claimed ones count
   * from the claim (as for downloads), so a file shows as soon as its message is acked.
   */
  Single<List<ChatFile>> chatFiles(UUID chatId, OffsetDateTime beforeTime, UUID beforeFile, int limit) {
    return pg.preparedQuery("SELECT " + UploadedFile.COLUMNS + """
            , a.message_id, a.sender_id, a.attached_at
            FROM uploads.message_attachments a JOIN uploads.files f ON f.id = a.file_id
            WHERE a.chat_id = $1 AND ($2::timestamptz IS NULL OR (a.attached_at, a.file_id) < ($2, $3))
            ORDER BY a.attached_at DESC, a.file_id DESC
            LIMIT $4""")
        .rxExecute(Tuple.of(chatId, beforeTime, beforeFile, limit))
        .map(rows -> {
          List<ChatFile> files = new ArrayList<>();
          rows.forEach(row -> files.add(new ChatFile(UploadedFile.of(row), row.getUUID("message_id"),
              row.getUUID("sender_id"), row.getOffsetDateTime("attached_at"))));
          return files;
        });
  }

  // The attachment follower

  /** Marks the attachments of messages that were stored (their message.new came by). */
  static Completable confirm(SqlConnection connection, List<UUID> messageIds) {
    if (messageIds.isEmpty()) {
      return Completable.complete();
    }
    return connection.preparedQuery(
            "UPDATE uploads.message_attachments SET confirmed = true WHERE message_id = ANY($1) AND NOT confirmed")
        .rxExecute(Tuple.of((Object) messageIds.toArray(UUID[]::new)))
        .ignoreElement();
  }

  /**
   * Drops the attachments of deleted messages; a file that no message carries any more starts its grace period.
   * (The statement sees the rows as they were before its own delete, hence the message filter.)
   */
  static Completable detach(SqlConnection connection, List<UUID> messageIds) {
    if (messageIds.isEmpty()) {
      return Completable.complete();
    }
    return connection.preparedQuery("""
            WITH gone AS (
              DELETE FROM uploads.message_attachments WHERE message_id = ANY($1) RETURNING file_id
            )
            UPDATE uploads.files f SET detached_at = now()
            WHERE f.id IN (SELECT file_id FROM gone)
              AND NOT EXISTS (SELECT 1 FROM uploads.message_attachments a
                              WHERE a.file_id = f.id AND a.message_id <> ALL($1))""")
        .rxExecute(Tuple.of((Object) messageIds.toArray(UUID[]::new)))
        .ignoreElement();
  }

  // The orphan sweep

  /**
   * Removes the records of files no message carries whose grace period ended before {@code now}, and of attachments
   * whose send never happened; answers the storage keys to delete. Empty when another node is sweeping.
   */
  Maybe<Swept> sweep(OffsetDateTime now) {
    return pg.rxWithTransaction(connection -> connection
        .query("SELECT pg_try_advisory_xact_lock(hashtext('ocomms.uploads.sweep')) AS locked").rxExecute()
        .flatMapMaybe(locked -> !locked.iterator().next().getBoolean("locked") ? Maybe.<Swept>empty()
            : connection.query("DELETE FROM uploads.message_attachments WHERE NOT confirmed AND attached_at < ("
                    + "SELECT caught_up_at - interval '" + UNCONFIRMED_GRACE + "' FROM uploads.stream_cursor)")
                .rxExecute()
                .flatMap(dropped -> connection.preparedQuery(
                        "DELETE FROM uploads.files WHERE id IN (SELECT f.id FROM uploads.files f"
                            + " WHERE coalesce(f.detached_at, f.created_at) < $1::timestamptz - interval '"
                            + ORPHAN_GRACE + "'"
                            + " AND NOT EXISTS (SELECT 1 FROM uploads.message_attachments a WHERE a.file_id = f.id)"
                            + " LIMIT $2) RETURNING storage_key, thumbnail_key")
                    .rxExecute(Tuple.of(now, SWEEP_BATCH)))
                .map(removed -> {
                  List<String> keys = new ArrayList<>();
                  removed.forEach(row -> {
                    keys.add(row.getString("storage_key"));
                    if (row.getString("thumbnail_key") != null) {
                      keys.add(row.getString("thumbnail_key"));
                    }
                  });
                  return new Swept(removed.rowCount(), keys);
                })
                .toMaybe()));
  }

  // Avatars

  Completable insertAvatar(Avatar avatar) {
    return pg.preparedQuery(
            "INSERT INTO uploads.avatars (id, user_id, storage_key, media_type) VALUES ($1, $2, $3, $4)")
        .rxExecute(Tuple.of(avatar.id(), avatar.userId(), avatar.storageKey(), avatar.mediaType()))
        .ignoreElement();
  }

  Maybe<Avatar> findAvatar(UUID id) {
    return pg.preparedQuery("SELECT id, user_id, storage_key, media_type FROM uploads.avatars WHERE id = $1")
        .rxExecute(Tuple.of(id))
        .flatMapMaybe(rows -> rows.size() == 0 ? Maybe.empty() : Maybe.just(avatar(rows.iterator().next())));
  }

  /** Removes a user's avatar record; answers its storage key. */
  Maybe<String> deleteAvatar(UUID id, UUID userId) {
    return pg.preparedQuery("DELETE FROM uploads.avatars WHERE id = $1 AND user_id = $2 RETURNING storage_key")
        .rxExecute(Tuple.of(id, userId))
        .flatMapMaybe(rows -> rows.size() == 0 ? Maybe.empty()
            : Maybe.just(rows.iterator().next().getString("storage_key")));
  }

  private static Avatar avatar(Row row) {
    return new Avatar(row.getUUID("id"), row.getUUID("user_id"), row.getString("storage_key"),
        row.getString("media_type"));
  }

  private static Maybe<UploadedFile> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Maybe.empty() : Maybe.just(UploadedFile.of(rows.iterator().next()));
  }
}
