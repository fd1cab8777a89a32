package dev.ocomms.messaging;

import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.RowSet;
import io.vertx.rxjava3.sqlclient.SqlConnection;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * All SQL about messages, reactions, the chat event stream and read watermarks (schema {@code messaging}).
 * A chat's {@code last_seq} is its event counter: taking the next seq locks the chat row, which orders concurrent
 * writers on every node, and the seq commits or rolls back with the change it numbers.
 */
final class MessageStore {
  private final Pool pool;

  MessageStore(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  /** A user's standing in a chat, as message actions need it. */
  record Standing(UUID chatId, String kind, boolean archived, boolean member, String workspaceRole, long lastSeq) {
    boolean moderator() {
      return "owner".equals(workspaceRole) || "admin".equals(workspaceRole);
    }
  }

  Maybe<Standing> standing(UUID chatId, UUID userId) {
    return pool.preparedQuery("""
            SELECT c.id, c.kind, c.archived, c.last_seq,
                   EXISTS (SELECT 1 FROM messaging.chat_members m WHERE m.chat_id = c.id AND m.user_id = $2) AS member,
                   (SELECT w.role FROM messaging.workspace_members w
                     WHERE w.workspace_id = c.workspace_id AND w.user_id = $2) AS role
            FROM messaging.chats c WHERE c.id = $1""")
        .rxExecute(Tuple.of(chatId, userId))
        .flatMapMaybe(rows -> first(rows).map(row -> new Standing(row.getUUID("id"), row.getString("kind"),
            row.getBoolean("archived"), row.getBoolean("member"), row.getString("role"), row.getLong("last_seq"))));
  }

  /** What sending needs to know first, in one round trip: the caller's standing, and an earlier send of clientId. */
  record SendCheck(boolean member, boolean archived, UUID existingSender) {
  }

  Maybe<SendCheck> sendCheck(UUID chatId, UUID userId, UUID clientId) {
    return pool.preparedQuery("""
            SELECT c.archived,
                   EXISTS (SELECT 1 FROM messaging.chat_members m WHERE m.chat_id = c.id AND m.user_id = $2) AS member,
                   (SELECT x.sender_id FROM messaging.messages x WHERE x.chat_id = c.id AND x.client_id = $3)
                     AS existing_sender
            FROM messaging.chats c WHERE c.id = $1""")
        .rxExecute(Tuple.of(chatId, userId, clientId))
        .flatMapMaybe(rows -> first(rows).map(row -> new SendCheck(row.getBoolean("member"),
            row.getBoolean("archived"), row.getUUID("existing_sender"))));
  }

  Maybe<Message> byClientId(UUID chatId, UUID clientId) {
    return pool.preparedQuery("SELECT " + Message.COLUMNS + " FROM messaging.messages m"
            + " WHERE m.chat_id = $1 AND m.client_id = $2")
        .rxExecute(Tuple.of(chatId, clientId))
        .flatMapMaybe(rows -> first(rows).map(Message::of));
  }

  Maybe<Message> byId(UUID messageId) {
    return pool.preparedQuery("SELECT " + Message.COLUMNS + " FROM messaging.messages m WHERE m.id = $1")
        .rxExecute(Tuple.of(messageId))
        .flatMapMaybe(rows -> first(rows).map(Message::of));
  }

  /** Which of these users are members of the chat. */
  Single<List<UUID>> membersAmong(UUID chatId, List<UUID> userIds) {
    if (userIds.isEmpty()) {
      return Single.just(List.of());
    }
    return pool.preparedQuery("SELECT user_id FROM messaging.chat_members WHERE chat_id = $1 AND user_id = ANY($2)")
        .rxExecute(Tuple.of(chatId, userIds.toArray(UUID[]::new)))
        .map(rows -> {
          List<UUID> members = new ArrayList<>();
          rows.forEach(row -> members.add(row.getUUID("user_id")));
          return members;
        });
  }

  /** The next seq of a chat the user may write to; empty when not a member or archived (the caller says which). */
  Maybe<Long> nextSeq(SqlConnection tx, UUID chatId, UUID userId) {
    return tx.preparedQuery("""
            UPDATE messaging.chats c SET last_seq = c.last_seq + 1
            WHERE c.id = $1 AND NOT c.archived
              AND EXISTS (SELECT 1 FROM messaging.chat_members m WHERE m.chat_id = c.id AND m.user_id = $2)
            RETURNING c.last_seq""")
        .rxExecute(Tuple.of(chatId, userId))
        .flatMapMaybe(rows -> first(rows).map(row -> row.getLong("last_seq")));
  }

  /** A message just inserted: the seq it took and when. */
  record Inserted(long seq, OffsetDateTime createdAt) {
  }

  /**
   * The writes of a send after {@link #nextSeq}, each reading the seq from the chat row this transaction just
   * updated, so that they can be sent together without waiting for the seq (pipelined: the chat's row lock is held
   * for one round trip, not three). The guard repeats nextSeq's, so that nothing is written when it matched nothing.
   * Empty when the (chat, clientId) already exists (a concurrent retry won) or the guard failed.
   */
  Maybe<Inserted> insertNewMessage(SqlConnection tx, UUID id, UUID chatId, UUID clientId, UUID senderId,
                                   String content, UUID replyTo, JsonObject mentions, String priority,
                                   JsonArray fileIds) {
    return tx.preparedQuery("""
            INSERT INTO messaging.messages (id, chat_id, seq, client_id, sender_id, content, reply_to, mentions,
                                            priority, file_ids)
            SELECT $1, c.id, c.last_seq, $3, $4, $5, $6, $7, $8, $9 FROM messaging.chats c
            WHERE c.id = $2 AND NOT c.archived
              AND EXISTS (SELECT 1 FROM messaging.chat_members m WHERE m.chat_id = c.id AND m.user_id = $4)
            ON CONFLICT DO NOTHING
            RETURNING seq, created_at""")
        .rxExecute(Tuple.from(java.util.Arrays.asList(id, chatId, clientId, senderId, content, replyTo, mentions,
            priority, fileIds)))
        .flatMapMaybe(rows -> first(rows).map(row -> new Inserted(row.getLong("seq"),
            row.getOffsetDateTime("created_at"))));
  }

  /** A chat's row, locked until the transaction ends: the seq it has reached and whether it is archived. */
  record LockedChat(long lastSeq, boolean archived) {
  }

  /** Locks the chat row (the one order of every writer of the chat, on every node); empty when there is no chat. */
  Maybe<LockedChat> lockChat(SqlConnection tx, UUID chatId) {
    return tx.preparedQuery("SELECT last_seq, archived FROM messaging.chats WHERE id = $1 FOR UPDATE")
        .rxExecute(Tuple.of(chatId))
        .flatMapMaybe(rows -> first(rows).map(row -> new LockedChat(row.getLong("last_seq"),
            row.getBoolean("archived"))));
  }

  /** Of a batch's sends, by position: whether the sender is a member, and whether the clientId is already stored. */
  record SendStanding(boolean member, boolean stored) {
  }

  /**
   * Checked after {@link #lockChat} in the same transaction: under READ COMMITTED this statement's snapshot is taken
   * once the lock is held, so it sees every send and membership change that committed before.
   */
  Single<List<SendStanding>> sendStandings(SqlConnection tx, UUID chatId, List<UUID> senders, List<UUID> clientIds) {
    return tx.preparedQuery("""
            SELECT i.ord,
                   EXISTS (SELECT 1 FROM messaging.chat_members m WHERE m.chat_id = $1 AND m.user_id = i.sender)
                     AS member,
                   EXISTS (SELECT 1 FROM messaging.messages x WHERE x.chat_id = $1 AND x.client_id = i.client)
                     AS stored
            FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS i(sender, client, ord)
            ORDER BY i.ord""")
        .rxExecute(Tuple.of(chatId, senders.toArray(UUID[]::new), clientIds.toArray(UUID[]::new)))
        .map(rows -> {
          List<SendStanding> standings = new ArrayList<>();
          rows.forEach(row -> standings.add(new SendStanding(row.getBoolean("member"), row.getBoolean("stored"))));
          return standings;
        });
  }

  /** One message of a batch, with the seq the batch gave it. */
  record NewMessage(UUID id, long seq, UUID clientId, UUID senderId, String content, UUID replyTo, JsonObject mentions,
                    String priority, JsonArray fileIds) {
  }

  /**
   * Stores a batch of new messages of one chat (whose row this transaction holds) with every write a send makes: the
   * chat's seq, the messages, their events, thread reply counts and the senders' read marks. The statements are
   * sent together (pipelined). Answers when the messages were created (the transaction's time, the same for all).
   */
  Single<OffsetDateTime> insertBatch(SqlConnection tx, UUID chatId, List<NewMessage> batch) {
    int n = batch.size();
    UUID[] ids = new UUID[n];
    Long[] seqs = new Long[n];
    UUID[] clientIds = new UUID[n];
    UUID[] senders = new UUID[n];
    String[] contents = new String[n];
    UUID[] replyTos = new UUID[n];
    String[] mentions = new String[n];
    String[] priorities = new String[n];
    String[] fileIds = new String[n];
    List<UUID> roots = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      NewMessage message = batch.get(i);
      ids[i] = message.id();
      seqs[i] = message.seq();
      clientIds[i] = message.clientId();
      senders[i] = message.senderId();
      contents[i] = message.content();
      replyTos[i] = message.replyTo();
      mentions[i] = message.mentions().encode();
      priorities[i] = message.priority();
      fileIds[i] = message.fileIds().encode();
      if (message.replyTo() != null) {
        roots.add(message.replyTo());
      }
    }
    long lastSeq = seqs[n - 1];
    Single<Integer> seq = tx.preparedQuery("UPDATE messaging.chats SET last_seq = $2 WHERE id = $1")
        .rxExecute(Tuple.of(chatId, lastSeq)).map(RowSet::rowCount);
    Single<OffsetDateTime> messages = tx.preparedQuery("""
            INSERT INTO messaging.messages (id, chat_id, seq, client_id, sender_id, content, reply_to, mentions,
                                            priority, file_ids)
            SELECT i.id, $1, i.seq, i.client_id, i.sender_id, i.content, i.reply_to, i.mentions::jsonb, i.priority,
                   i.file_ids::jsonb
            FROM unnest($2::uuid[], $3::bigint[], $4::uuid[], $5::uuid[], $6::text[], $7::uuid[], $8::text[],
                        $9::text[], $10::text[])
                 AS i(id, seq, client_id, sender_id, content, reply_to, mentions, priority, file_ids)
            RETURNING created_at""")
        .rxExecute(Tuple.from(java.util.Arrays.<Object>asList(chatId, ids, seqs, clientIds, senders, contents,
            replyTos, mentions, priorities, fileIds)))
        .map(rows -> {
          if (rows.rowCount() != n) {
            throw new IllegalStateException("a batch stored " + rows.rowCount() + " of " + n + " messages");
          }
          return rows.iterator().next().getOffsetDateTime("created_at");
        });
    Single<Integer> events = tx.preparedQuery("INSERT INTO messaging.chat_events (chat_id, seq, type, message_id)"
            + " SELECT $1, i.seq, 'message.new', i.id FROM unnest($2::bigint[], $3::uuid[]) AS i(seq, id)")
        .rxExecute(Tuple.of(chatId, seqs, ids)).map(RowSet::rowCount);
    Single<Integer> replies = roots.isEmpty() ? Single.just(0) : tx.preparedQuery("""
            UPDATE messaging.messages r SET reply_count = r.reply_count + i.n, last_reply_at = now()
            FROM (SELECT root, count(*) AS n FROM unnest($1::uuid[]) AS root GROUP BY root) i
            WHERE r.id = i.root""")
        .rxExecute(Tuple.of(roots.toArray(UUID[]::new))).map(RowSet::rowCount);
    Single<Integer> reads = tx.preparedQuery("""
            UPDATE messaging.chat_members cm SET last_read_seq = i.seq
            FROM (SELECT sender, max(seq) AS seq FROM unnest($2::uuid[], $3::bigint[]) AS x(sender, seq)
                  GROUP BY sender) i
            WHERE cm.chat_id = $1 AND cm.user_id = i.sender AND cm.last_read_seq < i.seq""")
        .rxExecute(Tuple.of(chatId, senders, seqs)).map(RowSet::rowCount);
    return Single.zip(seq, messages, events, replies, reads, (s, createdAt, e, r, m) -> createdAt);
  }

