package dev.ocomms.search;

import dev.ocomms.shared.db.Migrations;
import dev.ocomms.testkit.TestInfra;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index's documents are partitioned by month, and a search reads the months newest first until it has what it
 * needs (MessageSearch). Documents are stored here as the indexer stores them, over three months, straight into a
 * database of their own; the searches are MessageSearch's, as search.query runs them.
 */
@DisplayName("Searching an index that spans several months")
class SearchAcrossMonthsTest {
  private static final UUID READABLE = UUID.randomUUID();
  private static final UUID OTHER_READABLE = UUID.randomUUID();
  private static final UUID NOT_READABLE = UUID.randomUUID();
  private static final UUID SENDER = UUID.randomUUID();
  /** The first instant of this month, in UTC: the newest month of the documents. */
  private static final Instant THIS_MONTH = YearMonth.now(ZoneOffset.UTC).atDay(1).atStartOfDay()
      .toInstant(ZoneOffset.UTC);
  private static final Instant LAST_MONTH = THIS_MONTH.atOffset(ZoneOffset.UTC).minusMonths(1).toInstant();
  private static final Instant TWO_MONTHS_AGO = THIS_MONTH.atOffset(ZoneOffset.UTC).minusMonths(2).toInstant();

  private static Vertx vertx;
  private static Pool pool;
  private static MessageSearch search;
  /** Every document stored, newest first. */
  private static final List<Stored> STORED = new ArrayList<>();

  private record Stored(UUID id, UUID chat, Instant createdAt, String content) {
  }

  @BeforeAll
  static void storeDocumentsOverThreeMonths() {
    vertx = Vertx.vertx();
    String url = TestInfra.get().newPgUrl();
    Migrations.migrate(vertx, url, "search").blockingAwait();
    pool = Pool.newInstance(PgBuilder.pool()
        .connectingTo(PgConnectOptions.fromUri(url).addProperty("plan_cache_mode", "force_custom_plan"))
        .using(vertx.getDelegate()).build());
    search = new MessageSearch(pool);
    for (Instant month : List.of(TWO_MONTHS_AGO, LAST_MONTH, THIS_MONTH)) {
      // 40 "steady" documents a month, one at the month's very first microsecond; "edge" at the first instant of
      // each month; "ancient" only in the oldest month; "hidden" only in a chat the searcher may not read.
      for (int i = 0; i < 40; i++) {
        store(READABLE, month.plusSeconds(60L * i + 1), "steady update number " + i);
      }
      store(OTHER_READABLE, month, "edge of the month");
      store(NOT_READABLE, month.plusSeconds(30), "hidden steady plans");
    }
    store(READABLE, TWO_MONTHS_AGO.plusSeconds(7200), "ancient scroll");
    // A second document at this month's first instant: pages that end at it must go on within the month.
    store(READABLE, THIS_MONTH, "edge twin");
    STORED.sort(Comparator.comparing(Stored::createdAt).reversed()
        .thenComparing(Stored::id, (a, b) -> MessageSearch.compareAsBytes(b, a)));
  }

  @AfterAll
  static void close() {
    if (pool != null) {
      pool.rxClose().blockingAwait();
    }
    if (vertx != null) {
      vertx.rxClose().blockingAwait();
    }
  }

  @Test
  @DisplayName("sort:recent pages run across the months in time order, each match once, the unreadable never")
  void recentPagesCrossMonths() {
    List<UUID> found = new ArrayList<>();
    Optional<SearchCursor> cursor = Optional.empty();
    int pages = 0;
    do {
      MessageSearch.Page page = find("steady", false, 25, cursor, Optional.empty(), Optional.empty());
      page.hits().forEach(hit -> found.add(hit.messageId()));
      cursor = page.next();
      pages++;
    } while (cursor.isPresent() && pages < 20);

    assertThat(found).containsExactlyElementsOf(expected("steady", Instant.MAX));
    assertThat(found).hasSize(120);
  }

