package dev.ocomms.integrations;

import dev.ocomms.shared.keys.MasterKey;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.RowSet;
import io.vertx.rxjava3.sqlclient.SqlConnection;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The tables of slash commands, outgoing webhooks, their deliveries, response URLs and the outgoing webhooks' place in
 * the event stream (schema {@code integrations}). Signing secrets are sealed with the master key when there is one.
 */
final class CommandStore {
  static final int KEPT_DELIVERIES = 50;
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
  private static final String COMMAND_COLUMNS =
      "id, workspace_id, command, url, description, usage_hint, creator_id, signing_secret, created_at";
  private static final String HOOK_COLUMNS =
      "id, chat_id, workspace_id, creator_id, name, url, trigger_words, signing_secret, created_at";

  /** A custom command; {@link #secret} is the opened signing secret (never shown after its creation). */
  record Command(UUID id, UUID workspaceId, String command, String url, String description, String usageHint,
                 UUID creatorId, String secret, String createdAt) {
    JsonObject toJson(boolean withUrl) {
      JsonObject json = new JsonObject().put("id", id.toString()).put("workspaceId", workspaceId.toString())
          .put("command", command).put("description", description).put("usageHint", usageHint)
          .put("creatorId", creatorId.toString()).put("createdAt", createdAt);
      if (withUrl) {
        json.put("url", url);
      }
      return json;
    }
  }

  /** An outgoing webhook of a channel. */
  record OutgoingWebhook(UUID id, UUID chatId, UUID workspaceId, UUID creatorId, String name, String url,
                         List<String> triggerWords, String secret, String createdAt) {
    JsonObject toJson() {
      return new JsonObject().put("id", id.toString()).put("chatId", chatId.toString())
          .put("workspaceId", workspaceId.toString()).put("creatorId", creatorId.toString()).put("name", name)
          .put("url", url).put("triggerWords", new JsonArray(triggerWords)).put("createdAt", createdAt);
    }
  }

  /** A response URL's run: who ran which command where. */
  record ResponseTarget(UUID commandId, String command, UUID chatId, UUID userId, UUID threadRootId) {
  }

  /** Why a response URL is not usable: unknown, expired or used up. */
  enum ResponseRefusal { UNKNOWN, EXPIRED, USED_UP }

  private final Pool pg;
  private final Optional<MasterKey> masterKey;

  CommandStore(Pool pg, Optional<MasterKey> masterKey) {
    this.pg = pg;
    this.masterKey = masterKey;
  }

  Pool pool() {
    return pg;
  }

  // Commands