  /** Every member's read watermark. */
  Single<Map<UUID, Long>> readWatermarks(UUID chatId) {
    return pool.preparedQuery("SELECT user_id, last_read_seq FROM messaging.chat_members WHERE chat_id = $1")
        .rxExecute(Tuple.of(chatId))
        .map(rows -> {
          Map<UUID, Long> watermarks = new HashMap<>();
          rows.forEach(row -> watermarks.put(row.getUUID("user_id"), row.getLong("last_read_seq")));
          return watermarks;
        });
  }

  /** Records a new message in the chat's event stream (nothing when the message was not inserted). */
  Single<Integer> recordNewMessage(SqlConnection tx, UUID messageId) {
    return tx.preparedQuery("INSERT INTO messaging.chat_events (chat_id, seq, type, message_id)"
            + " SELECT chat_id, seq, 'message.new', id FROM messaging.messages WHERE id = $1")
        .rxExecute(Tuple.of(messageId)).map(RowSet::rowCount);
  }

  /** Counts a new reply on its thread's root (nothing when the reply was not inserted). */
  Single<Integer> countNewReply(SqlConnection tx, UUID rootId, UUID replyId) {
    return tx.preparedQuery("UPDATE messaging.messages SET reply_count = reply_count + 1, last_reply_at = now()"
            + " WHERE id = $1 AND EXISTS (SELECT 1 FROM messaging.messages r WHERE r.id = $2)")
        .rxExecute(Tuple.of(rootId, replyId)).map(RowSet::rowCount);
  }

