package dev.ocomms.system.uploads;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.Blocking;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.uploads.UploadsVerticle;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static dev.ocomms.system.uploads.FileSharing.get;
import static dev.ocomms.system.uploads.FileSharing.limits;
import static dev.ocomms.system.uploads.FileSharing.sendWithFiles;
import static dev.ocomms.system.uploads.FileSharing.storedObjects;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The orphan sweep removes files no message carries once their 24 hours of grace are over. The test runs it on demand
 * ({@code uploads.sweep}, as an operator can) as of a moment in the future, instead of waiting a day. Local storage, so
 * the stored objects can be seen on disk.
 */
@DisplayName("The orphan sweep")
class OrphanSweepTest {
  private static TestSystem system;
  private static Path uploadsDir;
  private Account alice;
  private Account bob;
  private String chatId;

  @BeforeAll
  static void start() {
    system = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(UploadsVerticle::new)
        .deploy(GatewayVerticle::new)
        .start();
    uploadsDir = Path.of(system.cluster().config(0).uploadsDir());
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  @BeforeEach
  void aChannelOfAliceAndBob() {
    List<Account> users = system.register(2, 2);
    alice = users.get(0);
    bob = users.get(1);
    String workspaceId = system.workspace(alice, List.of(bob));
    chatId = system.channel(alice, workspaceId, "c-" + UUID.randomUUID().toString().substring(0, 8));
    system.joinChat(bob, chatId);
  }

  /** Runs the sweep as if it were {@code later} from now: how many files it removed. */
  private static int sweepAsOf(Duration later) {
    OffsetDateTime then = OffsetDateTime.now(ZoneOffset.UTC).plus(later);
    return system.cluster().node(0).eventBus()
        .<JsonObject>rxRequest(Addresses.UPLOADS_SWEEP, new JsonObject().put("now", then.toString()))
        .map(Message::body)
        .timeout(TestSystem.WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet()
        .getInteger("removedFiles");
  }

  /** Alice's upload of a PNG; {@code objects} gets the stored objects it added (the file and its thumbnail). */
  private JsonObject upload(SortedSet<String> objects) {
    SortedSet<String> before = storedObjects(uploadsDir);
    JsonObject file = system.uploaded(alice, "picture.png", SampleFiles.noisyPng(40, 40, 21));
    objects.addAll(storedObjects(uploadsDir));
    objects.removeAll(before);
    assertThat(objects).as("the stored objects of the upload").hasSize(2);
    return file;
  }

  @Test
  @DisplayName("A file never sent is kept for 24 hours, then removed: record, bytes and thumbnail")
  void unsentFileIsRemovedAfterGrace() {
    SortedSet<String> objects = new TreeSet<>();
    JsonObject file = upload(objects);

    sweepAsOf(Duration.ofHours(23));
    int keptStatus = get(system, 0, file.getString("url"), alice.token()).statusCode();
    int removed = sweepAsOf(Duration.ofHours(25));

    assertThat(keptStatus).as("alice's download a day less an hour after the upload").isEqualTo(200);
    assertThat(removed).as("files removed").isPositive();
    assertProblem(get(system, 0, file.getString("url"), alice.token()), 404, "not_found");
    assertThat(storedObjects(uploadsDir)).as("stored objects").doesNotContainAnyElementsOf(objects);
    assertThat(limits(system, alice).getLong("usedBytes")).as("bytes alice's files take").isZero();
  }

  @Test
  @DisplayName("A file a message carries is kept however old it is")
  void sentFileIsKept() {
    SortedSet<String> objects = new TreeSet<>();
    JsonObject file = upload(objects);
    sendWithFiles(system, 0, alice, chatId, "keep this", List.of(file.getString("id")));

    sweepAsOf(Duration.ofDays(400));

    assertThat(get(system, 0, file.getString("url"), bob.token()).statusCode()).isEqualTo(200);
    assertThat(storedObjects(uploadsDir)).as("stored objects").containsAll(objects);
  }

  @Test
  @DisplayName("A file whose only message was deleted is kept for 24 hours after the deletion, then removed")
  void fileOfDeletedMessageIsRemovedAfterGrace() {
    SortedSet<String> objects = new TreeSet<>();
    JsonObject file = upload(objects);
    JsonObject message = sendWithFiles(system, 0, alice, chatId, "oops", List.of(file.getString("id")));

    system.expect(200, HttpMethod.DELETE, "/messages/" + message.getString("id"), alice.token(), null);
    awaitNoFilesListedInTheChat();
    sweepAsOf(Duration.ofHours(23));
    int keptStatus = get(system, 0, file.getString("url"), alice.token()).statusCode();
    sweepAsOf(Duration.ofHours(25));

    assertThat(keptStatus).as("alice's download a day less an hour after the deletion").isEqualTo(200);
    assertProblem(get(system, 0, file.getString("url"), alice.token()), 404, "not_found");
    assertThat(storedObjects(uploadsDir)).as("stored objects").doesNotContainAnyElementsOf(objects);
  }

  /** Uploads learns of a deletion from messaging's event stream, a moment after the deletion's answer. */
  private void awaitNoFilesListedInTheChat() {
    long deadline = System.nanoTime() + TestSystem.WAIT.toNanos();
    while (!chatFiles().isEmpty() && System.nanoTime() < deadline) {
      Blocking.pause(20);
    }
    assertThat(chatFiles()).as("the chat's file list after its only message with a file was deleted").isEmpty();
  }

  private List<Object> chatFiles() {
    return system.expect(200, HttpMethod.GET, "/chats/" + chatId + "/files", bob.token(), null)
        .getJsonArray("files").getList();
  }
}
