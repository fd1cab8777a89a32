package dev.ocomms.bench;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The search scenario's bulk fill against real messaging: what it writes straight into the tables must look as if
 * every message had been sent, so that history, sync and the event stream's followers (the search index) read it.
 */
@DisplayName("The search scenario's bulk fill")
class MessageFillTest {
  private static final int MESSAGES = 3000;
  private static TestSystem system;
  private static Vertx vertx;
  private static SearchWorkspace workspace;
  private static MessageFill.Result fill;
  private static String jdbcUrl;

  @BeforeAll
  static void fill() throws Exception {
    system = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(GatewayVerticle::new)
        .start();
    vertx = Vertx.vertx();
    WebClient web = WebClient.create(vertx);
    workspace = Lanes.await(SearchWorkspace.create(web, Target.of(system.baseUrl()),
        new SearchWorkspace.Shape(8, 6, 1, 1, 3, 7), 4), 120);
    jdbcUrl = MessageFill.jdbcUrl(system.cluster().config(0).pgUrl().orElseThrow());
    fill = MessageFill.fill(jdbcUrl, workspace, new Vocabulary(1000, 1.0, 7),
        new MessageFill.Config(MESSAGES, 1000, 30, 4, 18, 7));
  }

  @AfterAll
  static void stop() {
    vertx.close();
    system.close();
  }

  @Test
  @DisplayName("gives each chat gap-free seqs in time order, ending at the chat's last_seq")
  void seqsAreGapFreeAndFollowTime() throws Exception {
    try (Connection db = DriverManager.getConnection(jdbcUrl)) {
      for (SearchWorkspace.Chat chat : workspace.chats) {
        List<Long> seqs = new ArrayList<>();
        try (PreparedStatement query = db.prepareStatement(
            // The chat's system lines (its members joining) come first; the filled messages follow them.
            "SELECT seq FROM messaging.messages WHERE chat_id = ?::uuid AND system IS NULL ORDER BY created_at")) {
          query.setString(1, chat.id());
          try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
              seqs.add(rows.getLong(1));
            }
          }
        }
        long first = seqs.get(0);
        for (int i = 0; i < seqs.size(); i++) {
          assertThat(seqs.get(i)).isEqualTo(first + i);
        }
        assertThat(single(db, "SELECT last_seq FROM messaging.chats WHERE id = '" + chat.id() + "'"))
            .isEqualTo(first + seqs.size() - 1);
      }
      assertThat(single(db, filled(
          "SELECT count(*) FROM messaging.messages m WHERE m.system IS NULL AND m.created_at <= %s")))
          .isEqualTo(MESSAGES);
    }
  }

  @Test
  @DisplayName("records one message.new event per message, with its seq, at stream positions in time order")
  void oneEventPerMessageInTimeOrder() throws Exception {
    try (Connection db = DriverManager.getConnection(jdbcUrl)) {
      assertThat(single(db, filled("""
          SELECT count(*) FROM messaging.chat_events e JOIN messaging.messages m
            ON m.id = e.message_id AND m.chat_id = e.chat_id AND m.seq = e.seq
          WHERE e.type = 'message.new' AND m.system IS NULL AND m.created_at <= %s"""))).isEqualTo(MESSAGES);
      assertThat(single(db, filled("""
          SELECT count(*) FROM messaging.chat_events e JOIN messaging.messages m ON m.id = e.message_id
          WHERE m.system IS NULL AND m.created_at <= %s"""))).isEqualTo(MESSAGES);
      // Each event's stream position is after the one of every earlier message.
      assertThat(single(db, """
          SELECT count(*) FROM (
            SELECT m.created_at < lag(m.created_at) OVER (ORDER BY e.tx, e.position) AS backwards
            FROM messaging.chat_events e JOIN messaging.messages m ON m.id = e.message_id
            WHERE m.system IS NULL) s
          WHERE backwards""")).isZero();
    }
  }

  @Test
  @DisplayName("has every message sent by a member of its chat, within the last days asked for")
  void sendersAreMembers() throws Exception {
    try (Connection db = DriverManager.getConnection(jdbcUrl)) {
      assertThat(single(db, """
          SELECT count(*) FROM messaging.messages m
          WHERE NOT EXISTS (SELECT 1 FROM messaging.chat_members cm
                            WHERE cm.chat_id = m.chat_id AND cm.user_id = m.sender_id)""")).isZero();
      assertThat(single(db, """
          SELECT count(*) FROM messaging.messages
          WHERE created_at < now() - interval '31 days' OR created_at > now()""")).isZero();
    }
    assertThat(fill.phrases()).isNotEmpty();
  }

  @Test
  @DisplayName("reads back through the API as history, and the next send takes the next seq")
  void historyAndNextSend() throws Exception {
    SearchWorkspace.Chat chat = workspace.chats.stream().filter(c -> c.kind() == SearchWorkspace.Kind.PUBLIC)
        .filter(c -> !c.members().isEmpty()).findFirst().orElseThrow();
    SearchWorkspace.User member = workspace.users.get(chat.members().get(0));
    JsonObject history = new JsonObject(system.get("/chats/" + chat.id() + "/messages?limit=1",
        member.accessToken()).bodyAsString());
    long lastSeq = history.getJsonArray("messages").getJsonObject(0).getLong("seq");
    WebClient web = WebClient.create(vertx);
    JsonObject sent = Lanes.await(new Api(web, "127.0.0.1", system.port(0)).sendMessage(member.accessToken(),
        chat.id(), UUID.randomUUID().toString(), "after the fill"), 30);
    assertThat(sent.getLong("seq")).isEqualTo(lastSeq + 1);
  }

  /** The query with its {@code %s} as the time of the fill's last message (a test sends one more after it). */
  private static String filled(String sql) {
    return String.format(sql, "'" + fill.to() + "'::timestamptz");
  }

  private static long single(Connection db, String sql) throws Exception {
    try (ResultSet rows = db.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
