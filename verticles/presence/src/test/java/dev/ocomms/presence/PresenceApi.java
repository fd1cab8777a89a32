package dev.ocomms.presence;

import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.testkit.TestCluster;
import dev.ocomms.testkit.TestSystem;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Presence as the gateway uses it, for module tests: a cluster of two nodes with messaging on node 0 and presence on
 * both (so consecutive requests are served by different presence instances), and every request, report and probe on
 * node 1. Users are fresh random ids; messaging knows them once they create or join a workspace.
 */
final class PresenceApi implements AutoCloseable {
  private final TestSystem system;
  final TestCluster cluster;
  private final List<Probe> probes = new ArrayList<>();

  private PresenceApi(TestSystem system) {
    this.system = system;
    this.cluster = system.cluster();
  }

  static PresenceApi start() {
    return start(UnaryOperator.identity());
  }

  /** Two nodes with these settings: messaging on node 0 and presence on both. */
  static PresenceApi start(UnaryOperator<OcommsConfig> configure) {
    return new PresenceApi(TestSystem.builder().nodes(2).everyNodeServes().configure(configure)
        .deployOn(0, MessagingVerticle::new).deploy(PresenceVerticle::new)
        .start());
  }

  static String newUser() {
    return UUID.randomUUID().toString();
  }

  /** A request: its reply, or the failure as an {@link OcommsException}. */
  Single<JsonObject> request(String caller, String address, JsonObject body) {
    return cluster.node(1).eventBus()
        .<JsonObject>rxRequest(address, body, new Caller(caller, null).deliveryOptions())
        .map(Message::body)
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  JsonObject call(String caller, String address, JsonObject body) {
    return request(caller, address, body).blockingGet();
  }

  /** A request that must fail; the failure. */
  OcommsException fails(String caller, String address, JsonObject body) {
    try {
      return fail("expected %s %s to fail, got %s", address, body, call(caller, address, body));
    } catch (OcommsException e) {
      return e;
    }
  }

  /** A workspace of {@code owner} that the others joined; its general channel's id. */
  String workspace(String owner, String... members) {
    String workspaceId = call(owner, Addresses.WORKSPACE_CREATE, new JsonObject().put("name", "Team " + owner))
        .getJsonObject("workspace").getString("id");
    if (members.length > 0) {
      String code = call(owner, Addresses.WORKSPACE_INVITE_CREATE, new JsonObject().put("workspaceId", workspaceId))
          .getString("code");
      for (String member : members) {
        call(member, Addresses.WORKSPACE_JOIN, new JsonObject().put("code", code));
      }
    }
    return call(owner, Addresses.CHAT_LIST, new JsonObject()).getJsonArray("chats").stream()
        .map(JsonObject.class::cast)
        .filter(chat -> workspaceId.equals(chat.getString("workspaceId")) && "general".equals(chat.getString("name")))
        .map(chat -> chat.getString("id"))
        .findFirst().orElseThrow(() -> new AssertionError("no general channel"));
  }

  JsonObject typing(String caller, String chatId, boolean active) {
    return call(caller, Addresses.CHAT_TYPING, new JsonObject().put("chatId", chatId).put("active", active));
  }

  JsonObject send(String caller, String chatId, String content) {
    return call(caller, Addresses.CHAT_MESSAGE_SEND, new JsonObject().put("chatId", chatId)
        .put("clientId", UUID.randomUUID().toString()).put("content", content));
  }

  JsonArray subscribe(String caller, String... userIds) {
    return call(caller, Addresses.PRESENCE_SUBSCRIBE, new JsonObject().put("userIds", new JsonArray(List.of(userIds))))
        .getJsonArray("users");
  }

  /** What the gateway reports when one of the user's bridge connections authenticates; the session. */
  JsonObject sessionOpened(String userId) {
    JsonObject session = new JsonObject().put("userId", userId).put("connectionId", UUID.randomUUID().toString());
    cluster.node(1).eventBus().send(Addresses.PRESENCE_SESSION_OPENED, session);
    return session;
  }

  void sessionClosed(JsonObject session) {
    cluster.node(1).eventBus().send(Addresses.PRESENCE_SESSION_CLOSED, session);
  }

  void heartbeat(JsonObject... sessions) {
    cluster.node(1).eventBus().send(Addresses.PRESENCE_HEARTBEAT,
        new JsonObject().put("sessions", new JsonArray(List.of((Object[]) sessions))));
  }

  /** What arrives on an audience address ({@code chat.<id>}, {@code user.<id>}), as a browser registered there. */
  Probe listen(String address) {
    Probe probe = new Probe(address);
    probes.add(probe);
    return probe;
  }

  @Override
  public void close() {
    probes.forEach(Probe::close);
    system.close();
  }

  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Every event received on one address, in arrival order. */
  final class Probe implements AutoCloseable {
    private final String address;
    private final MessageConsumer<Object> consumer;
    private final List<JsonObject> received = new CopyOnWriteArrayList<>();

    private Probe(String address) {
      this.address = address;
      this.consumer = cluster.node(1).eventBus().consumer(address);
      consumer.handler(message -> received.add(dev.ocomms.shared.events.Events.json(message.body())));
      consumer.rxCompletion().blockingAwait();
    }

    List<JsonObject> received() {
      return List.copyOf(received);
    }

    /** The first event matching, waiting up to {@code timeout}; fails naming what did arrive. */
    JsonObject await(Predicate<JsonObject> matching, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (JsonObject event : received) {
          if (matching.test(event)) {
            return event;
          }
        }
        pause(Duration.ofMillis(20));
      }
      throw new AssertionError("nothing matching on " + address + " within " + timeout + "; received " + received);
    }

    /** Fails if anything matching arrived or arrives within {@code window}. */
    void assertNothing(Predicate<JsonObject> matching, Duration window) {
      pause(window);
      assertThat(received.stream().filter(matching).toList()).as("received on %s", address).isEmpty();
    }

    @Override
    public void close() {
      consumer.rxUnregister().onErrorComplete().blockingAwait();
    }
  }
}
