package dev.ocomms.messaging;

import dev.ocomms.shared.Ids;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.RowSet;
import io.vertx.rxjava3.sqlclient.SqlClient;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * All SQL of workspaces, invites, chats and memberships (schema {@code messaging}); transactions as every messaging
 * store runs them ({@link PgStore}). Permission rules are not here: callers decide, the store reads and writes.
 */
final class ChatStore extends PgStore<ChatStore> {
  private static final String UNIQUE_VIOLATION = "23505";

  /**
   * The columns of a {@link Chat}, with its member count (kept by a trigger on chat_members) and (for DMs) member
   * ids. Alias the chat {@code c}.
   */
  private static final String CHAT_COLUMNS = """
      c.id, c.workspace_id, c.kind, c.name, c.topic, c.purpose, c.private, c.archived, c.last_seq, c.created_by,
      c.created_at, c.member_count,
      CASE WHEN c.kind = 'dm'
        THEN ARRAY(SELECT n.user_id FROM messaging.chat_members n WHERE n.chat_id = c.id ORDER BY n.user_id)
      END AS member_ids""";

  /** The columns of a {@link Workspace} for the member {@code m}. Alias the workspace {@code w}. */
  private static final String WORKSPACE_COLUMNS = """
      w.id, w.name, m.role, w.created_at, w.general_chat_id,
      (SELECT count(*) FROM messaging.workspace_members n WHERE n.workspace_id = w.id) AS member_count""";

  ChatStore(Pool pool) {
    super(pool);
  }

  private ChatStore(SqlClient connection, Pool pool) {
    super(connection, pool);
  }

  @Override
  ChatStore boundTo(SqlClient connection, Pool pool) {
    return new ChatStore(connection, pool);
  }

  // Workspaces

  /** A workspace, its owner, and its general channel with the owner in it. */
  Completable createWorkspace(UUID workspaceId, String name, UUID owner, UUID generalId) {
    return update("""
            INSERT INTO messaging.workspaces (id, name, general_chat_id, created_by) VALUES ($1, $2, $3, $4)""",
        Tuple.of(workspaceId, name, generalId, owner))
        .andThen(update("""
                INSERT INTO messaging.workspace_members (workspace_id, user_id, role) VALUES ($1, $2, 'owner')""",
            Tuple.of(workspaceId, owner)))
        .andThen(insertChannel(generalId, workspaceId, "general", "", "", false, owner).ignoreElement())
        .andThen(addChatMember(generalId, owner).ignoreElement());
  }

  /** The workspace as {@code userId} sees it; empty when they are not a member (or it does not exist). */
  Maybe<Workspace> workspace(UUID workspaceId, UUID userId) {
    return query("SELECT " + WORKSPACE_COLUMNS + """
             FROM messaging.workspace_members m JOIN messaging.workspaces w ON w.id = m.workspace_id
            WHERE m.workspace_id = $1 AND m.user_id = $2""",
        Tuple.of(workspaceId, userId))
        .flatMapMaybe(rows -> first(rows).map(ChatStore::workspace));
  }

  Single<List<Workspace>> workspacesOf(UUID userId) {
    return query("SELECT " + WORKSPACE_COLUMNS + """
             FROM messaging.workspace_members m JOIN messaging.workspaces w ON w.id = m.workspace_id
            WHERE m.user_id = $1
            ORDER BY w.created_at, w.id""",
        Tuple.of(userId))
        .map(rows -> stream(rows).map(ChatStore::workspace).toList());
  }

  /** The role of {@code userId} in the workspace; empty when they are not in it. */
  Maybe<String> role(UUID workspaceId, UUID userId) {
    return query("SELECT role FROM messaging.workspace_members WHERE workspace_id = $1 AND user_id = $2",
        Tuple.of(workspaceId, userId))
        .flatMapMaybe(rows -> first(rows).map(row -> row.getString("role")));
  }

  /** Which of {@code userIds} are members of the workspace. */
  Single<Set<UUID>> workspaceMembersAmong(UUID workspaceId, Collection<UUID> userIds) {
    return query("SELECT user_id FROM messaging.workspace_members WHERE workspace_id = $1 AND user_id = ANY($2)",
        Tuple.of(workspaceId, userIds.toArray(UUID[]::new)))
        .map(rows -> new HashSet<>(stream(rows).map(row -> row.getUUID("user_id")).toList()));
  }

