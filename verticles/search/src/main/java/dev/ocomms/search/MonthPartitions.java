package dev.ocomms.search;

import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The month partitions of the documents (made by the indexer as it meets a new month), as searches read them: newest
 * first. Asked of PostgreSQL's catalogue at most once per {@link #KEPT_MS} while the current month has its partition,
 * and on every search until it has one: the first message of a month is found as soon as it is indexed.
 */
final class MonthPartitions {
  static final long KEPT_MS = 1_000;
  private static final Pattern NAME = Pattern.compile("documents_(\\d{4})_(\\d{2})");

  /** One month's partition: its table (in schema search) and the times it holds, from start to end (excluded). */
  record Month(String table, Instant start, Instant end) {
    static Month of(YearMonth month) {
      return new Month("documents_%04d_%02d".formatted(month.getYear(), month.getMonthValue()),
          month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
          month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
    }
  }

  private final Pool pg;
  private List<Month> known = List.of();
  private long loadedAt = Long.MIN_VALUE;

  MonthPartitions(Pool pg) {
    this.pg = pg;
  }

  Single<List<Month>> newestFirst() {
    long now = System.currentTimeMillis();
    if (now - loadedAt < KEPT_MS && !known.isEmpty() && !known.get(0).end().isBefore(Instant.ofEpochMilli(now))) {
      return Single.just(known);
    }
    return pg.query("""
            SELECT c.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'search.documents'::regclass""")
        .rxExecute()
        .map(rows -> {
          List<Month> months = new ArrayList<>();
          for (Row row : rows) {
            Matcher name = NAME.matcher(row.getString(0));
            if (name.matches()) {
              months.add(Month.of(YearMonth.of(Integer.parseInt(name.group(1)), Integer.parseInt(name.group(2)))));
            }
          }
          months.sort(Comparator.comparing(Month::start).reversed());
          known = List.copyOf(months);
          loadedAt = now;
          return known;
        });
  }
}