  /** The sender has read the chat up to their own new message. */
  Single<Integer> readOwnMessage(SqlConnection tx, UUID messageId, UUID senderId) {
    return tx.preparedQuery("""
            UPDATE messaging.chat_members cm SET last_read_seq = m.seq FROM messaging.messages m
            WHERE m.id = $1 AND cm.chat_id = m.chat_id AND cm.user_id = $2 AND cm.last_read_seq < m.seq""")
        .rxExecute(Tuple.of(messageId, senderId)).map(RowSet::rowCount);
  }

  Single<Integer> insertEvent(SqlConnection tx, UUID chatId, long seq, String type, UUID messageId, JsonObject detail) {
    return tx.preparedQuery("INSERT INTO messaging.chat_events (chat_id, seq, type, message_id, detail)"
            + " VALUES ($1, $2, $3, $4, $5)")
        .rxExecute(Tuple.of(chatId, seq, type, messageId, detail))
        .map(RowSet::rowCount);
  }

  /** Moves a read watermark forward (never back); the new watermark when it moved. */
  Maybe<Long> advanceRead(SqlConnection tx, UUID chatId, UUID userId, long seq) {
    return tx.preparedQuery("""
            UPDATE messaging.chat_members SET last_read_seq = $3
            WHERE chat_id = $1 AND user_id = $2 AND last_read_seq < $3
            RETURNING last_read_seq""")
        .rxExecute(Tuple.of(chatId, userId, seq))
        .flatMapMaybe(rows -> first(rows).map(row -> row.getLong("last_read_seq")));
  }

