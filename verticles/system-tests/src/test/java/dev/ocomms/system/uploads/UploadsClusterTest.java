package dev.ocomms.system.uploads;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.uploads.UploadsVerticle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import static dev.ocomms.system.uploads.FileSharing.attachment;
import static dev.ocomms.system.uploads.FileSharing.get;
import static dev.ocomms.system.uploads.FileSharing.sendWithFiles;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * File sharing on two clustered nodes storing files in S3 (a real S3-compatible server, s3proxy, started here on a
 * free port). Node 1 runs accounts, messaging and the gateway, node 2 only a gateway; the uploads verticle runs on
 * one of them at a time: on node 1, unless a test moves it. Alice and Bob share a channel.
 */
@DisplayName("File sharing in a cluster with S3 storage")
class UploadsClusterTest {
  private static final int NODE_1 = 0;
  private static final int NODE_2 = 1;
  private static final String ACCESS_KEY = "ocomms-test";
  private static final String SECRET_KEY = "ocomms-test-secret";
  /** Answers in a row from one uploads instance that show a node knows no other (the bus takes turns among them). */
  private static final int ANSWERS_IN_A_ROW = 3;
  private static final long PROBE_TIMEOUT_MS = 500;

  private static S3Proxy s3;
  private static TestSystem system;
  /** The node running uploads now, and its deployment there. */
  private static int uploadsNode;
  private static String uploadsDeployment;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Proxy.builder()
        .blobStore(new TransientNio2BlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    s3.start();
    while (!"STARTED".equals(s3.getState())) {
      Thread.sleep(10);
    }
    system = TestSystem.builder().nodes(2)
        .configure(config -> config
            .with(Setting.UPLOADS_STORAGE, "s3")
            .with(Setting.S3_ENDPOINT, "http://127.0.0.1:" + s3.getPort())
            .with(Setting.S3_BUCKET, "ocomms-cluster-test")
            .with(Setting.S3_ACCESS_KEY, ACCESS_KEY)
            .with(Setting.S3_SECRET_KEY, SECRET_KEY))
        .deployOn(NODE_1, AccountsVerticle::new).deployOn(NODE_1, MessagingVerticle::new)
        .deployOn(NODE_1, GatewayVerticle::new)
        .deployOn(NODE_2, GatewayVerticle::new)
        .start();
    uploadsNode = NODE_1;
    uploadsDeployment = system.cluster().deploy(NODE_1, UploadsVerticle::new);
  }

  @AfterAll
  static void stop() throws Exception {
    if (system != null) {
      system.close();
    }
    s3.stop();
  }

  /** Alice and Bob in a new channel of Alice's: {alice, bob} and the chat's id. */
  private record Channel(Account alice, Account bob, String chatId) {
    static Channel create() {
      List<Account> users = system.register(2, 2);
      String workspaceId = system.workspace(users.get(0), List.of(users.get(1)));
      String chatId = system.channel(users.get(0), workspaceId, "c-" + UUID.randomUUID().toString().substring(0, 8));
      system.joinChat(users.get(1), chatId);
      return new Channel(users.get(0), users.get(1), chatId);
    }
  }

  @Test
  @DisplayName("A node running the gateway but not uploads takes an upload and serves its download and thumbnail")
  void gatewayWithoutUploadsServesFiles() {
    Channel channel = Channel.create();
    Buffer png = SampleFiles.noisyPng(200, 150, 11);

    HttpResponse<Buffer> upload = system.upload(NODE_2, channel.alice(), "through-node-2.png", png);
    assertThat(upload.statusCode()).as("upload through node 2: %s", upload.bodyAsString()).isEqualTo(201);
    JsonObject file = upload.bodyAsJsonObject().getJsonObject("file");
    sendWithFiles(system, NODE_2, channel.alice(), channel.chatId(), "from node 2", List.of(file.getString("id")));
    HttpResponse<Buffer> download = get(system, NODE_2, file.getString("url"), channel.bob().token());
    HttpResponse<Buffer> thumbnail = get(system, NODE_2, file.getString("thumbnailUrl"), channel.bob().token());

    assertThat(uploadsNode).as("where uploads runs").isEqualTo(NODE_1);
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).as("the bytes bob downloaded through node 2").isEqualTo(png);
    assertThat(thumbnail.statusCode()).isEqualTo(200);
    assertThat(thumbnail.getHeader("Content-Type")).isEqualTo("image/png");
  }

  @Test
  @DisplayName("A file uploaded through node 1 and attached to a message there is downloaded through node 2 when "
      + "only node 2 runs uploads: the bytes come from S3")
  void fileStoredByOneNodeIsServedByAnother() {
    Channel channel = Channel.create();
    Buffer png = SampleFiles.noisyPng(300, 200, 12);
    JsonObject file = system.uploaded(channel.alice(), "through-node-1.png", png);
    JsonObject message = sendWithFiles(system, NODE_1, channel.alice(), channel.chatId(), "from node 1",
        List.of(file.getString("id")));

    moveUploadsTo(NODE_2);
    try {
      HttpResponse<Buffer> download = get(system, NODE_2, file.getString("url"), channel.bob().token());
      HttpResponse<Buffer> thumbnail = get(system, NODE_2, file.getString("thumbnailUrl"), channel.bob().token());

      assertThat(download.statusCode()).as("download: %s", download.bodyAsString()).isEqualTo(200);
      assertThat(download.body()).as("the bytes bob downloaded through node 2").isEqualTo(png);
      assertThat(thumbnail.statusCode()).isEqualTo(200);
      assertThat(message.getJsonArray("attachments")).containsExactly(attachment(file));
    } finally {
      moveUploadsTo(NODE_1);
    }
  }

  /**
   * Starts uploads on {@code node} and stops it where it ran; returns once both nodes' event buses know only the new
   * instance (an instance that has stopped disappears from the other nodes' view a moment later).
   */
  private static void moveUploadsTo(int node) {
    String started = system.cluster().deploy(node, UploadsVerticle::new);
    system.cluster().undeploy(uploadsNode, uploadsDeployment);
    uploadsNode = node;
    uploadsDeployment = started;
    int port = system.cluster().config(node).uploadsPort();
    for (int asking = 0; asking < system.cluster().size(); asking++) {
      awaitOnlyUploadsEndpoint(asking, port);
    }
  }

  private static void awaitOnlyUploadsEndpoint(int askingNode, int port) {
    long deadline = System.nanoTime() + TestSystem.WAIT.toNanos();
    int inARow = 0;
    while (inARow < ANSWERS_IN_A_ROW) {
      assertThat(System.nanoTime()).as("node %d still reaches another uploads instance than port %d", askingNode + 1,
          port).isLessThan(deadline);
      // A request the bus still routes to the stopped instance is never answered: it times out, and counts as not
      // answered by the new one.
      Integer answered = system.cluster().node(askingNode).eventBus()
          .<JsonObject>rxRequest(Addresses.UPLOADS_ENDPOINT, new JsonObject(),
              new DeliveryOptions().setSendTimeout(PROBE_TIMEOUT_MS))
          .map(Message::body).map(endpoint -> endpoint.getInteger("port"))
          .onErrorReturnItem(-1)
          .blockingGet();
      inARow = answered == port ? inARow + 1 : 0;
    }
  }
}
