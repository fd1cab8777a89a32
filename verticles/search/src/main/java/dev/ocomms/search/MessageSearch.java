package dev.ocomms.search;

import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The SQL of a message search, over the index's documents. Access is part of the query: the caller's readable chat ids
 * are passed as one array, so a private chat the caller is not in is never read, not even counted.
 *
 * <p>Documents are partitioned by month ({@link MonthPartitions}), and a search reads the months newest first, a few
 * at a time, until it has what it needs: the newest {@value #RANKED_MATCHES} matches by relevance, or a page by time.
 * Each month's statement is planned for its own arguments: a common word walks that month's newest documents, a rarer
 * one is looked up in that month's GIN index, so a word found in a few thousand documents of the year costs one
 * month's share of them.
 *
 * <p>By relevance, only the newest {@value #RANKED_MATCHES} matches are ranked (relevance times recency, the latter
 * halving a match's score over 30 days): ranking every match of a common word would read most of the index, and the
 * best of a chat's older matches are still there with sort:recent or a date range. Pages of a ranking are cut by rank
 * among the matches sent up to the first page; newest first, after the last message shown. Snippets are made only for
 * the rows returned.
 */
final class MessageSearch {
  static final int RANKED_MATCHES = 300;
  /** Seconds after which recency halves a match's score. */
  private static final double RECENCY_HALF_SECONDS = 30 * 24 * 3600.0;
  /** Orders matches as PostgreSQL orders them: best first, then newest, then by id as its bytes compare. */
  private static final Comparator<Ranked> BEST_FIRST = Comparator.comparingDouble(Ranked::score).reversed()
      .thenComparing(Ranked::createdAt, Comparator.reverseOrder())
      .thenComparing(Ranked::messageId, (a, b) -> compareAsBytes(b, a));

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

  /** A match with its score, before its page is chosen. */
  private record Ranked(UUID messageId, OffsetDateTime createdAt, double score) {
  }

  private final Pool pg;
  private final MonthPartitions partitions;

  MessageSearch(Pool pg) {
    this.pg = pg;
    this.partitions = new MonthPartitions(pg);
  }

  Single<Page> find(Plan plan) {
    return plan.byRelevance() ? byRelevance(plan) : byTime(plan);
  }

  private Single<Page> byRelevance(Plan plan) {
    Instant asOf = plan.cursor().map(SearchCursor::asOf).orElseGet(Instant::now);
    int offset = plan.cursor().map(SearchCursor::offset).orElse(0);
    Statement sql = new Statement();
    String match = sql.conditions(plan) + " AND d.created_at <= " + sql.param(asOf.atOffset(ZoneOffset.UTC));
    String query = sql.tsquery(plan.query());
    return months(plan, Optional.of(asOf)).flatMap(months -> newestFirst(months, RANKED_MATCHES, (tables, wanted) -> {
      String children = unionOf(tables, table -> "SELECT d.message_id, d.created_at, d.lexemes FROM " + table
          + " d WHERE " + match + " ORDER BY d.created_at DESC LIMIT " + wanted);
      return pg.preparedQuery("""
          WITH q AS (SELECT %s AS query)
          SELECT h.message_id, h.created_at, ts_rank(h.lexemes, q.query)::float8 AS rank
            FROM (SELECT * FROM (%s) months LIMIT %d) h, q""".formatted(query, children, wanted))
          .rxExecute(sql.arguments())
          .map(rows -> {
            List<Ranked> found = new ArrayList<>();
            for (Row row : rows) {
              OffsetDateTime createdAt = row.getOffsetDateTime("created_at");
              double age = Math.max(0, Duration.between(createdAt.toInstant(), asOf).toNanos() / 1e9);
              found.add(new Ranked(row.getUUID("message_id"), createdAt,
                  row.getDouble("rank") / (1 + age / RECENCY_HALF_SECONDS)));
            }
            return found;
          });
    })).flatMap(matches -> {
      List<Ranked> ranked = new ArrayList<>(matches);
      ranked.sort(BEST_FIRST);
      List<Ranked> page = ranked.subList(Math.min(offset, ranked.size()),
          Math.min(ranked.size(), offset + plan.limit() + 1));
      boolean more = page.size() > plan.limit();
      List<Ranked> shown = more ? page.subList(0, plan.limit()) : page;
      Optional<SearchCursor> next = more
          ? Optional.of(SearchCursor.byRelevance(plan.digest(), asOf, offset + plan.limit()))
          : Optional.empty();
      // Exact only when the window of ranked matches was not full (and the page says anything at all).
      OptionalInt total = !page.isEmpty() && ranked.size() < RANKED_MATCHES ? OptionalInt.of(ranked.size())
          : offset == 0 && page.isEmpty() ? OptionalInt.of(0) : OptionalInt.empty();
      return hits(plan.query(), shown).map(hits -> new Page(hits, next, total));
    });
  }

  /** The rows of the matches shown, in their order, with their snippets (a match deleted meanwhile is left out). */
  private Single<List<Hit>> hits(SearchQuery query, List<Ranked> shown) {
    if (shown.isEmpty()) {
      return Single.just(List.of());
    }
    Statement sql = new Statement();
    String tsquery = sql.tsquery(query);
    // Both keys: the times name the partitions to read, the ids the rows.
    String ids = sql.param(shown.stream().map(Ranked::messageId).toArray(UUID[]::new));
    String times = sql.param(shown.stream().map(Ranked::createdAt).distinct().toArray(OffsetDateTime[]::new));
    return pg.preparedQuery("""
        WITH q AS (SELECT %s AS query)
        SELECT d.message_id, d.chat_id, d.seq, d.sender_id, d.root_id, d.created_at, d.edited_at, d.content,
               %s AS headline
          FROM search.documents d, q
         WHERE d.message_id = ANY(%s) AND d.created_at = ANY(%s)""".formatted(tsquery, sql.headline(), ids, times))
        .rxExecute(sql.arguments())
        .map(rows -> {
          Map<UUID, Hit> byId = new HashMap<>();
          for (Row row : rows) {
            Hit hit = hit(row, true);
            byId.put(hit.messageId(), hit);
          }
          return shown.stream().map(match -> byId.get(match.messageId())).filter(Objects::nonNull).toList();
        });
  }

  private Single<Page> byTime(Plan plan) {
    Statement sql = new Statement();
    boolean text = plan.query().hasText() || !plan.query().excluded().isEmpty();
    String conditions = sql.conditions(plan);
    Optional<Instant> before = plan.cursor().map(SearchCursor::lastCreatedAt);
    if (plan.cursor().isPresent()) {
      SearchCursor cursor = plan.cursor().get();
      conditions += " AND (d.created_at, d.message_id) < (" + sql.param(cursor.lastCreatedAt().atOffset(ZoneOffset.UTC))
          + ", " + sql.param(cursor.lastMessageId()) + ")";
    }
    String query = text ? sql.tsquery(plan.query()) : null;
    String headline = plan.query().hasText() ? sql.headline() : "NULL::text";
    String match = conditions;
    int wanted = plan.limit() + 1;
    return months(plan, before).flatMap(months -> newestFirst(months, wanted,
        (tables, remaining) -> {
          String children = unionOf(tables, table -> "SELECT d.* FROM " + table + " d WHERE " + match
              + " ORDER BY d.created_at DESC, d.message_id DESC LIMIT " + remaining);
          String statement = """
              %sSELECT d.message_id, d.chat_id, d.seq, d.sender_id, d.root_id, d.created_at, d.edited_at, d.content,
                     %s AS headline
                FROM (SELECT * FROM (%s) months LIMIT %d) d%s""".formatted(
              query == null ? "" : "WITH q AS (SELECT " + query + " AS query)\n", headline, children, remaining,
              query == null ? "" : ", q");
          return pg.preparedQuery(statement).rxExecute(sql.arguments()).map(rows -> {
            List<Hit> hits = new ArrayList<>();
            for (Row row : rows) {
              hits.add(hit(row, plan.query().hasText()));
            }
            return hits;
          });
        })).map(found -> {
          List<Hit> hits = new ArrayList<>(found);
          hits.sort(Comparator.comparing(Hit::createdAt, Comparator.reverseOrder())
              .thenComparing(Hit::messageId, (a, b) -> compareAsBytes(b, a)));
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

  /**
   * The months with documents that may match, newest first: none that begins after {@code upTo} (a match's latest
   * time), none outside the dates of the query.
   */
  private Single<List<String>> months(Plan plan, Optional<Instant> upTo) {
    return partitions.newestFirst().map(all -> all.stream()
        .filter(month -> upTo.map(time -> !month.start().isAfter(time)).orElse(true))
        .filter(month -> plan.until().map(until -> month.start().isBefore(until)).orElse(true))
        .filter(month -> plan.from().map(from -> month.end().isAfter(from)).orElse(true))
        .map(MonthPartitions.Month::table)
        .toList());
  }

  /** Reads one batch of months: up to {@code wanted} rows from these tables, newest first. */
  private interface Batch<T> {
    Single<List<T>> read(List<String> tables, int wanted);
  }

  /**
   * Up to {@code wanted} rows, reading the months newest first: the newest month alone (most searches need no more),
   * then as many older months as the rows found so far say are needed, half as many again to spare; all the rest at
   * once when none was found (a rare word: one more statement rather than one per month).
   */
  private static <T> Single<List<T>> newestFirst(List<String> months, int wanted, Batch<T> batch) {
    return newestFirst(months, 0, 1, wanted, batch, List.of());
  }

  private static <T> Single<List<T>> newestFirst(List<String> months, int from, int size, int wanted, Batch<T> batch,
                                                 List<T> found) {
    if (from >= months.size() || found.size() >= wanted) {
      return Single.just(found);
    }
    List<String> tables = months.subList(from, Math.min(months.size(), from + size));
    return batch.read(tables, wanted - found.size()).flatMap(rows -> {
      List<T> all = new ArrayList<>(found);
      all.addAll(rows);
      int read = from + tables.size();
      int left = months.size() - read;
      int next = all.isEmpty() ? left
          : (int) Math.ceil(1.5 * (wanted - all.size()) * read / (double) all.size());
      return newestFirst(months, read, Math.max(1, Math.min(left, next)), wanted, batch, all);
    });
  }

  /**
   * The months' rows as one statement, newest month first. PostgreSQL runs the branches of a UNION ALL in order and
   * stops reading once the outer LIMIT has its rows, so an older month is read only when the newer ones fell short.
   */
  private static String unionOf(List<String> tables, Function<String, String> child) {
    return tables.stream().map(table -> "(" + child.apply("search." + table) + ")")
        .collect(Collectors.joining(" UNION ALL "));
  }

  /** UUIDs as PostgreSQL orders them: byte by byte, unsigned. */
  static int compareAsBytes(UUID a, UUID b) {
    int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
  }

  private static Hit hit(Row row, boolean highlighted) {
    String content = row.getString("content");
    String headline = row.getString("headline");
    String snippet = highlighted && headline != null ? Snippets.html(headline, content) : Snippets.opening(content);
    return new Hit(row.getUUID("message_id"), row.getUUID("chat_id"), row.getLong("seq"), row.getUUID("sender_id"),
        row.getUUID("root_id"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("edited_at"), snippet);
  }

  /** One statement's text pieces and its arguments, numbered as they are added. */
  static final class Statement {
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