  Single<List<JsonObject>> workspaceMembers(UUID workspaceId) {
    return query("""
            SELECT user_id, role, joined_at FROM messaging.workspace_members
             WHERE workspace_id = $1 ORDER BY joined_at, user_id""",
        Tuple.of(workspaceId))
        .map(rows -> stream(rows).map(row -> new JsonObject()
            .put("userId", row.getUUID("user_id").toString())
            .put("role", row.getString("role"))
            .put("joinedAt", Timestamps.iso(row.getOffsetDateTime("joined_at")))).toList());
  }

  /** Which of these users share at least one workspace with {@code userId} (themselves included). */
  Single<List<UUID>> sharingAWorkspace(UUID userId, Collection<UUID> others) {
    return query("""
            SELECT DISTINCT o.user_id FROM messaging.workspace_members o
            JOIN messaging.workspace_members m ON m.workspace_id = o.workspace_id AND m.user_id = $1
            WHERE o.user_id = ANY($2)""", Tuple.of(userId, others.toArray(UUID[]::new)))
        .map(rows -> stream(rows).map(row -> row.getUUID("user_id")).toList());
  }

  /** Adds a member; false when they already were one. */
  Single<Boolean> addWorkspaceMember(UUID workspaceId, UUID userId, String role) {
    return query("""
            INSERT INTO messaging.workspace_members (workspace_id, user_id, role) VALUES ($1, $2, $3)
            ON CONFLICT DO NOTHING""",
        Tuple.of(workspaceId, userId, role))
        .map(rows -> rows.rowCount() == 1);
  }

  /** The workspace's general channel, unless it has been archived. */
  Maybe<UUID> openGeneralChannel(UUID workspaceId) {
    return query("""
            SELECT c.id FROM messaging.workspaces w JOIN messaging.chats c ON c.id = w.general_chat_id
             WHERE w.id = $1 AND NOT c.archived""",
        Tuple.of(workspaceId))
        .flatMapMaybe(rows -> first(rows).map(row -> row.getUUID("id")));
  }

  // Invites

  /** Stores an invite and answers its expiry; empty when the code is taken (the caller draws another). */
  Maybe<OffsetDateTime> insertInvite(String code, UUID workspaceId, UUID createdBy, int hours, Integer maxUses) {
    return query("""
            INSERT INTO messaging.invites (code, workspace_id, created_by, expires_at, max_uses)
            VALUES ($1, $2, $3, now() + make_interval(hours => $4), $5)
            ON CONFLICT DO NOTHING
            RETURNING expires_at""",
        Tuple.of(code, workspaceId, createdBy, hours, maxUses))
        .flatMapMaybe(rows -> first(rows).map(row -> row.getOffsetDateTime("expires_at")));
  }

  record Invite(UUID workspaceId, boolean expired, boolean usedUp) {
  }

  /** The invite, locked until the transaction ends so that concurrent joins count its uses exactly. */
  Maybe<Invite> inviteForUpdate(String code) {
    return query("""
            SELECT workspace_id, expires_at <= now() AS expired, (max_uses IS NOT NULL AND uses >= max_uses) AS used_up
              FROM messaging.invites WHERE code = $1 FOR UPDATE""",
        Tuple.of(code))
        .flatMapMaybe(rows -> first(rows).map(row ->
            new Invite(row.getUUID("workspace_id"), row.getBoolean("expired"), row.getBoolean("used_up"))));
  }

  Completable countInviteUse(String code) {
    return update("UPDATE messaging.invites SET uses = uses + 1 WHERE code = $1", Tuple.of(code));
  }

  // Chats