  Single<Command> createCommand(UUID id, UUID workspaceId, String command, String url, String description,
                                String usageHint, UUID creatorId, String secret) {
    return pg.preparedQuery("INSERT INTO integrations.commands (" + COMMAND_COLUMNS.replace(", created_at", "")
            + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING " + COMMAND_COLUMNS)
        .rxExecute(Tuple.from(new Object[] {id, workspaceId, command, url, description, usageHint, creatorId,
            seal(secret, "integrations.commands:" + id)}))
        .map(rows -> command(rows.iterator().next()));
  }

  Single<List<Command>> commandsOf(UUID workspaceId) {
    return pg.preparedQuery("SELECT " + COMMAND_COLUMNS + " FROM integrations.commands WHERE workspace_id = $1"
            + " ORDER BY command")
        .rxExecute(Tuple.of(workspaceId))
        .map(rows -> {
          List<Command> commands = new ArrayList<>();
          rows.forEach(row -> commands.add(command(row)));
          return commands;
        });
  }

  Maybe<Command> command(UUID workspaceId, String name) {
    return pg.preparedQuery("SELECT " + COMMAND_COLUMNS + " FROM integrations.commands"
            + " WHERE workspace_id = $1 AND command = $2")
        .rxExecute(Tuple.of(workspaceId, name)).flatMapMaybe(rows -> first(rows).map(this::command));
  }

  Maybe<Command> commandById(UUID id) {
    return pg.preparedQuery("SELECT " + COMMAND_COLUMNS + " FROM integrations.commands WHERE id = $1")
        .rxExecute(Tuple.of(id)).flatMapMaybe(rows -> first(rows).map(this::command));
  }

  Completable deleteCommand(UUID id) {
    return pg.preparedQuery("DELETE FROM integrations.commands WHERE id = $1").rxExecute(Tuple.of(id))
        .flatMap(done -> pg.preparedQuery("DELETE FROM integrations.deliveries WHERE owner_id = $1")
            .rxExecute(Tuple.of(id)))
        .ignoreElement();
  }

  private Command command(Row row) {
    UUID id = row.getUUID("id");
    return new Command(id, row.getUUID("workspace_id"), row.getString("command"), row.getString("url"),
        row.getString("description"), row.getString("usage_hint"), row.getUUID("creator_id"),
        open(row.getString("signing_secret"), "integrations.commands:" + id), iso(row.getOffsetDateTime("created_at")));
  }

  // Outgoing webhooks

  Single<OutgoingWebhook> createHook(UUID id, UUID chatId, UUID workspaceId, UUID creatorId, String name, String url,
                                     List<String> triggerWords, String secret) {
    return pg.preparedQuery("INSERT INTO integrations.outgoing_webhooks (" + HOOK_COLUMNS.replace(", created_at", "")
            + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING " + HOOK_COLUMNS)
        .rxExecute(Tuple.from(new Object[] {id, chatId, workspaceId, creatorId, name, url,
            triggerWords.toArray(String[]::new), seal(secret, "integrations.outgoing_webhooks:" + id)}))
        .map(rows -> hook(rows.iterator().next()));
  }

  Single<List<OutgoingWebhook>> hooksOf(UUID chatId) {
    return pg.preparedQuery("SELECT " + HOOK_COLUMNS + " FROM integrations.outgoing_webhooks WHERE chat_id = $1"
            + " ORDER BY created_at, id")
        .rxExecute(Tuple.of(chatId)).map(this::hooks);
  }

  /** The outgoing webhooks of any of these chats. */
  Single<List<OutgoingWebhook>> hooksOf(List<UUID> chatIds) {
    return pg.preparedQuery("SELECT " + HOOK_COLUMNS + " FROM integrations.outgoing_webhooks WHERE chat_id = ANY($1)")
        .rxExecute(Tuple.of(chatIds.toArray(UUID[]::new))).map(this::hooks);
  }

  Maybe<OutgoingWebhook> hookById(UUID id) {
    return pg.preparedQuery("SELECT " + HOOK_COLUMNS + " FROM integrations.outgoing_webhooks WHERE id = $1")
        .rxExecute(Tuple.of(id)).flatMapMaybe(rows -> first(rows).map(this::hook));
  }

  Completable deleteHook(UUID id) {
    return pg.preparedQuery("DELETE FROM integrations.outgoing_webhooks WHERE id = $1").rxExecute(Tuple.of(id))
        .flatMap(done -> pg.preparedQuery("DELETE FROM integrations.deliveries WHERE owner_id = $1")
            .rxExecute(Tuple.of(id)))
        .ignoreElement();
  }

  private List<OutgoingWebhook> hooks(RowSet<Row> rows) {
    List<OutgoingWebhook> hooks = new ArrayList<>();
    rows.forEach(row -> hooks.add(hook(row)));
    return hooks;
  }

  private OutgoingWebhook hook(Row row) {
    UUID id = row.getUUID("id");
    return new OutgoingWebhook(id, row.getUUID("chat_id"), row.getUUID("workspace_id"), row.getUUID("creator_id"),
        row.getString("name"), row.getString("url"), Arrays.asList(row.getArrayOfStrings("trigger_words")),
        open(row.getString("signing_secret"), "integrations.outgoing_webhooks:" + id),
        iso(row.getOffsetDateTime("created_at")));
  }

  // Deliveries

  /** Records one attempt and trims the owner's log to its last {@value #KEPT_DELIVERIES}. */
  Completable recordDelivery(UUID id, UUID ownerId, String status, Integer httpStatus, String error, long durationMs,
                             int attempt) {
    return pg.preparedQuery("INSERT INTO integrations.deliveries (id, owner_id, status, http_status, error,"
            + " duration_ms, attempt) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .rxExecute(Tuple.from(new Object[] {id, ownerId, status, httpStatus, error, (int) durationMs, attempt}))
        .flatMap(done -> pg.preparedQuery("DELETE FROM integrations.deliveries WHERE owner_id = $1 AND id NOT IN"
                + " (SELECT id FROM integrations.deliveries WHERE owner_id = $1 ORDER BY at DESC, id DESC LIMIT "
                + KEPT_DELIVERIES + ")")
            .rxExecute(Tuple.of(ownerId)))
        .ignoreElement();
  }

  Single<JsonArray> deliveries(UUID ownerId) {
    return pg.preparedQuery("SELECT id, at, status, http_status, error, duration_ms, attempt"
            + " FROM integrations.deliveries WHERE owner_id = $1 ORDER BY at DESC, attempt DESC LIMIT "
            + KEPT_DELIVERIES)
        .rxExecute(Tuple.of(ownerId))
        .map(rows -> {
          JsonArray list = new JsonArray();
          rows.forEach(row -> {
            JsonObject delivery = new JsonObject().put("id", row.getUUID("id").toString())
                .put("at", iso(row.getOffsetDateTime("at"))).put("status", row.getString("status"))
                .put("durationMs", row.getInteger("duration_ms")).put("attempt", row.getInteger("attempt"));
            if (row.getInteger("http_status") != null) {
              delivery.put("httpStatus", row.getInteger("http_status"));
            }
            if (row.getString("error") != null) {
              delivery.put("error", row.getString("error"));
            }
            list.add(delivery);
          });
          return list;
        });
  }

  // Response URLs

  Completable createResponseUrl(byte[] tokenHash, ResponseTarget target, OffsetDateTime expiresAt) {
    return pg.preparedQuery("INSERT INTO integrations.response_urls (token_hash, command_id, command, chat_id,"
            + " user_id, thread_root_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .rxExecute(Tuple.from(new Object[] {Buffer.buffer(tokenHash), target.commandId(), target.command(),
            target.chatId(), target.userId(), target.threadRootId(), expiresAt}))
        .ignoreElement();
  }

  /**
   * Takes one use of a response URL: its run, or why it may not be used (it is used up after {@code maxUses}).
   * Expired ones are removed a day after they expire, so an old URL says "expired" for a while and then "unknown".
   */
  Single<Object> useResponseUrl(byte[] tokenHash, int maxUses) {
    return pg.preparedQuery("UPDATE integrations.response_urls SET uses = uses + 1 WHERE token_hash = $1"
            + " AND uses < $2 AND expires_at > now() RETURNING command_id, command, chat_id, user_id, thread_root_id")
        .rxExecute(Tuple.of(Buffer.buffer(tokenHash), maxUses))
        .flatMap(rows -> {
          if (rows.size() == 1) {
            Row row = rows.iterator().next();
            return Single.just((Object) new ResponseTarget(row.getUUID("command_id"), row.getString("command"),
                row.getUUID("chat_id"), row.getUUID("user_id"), row.getUUID("thread_root_id")));
          }
          return pg.preparedQuery("SELECT expires_at > now() AS live FROM integrations.response_urls"
                  + " WHERE token_hash = $1")
              .rxExecute(Tuple.of(Buffer.buffer(tokenHash)))
              .map(found -> found.size() == 0 ? ResponseRefusal.UNKNOWN
                  : found.iterator().next().getBoolean("live") ? ResponseRefusal.USED_UP : ResponseRefusal.EXPIRED);
        });
  }

  Completable forgetOldResponseUrls() {
    return pg.query("DELETE FROM integrations.response_urls WHERE expires_at < now() - interval '1 day'")
        .rxExecute().ignoreElement();
  }

  // The outgoing webhooks' follower

  Single<dev.ocomms.shared.events.StreamCursor> outgoingCursor() {
    return pg.query("SELECT tx, position FROM integrations.outgoing_cursor").rxExecute()
        .map(rows -> {
          Row row = rows.iterator().next();
          return new dev.ocomms.shared.events.StreamCursor(row.getLong("tx"), row.getLong("position"));
        });
  }

  /** Moves the cursor from {@code after} to {@code next} (false when another follower moved it first). */
  static Single<Boolean> moveOutgoingCursor(SqlConnection tx, dev.ocomms.shared.events.StreamCursor after,
                                            dev.ocomms.shared.events.StreamCursor next) {
    return tx.preparedQuery("UPDATE integrations.outgoing_cursor SET tx = $1, position = $2"
            + " WHERE tx = $3 AND position = $4")
        .rxExecute(Tuple.of(next.tx(), next.position(), after.tx(), after.position()))
        .map(rows -> rows.rowCount() == 1);
  }

  static Completable queueCall(SqlConnection tx, UUID id, UUID webhookId, UUID chatId, JsonObject payload) {
    return tx.preparedQuery("INSERT INTO integrations.outgoing_calls (id, webhook_id, chat_id, payload)"
            + " VALUES ($1, $2, $3, $4)")
        .rxExecute(Tuple.of(id, webhookId, chatId, payload)).ignoreElement();
  }

  /** Claims a queued call for a minute (another node takes it over after that): its webhook id and payload. */
  Maybe<JsonObject> claimCall(UUID id) {
    return pg.preparedQuery("UPDATE integrations.outgoing_calls SET claimed_until = now() + interval '1 minute'"
            + " WHERE id = $1 AND (claimed_until IS NULL OR claimed_until < now()) RETURNING webhook_id, payload")
        .rxExecute(Tuple.of(id))
        .flatMapMaybe(rows -> first(rows).map(row -> new JsonObject()
            .put("webhookId", row.getUUID("webhook_id").toString()).put("payload", row.getJsonObject("payload"))));
  }

  /** Queued calls nobody holds now (left by a stop or a crash). */
  Single<List<UUID>> unclaimedCalls() {
    return pg.query("SELECT id FROM integrations.outgoing_calls WHERE claimed_until IS NULL OR claimed_until < now()"
            + " ORDER BY created_at LIMIT 100").rxExecute()
        .map(rows -> {
          List<UUID> ids = new ArrayList<>();
          rows.forEach(row -> ids.add(row.getUUID("id")));
          return ids;
        });
  }

  Completable finishCall(UUID id) {
    return pg.preparedQuery("DELETE FROM integrations.outgoing_calls WHERE id = $1").rxExecute(Tuple.of(id))
        .ignoreElement();
  }

  // Helpers

  private String seal(String secret, String context) {
    return masterKey.map(key -> key.seal(secret, context)).orElse(secret);
  }

  private String open(String stored, String context) {
    if (!MasterKey.isSealed(stored)) {
      return stored;
    }
    return masterKey.orElseThrow(() -> new IllegalStateException(
        "a signing secret is sealed: set OCOMMS_SECRETS_MASTER_KEY to the key it was sealed with")).open(stored, context);
  }

  private static Maybe<Row> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Maybe.empty() : Maybe.just(rows.iterator().next());
  }

  private static String iso(OffsetDateTime at) {
    return at.withOffsetSameInstant(ZoneOffset.UTC).format(ISO);
  }
}
