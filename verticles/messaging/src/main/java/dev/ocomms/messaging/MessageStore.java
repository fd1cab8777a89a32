package dev.ocomms.messaging;

import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.RowSet;
import io.vertx.rxjava3.sqlclient.SqlClient;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * All SQL about messages, reactions, the chat event stream and read watermarks (schema {@code messaging});
 * transactions as every messaging store runs them ({@link PgStore}). A chat's {@code last_seq} is its event counter:
 * taking the next seq locks the chat row, which orders concurrent writers on every node, and the seq commits or rolls
 * back with the change it numbers.
 */
final class MessageStore extends PgStore<MessageStore> {
  MessageStore(Pool pool) {
    super(pool);
  }

  private MessageStore(SqlClient connection, Pool pool) {
    super(connection, pool);
  }

  @Override
  MessageStore boundTo(SqlClient connection, Pool pool) {
    return new MessageStore(connection, pool);
  }

  /** A user's standing in a chat, as message actions need it. */
  record Standing(UUID chatId, String kind, boolean archived, boolean member, String workspaceRole, long lastSeq) {
    boolean moderator() {
      return "owner".equals(workspaceRole) || "admin".equals(workspaceRole);
    }
  }

  Maybe<Standing> standing(UUID chatId, UUID userId) {
    return query("""
            SELECT c.id, c.kind, c.archived, c.last_seq,
                   EXISTS (SELECT 1 FROM messaging.chat_members m WHERE m.chat_id = c.id AND m.user_id = $2) AS member,
                   (SELECT w.role FROM messaging.workspace_members w
                     WHERE w.workspace_id = c.workspace_id AND w.user_id = $2) AS role
            FROM messaging.chats c WHERE c.id = $1""",
        Tuple.of(chatId, userId))
        .flatMapMaybe(rows -> first(rows).map(row -> new Standing(row.getUUID("id"), row.getString("kind"),
            row.getBoolean("archived"), row.getBoolean("member"), row.getString("role"), row.getLong("last_seq"))));
  }

  Maybe<Message> byClientId(UUID chatId, UUID clientId) {
    return query("SELECT " + Message.COLUMNS + " FROM messaging.messages m"
            + " WHERE m.client_id = $2 AND m.chat_id = $1", Tuple.of(chatId, clientId))
        .flatMapMaybe(rows -> first(rows).map(Message::of));
  }

  Maybe<Message> byId(UUID messageId) {
    return query("SELECT " + Message.COLUMNS + " FROM messaging.messages m WHERE m.id = $1", Tuple.of(messageId))
        .flatMapMaybe(rows -> first(rows).map(Message::of));
  }

  /** The next seq of a chat the user may write to; empty when not a member or archived (the caller says which). */
  Maybe<Long> nextSeq(UUID chatId, UUID userId) {
    return query("""
            UPDATE messaging.chats c SET last_seq = c.last_seq + 1
            WHERE c.id = $1 AND NOT c.archived
              AND EXISTS (SELECT 1 FROM messaging.chat_members m WHERE m.chat_id = c.id AND m.user_id = $2)
            RETURNING c.last_seq""",
        Tuple.of(chatId, userId))
        .flatMapMaybe(rows -> first(rows).map(row -> row.getLong("last_seq")));
  }

  /** One send of a batch, as it goes into {@link #storeBatch}. */
  record NewMessage(UUID chatId, UUID id, UUID clientId, UUID senderId, String content, UUID replyTo,
                    JsonObject mentions, String priority, JsonArray attachments, JsonObject integration) {
    NewMessage(UUID chatId, UUID id, UUID clientId, UUID senderId, String content, UUID replyTo,
               JsonObject mentions, String priority, JsonArray attachments) {
      this(chatId, id, clientId, senderId, content, replyTo, mentions, priority, attachments, null);
    }
  }

