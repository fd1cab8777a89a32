package dev.ocomms.search;

import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Channel notes by their words ({@code scope: notes}): the notes of the chats the caller is a member of whose text
 * has every term, best match first, with the fragments around the matches as their snippet. Terms mean what they mean
 * for messages ({@link MessageSearch.Statement#tsquery}); operators do not apply to notes.
 */
final class NoteSearch {
  /** One note found. {@code snippet} is HTML (see {@link Snippets}). */
  record Hit(UUID chatId, int version, OffsetDateTime updatedAt, String snippet) {
  }

  private final Pool pg;

  NoteSearch(Pool pg) {
    this.pg = pg;
  }

  Single<List<Hit>> find(SearchQuery query, List<UUID> chatIds, int limit) {
    MessageSearch.Statement sql = new MessageSearch.Statement();
    String tsquery = sql.tsquery(query);
    String chats = sql.param(chatIds.toArray(UUID[]::new));
    String headline = sql.headline();
    String max = sql.param(limit);
    return pg.preparedQuery("""
            WITH q AS (SELECT %s AS query)
            SELECT d.chat_id, d.version, d.updated_at, d.content, %s AS headline
              FROM search.notes d, q
             WHERE d.chat_id = ANY(%s) AND d.lexemes @@ q.query
             ORDER BY ts_rank(d.lexemes, q.query) DESC, d.updated_at DESC
             LIMIT %s""".formatted(tsquery, headline, chats, max))
        .rxExecute(sql.arguments())
        .map(rows -> {
          List<Hit> hits = new ArrayList<>();
          for (Row row : rows) {
            hits.add(new Hit(row.getUUID("chat_id"), row.getInteger("version"), row.getOffsetDateTime("updated_at"),
                Snippets.html(row.getString("headline"), row.getString("content"))));
          }
          return hits;
        });
  }
}