  Single<Integer> updateContent(SqlConnection tx, UUID messageId, String content, JsonObject mentions) {
    return tx.preparedQuery("UPDATE messaging.messages SET content = $2, mentions = $3, edited_at = now()"
            + " WHERE id = $1 AND deleted_at IS NULL")
        .rxExecute(Tuple.of(messageId, content, mentions)).map(RowSet::rowCount);
  }

  Single<Integer> markDeleted(SqlConnection tx, UUID messageId, UUID by) {
    return tx.preparedQuery("UPDATE messaging.messages SET deleted_at = now(), deleted_by = $2, content = ''"
            + " WHERE id = $1 AND deleted_at IS NULL")
        .rxExecute(Tuple.of(messageId, by)).map(RowSet::rowCount);
  }

  /** Adds or removes one reaction; whether anything changed. */
  Single<Boolean> react(SqlConnection tx, UUID messageId, String emoji, UUID userId, boolean add) {
    String sql = add
        ? "INSERT INTO messaging.reactions (message_id, emoji, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        : "DELETE FROM messaging.reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3";
    return tx.preparedQuery(sql).rxExecute(Tuple.of(messageId, emoji, userId)).map(rows -> rows.rowCount() > 0);
  }

  Single<Message> messageIn(SqlConnection tx, UUID messageId) {
    return tx.preparedQuery("SELECT " + Message.COLUMNS + " FROM messaging.messages m WHERE m.id = $1")
        .rxExecute(Tuple.of(messageId))
        .map(rows -> Message.of(rows.iterator().next()));
  }

  /** Top-level messages (or one thread's replies) by seq, newest first unless {@code afterSeq} is given. */
  Single<List<Message>> history(UUID chatId, UUID rootId, Long beforeSeq, Long afterSeq, int limit) {
    String thread = rootId == null ? "m.reply_to IS NULL" : "m.reply_to = $4";
    String sql = afterSeq != null
        ? "SELECT " + Message.COLUMNS + " FROM messaging.messages m WHERE m.chat_id = $1 AND " + thread
            + " AND m.seq > $2 ORDER BY m.seq ASC LIMIT $3"
        : "SELECT " + Message.COLUMNS + " FROM messaging.messages m WHERE m.chat_id = $1 AND " + thread
            + " AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3";
    long bound = afterSeq != null ? afterSeq : beforeSeq == null ? Long.MAX_VALUE : beforeSeq;
    Tuple args = rootId == null ? Tuple.of(chatId, bound, limit) : Tuple.of(chatId, bound, limit, rootId);
    return pool.preparedQuery(sql).rxExecute(args).map(MessageStore::messages);
  }