  /**
   * Stores a batch of new messages, of one chat or several, in ONE statement (one round trip, one implicit
   * transaction, one commit): it checks each send (membership, an earlier send of its clientId), takes each chat's next
   * seqs by updating its row (the row lock orders every writer of the chat on every node; the update re-reads the row
   * once the lock is granted, so seqs stay gap-free), inserts the accepted messages and their events (each taking its
   * stream position), counts thread replies and moves the senders' read marks. The chat rows are locked in the order
   * of their ids (an index scan of {@code id = ANY(sorted ids)}), so two batches sharing chats cannot deadlock on a
   * healthy plan. A concurrent batch that committed the same clientId while this one waited for a lock makes the
   * statement fail with a unique violation and roll back whole (no seq is used): the caller runs it again, and then
   * the send is found stored. Answers what it decided for each send, in the order of {@code batch}.
   */
  Single<List<SendDecision>> storeBatch(List<NewMessage> batch) {
    int n = batch.size();
    UUID[] chatIds = new UUID[n];
    UUID[] ids = new UUID[n];
    UUID[] clientIds = new UUID[n];
    UUID[] senders = new UUID[n];
    String[] contents = new String[n];
    UUID[] replyTos = new UUID[n];
    String[] mentions = new String[n];
    String[] priorities = new String[n];
    String[] attachments = new String[n];
    String[] integrations = new String[n];
    TreeSet<UUID> chats = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      NewMessage message = batch.get(i);
      chatIds[i] = message.chatId();
      chats.add(message.chatId());
      ids[i] = message.id();
      clientIds[i] = message.clientId();
      senders[i] = message.senderId();
      contents[i] = message.content();
      replyTos[i] = message.replyTo();
      mentions[i] = message.mentions().encode();
      priorities[i] = message.priority();
      attachments[i] = message.attachments().encode();
      integrations[i] = message.integration() == null ? null : message.integration().encode();
    }
    return query("""
            WITH input AS (
              SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::uuid[], $8::text[],
                                   $9::text[], $10::text[], $11::text[])
                WITH ORDINALITY AS i(chat_id, id, client_id, sender_id, content, reply_to, mentions, priority,
                                     attachments, integration, ord)
            ), checked AS (
              -- Scalar subqueries on unique keys, not EXISTS: the generic plan would hash EXISTS by reading every
              -- member and every message of the chat, once per batch. The clientId lookup filters on client_id
              -- alone, so that only messages_client_id_unique (client_id, chat_id) can serve it (see V4).
              SELECT i.*,
                     (SELECT true FROM messaging.chat_members m WHERE m.chat_id = i.chat_id AND m.user_id = i.sender_id)
                       IS NOT NULL AS member,
                     (SELECT bool_or(x.chat_id = i.chat_id) FROM messaging.messages x WHERE x.client_id = i.client_id)
                       IS TRUE AS stored
              FROM input i
            ), accepted AS (
              SELECT c.*, row_number() OVER (PARTITION BY c.chat_id ORDER BY c.ord) AS n
              FROM checked c WHERE c.member AND NOT c.stored
            ), chat AS (
              -- Every chat of the batch, even one with no accepted send: its row answers whether it is writable.
              UPDATE messaging.chats ch
              SET last_seq = ch.last_seq + (SELECT count(*) FROM accepted a WHERE a.chat_id = ch.id)
              WHERE ch.id = ANY($1::uuid[]) AND NOT ch.archived
              RETURNING ch.id, ch.last_seq - (SELECT count(*) FROM accepted a WHERE a.chat_id = ch.id) AS base
            ), inserted AS (
              INSERT INTO messaging.messages (id, chat_id, seq, client_id, sender_id, content, reply_to, mentions,
                                              priority, attachments, integration)
              SELECT a.id, a.chat_id, chat.base + a.n, a.client_id, a.sender_id, a.content, a.reply_to,
                     a.mentions::jsonb, a.priority, a.attachments::jsonb, a.integration::jsonb
              FROM accepted a JOIN chat ON chat.id = a.chat_id
              RETURNING id, chat_id, seq, sender_id, reply_to, created_at
            ), events AS (
              INSERT INTO messaging.chat_events (chat_id, seq, type, message_id)
              SELECT chat_id, seq, 'message.new', id FROM inserted ORDER BY chat_id, seq
            ), replies AS (
              UPDATE messaging.messages r SET reply_count = r.reply_count + t.n, last_reply_at = now()
              FROM (SELECT reply_to, count(*) AS n FROM inserted WHERE reply_to IS NOT NULL GROUP BY reply_to) t
              WHERE r.id = t.reply_to
            ), reads AS (
              UPDATE messaging.chat_members cm SET last_read_seq = t.seq
              FROM (SELECT chat_id, sender_id, max(seq) AS seq FROM inserted GROUP BY chat_id, sender_id) t
              WHERE cm.chat_id = t.chat_id AND cm.user_id = t.sender_id AND cm.last_read_seq < t.seq
            )
            SELECT c.ord, c.member, c.stored, i.seq, i.created_at,
                   EXISTS (SELECT 1 FROM chat w WHERE w.id = c.chat_id) AS writable
            FROM checked c LEFT JOIN inserted i ON i.id = c.id
            ORDER BY c.ord""",
        Tuple.from(Arrays.<Object>asList(chats.toArray(UUID[]::new), chatIds, ids, clientIds, senders, contents,
            replyTos, mentions, priorities, attachments, integrations)))
        .map(rows -> {
          List<SendDecision> decisions = new ArrayList<>(n);
          rows.forEach(row -> decisions.add(decision(row)));
          return decisions;
        });
  }

  private static SendDecision decision(Row row) {
    if (row.getOffsetDateTime("created_at") != null) {
      return new SendDecision.Stored(row.getLong("seq"), row.getOffsetDateTime("created_at"));
    }
    if (row.getBoolean("stored")) {
      return new SendDecision.Duplicate();
    }
    if (!row.getBoolean("member")) {
      return new SendDecision.NotMember();
    }
    if (!row.getBoolean("writable")) {
      return new SendDecision.ChatArchived();
    }
    throw new IllegalStateException("a member's new send to a writable chat was neither stored nor refused");
  }

  /** A chat's state as sending needs it: whether it is archived, and its members. */
  record ChatMembers(boolean archived, Set<UUID> members) {
  }

  /** Empty when there is no such chat. */
  Maybe<ChatMembers> chatMembers(UUID chatId) {
    return query("""
            SELECT c.archived, COALESCE(array_agg(m.user_id) FILTER (WHERE m.user_id IS NOT NULL), '{}') AS members
            FROM messaging.chats c LEFT JOIN messaging.chat_members m ON m.chat_id = c.id
            WHERE c.id = $1 GROUP BY c.id""",
        Tuple.of(chatId))
        .flatMapMaybe(rows -> first(rows).map(row -> new ChatMembers(row.getBoolean("archived"),
            new HashSet<>(Arrays.asList(row.getArrayOfUUIDs("members"))))));
  }

  Single<Integer> insertEvent(UUID chatId, long seq, String type, UUID messageId, JsonObject detail) {
    return query("INSERT INTO messaging.chat_events (chat_id, seq, type, message_id, detail)"
            + " VALUES ($1, $2, $3, $4, $5)", Tuple.of(chatId, seq, type, messageId, detail))
        .map(RowSet::rowCount);
  }

  /** Moves a read watermark forward (never back); the new watermark when it moved. */
  Maybe<Long> advanceRead(UUID chatId, UUID userId, long seq) {
    return query("""
            UPDATE messaging.chat_members SET last_read_seq = $3
            WHERE chat_id = $1 AND user_id = $2 AND last_read_seq < $3
            RETURNING last_read_seq""",
        Tuple.of(chatId, userId, seq))
        .flatMapMaybe(rows -> first(rows).map(row -> row.getLong("last_read_seq")));
  }

  Single<Integer> updateContent(UUID messageId, String content, JsonObject mentions) {
    return query("UPDATE messaging.messages SET content = $2, mentions = $3, edited_at = now()"
            + " WHERE id = $1 AND deleted_at IS NULL", Tuple.of(messageId, content, mentions))
        .map(RowSet::rowCount);
  }

  /** Deleting a message also removes its pin (a deleted message is never pinned). */
  Single<Integer> markDeleted(UUID messageId, UUID by) {
    return query("""
            WITH unpinned AS (DELETE FROM messaging.pins WHERE message_id = $1)
            UPDATE messaging.messages SET deleted_at = now(), deleted_by = $2, content = ''
            WHERE id = $1 AND deleted_at IS NULL""", Tuple.of(messageId, by))
        .map(RowSet::rowCount);
  }

  // Pins and saved items

  /** Pins one chat may have (Slack's limit too). */
  static final int MAX_PINS = 100;
  /** Saved items one user may have. */
  static final int MAX_SAVED = 1000;

  /**
   * Pins a message; whether anything changed (false: it was pinned already). Runs after the chat's next seq was taken,
   * which locks the chat row, so the count read here is the committed one and two pins cannot both take the last
   * place. Past {@link #MAX_PINS} it fails with {@code too_many_pins}.
   */
  Single<Boolean> pin(UUID messageId, UUID chatId, UUID userId, OffsetDateTime at) {
    return query("""
            WITH state AS (
              SELECT (SELECT count(*) FROM messaging.pins WHERE chat_id = $2) AS n,
                     EXISTS (SELECT 1 FROM messaging.pins WHERE message_id = $1) AS present
            ), inserted AS (
              INSERT INTO messaging.pins (message_id, chat_id, pinned_by, pinned_at)
              SELECT $1, $2, $3, $4 FROM state WHERE NOT state.present AND state.n < $5
              RETURNING 1
            )
            SELECT state.n, state.present, (SELECT count(*) FROM inserted) AS inserted FROM state""",
        Tuple.of(messageId, chatId, userId, at, MAX_PINS))
        .map(rows -> {
          Row row = rows.iterator().next();
          if (row.getLong("inserted") > 0) {
            return true;
          }
          if (row.getBoolean("present")) {
            return false;
          }
          throw new OcommsException(Reason.TOO_MANY_PINS, "a chat has at most " + MAX_PINS + " pinned messages",
              new JsonObject().put("max", MAX_PINS));
        });
  }

  /** Removes a message's pin; whether it was pinned. */
  Single<Boolean> unpin(UUID messageId) {
    return query("DELETE FROM messaging.pins WHERE message_id = $1", Tuple.of(messageId))
        .map(rows -> rows.rowCount() > 0);
  }

  /** A pin with its message as it is now. */
  record Pin(UUID pinnedBy, OffsetDateTime pinnedAt, Message message) {
  }

  /** A chat's pins, newest pin first (at most {@link #MAX_PINS}). */
  Single<List<Pin>> pins(UUID chatId) {
    return query("SELECT " + Message.COLUMNS + ", p.pinned_by, p.pinned_at AS pin_at"
            + " FROM messaging.pins p JOIN messaging.messages m ON m.id = p.message_id"
            + " WHERE p.chat_id = $1 ORDER BY p.pinned_at DESC, p.message_id DESC LIMIT $2",
        Tuple.of(chatId, MAX_PINS))
        .map(rows -> {
          List<Pin> pins = new ArrayList<>();
          rows.forEach(row -> pins.add(new Pin(row.getUUID("pinned_by"), row.getOffsetDateTime("pin_at"),
              Message.of(row))));
          return pins;
        });
  }

  /**
   * Saves a message for a user; whether anything changed (false: saved already). Locks the user's saved items for
   * the transaction (an advisory lock on the user id), so two saves cannot both take the last of {@link #MAX_SAVED}
   * places; past it, {@code too_many_saved_items}.
   */
  Single<Boolean> save(UUID userId, UUID messageId, OffsetDateTime at) {
    return query("SELECT pg_advisory_xact_lock(hashtextextended('saved:' || $1::uuid::text, 0))", Tuple.of(userId))
        .flatMap(locked -> query("""
                WITH state AS (
                  SELECT (SELECT count(*) FROM messaging.saved_items WHERE user_id = $1) AS n,
                         EXISTS (SELECT 1 FROM messaging.saved_items WHERE user_id = $1 AND message_id = $2) AS present
                ), inserted AS (
                  INSERT INTO messaging.saved_items (user_id, message_id, saved_at)
                  SELECT $1, $2, $3 FROM state WHERE NOT state.present AND state.n < $4
                  RETURNING 1
                )
                SELECT state.n, state.present, (SELECT count(*) FROM inserted) AS inserted FROM state""",
            Tuple.of(userId, messageId, at, MAX_SAVED)))
        .map(rows -> {
          Row row = rows.iterator().next();
          if (row.getLong("inserted") > 0) {
            return true;
          }
          if (row.getBoolean("present")) {
            return false;
          }
          throw new OcommsException(Reason.TOO_MANY_SAVED_ITEMS, "you can save at most " + MAX_SAVED + " messages",
              new JsonObject().put("max", MAX_SAVED));
        });
  }

  /** Removes a saved item; whether it was saved. */
  Single<Boolean> unsave(UUID userId, UUID messageId) {
    return query("DELETE FROM messaging.saved_items WHERE user_id = $1 AND message_id = $2",
        Tuple.of(userId, messageId))
        .map(rows -> rows.rowCount() > 0);
  }

  /** A saved item with its message as it is now. */
  record Saved(OffsetDateTime savedAt, Message message) {
  }

  /**
   * A user's saved items, newest first, before the cursor ({@code savedAt}, {@code messageId}) when given: only
   * messages of chats they are still a member of, and not deleted ones.
   */
  Single<List<Saved>> saved(UUID userId, OffsetDateTime beforeAt, UUID beforeId, int limit) {
    String cursor = beforeAt == null ? "" : " AND (s.saved_at, s.message_id) < ($3, $4)";
    Tuple args = beforeAt == null ? Tuple.of(userId, limit) : Tuple.of(userId, limit, beforeAt, beforeId);
    return query("SELECT " + Message.COLUMNS + ", s.saved_at"
            + " FROM messaging.saved_items s JOIN messaging.messages m ON m.id = s.message_id"
            + " JOIN messaging.chat_members cm ON cm.chat_id = m.chat_id AND cm.user_id = s.user_id"
            + " WHERE s.user_id = $1 AND m.deleted_at IS NULL" + cursor
            + " ORDER BY s.saved_at DESC, s.message_id DESC LIMIT $2", args)
        .map(rows -> {
          List<Saved> saved = new ArrayList<>();
          rows.forEach(row -> saved.add(new Saved(row.getOffsetDateTime("saved_at"), Message.of(row))));
          return saved;
        });
  }

  /** Distinct emoji one message may carry (Slack's limit too). */
  static final int MAX_REACTION_EMOJI = 50;
  /**
   * Reactions one message may carry, all emoji together. With the emoji limit this bounds a message's JSON (its
   * reactions list every reacting user's id: about 40 KB at this cap), and so what every event and sync carries.
   */
  static final int MAX_REACTIONS = 1000;

  /**
   * Adds or removes one reaction; whether anything changed. An add that would pass {@link #MAX_REACTION_EMOJI} or
   * {@link #MAX_REACTIONS} fails with {@code too_many_emoji} or {@code too_many_reactions}; a repeated add is no
   * change, even on a full message. Run it after {@link #nextSeq} in the same transaction: the chat row lock orders the
   * reactors of the chat, so the counts this statement reads are the committed ones and no two reactors can both take
   * the last place.
   */
  Single<Boolean> react(UUID messageId, String emoji, UUID userId, boolean add) {
    if (!add) {
      return query("DELETE FROM messaging.reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3",
          Tuple.of(messageId, emoji, userId)).map(rows -> rows.rowCount() > 0);
    }
    return query("""
            WITH present AS (
              SELECT count(*) AS total, count(DISTINCT r.emoji) AS emoji,
                     count(*) FILTER (WHERE r.emoji = $2) > 0 AS emoji_present,
                     count(*) FILTER (WHERE r.emoji = $2 AND r.user_id = $3) > 0 AS mine
              FROM messaging.reactions r WHERE r.message_id = $1
            ), added AS (
              INSERT INTO messaging.reactions (message_id, emoji, user_id)
              SELECT $1, $2, $3 FROM present p
              WHERE NOT p.mine AND p.total < $4 AND (p.emoji_present OR p.emoji < $5)
              ON CONFLICT DO NOTHING
              RETURNING 1
            )
            SELECT p.*, (SELECT count(*) FROM added) AS added FROM present p""",
        Tuple.of(messageId, emoji, userId, MAX_REACTIONS, MAX_REACTION_EMOJI))
        .map(rows -> {
          Row row = rows.iterator().next();
          if (row.getLong("added") > 0 || row.getBoolean("mine")) {
            return row.getLong("added") > 0;
          }
          if (!row.getBoolean("emoji_present") && row.getLong("emoji") >= MAX_REACTION_EMOJI) {
            throw new OcommsException(Reason.TOO_MANY_EMOJI,
                "a message carries at most " + MAX_REACTION_EMOJI + " different emoji",
                new JsonObject().put("max", MAX_REACTION_EMOJI));
          }
          if (row.getLong("total") >= MAX_REACTIONS) {
            throw new OcommsException(Reason.TOO_MANY_REACTIONS,
                "a message carries at most " + MAX_REACTIONS + " reactions", new JsonObject().put("max", MAX_REACTIONS));
          }
          return false;
        });
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
    return query(sql, args).map(MessageStore::messages);
  }

  /**
   * One event of a chat's stream for a sync, with its message in its current state when this is the first event of
   * the range about that message (else null: the message is already with an earlier event).
   */
  record SyncEvent(long seq, String type, JsonObject detail, UUID messageId, Message message) {
  }

  /**
   * The chat's events after {@code afterSeq}, in order, at most {@code limit}, and only as many as fit in
   * {@code maxBytes} of JSON by an estimate made here (the first one always when {@code takeFirst}), so that a reply's
   * bound also bounds what is read: each event is counted with the size of its message the first time it names it
   * (content, mentions, files and reactions). The estimate errs on the large side; the caller measures exactly.
   */
  Single<List<SyncEvent>> eventsToSync(UUID chatId, long afterSeq, int limit, long maxBytes, boolean takeFirst) {
    return query("""
            WITH due AS (
              SELECT e.seq, e.type, e.detail, e.message_id,
                     row_number() OVER (PARTITION BY e.message_id ORDER BY e.seq) = 1 AS first_mention
              FROM messaging.chat_events e
              WHERE e.chat_id = $1 AND e.seq > $2
              ORDER BY e.seq LIMIT $3
            ), sized AS (
              SELECT d.*, 150 + coalesce(octet_length(d.detail::text), 0) + CASE WHEN NOT d.first_mention THEN 0 ELSE (
                       SELECT 700 + octet_length(to_json(x.content)::text) + octet_length(x.mentions::text)
                              + octet_length(x.attachments::text)
                              + (SELECT coalesce(count(*) * 40 + count(DISTINCT r.emoji) * 40
                                                 + sum(octet_length(r.emoji)), 0)
                                 FROM messaging.reactions r WHERE r.message_id = x.id)
                       FROM messaging.messages x WHERE x.id = d.message_id) END AS bytes
              FROM due d
            ), running AS (
              SELECT s.*, sum(s.bytes) OVER (ORDER BY s.seq) AS total,
                     row_number() OVER (ORDER BY s.seq) AS n
              FROM sized s
            )
            SELECT ru.seq AS event_seq, ru.type, ru.detail, ru.message_id AS event_message_id, ru.first_mention, """
            + Message.COLUMNS + """

            FROM running ru LEFT JOIN messaging.messages m ON ru.first_mention AND m.id = ru.message_id
            WHERE ru.total <= $4 OR (ru.n = 1 AND $5)
            ORDER BY ru.seq""",
        Tuple.of(chatId, afterSeq, limit, maxBytes, takeFirst))
        .map(rows -> {
          List<SyncEvent> events = new ArrayList<>();
          rows.forEach(row -> {
            Object detail = row.getValue("detail");
            events.add(new SyncEvent(row.getLong("event_seq"), row.getString("type"),
                detail instanceof JsonObject json ? json : null, row.getUUID("event_message_id"),
                row.getBoolean("first_mention") ? Message.of(row) : null));
          });
          return events;
        });
  }

  /** A member's read watermark and the unread (and mentioning) messages after it. */
  record MemberCounts(long readSeq, long unread, long mentions) {
  }

  private static final String UNREAD_COUNTS = """
      count(m.id) AS unread,
      count(m.id) FILTER (WHERE (m.mentions -> 'users') ? cm.user_id::text OR (m.mentions ->> 'channel')::boolean
                             OR (m.mentions ->> 'here')::boolean) AS mentioned
      FROM messaging.chat_members cm
      LEFT JOIN messaging.messages m
        ON m.chat_id = cm.chat_id AND m.seq > cm.last_read_seq AND m.sender_id <> cm.user_id AND m.deleted_at IS NULL
           AND m.system IS NULL
      """;

  /**
   * Unread and mention counts of every member of a chat (or of one), from the messages after each one's watermark:
   * PostgreSQL is the one truth of the counts (clients count live messages themselves, see docs/protocol.md).
   */
  Single<Map<UUID, MemberCounts>> unreadOfMembers(UUID chatId, Optional<UUID> onlyUser) {
    return query("SELECT cm.user_id, cm.last_read_seq, " + UNREAD_COUNTS
            + " WHERE cm.chat_id = $1 AND ($2::uuid IS NULL OR cm.user_id = $2) GROUP BY cm.user_id, cm.last_read_seq",
        Tuple.of(chatId, onlyUser.orElse(null)))
        .map(rows -> {
          Map<UUID, MemberCounts> counts = new HashMap<>();
          rows.forEach(row -> counts.put(row.getUUID("user_id"), new MemberCounts(row.getLong("last_read_seq"),
              row.getLong("unread"), row.getLong("mentioned"))));
          return counts;
        });
  }

  /** One user's unread and mention counts in each of these chats (of which they are members). */
  Single<Map<UUID, MemberCounts>> unreadOf(UUID userId, List<UUID> chatIds) {
    if (chatIds.isEmpty()) {
      return Single.just(Map.of());
    }
    return query("SELECT cm.chat_id, cm.last_read_seq, " + UNREAD_COUNTS
            + " WHERE cm.user_id = $1 AND cm.chat_id = ANY($2) GROUP BY cm.chat_id, cm.last_read_seq",
        Tuple.of(userId, chatIds.toArray(UUID[]::new)))
        .map(rows -> {
          Map<UUID, MemberCounts> counts = new HashMap<>();
          rows.forEach(row -> counts.put(row.getUUID("chat_id"), new MemberCounts(row.getLong("last_read_seq"),
              row.getLong("unread"), row.getLong("mentioned"))));
          return counts;
        });
  }

  /** One event of the durable stream, with its message in its current state. */
  record StreamRow(long tx, long position, UUID chatId, long seq, String type, JsonObject detail, Message message) {
  }

  /**
   * The stream's events after the cursor {@code (tx, position)}, in stream order, at most {@code limit}: only those of
   * transactions older than every transaction still running, so that no event can commit before one already read.
   */
  Single<List<StreamRow>> streamAfter(long tx, long position, int limit) {
    return query("SELECT e.tx::text::bigint AS event_tx, e.position, e.seq AS event_seq, e.type, e.detail, "
            + Message.COLUMNS
            + " FROM messaging.chat_events e JOIN messaging.messages m ON m.id = e.message_id"
            + " WHERE (e.tx, e.position) > ($1::text::xid8, $2)"
            + " AND e.tx < pg_snapshot_xmin(pg_current_snapshot())"
            + " ORDER BY e.tx, e.position LIMIT $3",
        Tuple.of(Long.toString(tx), position, limit))
        .map(rows -> {
          List<StreamRow> events = new ArrayList<>();
          rows.forEach(row -> {
            Object detail = row.getValue("detail");
            Message message = Message.of(row);
            events.add(new StreamRow(row.getLong("event_tx"), row.getLong("position"), message.chatId(),
                row.getLong("event_seq"), row.getString("type"), detail instanceof JsonObject json ? json : null,
                message));
          });
          return events;
        });
  }

  /** One member's read watermark. */
  Maybe<Long> readWatermark(UUID chatId, UUID userId) {
    return query("SELECT last_read_seq FROM messaging.chat_members WHERE chat_id = $1 AND user_id = $2",
        Tuple.of(chatId, userId))
        .flatMapMaybe(rows -> first(rows).map(row -> row.getLong("last_read_seq")));
  }

  private static List<Message> messages(RowSet<Row> rows) {
    List<Message> messages = new ArrayList<>();
    rows.forEach(row -> messages.add(Message.of(row)));
    return messages;
  }
}
