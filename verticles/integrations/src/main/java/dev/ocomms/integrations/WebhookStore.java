package dev.ocomms.integrations;

import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.RowSet;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** The webhooks table (schema {@code integrations}). */
final class WebhookStore {
  private static final String COLUMNS = "id, chat_id, workspace_id, creator_id, name, icon_url, created_at";
  private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

  /** A webhook as its chat's members see it (never its secret). */
  record Webhook(UUID id, UUID chatId, UUID workspaceId, UUID creatorId, String name, String iconUrl,
                 String createdAt) {
    JsonObject toJson() {
      return new JsonObject().put("id", id.toString()).put("chatId", chatId.toString())
          .put("workspaceId", workspaceId.toString()).put("creatorId", creatorId.toString()).put("name", name)
          .put("iconUrl", iconUrl).put("createdAt", createdAt);
    }

    static Webhook of(Row row) {
      return new Webhook(row.getUUID("id"), row.getUUID("chat_id"), row.getUUID("workspace_id"),
          row.getUUID("creator_id"), row.getString("name"), row.getString("icon_url"),
          row.getOffsetDateTime("created_at").withOffsetSameInstant(ZoneOffset.UTC).format(ISO));
    }
  }

  private final Pool pg;

  WebhookStore(Pool pg) {
    this.pg = pg;
  }

  Single<Webhook> create(UUID id, UUID chatId, UUID workspaceId, UUID creatorId, String name, String iconUrl,
                         byte[] secretHash) {
    return pg.preparedQuery("INSERT INTO integrations.webhooks (id, chat_id, workspace_id, creator_id, name, icon_url,"
            + " secret_hash) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " + COLUMNS)
        .rxExecute(Tuple.from(new Object[] {id, chatId, workspaceId, creatorId, name, iconUrl,
            Buffer.buffer(secretHash)}))
        .map(rows -> Webhook.of(rows.iterator().next()));
  }

  Single<JsonArray> ofChat(UUID chatId) {
    return pg.preparedQuery("SELECT " + COLUMNS + " FROM integrations.webhooks WHERE chat_id = $1"
            + " ORDER BY created_at, id")
        .rxExecute(Tuple.of(chatId))
        .map(rows -> {
          JsonArray hooks = new JsonArray();
          rows.forEach(row -> hooks.add(Webhook.of(row).toJson()));
          return hooks;
        });
  }

  Maybe<Webhook> byId(UUID id) {
    return pg.preparedQuery("SELECT " + COLUMNS + " FROM integrations.webhooks WHERE id = $1")
        .rxExecute(Tuple.of(id)).flatMapMaybe(WebhookStore::first);
  }

  Maybe<Webhook> bySecretHash(byte[] hash) {
    return pg.preparedQuery("SELECT " + COLUMNS + " FROM integrations.webhooks WHERE secret_hash = $1")
        .rxExecute(Tuple.of(Buffer.buffer(hash))).flatMapMaybe(WebhookStore::first);
  }

  Maybe<Webhook> update(UUID id, String name, boolean setIcon, String iconUrl) {
    return pg.preparedQuery("UPDATE integrations.webhooks SET name = COALESCE($2, name),"
            + " icon_url = CASE WHEN $3 THEN $4 ELSE icon_url END WHERE id = $1 RETURNING " + COLUMNS)
        .rxExecute(Tuple.of(id, name, setIcon, iconUrl)).flatMapMaybe(WebhookStore::first);
  }

  Single<Boolean> delete(UUID id) {
    return pg.preparedQuery("DELETE FROM integrations.webhooks WHERE id = $1").rxExecute(Tuple.of(id))
        .map(rows -> rows.rowCount() == 1);
  }

  private static Maybe<Webhook> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Maybe.empty() : Maybe.just(Webhook.of(rows.iterator().next()));
  }
}