  /** One event of a chat's stream, with the message in its current state. */
  record StoredEvent(long seq, String type, JsonObject detail, Message message) {
  }

  /** The chat's events after {@code afterSeq}, in order, at most {@code limit}. */
  Single<List<StoredEvent>> eventsAfter(UUID chatId, long afterSeq, int limit) {
    return pool.preparedQuery("SELECT e.seq AS event_seq, e.type, e.detail, " + Message.COLUMNS
            + " FROM messaging.chat_events e JOIN messaging.messages m ON m.id = e.message_id"
            + " WHERE e.chat_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3")
        .rxExecute(Tuple.of(chatId, afterSeq, limit))
        .map(rows -> {
          List<StoredEvent> events = new ArrayList<>();
          rows.forEach(row -> {
            Object detail = row.getValue("detail");
            events.add(new StoredEvent(row.getLong("event_seq"), row.getString("type"),
                detail instanceof JsonObject json ? json : null, Message.of(row)));
          });
          return events;
        });
  }

  /**
   * Counts taken in one snapshot, with the chat's {@code last_seq} in that snapshot: changes commit in seq order (each
   * holds the chat row from taking its seq until commit), so the counts reflect exactly the changes up to {@code seq}.
   */
  record UnreadSnapshot(long seq, Map<UUID, long[]> counts) {
  }

  /** Unread and mention counts of every member of a chat (or of one), from the messages after each one's watermark. */
  Single<UnreadSnapshot> unreadOfMembers(UUID chatId, Optional<UUID> onlyUser) {
    return pool.preparedQuery("""
            SELECT (SELECT c.last_seq FROM messaging.chats c WHERE c.id = $1) AS snapshot,
                   cm.user_id,
                   count(m.id) AS unread,
                   count(m.id) FILTER (WHERE (m.mentions -> 'users') ? cm.user_id::text
                                          OR (m.mentions ->> 'channel')::boolean
                                          OR (m.mentions ->> 'here')::boolean) AS mentioned
            FROM messaging.chat_members cm
            LEFT JOIN messaging.messages m
              ON m.chat_id = cm.chat_id AND m.seq > cm.last_read_seq AND m.sender_id <> cm.user_id
             AND m.deleted_at IS NULL
            WHERE cm.chat_id = $1 AND ($2::uuid IS NULL OR cm.user_id = $2)
            GROUP BY cm.user_id""")
        .rxExecute(Tuple.of(chatId, onlyUser.orElse(null)))
        .map(rows -> {
          Map<UUID, long[]> counts = new HashMap<>();
          long[] seq = {0};
          rows.forEach(row -> {
            seq[0] = row.getLong("snapshot");
            counts.put(row.getUUID("user_id"), new long[] {row.getLong("unread"), row.getLong("mentioned")});
          });
          return new UnreadSnapshot(seq[0], counts);
        });
  }

  /** The members a message counts for: everyone but its sender whose watermark is below it. */
  Single<List<UUID>> recipients(UUID chatId, UUID senderId, long seq) {
    return pool.preparedQuery("SELECT user_id FROM messaging.chat_members"
            + " WHERE chat_id = $1 AND user_id <> $2 AND last_read_seq < $3")
        .rxExecute(Tuple.of(chatId, senderId, seq))
        .map(rows -> {
          List<UUID> members = new ArrayList<>();
          rows.forEach(row -> members.add(row.getUUID("user_id")));
          return members;
        });
  }

  /** One member's read watermark. */
  Maybe<Long> readWatermark(UUID chatId, UUID userId) {
    return pool.preparedQuery("SELECT last_read_seq FROM messaging.chat_members WHERE chat_id = $1 AND user_id = $2")
        .rxExecute(Tuple.of(chatId, userId))
        .flatMapMaybe(rows -> first(rows).map(row -> row.getLong("last_read_seq")));
  }

  private static List<Message> messages(RowSet<Row> rows) {
    List<Message> messages = new ArrayList<>();
    rows.forEach(row -> messages.add(Message.of(row)));
    return messages;
  }

  private static Maybe<Row> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Maybe.empty() : Maybe.just(rows.iterator().next());
  }
}
