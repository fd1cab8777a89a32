package dev.ocomms.bench;

import io.vertx.core.json.JsonObject;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Loads the search scenario's history straight into messaging's tables, in bulk: a million messages through the API
 * would take hours (10 per second per user), so the rows are streamed with {@code COPY} into a temporary table and
 * moved by one set-based statement per chunk that keeps messaging's invariants as {@code MessageStore.storeBatch}
 * does: each chat's row takes the chunk's count onto {@code last_seq} (seqs stay gap-free and follow time), every
 * message gets its {@code message.new} event in {@code chat_events} (whose {@code tx} and {@code position} fill
 * themselves, as the V3 migration set up, in time order), and ids are UUID v7 of the message's time. Each chunk is
 * one transaction, so the search verticle's follower can start on the first while the next is loading.
 *
 * <p>Messages are spread over {@code days} days up to a minute ago, over the chats with a skew (a few busy chats, many
 * quiet ones, DMs quieter still), sent by a random member of their chat; their words come from the {@link Vocabulary}.
 * Then every member's read mark is put at its chat's end (they have read the history) and the tables are analyzed.
 */
final class MessageFill {
  private static final Logger LOG = LoggerFactory.getLogger(MessageFill.class);
  /** Bigram samples kept for the phrase queries. */
  private static final int PHRASES = 2000;
  /** Phrases are made of words of this rank or rarer: a phrase of the commonest words is not what people look for. */
  static final int PHRASE_MIN_RANK = 10;

  /** What to load. */
  record Config(int messages, int chunk, int days, int minWords, int maxWords, long seed) {
    JsonObject toJson() {
      return new JsonObject().put("messages", messages).put("chunk", chunk).put("days", days)
          .put("wordsPerMessage", minWords + "-" + maxWords);
    }
  }

  /** Two words that stand next to each other in some message (ranks), and that message's chat. */
  record Phrase(int first, int second, int chat) {
  }

  /** What was loaded: how many, how long it took, the time span, and phrases for the queries. */
  record Result(long messages, double seconds, Instant from, Instant to, List<Phrase> phrases, long wordCount) {
    JsonObject toJson() {
      return new JsonObject().put("messages", messages).put("seconds", MessageLoad.round(seconds))
          .put("messagesPerSecond", Math.round(messages / Math.max(seconds, 0.001))).put("from", from.toString())
          .put("to", to.toString()).put("words", wordCount);
    }
  }

  private MessageFill() {
  }

