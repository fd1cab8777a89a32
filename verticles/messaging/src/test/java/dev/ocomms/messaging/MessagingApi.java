package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.testing.TestCluster;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.pgclient.PgBuilder;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.util.Arrays;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The messaging API as the gateway uses it, for tests: a two-node cluster with messaging on node 0 and every request
 * and event probe on node 1, so that all traffic crosses the clustered event bus. Callers are fresh random user ids.
 */
final class MessagingApi implements AutoCloseable {
  private final TestCluster cluster;
  private final Vertx client;
  private Pool sql;

  private MessagingApi(TestCluster cluster) {
    this.cluster = cluster;
    this.client = cluster.node(1);
  }

  static MessagingApi start() {
    TestCluster cluster = TestCluster.start(2);
    try {
      cluster.deploy(0, MessagingVerticle::new);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return new MessagingApi(cluster);
  }

  Vertx client() {
    return client;
  }

  static UUID newUser() {
    return UUID.randomUUID();
  }

  // Requests

  /** A request that must succeed; its reply. */
  JsonObject call(UUID caller, String address, JsonObject body) {
    return client.eventBus().<JsonObject>rxRequest(address, body, new Caller(caller.toString(), null).deliveryOptions())
        .blockingGet().body();
  }

  /** A request that must fail with {@code code}; the failure, for further assertions on its detail. */
  OcommsException fails(ErrorCode code, UUID caller, String address, JsonObject body) {
    return fails(code, address, body, new Caller(caller.toString(), null).deliveryOptions());
  }

  OcommsException fails(ErrorCode code, String address, Object body, DeliveryOptions options) {
    try {
      JsonObject reply = client.eventBus().<JsonObject>rxRequest(address, body, options).blockingGet().body();
      return fail("expected %s from %s but got the reply %s", code.wireName(), address, reply);
    } catch (ReplyException e) {
      OcommsException failure = BusErrors.fromFailure(e);
      assertThat(failure.code()).as("error code of %s (%s)", address, failure.getMessage()).isEqualTo(code);
      assertThat(e.failureCode()).isEqualTo(code.failureCode());
      return failure;
    }
  }

  // Scenario steps

  JsonObject createWorkspace(UUID owner, String name) {
    return call(owner, Addresses.WORKSPACE_CREATE, new JsonObject().put("name", name)).getJsonObject("workspace");
  }

  /** A new workspace owned by {@code owner} with {@code members} joined through an invite; its id. */
  String workspace(UUID owner, UUID... members) {
    String workspaceId = createWorkspace(owner, "Team " + owner.toString().substring(0, 8)).getString("id");
    if (members.length > 0) {
      String code = invite(owner, workspaceId, new JsonObject()).getString("code");
      Arrays.stream(members).forEach(member -> join(member, code));
    }
    return workspaceId;
  }

  JsonObject invite(UUID caller, String workspaceId, JsonObject options) {
    return call(caller, Addresses.WORKSPACE_INVITE_CREATE, options.copy().put("workspaceId", workspaceId));
  }

  JsonObject join(UUID caller, String code) {
    return call(caller, Addresses.WORKSPACE_JOIN, new JsonObject().put("code", code)).getJsonObject("workspace");
  }

  JsonObject createChannel(UUID caller, String workspaceId, String name, boolean isPrivate) {
    return call(caller, Addresses.CHANNEL_CREATE, new JsonObject()
        .put("workspaceId", workspaceId).put("name", name).put("private", isPrivate)).getJsonObject("chat");
  }

  JsonObject openDm(UUID caller, String workspaceId, UUID... others) {
    return call(caller, Addresses.DM_OPEN, new JsonObject().put("workspaceId", workspaceId)
        .put("userIds", new JsonArray(Arrays.stream(others).map(UUID::toString).toList()))).getJsonObject("chat");
  }

  JsonObject chat(UUID caller, String chatId) {
    return call(caller, Addresses.CHAT_GET, new JsonObject().put("chatId", chatId)).getJsonObject("chat");
  }

  /** The chat with the given name among the caller's chats. */
  JsonObject chatNamed(UUID caller, String name) {
    return call(caller, Addresses.CHAT_LIST, new JsonObject()).getJsonArray("chats").stream()
        .map(JsonObject.class::cast)
        .filter(chat -> name.equals(chat.getString("name")))
        .findFirst().orElseThrow(() -> new AssertionError("no chat named " + name + " for " + caller));
  }

  boolean hasAccess(UUID caller, String chatId) {
    return call(caller, Addresses.CHAT_ACCESS, new JsonObject().put("chatId", chatId)).getBoolean("member");
  }

  // Observation

  EventProbe listenToChat(String chatId) {
    return new EventProbe(client, Addresses.chat(chatId));
  }

  EventProbe listenToUser(UUID userId) {
    return new EventProbe(client, Addresses.user(userId.toString()));
  }

  /** Runs SQL against the messaging database, for what the API cannot do yet (such as letting time pass). */
  void sql(String statement, Object... arguments) {
    if (sql == null) {
      sql = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.config(0).pgUrl().orElseThrow()))
          .using(client).build();
    }
    sql.preparedQuery(statement).rxExecute(Tuple.wrap(arguments)).blockingGet();
  }

  @Override
  public void close() {
    if (sql != null) {
      sql.rxClose().blockingAwait();
    }
    cluster.close();
  }
}