  /** Inserts a channel; false when the workspace already has a channel of that name. */
  Single<Boolean> insertChannel(UUID chatId, UUID workspaceId, String name, String topic, String purpose,
                                boolean isPrivate, UUID createdBy) {
    return query("""
            INSERT INTO messaging.chats (id, workspace_id, kind, name, name_key, topic, purpose, private, created_by)
            VALUES ($1, $2, 'channel', $3, lower($3), $4, $5, $6, $7)
            ON CONFLICT (workspace_id, name_key) DO NOTHING""",
        Tuple.from(Arrays.<Object>asList(chatId, workspaceId, name, topic, purpose, isPrivate, createdBy)))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Inserts a DM; false when the workspace already has a DM for this member set (concurrent opens included). */
  Single<Boolean> insertDm(UUID chatId, UUID workspaceId, String dmKey, UUID createdBy) {
    return query("""
            INSERT INTO messaging.chats (id, workspace_id, kind, private, dm_key, created_by)
            VALUES ($1, $2, 'dm', true, $3, $4)
            ON CONFLICT (workspace_id, dm_key) DO NOTHING""",
        Tuple.of(chatId, workspaceId, dmKey, createdBy))
        .map(rows -> rows.rowCount() == 1);
  }

  Single<UUID> dmByKey(UUID workspaceId, String dmKey) {
    return query("SELECT id FROM messaging.chats WHERE workspace_id = $1 AND dm_key = $2",
        Tuple.of(workspaceId, dmKey))
        .map(rows -> rows.iterator().next().getUUID("id"));
  }

  /** Changes what is given (null leaves a column alone); false when the new name is taken in the workspace. */
  Single<Boolean> updateChat(UUID chatId, String name, String topic, String purpose, Boolean archived) {
    return query("""
            UPDATE messaging.chats
               SET name = coalesce($2, name), name_key = coalesce(lower($2), name_key),
                   topic = coalesce($3, topic), purpose = coalesce($4, purpose), archived = coalesce($5, archived)
             WHERE id = $1""",
        Tuple.of(chatId, name, topic, purpose, archived))
        .map(rows -> true)
        .onErrorResumeNext(failure -> failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
            ? Single.just(false) : Single.error(failure));
  }

  /** The chat; fails when it does not exist (callers ask only for chats they have just seen). */
  Single<Chat> chat(UUID chatId) {
    return query("SELECT " + CHAT_COLUMNS + " FROM messaging.chats c WHERE c.id = $1", Tuple.of(chatId))
        .map(rows -> chat(rows.iterator().next()));
  }

  /** The chat as {@code userId} stands towards it; empty when there is no such chat. */
  Maybe<ChatAccess> access(UUID chatId, UUID userId) {
    return query("SELECT " + CHAT_COLUMNS + """
            ,
              EXISTS (SELECT 1 FROM messaging.chat_members me WHERE me.chat_id = c.id AND me.user_id = $2) AS is_member,
              (SELECT wm.role FROM messaging.workspace_members wm
                WHERE wm.workspace_id = c.workspace_id AND wm.user_id = $2) AS role,
              EXISTS (SELECT 1 FROM messaging.workspaces w WHERE w.id = c.workspace_id AND w.general_chat_id = c.id)
                AS is_general
             FROM messaging.chats c WHERE c.id = $1""",
        Tuple.of(chatId, userId))
        .flatMapMaybe(rows -> first(rows).map(row -> new ChatAccess(chat(row), userId, row.getBoolean("is_member"),
            row.getString("role"), row.getBoolean("is_general"))));
  }

  /** Every chat {@code userId} is a member of, in all workspaces. */
  Single<List<Chat>> chatsOf(UUID userId) {
    return query("SELECT " + CHAT_COLUMNS + """
             FROM messaging.chat_members me JOIN messaging.chats c ON c.id = me.chat_id
            WHERE me.user_id = $1
            ORDER BY c.workspace_id, c.kind, c.name_key, c.created_at""",
        Tuple.of(userId))
        .map(rows -> stream(rows).map(ChatStore::chat).toList());
  }

  record ChannelListing(Chat chat, boolean member) {
  }

  /** The workspace's channels {@code userId} is in, and its public, non-archived ones they could join. */
  Single<List<ChannelListing>> channelsVisibleTo(UUID workspaceId, UUID userId) {
    return query("SELECT " + CHAT_COLUMNS + """
            , me.user_id IS NOT NULL AS is_member
             FROM messaging.chats c
             LEFT JOIN messaging.chat_members me ON me.chat_id = c.id AND me.user_id = $2
            WHERE c.workspace_id = $1 AND c.kind = 'channel'
              AND (me.user_id IS NOT NULL OR (NOT c.private AND NOT c.archived))
            ORDER BY c.name_key""",
        Tuple.of(workspaceId, userId))
        .map(rows -> stream(rows).map(row -> new ChannelListing(chat(row), row.getBoolean("is_member"))).toList());
  }

  /**
   * Every chat of the workspace whose messages {@code userId} may read: those they are a member of and the public
   * channels (archived ones too: their history stays readable). Search asks on every query: only what it needs, as
   * the JSON it is answered with.
   */
  Single<List<JsonObject>> chatsReadableBy(UUID workspaceId, UUID userId) {
    return query("""
            SELECT c.id, c.kind, c.name, c.topic, c.private, c.member_count, me.user_id IS NOT NULL AS is_member,
                   CASE WHEN c.kind = 'dm'
                     THEN ARRAY(SELECT n.user_id FROM messaging.chat_members n WHERE n.chat_id = c.id
                                ORDER BY n.user_id)
                   END AS member_ids
              FROM messaging.chats c
              LEFT JOIN messaging.chat_members me ON me.chat_id = c.id AND me.user_id = $2
             WHERE c.workspace_id = $1
               AND (me.user_id IS NOT NULL OR (c.kind = 'channel' AND NOT c.private))""",
        Tuple.of(workspaceId, userId))
        .map(rows -> stream(rows).map(row -> {
          JsonObject chat = new JsonObject()
              .put("id", row.getUUID(0).toString())
              .put("kind", row.getString(1))
              .put("name", row.getString(2))
              .put("topic", row.getString(3))
              .put("private", row.getBoolean(4))
              .put("memberCount", row.getInteger(5))
              .put("member", row.getBoolean(6));
          UUID[] memberIds = row.getArrayOfUUIDs(7);
          if (memberIds != null) {
            chat.put("memberIds", new JsonArray(Arrays.stream(memberIds).map(UUID::toString).toList()));
          }
          return chat;
        }).toList());
  }

  // Chat members

  /**
   * The chat's members, each with their role in its workspace ({@code owner}, {@code admin} or {@code member}) and
   * whether they created the chat.
   */
  Single<List<JsonObject>> chatMembers(UUID chatId) {
    return query("""
            SELECT m.user_id, m.joined_at, m.last_read_seq, coalesce(w.role, 'member') AS role,
                   m.user_id = c.created_by AS creator
              FROM messaging.chat_members m
              JOIN messaging.chats c ON c.id = m.chat_id
              LEFT JOIN messaging.workspace_members w ON w.workspace_id = c.workspace_id AND w.user_id = m.user_id
             WHERE m.chat_id = $1
             ORDER BY m.joined_at, m.user_id""",
        Tuple.of(chatId))
        .map(rows -> stream(rows).map(row -> new JsonObject()
            .put("userId", row.getUUID("user_id").toString())
            .put("joinedAt", Timestamps.iso(row.getOffsetDateTime("joined_at")))
            // Read receipts: every message up to this seq has been seen by this member.
            .put("readSeq", row.getLong("last_read_seq"))
            .put("role", row.getString("role"))
            .put("creator", row.getBoolean("creator"))).toList());
  }

  /**
   * Stores a system message (what happened to the chat, see {@link Message#isSystem}) under the chat's next seq, with
   * its {@code message.new} event, in this transaction. Run it before the change it describes: it locks the chat row
   * first, as a send and {@link #removeChatMember} do, and a member added after it starts with it read.
   */
  Single<Message> insertSystemMessage(UUID chatId, UUID actor, JsonObject system) {
    UUID id = Ids.next();
    return query("""
            WITH chat AS (
              UPDATE messaging.chats SET last_seq = last_seq + 1 WHERE id = $1 RETURNING id, last_seq
            ), inserted AS (
              INSERT INTO messaging.messages (id, chat_id, seq, client_id, sender_id, content, system)
              SELECT $2, chat.id, chat.last_seq, $2, $3, '', $4 FROM chat
              RETURNING id, chat_id, seq, created_at
            ), events AS (
              INSERT INTO messaging.chat_events (chat_id, seq, type, message_id)
              SELECT chat_id, seq, 'message.new', id FROM inserted
            )
            SELECT seq, created_at FROM inserted""",
        Tuple.of(chatId, id, actor, system))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new Message(id, chatId, row.getLong("seq"), id, actor, "", null, 0, null, Message.emptyMentions(),
              "normal", new JsonArray(), row.getOffsetDateTime("created_at"), null, null, new JsonArray(), system,
              null, null);
        });
  }

  /** Adds a member; false when they already were one. */
  Single<Boolean> addChatMember(UUID chatId, UUID userId) {
    // A new member starts with the chat read: its history is there to scroll, not unread.
    return query("""
            INSERT INTO messaging.chat_members (chat_id, user_id, last_read_seq)
            SELECT c.id, $2, c.last_seq FROM messaging.chats c WHERE c.id = $1
            ON CONFLICT DO NOTHING""",
        Tuple.of(chatId, userId))
        .map(rows -> rows.rowCount() == 1);
  }

  Completable addChatMembers(UUID chatId, Collection<UUID> userIds) {
    return update("""
            INSERT INTO messaging.chat_members (chat_id, user_id, last_read_seq)
            SELECT c.id, u.id, c.last_seq FROM messaging.chats c, unnest($2::uuid[]) AS u(id) WHERE c.id = $1
            ON CONFLICT DO NOTHING""",
        Tuple.of(chatId, userIds.toArray(UUID[]::new)));
  }

  /** The channels (not DMs) of a workspace that the user is a member of. */
  Single<List<UUID>> channelsOf(UUID workspaceId, UUID userId) {
    return query("""
            SELECT c.id FROM messaging.chats c JOIN messaging.chat_members m ON m.chat_id = c.id
            WHERE c.workspace_id = $1 AND m.user_id = $2 AND c.kind = 'channel'""",
        Tuple.of(workspaceId, userId))
        .map(rows -> {
          List<UUID> ids = new ArrayList<>(rows.size());
          rows.forEach(row -> ids.add(row.getUUID("id")));
          return ids;
        });
  }

  /** Removes a workspace member (their chat memberships are the caller's to remove first); false if not one. */
  Single<Boolean> removeWorkspaceMember(UUID workspaceId, UUID userId) {
    return query("DELETE FROM messaging.workspace_members WHERE workspace_id = $1 AND user_id = $2",
        Tuple.of(workspaceId, userId))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Removes a member; false when they were not one. */
  Single<Boolean> removeChatMember(UUID chatId, UUID userId) {
    // The chat's row first, as a send locks it (its seq) before the sender's member row (their read state): deleting
    // the member row first and then counting on the chat's row, as the member-count trigger does, could deadlock with
    // a send of the member leaving.
    return query("""
            WITH chat AS (SELECT id FROM messaging.chats WHERE id = $1 FOR UPDATE)
            DELETE FROM messaging.chat_members WHERE chat_id = (SELECT id FROM chat) AND user_id = $2""",
        Tuple.of(chatId, userId))
        .map(rows -> rows.rowCount() == 1);
  }

  // Plumbing

  private Completable update(String sql, Tuple arguments) {
    return query(sql, arguments).ignoreElement();
  }

  private static Stream<Row> stream(RowSet<Row> rows) {
    return rows.stream();
  }

  private static Workspace workspace(Row row) {
    return new Workspace(row.getUUID("id"), row.getString("name"), row.getString("role"),
        row.getLong("member_count").intValue(), row.getOffsetDateTime("created_at"), row.getUUID("general_chat_id"));
  }

  private static Chat chat(Row row) {
    UUID[] memberIds = row.getArrayOfUUIDs("member_ids");
    return new Chat(row.getUUID("id"), row.getUUID("workspace_id"), Chat.Kind.of(row.getString("kind")),
        row.getString("name"), row.getString("topic"), row.getString("purpose"), row.getBoolean("private"),
        row.getBoolean("archived"), row.getInteger("member_count"), row.getLong("last_seq"), row.getUUID("created_by"),
        row.getOffsetDateTime("created_at"), memberIds == null ? List.of() : Arrays.asList(memberIds));
  }
}