  @Test
  @DisplayName("by relevance, the matches of all months are ranked, the newest first among equals, with their count")
  void relevanceRanksEveryMonth() {
    MessageSearch.Page page = find("steady", true, 10, Optional.empty(), Optional.empty(), Optional.empty());

    assertThat(page.hits()).extracting(MessageSearch.Hit::messageId)
        .containsExactlyElementsOf(expected("steady", Instant.MAX).subList(0, 10));
    assertThat(page.total()).hasValue(120);
    assertThat(page.next()).isPresent();
  }

  @Test
  @DisplayName("a word found only in the oldest month is found")
  void findsTheOldestMonth() {
    MessageSearch.Page page = find("ancient", true, 10, Optional.empty(), Optional.empty(), Optional.empty());

    assertThat(page.hits()).extracting(MessageSearch.Hit::messageId)
        .containsExactlyElementsOf(expected("ancient", Instant.MAX));
    assertThat(page.hits()).hasSize(1);
  }

  @Test
  @DisplayName("a date range finds the documents at the first instant of a month, and none outside it")
  void dateRangeAtMonthEdges() {
    MessageSearch.Page page = find("edge", false, 10, Optional.empty(), Optional.of(LAST_MONTH),
        Optional.of(THIS_MONTH.plusSeconds(1)));

    assertThat(page.hits()).extracting(hit -> hit.createdAt().toInstant())
        .containsExactly(THIS_MONTH, THIS_MONTH, LAST_MONTH);
  }

  @Test
  @DisplayName("pages of sort:recent that end at a month's first instant go on within that month, then before it")
  void recentCursorAtMonthStart() {
    MessageSearch.Page first = find("edge", false, 1, Optional.empty(), Optional.empty(), Optional.empty());
    MessageSearch.Page second = find("edge", false, 1, first.next(), Optional.empty(), Optional.empty());
    MessageSearch.Page third = find("edge", false, 1, second.next(), Optional.empty(), Optional.empty());

    List<UUID> expected = expected("edge", Instant.MAX);
    assertThat(List.of(first, second, third)).extracting(page -> page.hits().get(0).messageId())
        .containsExactlyElementsOf(expected.subList(0, 3));
    assertThat(third.hits()).extracting(hit -> hit.createdAt().toInstant()).containsExactly(LAST_MONTH);
  }

  private static MessageSearch.Page find(String q, boolean byRelevance, int limit, Optional<SearchCursor> cursor,
                                         Optional<Instant> from, Optional<Instant> until) {
    return search.find(new MessageSearch.Plan(QueryParser.parse(q), List.of(READABLE, OTHER_READABLE), List.of(),
        List.of(), from, until, byRelevance, limit, cursor, "digest")).blockingGet();
  }

  /** The readable documents with this word, newest first, sent up to {@code upTo}. */
  private static List<UUID> expected(String word, Instant upTo) {
    return STORED.stream()
        .filter(stored -> stored.chat() != NOT_READABLE && stored.content().contains(word))
        .filter(stored -> !stored.createdAt().isAfter(upTo))
        .map(Stored::id).toList();
  }

  private static void store(UUID chat, Instant createdAt, String content) {
    // Within the month, and never in the future: the newest month is the current one.
    Instant at = createdAt.isAfter(Instant.now()) ? Instant.now().minus(1, ChronoUnit.SECONDS) : createdAt;
    UUID id = UUID.randomUUID();
    OffsetDateTime time = at.atOffset(ZoneOffset.UTC);
    LocalDate month = SearchIndex.month(time);
    pool.preparedQuery("SELECT search.make_month_partitions($1)").rxExecute(Tuple.of(new LocalDate[] {month}))
        .blockingGet();
    pool.preparedQuery("""
            INSERT INTO search.documents (message_id, chat_id, seq, sender_id, root_id, in_thread, created_at,
                                          edited_at, has_file, has_image, has_link, mentions, content, lexemes)
            VALUES ($1, $2, 1, $3, NULL, false, $4, NULL, false, false, false, '{}', $5,
                    to_tsvector('search.words', $5) || to_tsvector('search.exact', $5))""")
        .rxExecute(Tuple.of(id, chat, SENDER, time, content)).blockingGet();
    STORED.add(new Stored(id, chat, at, content));
  }
}
