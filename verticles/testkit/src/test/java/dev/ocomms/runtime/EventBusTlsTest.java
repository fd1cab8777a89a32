package dev.ocomms.runtime;

import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.TestCluster;
import dev.ocomms.testkit.TestInfra;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.impl.CodecManager;
import io.vertx.core.eventbus.impl.EventBusImpl;
import io.vertx.core.eventbus.impl.clustered.ClusteredMessage;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import io.vertx.rxjava3.core.net.NetClient;
import io.vertx.rxjava3.core.net.NetSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The event bus between nodes accepts members only (issue #20): a process that is not a member of the cluster cannot
 * get a message accepted, though it may reach the port. The attack is a well-formed cluster frame, encoded by
 * Vert.x's own encoder, that carries a forged {@code ocomms-user-id}; with TLS off the very same frame is delivered,
 * which is what TLS is for.
 */
@DisplayName("The event bus between nodes (mutual TLS with the cluster's CA)")
class EventBusTlsTest {
  /** Two members sharing a database, hence its CA. */
  private static TestCluster members;
  /** Two members of one Hazelcast cluster whose databases, hence CAs, differ. */
  private static TestCluster strangers;
  /** One node with TLS off: the frame's control case. */
  private static TestCluster plain;

  @BeforeAll
  static void startClusters() {
    members = TestCluster.start(2);
    strangers = TestCluster.start(2, UnaryOperator.identity(),
        index -> index == 1 ? config -> config.with(Setting.PG_URL, TestInfra.get().newPgUrl()) : config -> config);
    plain = TestCluster.start(1, config -> config.with(Setting.CLUSTER_TLS, false));
  }

  @AfterAll
  static void stopClusters() {
    for (TestCluster cluster : new TestCluster[] {members, strangers, plain}) {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  @DisplayName("two nodes with the CA kept in their database exchange messages")
  void membersExchangeMessages() {
    String address = "test.tls." + UUID.randomUUID();
    MessageConsumer<String> consumer = members.node(1).eventBus().<String>consumer(address)
        .handler(message -> message.reply("pong from B"));
    consumer.rxCompletion().blockingAwait();
    try {
      Message<Object> reply = members.node(0).eventBus().rxRequest(address, "ping from A").blockingGet();
      assertThat(reply.body()).isEqualTo("pong from B");
    } finally {
      consumer.rxUnregister().blockingAwait();
    }
  }

  @Test
  @DisplayName("a running node renews its certificate from the CA: new connections get the new one, and members still"
      + " exchange messages")
  void renewal() throws Exception {
    ClusterTls.Ca ca = ClusterTls.storedCa(members.config(1).pgUrl().orElseThrow(), Optional.empty());
    ClusterTls.Material member = ClusterTls.issue(ca, "127.0.0.1");
    X509Certificate before = presentedBy(members.node(1), member);
    ClusterTls.renew(members.node(1), ca, "127.0.0.1").blockingGet();
    X509Certificate after = presentedBy(members.node(1), member);
    assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
    after.verify(ClusterTls.parseCertificate(ca.certificate()).getPublicKey());
    membersExchangeMessages();
  }

  @Test
  @DisplayName("nodes whose CAs differ (other databases) cannot exchange messages, though Hazelcast joins them")
  void nodesWithAnotherCaCannotExchangeMessages() throws Exception {
    assertThat(((VertxInternal) strangers.node(0).getDelegate()).clusterManager().getNodes()).hasSize(2);
    String address = "test.tls." + UUID.randomUUID();
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    MessageConsumer<String> consumer = strangers.node(1).eventBus().<String>consumer(address)
        .handler(message -> received.add(message.body()));
    consumer.rxCompletion().blockingAwait();
    try {
      assertThatThrownBy(() -> strangers.node(0).eventBus()
          .rxRequest(address, "ping", new DeliveryOptions().setSendTimeout(2_000))
          .blockingGet());
      assertThat(received.poll(500, TimeUnit.MILLISECONDS)).isNull();
    } finally {
      consumer.rxUnregister().blockingAwait();
    }
  }

  @Test
  @DisplayName("a plain TCP client writing a well-formed frame with a forged user id gets nothing delivered and is"
      + " disconnected")
  void plainClientIsRefused() throws Exception {
    Attempt attempt = forge(members.node(1), new NetClientOptions());
    assertThat(attempt.closed).as("connection closed by the node").isTrue();
    assertThat(attempt.delivered).as("message delivered").isNull();
  }

  @Test
  @DisplayName("a TLS client with a certificate from another CA writing the same frame gets nothing delivered and is"
      + " disconnected")
  void clientWithForeignCertificateIsRefused() throws Exception {
    ClusterTls.Material foreign = ClusterTls.issue(ClusterTls.newCa(), "127.0.0.1");
    Attempt attempt = forge(members.node(1), new NetClientOptions()
        .setSsl(true)
        .setTrustAll(true)
        .setHostnameVerificationAlgorithm("")
        .setKeyCertOptions(new PemKeyCertOptions()
            .setCertValue(Buffer.buffer(foreign.certificate()))
            .setKeyValue(Buffer.buffer(foreign.privateKey()))));
    assertThat(attempt.closed).as("connection closed by the node").isTrue();
    assertThat(attempt.delivered).as("message delivered").isNull();
  }

  @Test
  @DisplayName("with TLS off the same frame from a plain TCP client is delivered, forged user id and all (why TLS is on)")
  void withoutTlsTheFrameIsDelivered() throws Exception {
    Attempt attempt = forge(plain.node(0), new NetClientOptions());
    assertThat(attempt.delivered).isNotNull();
    assertThat(attempt.delivered.headers().get(Caller.USER_HEADER)).isEqualTo(FORGED_USER);
  }

  private static final String FORGED_USER = "00000000-0000-7000-8000-000000000001";

  /** What came of writing a forged frame to a node's event-bus port. */
  private record Attempt(Message<String> delivered, boolean closed) {
  }

  /**
   * Registers a consumer on {@code node}, connects to the node's event-bus port as an outsider with {@code options},
   * writes a frame that sends to that consumer as the user {@link #FORGED_USER}, and waits a little for either.
   */
  private static Attempt forge(Vertx node, NetClientOptions options) throws Exception {
    String address = "test.forged." + UUID.randomUUID();
    BlockingQueue<Message<String>> received = new LinkedBlockingQueue<>();
    MessageConsumer<String> consumer = node.eventBus().<String>consumer(address).handler(received::add);
    consumer.rxCompletion().blockingAwait();
    NetClient client = node.createNetClient(options.setConnectTimeout(2_000));
    try {
      NodeInfo target = ((VertxInternal) node.getDelegate()).clusterManager().getNodeInfo();
      CountDownLatch closed = new CountDownLatch(1);
      try {
        // The close handler is set on the connection's event loop as it connects: a node that closes right after the
        // handshake (TLS 1.3 checks the client's certificate only then) cannot close it before anyone listens.
        NetSocket socket = client.rxConnect(target.port(), target.host())
            .doOnSuccess(connected -> connected.closeHandler(v -> closed.countDown()))
            .blockingGet();
        socket.rxWrite(frame(node, address)).doOnError(failure -> closed.countDown()).onErrorComplete()
            .blockingAwait();
      } catch (RuntimeException refused) {
        // The handshake failed on the client's side already: refused as well.
        closed.countDown();
      }
      // Whichever comes first: the delivery, or the close (after which a late delivery would still show).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < deadline) {
        Message<String> delivered = received.poll(50, TimeUnit.MILLISECONDS);
        if (delivered != null) {
          return new Attempt(delivered, closed.getCount() == 0);
        }
        if (closed.getCount() == 0) {
          return new Attempt(received.poll(500, TimeUnit.MILLISECONDS), true);
        }
      }
      return new Attempt(null, false);
    } finally {
      client.rxClose().blockingAwait();
      consumer.rxUnregister().blockingAwait();
    }
  }

  /** The certificate {@code node}'s event-bus port presents to a member connecting with {@code member}. */
  private static X509Certificate presentedBy(Vertx node, ClusterTls.Material member) throws Exception {
    NetClient client = node.createNetClient(new NetClientOptions()
        .setSsl(true)
        .setHostnameVerificationAlgorithm("")
        .setKeyCertOptions(new PemKeyCertOptions()
            .setCertValue(Buffer.buffer(member.certificate()))
            .setKeyValue(Buffer.buffer(member.privateKey())))
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(member.ca()))));
    try {
      NodeInfo target = ((VertxInternal) node.getDelegate()).clusterManager().getNodeInfo();
      NetSocket socket = client.rxConnect(target.port(), target.host()).blockingGet();
      Certificate[] chain = socket.getDelegate().sslSession().getPeerCertificates();
      socket.rxClose().blockingAwait();
      return (X509Certificate) chain[0];
    } finally {
      client.rxClose().blockingAwait();
    }
  }

  /** A cluster frame as a member writes it (length, version, codec, address, headers, body), from a made-up node. */
  private static Buffer frame(Vertx node, String address) {
    EventBusImpl bus = (EventBusImpl) ((VertxInternal) node.getDelegate()).eventBus();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add(Caller.USER_HEADER, FORGED_USER);
    return new ClusteredMessage<>(UUID.randomUUID().toString(), address, headers, "forged",
        CodecManager.STRING_MESSAGE_CODEC, true, bus).encodeToWire();
  }
}
