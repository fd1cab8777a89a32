package dev.ocomms.search;

import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * The SQL of a message search, over the index's documents. Access is part of the query: the caller's readable chat ids
 * are passed as one array, so a private chat the caller is not in is never read, not even counted.
 *
 * <p>By relevance, only the newest {@value #RANKED_MATCHES} matches are ranked (relevance times recency, the latter
 * halving a match's score every 30 days): ranking every match of a common word would read most of the index, and
 * the best of a chat's older matches are still there with sort:recent or a date range. Pages of a ranking are cut
 * by rank among the matches sent up to the first page; newest first, after the last message shown. Snippets are made
 * only for the rows returned.
 */
final class MessageSearch {
  static final int RANKED_MATCHES = 300;
  /** Seconds after which recency halves a match's score. */
  private static final double RECENCY_HALF_SECONDS = 30 * 24 * 3600.0;

  /** What to look for, resolved against the caller's workspace: chats, people and times are ids and instants. */
  record Plan(SearchQuery query, List<UUID> chatIds, List<UUID> senders, List<UUID> mentioned,
              Optional<Instant> from, Optional<Instant> until, boolean byRelevance, int limit,
              Optional<SearchCursor> cursor, String digest) {
  }

  /** One message found. {@code snippet} is HTML (see {@link Snippets}). */
  record Hit(UUID messageId, UUID chatId, long seq, UUID senderId, UUID rootId, OffsetDateTime createdAt,
             OffsetDateTime editedAt, String snippet) {
  }

  /** A page of hits, where the next one starts, and the number of matches when it is known exactly. */
  record Page(List<Hit> hits, Optional<SearchCursor> next, OptionalInt total) {
  }

  private final Pool pg;

  MessageSearch(Pool pg) {
    this.pg = pg;
  }

  Single<Page> find(Plan plan) {
    return plan.byRelevance() ? byRelevance(plan) : byTime(plan);
  }

  private Single<Page> byRelevance(Plan plan) {
    Statement sql = new Statement();
    Instant asOf = plan.cursor().map(SearchCursor::asOf).orElseGet(Instant::now);
    int offset = plan.cursor().map(SearchCursor::offset).orElse(0);
    String conditions = sql.conditions(plan);
    String asOfParam = sql.param(asOf.atOffset(ZoneOffset.UTC));
    String text = """
        WITH q AS (SELECT %s AS query),
        hits AS MATERIALIZED (
          SELECT d.message_id, d.created_at, d.lexemes FROM search.documents d, q
           WHERE %s AND d.created_at <= %s
           ORDER BY d.created_at DESC LIMIT %d),
        ranked AS (
          SELECT h.message_id, h.created_at, count(*) OVER () AS matches,
                 ts_rank(h.lexemes, q.query)::float8
                   / (1 + extract(epoch FROM (%s - h.created_at))::float8 / %s) AS score
            FROM hits h, q
           ORDER BY score DESC, h.created_at DESC, h.message_id DESC
          OFFSET %s LIMIT %s)
        SELECT d.message_id, d.chat_id, d.seq, d.sender_id, d.root_id, d.created_at, d.edited_at, d.content,
               r.matches, %s AS headline
          FROM ranked r JOIN search.documents d ON d.message_id = r.message_id, q
         ORDER BY r.score DESC, r.created_at DESC, r.message_id DESC""".formatted(
        sql.tsquery(plan.query()), conditions, asOfParam, RANKED_MATCHES, asOfParam, RECENCY_HALF_SECONDS,
        sql.param(offset), sql.param(plan.limit() + 1), sql.headline());
    return pg.preparedQuery(text).rxExecute(sql.arguments()).map(rows -> {
      List<Hit> hits = new ArrayList<>();
      long matches = 0;
      for (Row row : rows) {
        matches = row.getLong("matches");
        hits.add(hit(row, true));
      }
      boolean more = hits.size() > plan.limit();
      List<Hit> shown = more ? hits.subList(0, plan.limit()) : hits;
      Optional<SearchCursor> next = more
          ? Optional.of(SearchCursor.byRelevance(plan.digest(), asOf, offset + plan.limit()))
          : Optional.empty();
      // Exact only when the window of ranked matches was not full (and the page says anything at all).
      OptionalInt total = !hits.isEmpty() && matches < RANKED_MATCHES ? OptionalInt.of((int) matches)
          : offset == 0 && hits.isEmpty() ? OptionalInt.of(0) : OptionalInt.empty();
      return new Page(List.copyOf(shown), next, total);
    });
  }

  private Single<Page> byTime(Plan plan) {
    Statement sql = new Statement();
    boolean text = plan.query().hasText() || !plan.query().excluded().isEmpty();
    String conditions = sql.conditions(plan);
    if (plan.cursor().isPresent()) {
      SearchCursor cursor = plan.cursor().get();
      conditions += " AND (d.created_at, d.message_id) < (" + sql.param(cursor.lastCreatedAt().atOffset(ZoneOffset.UTC))
          + ", " + sql.param(cursor.lastMessageId()) + ")";
    }
    String statement = text ? """
        WITH q AS (SELECT %s AS query)
        SELECT d.message_id, d.chat_id, d.seq, d.sender_id, d.root_id, d.created_at, d.edited_at, d.content,
               %s AS headline
          FROM (SELECT d.* FROM search.documents d, q WHERE %s
                 ORDER BY d.created_at DESC, d.message_id DESC LIMIT %s) d, q
         ORDER BY d.created_at DESC, d.message_id DESC""".formatted(sql.tsquery(plan.query()),
        plan.query().hasText() ? sql.headline() : "NULL::text", conditions, sql.param(plan.limit() + 1))
        : """
        SELECT d.message_id, d.chat_id, d.seq, d.sender_id, d.root_id, d.created_at, d.edited_at, d.content,
               NULL::text AS headline
          FROM search.documents d WHERE %s
         ORDER BY d.created_at DESC, d.message_id DESC LIMIT %s""".formatted(conditions, sql.param(plan.limit() + 1));
    return pg.preparedQuery(statement).rxExecute(sql.arguments()).map(rows -> {
      List<Hit> hits = new ArrayList<>();
      for (Row row : rows) {
        hits.add(hit(row, plan.query().hasText()));
      }
      boolean more = hits.size() > plan.limit();
      List<Hit> shown = more ? hits.subList(0, plan.limit()) : hits;
      Optional<SearchCursor> next = Optional.empty();
      if (more) {
        Hit last = shown.get(shown.size() - 1);
        next = Optional.of(SearchCursor.byTime(plan.digest(), last.createdAt().toInstant(), last.messageId()));
      }
      return new Page(List.copyOf(shown), next, OptionalInt.empty());
    });
  }

  private static Hit hit(Row row, boolean highlighted) {
    String content = row.getString("content");
    String headline = row.getString("headline");
    String snippet = highlighted && headline != null ? Snippets.html(headline, content) : Snippets.opening(content);
    return new Hit(row.getUUID("message_id"), row.getUUID("chat_id"), row.getLong("seq"), row.getUUID("sender_id"),
        row.getUUID("root_id"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("edited_at"), snippet);
  }

  /** One statement's text pieces and its arguments, numbered as they are added. */
  private static final class Statement {
    private final Tuple arguments = Tuple.tuple();
    private int count;

    String param(Object value) {
      arguments.addValue(value);
      return "$" + ++count;
    }

    Tuple arguments() {
      return arguments;
    }

    /** Every term of the text as one tsquery: all must match, none of the excluded may. */
    String tsquery(SearchQuery query) {
      List<String> parts = new ArrayList<>();
      query.words().forEach(word -> parts.add("search.word_query(" + param(word) + ")"));
      query.phrases().forEach(phrase -> parts.add("search.phrase_query(" + param(phrase) + ")"));
      query.prefixes().forEach(prefix -> parts.add("search.prefix_query(" + param(prefix) + ")"));
      query.excluded().forEach(excluded -> parts.add("!! search." + (excluded.phrase() ? "phrase" : "word")
          + "_query(" + param(excluded.text()) + ")"));
      return String.join(" && ", parts);
    }

    /** Who may read it, and the operators; the text match when there is text. */
    String conditions(Plan plan) {
      SearchQuery query = plan.query();
      List<String> all = new ArrayList<>();
      all.add("d.chat_id = ANY(" + param(plan.chatIds().toArray(UUID[]::new)) + ")");
      if (query.hasText() || !query.excluded().isEmpty()) {
        // The terms again rather than q.query: as an expression of constants the planner folds them and estimates
        // from the column's statistics how many documents match. With from:, the sender's own documents are few:
        // the (sender, time) index finds them and the text is checked on each, instead of also reading the GIN
        // index for every document that has the words.
        String match = "d.lexemes @@ (" + tsquery(query) + ")";
        all.add(plan.senders().isEmpty() ? match : "(" + match + ") IS TRUE");
      }
      if (!plan.senders().isEmpty()) {
        all.add("d.sender_id = ANY(" + param(plan.senders().toArray(UUID[]::new)) + ")");
      }
      if (!plan.mentioned().isEmpty()) {
        all.add("d.mentions @> " + param(plan.mentioned().toArray(UUID[]::new)) + "::uuid[]");
      }
      plan.from().ifPresent(from -> all.add("d.created_at >= " + param(from.atOffset(ZoneOffset.UTC))));
      plan.until().ifPresent(until -> all.add("d.created_at < " + param(until.atOffset(ZoneOffset.UTC))));
      if (query.hasFile()) {
        all.add("d.has_file");
      }
      if (query.hasImage()) {
        all.add("d.has_image");
      }
      if (query.hasLink()) {
        all.add("d.has_link");
      }
      if (query.isThread()) {
        all.add("d.in_thread");
      }
      return String.join(" AND ", all);
    }

    /** The message's headline: whole when short, its best fragments when long (see {@link Snippets}). */
    String headline() {
      return "ts_headline('search.words', d.content, q.query, CASE WHEN length(d.content) <= " + Snippets.WHOLE_UP_TO
          + " THEN " + param(Snippets.headlineOptions(0)) + " ELSE "
          + param(Snippets.headlineOptions(Snippets.WHOLE_UP_TO + 1)) + " END)";
    }
  }
}
