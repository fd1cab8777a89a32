package dev.ocomms.system.outages;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static dev.ocomms.testkit.Blocking.pause;
import static dev.ocomms.testkit.TestSystem.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node stopped the launcher's way ({@code TestCluster.shutDown}, what SIGTERM runs) while users of both nodes are
 * online and keep sending: the other node's gateway hands sends to the stopping node's messaging too.
 */
@DisplayName("Stopping a node under send load")
class ShutdownTest {
  private static final int SENDERS_PER_NODE = 5;
  /** Each sender stays below the per-user limit (10 a second): no refusal here is a rate limit. */
  private static final long SEND_INTERVAL_MS = 120;
  private static final int STOPPED = 0;
  private static final int STAYING = 1;

  private TestSystem system;
  private final ExecutorService senders = Executors.newFixedThreadPool(2 * SENDERS_PER_NODE);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void start() {
    system = TestSystem.builder().nodes(2).everyNodeServes()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new, 2).deploy(PresenceVerticle::new)
        .deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    rootLogger.detachAppender(logs);
    senders.shutdownNow();
    senders.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    system.close();
  }

  /** What one send was answered: 201 with the message's id, another status with its code, or no answer (-1). */
  private record Answer(int status, String code, String messageId) {
    boolean acked() {
      return status == 201;
    }
  }

  @Test
  @DisplayName("every acknowledged send is stored, none is answered internal, and nothing logs a closed client")
  void drainsInOrder() throws Exception {
    List<Account> users = system.register(2 * SENDERS_PER_NODE, 2);
    String workspaceId = system.workspace(users.get(0), users.subList(1, users.size()));
    String chatId = system.general(users.get(0), workspaceId);
    List<Answer> answers = new CopyOnWriteArrayList<>();
    AtomicBoolean sending = new AtomicBoolean(true);
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      Account sender = users.get(i);
      int node = i % 2 == 0 ? STOPPED : STAYING;
      // Online on the bridge too: stopping closes these connections, which presence is told of.
      system.online(node, sender);
      running.add(senders.submit(() -> {
        while (sending.get()) {
          answers.add(send(node, sender, chatId));
          pause(SEND_INTERVAL_MS);
        }
        return null;
      }));
    }
    awaitAcked(answers, 20);
    logs.start();
    rootLogger.addAppender(logs);

    system.cluster().shutDown(STOPPED);
    // The node that stayed serves on: its users' sends are acknowledged again, stored by its own messaging.
    awaitAcked(answers, answers.stream().filter(Answer::acked).count() + 5);
    sending.set(false);
    for (Future<?> sender : running) {
      sender.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
    rootLogger.detachAppender(logs);

    assertThat(answers.stream().filter(answer -> answer.status() >= 500 && answer.status() != 503))
        .as("sends answered with an error other than unavailable").isEmpty();
    Set<String> acked = answers.stream().filter(Answer::acked).map(Answer::messageId).collect(Collectors.toSet());
    assertThat(system.messageIds(STAYING, users.get(1), chatId)).as("the chat's history, read on the node that stayed")
        .containsAll(acked);
    assertThat(logs.list.stream().filter(ShutdownTest::aboutClosedClient).map(ILoggingEvent::getFormattedMessage))
        .as("log lines about a closed client or pool").isEmpty();
    assertThat(logs.list.stream().filter(ShutdownTest::ourWarning).map(ILoggingEvent::getFormattedMessage))
        .as("warnings and errors of ours logged while stopping (a request meeting a closed client, ...)").isEmpty();
  }

  private Answer send(int node, Account sender, String chatId) {
    try {
      HttpResponse<Buffer> response = system.call(node, HttpMethod.POST, "/chats/" + chatId + "/messages",
          sender.token(), new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", "going"));
      JsonObject body = response.body() == null ? new JsonObject() : response.bodyAsJsonObject();
      return response.statusCode() == 201
          ? new Answer(201, null, body.getString("id"))
          : new Answer(response.statusCode(), body.getString("code"), null);
    } catch (RuntimeException noAnswer) {
      // The stopping node's HTTP server refused or closed the connection: no answer, so no acknowledgement.
      return new Answer(-1, noAnswer.getClass().getSimpleName(), null);
    }
  }

  /** Waits until {@code count} sends in all are acknowledged. */
  private static void awaitAcked(List<Answer> answers, long count) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (answers.stream().filter(Answer::acked).count() < count) {
      assertThat(System.nanoTime()).as("%d sends acknowledged within 30 s", count).isLessThan(deadline);
      pause(50);
    }
  }

  /** A warning or error of OComms's own; a blocked event loop is the test guard's to report, not this test's. */
  private static boolean ourWarning(ILoggingEvent event) {
    return event.getLevel().isGreaterOrEqual(Level.WARN) && event.getLoggerName().startsWith("dev.ocomms")
        && !event.getFormattedMessage().startsWith("thread blocked");
  }

  private static boolean aboutClosedClient(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
      StringBuilder text = new StringBuilder(event.getFormattedMessage());
      for (IThrowableProxy cause = event.getThrowableProxy(); cause != null; cause = cause.getCause()) {
        text.append(' ').append(cause.getMessage());
      }
      String all = text.toString();
      return all.contains("Client is closed") || all.contains("CONNECTION_CLOSED") || all.contains("Pool closed");
    }
    return false;
  }
}