  /** A JDBC URL for a PostgreSQL URL as the server takes it ({@code postgresql://user[:password]@host:port/db}). */
  static String jdbcUrl(String url) {
    if (url.startsWith("jdbc:")) {
      return url;
    }
    URI uri = URI.create(url);
    StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost()).append(':')
        .append(uri.getPort() < 0 ? 5432 : uri.getPort()).append(uri.getRawPath());
    String userInfo = uri.getUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      jdbc.append("?user=").append(colon < 0 ? userInfo : userInfo.substring(0, colon));
      if (colon >= 0) {
        jdbc.append("&password=").append(userInfo.substring(colon + 1));
      }
    }
    return jdbc.toString();
  }

  static Result fill(String jdbcUrl, SearchWorkspace workspace, Vocabulary vocabulary, Config config)
      throws SQLException, IOException {
    SplittableRandom random = new SplittableRandom(config.seed());
    ChatPicker picker = new ChatPicker(workspace, random);
    List<Phrase> phrases = new ArrayList<>();
    long seen = 0;
    long words = 0;
    Instant to = Instant.now().minus(Duration.ofMinutes(1));
    Instant from = to.minus(Duration.ofDays(config.days()));
    double stepMicros = Duration.between(from, to).toNanos() / 1000.0 / config.messages();
    long fromMicros = from.getEpochSecond() * 1_000_000L + from.getNano() / 1000;
    long started = System.nanoTime();
    try (Connection db = DriverManager.getConnection(jdbcUrl)) {
      db.setAutoCommit(false);
      try (Statement statement = db.createStatement()) {
        statement.execute("CREATE TEMP TABLE fill_messages (id uuid, chat_id uuid, client_id uuid, sender_id uuid,"
            + " content text, created_at timestamptz)");
      }
      db.commit();
      int[] ranks = new int[config.maxWords()];
      StringBuilder content = new StringBuilder(256);
      for (int done = 0; done < config.messages(); ) {
        int chunk = Math.min(config.chunk(), config.messages() - done);
        try (Writer rows = new BufferedWriter(new OutputStreamWriter(new PGCopyOutputStream(db.unwrap(PGConnection.class),
            "COPY fill_messages FROM STDIN", 1 << 16), StandardCharsets.UTF_8), 1 << 16)) {
          for (int i = done; i < done + chunk; i++) {
            // Strictly increasing times: message i falls somewhere in its own step of the span.
            long micros = fromMicros + (long) ((i + random.nextDouble()) * stepMicros);
            SearchWorkspace.Chat chat = picker.next();
            int sender = chat.members().get(random.nextInt(chat.members().size()));
            int length = config.minWords() + random.nextInt(config.maxWords() - config.minWords() + 1);
            content.setLength(0);
            for (int w = 0; w < length; w++) {
              ranks[w] = vocabulary.draw(random);
              String word = vocabulary.word(ranks[w]);
              if (w == 0 && random.nextInt(4) == 0) {
                word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
              }
              content.append(w == 0 ? "" : " ").append(word);
            }
            if (random.nextInt(5) == 0) {
              content.append(random.nextBoolean() ? '.' : '?');
            }
            words += length;
            for (int w = 1; w < length; w++) {
              if (ranks[w - 1] >= PHRASE_MIN_RANK && ranks[w] >= PHRASE_MIN_RANK) {
                // The message's first such pair, kept by reservoir sampling: every message that has one is equally
                // likely to be among the samples.
                seen++;
                Phrase phrase = new Phrase(ranks[w - 1], ranks[w], chat.index());
                if (phrases.size() < PHRASES) {
                  phrases.add(phrase);
                } else if (random.nextLong(seen) < PHRASES) {
                  phrases.set((int) random.nextLong(PHRASES), phrase);
                }
                break;
              }
            }
            rows.write(uuidV7(micros / 1000, random) + "\t" + chat.id() + "\t" + randomUuid(random) + "\t"
                + workspace.users.get(sender).userId() + "\t" + content + "\t" + timestamp(micros) + "\n");
          }
        }
        move(db);
        db.commit();
        done += chunk;
        LOG.info("fill: {} of {} messages in {} s", done, config.messages(),
            Math.round((System.nanoTime() - started) / 1e9));
      }
      try (PreparedStatement marks = db.prepareStatement("""
          UPDATE messaging.chat_members m SET last_read_seq = c.last_seq
          FROM messaging.chats c WHERE m.chat_id = c.id AND c.workspace_id = ?::uuid""")) {
        marks.setString(1, workspace.workspaceId);
        marks.executeUpdate();
      }
      db.commit();
      db.setAutoCommit(true);
      try (Statement statement = db.createStatement()) {
        statement.execute("ANALYZE messaging.messages");
        statement.execute("ANALYZE messaging.chat_events");
      }
    }
    Collections.shuffle(phrases, new java.util.Random(config.seed()));
    return new Result(config.messages(), (System.nanoTime() - started) / 1e9, from, to, List.copyOf(phrases), words);
  }

  /**
   * Moves the loaded chunk into messaging's tables in one statement: the chats' rows first (the update locks them,
   * as a send does, and hands out each chat's seqs after its current last one), then the messages numbered in time
   * order within their chat, then one {@code message.new} event each, inserted in time order so that stream positions
   * follow time.
   */
  /**
   * What autovacuum does some minutes after a bulk load, done at once so that the searches measure a settled index
   * and not the cleanup of the load beside them (a database that grew message by message has had it all along).
   */
  static void settle(String jdbcUrl) throws SQLException {
    try (Connection db = DriverManager.getConnection(jdbcUrl); var statement = db.createStatement()) {
      statement.execute("VACUUM (ANALYZE) search.documents");
      statement.execute("VACUUM (ANALYZE) messaging.messages");
      statement.execute("VACUUM (ANALYZE) messaging.chat_events");
      statement.execute("VACUUM (ANALYZE) messaging.chat_members");
    }
  }

  private static void move(Connection db) throws SQLException {
    try (Statement statement = db.createStatement()) {
      statement.execute("""
          WITH counts AS (
            SELECT chat_id, count(*) AS n FROM fill_messages GROUP BY chat_id
          ), chat AS (
            UPDATE messaging.chats c SET last_seq = c.last_seq + counts.n
            FROM counts WHERE c.id = counts.chat_id
            RETURNING c.id, c.last_seq - counts.n AS base
          ), inserted AS (
            INSERT INTO messaging.messages (id, chat_id, seq, client_id, sender_id, content, created_at)
            SELECT f.id, f.chat_id, chat.base + row_number() OVER (PARTITION BY f.chat_id ORDER BY f.created_at),
                   f.client_id, f.sender_id, f.content, f.created_at
            FROM fill_messages f JOIN chat ON chat.id = f.chat_id
            RETURNING id, chat_id, seq, created_at
          )
          INSERT INTO messaging.chat_events (chat_id, seq, type, message_id, created_at)
          SELECT chat_id, seq, 'message.new', id, created_at FROM inserted ORDER BY created_at""");
      statement.execute("TRUNCATE fill_messages");
    }
  }

  /** A UUID v7 of a given time (as messaging's {@code Ids} makes for new rows), random in its other bits. */
  static UUID uuidV7(long epochMillis, SplittableRandom random) {
    long high = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }

  private static UUID randomUuid(SplittableRandom random) {
    long high = (random.nextLong() & 0xFFFFFFFFFFFF0FFFL) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }

  private static String timestamp(long epochMicros) {
    return Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L), Math.floorMod(epochMicros, 1_000_000L) * 1000)
        .toString();
  }

  /**
   * Draws the chat of each message: channels in a random order with weights 1 / (k + 1)^0.6 (a few busy ones, a long
   * quiet tail), DMs a third of the quietest channel; chats without members (a private channel nobody drew) get none.
   */
  private static final class ChatPicker {
    private final List<SearchWorkspace.Chat> chats = new ArrayList<>();
    private final double[] cumulative;
    private final SplittableRandom random;

    ChatPicker(SearchWorkspace workspace, SplittableRandom random) {
      this.random = random;
      List<SearchWorkspace.Chat> channels = new ArrayList<>();
      List<SearchWorkspace.Chat> dms = new ArrayList<>();
      workspace.chats.stream().filter(chat -> !chat.members().isEmpty())
          .forEach(chat -> (chat.kind() == SearchWorkspace.Kind.DM ? dms : channels).add(chat));
      Collections.shuffle(channels, new java.util.Random(random.nextLong()));
      List<Double> weights = new ArrayList<>();
      double quietest = 1;
      for (int k = 0; k < channels.size(); k++) {
        quietest = 1 / Math.pow(k + 1, 0.6);
        chats.add(channels.get(k));
        weights.add(quietest);
      }
      for (SearchWorkspace.Chat dm : dms) {
        chats.add(dm);
        weights.add(quietest / 3);
      }
      cumulative = new double[chats.size()];
      double sum = 0;
      for (int i = 0; i < chats.size(); i++) {
        sum += weights.get(i);
        cumulative[i] = sum;
      }
      for (int i = 0; i < cumulative.length; i++) {
        cumulative[i] /= sum;
      }
    }

    SearchWorkspace.Chat next() {
      return chats.get(Vocabulary.firstAtLeast(cumulative, random.nextDouble()));
    }
  }
}
