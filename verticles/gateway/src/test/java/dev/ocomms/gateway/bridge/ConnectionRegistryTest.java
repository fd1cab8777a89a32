package dev.ocomms.gateway.bridge;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.ocomms.gateway.bridge.LocalHub.newUserId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link ConnectionRegistry} of one gateway instance ({@link LocalHub}, with the real Redis that counts a user's
 * connections across the cluster): how a connection is closed, and what a close takes with it.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The bridge's connection registry")
class ConnectionRegistryTest {
  private static final int CONNECTIONS_PER_USER = 2;

  private static String errorCode(String frame) {
    return new JsonObject(frame).getJsonObject("body").getString("code");
  }

  @Test
  @DisplayName("closing with a reason writes the reason first and closes the socket only once it has been written; "
      + "meanwhile the connection takes no part any more")
  void sayWhyThenClose(Vertx vertx, VertxTestContext test) {
    LocalHub.start(vertx, CONNECTIONS_PER_USER, test, local -> {
      BridgeConnection connection = local.connect(newUserId(), "session");
      RecordingSocket socket = RecordingSocket.of(connection);
      socket.holdWrites();
      local.hub.registry.closeWith(connection, new OcommsException(ErrorCode.UNAUTHORIZED, "session revoked"));
      assertThat(socket.texts).hasSize(1);
      assertThat(errorCode(socket.texts.get(0))).isEqualTo("unauthorized");
      assertThat(socket.closes).as("closes before the reason is written").isZero();
      assertThat(connection.closed).isTrue();
      assertThat(local.hub.registry.connections()).doesNotContain(connection);
      socket.completeWrites();
      assertThat(socket.closes).as("closes once it is written").isEqualTo(1);
      test.completeNow();
    });
  }

  @Test
  @DisplayName("a connection whose reason is never written (an xhr client that stopped polling) is closed after 5 s")
  void closeAfterGrace(Vertx vertx, VertxTestContext test) {
    LocalHub.start(vertx, CONNECTIONS_PER_USER, test, local -> {
      BridgeConnection connection = local.connect();
      RecordingSocket socket = RecordingSocket.of(connection);
      socket.holdWrites();
      long closing = System.nanoTime();
      local.hub.registry.closeWith(connection, new OcommsException(ErrorCode.UNAUTHORIZED, "no valid token"));
      local.eventually(test, "the socket is closed", () -> socket.closes > 0, () -> {
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing))
            .isGreaterThanOrEqualTo(ConnectionRegistry.CLOSE_GRACE_MS);
        assertThat(socket.closes).isEqualTo(1);
        test.completeNow();
      });
    });
  }

  @Test
  @DisplayName("a closed connection leaves every address, its user's connections and the open sockets")
  void closeLeavesEverything(Vertx vertx, VertxTestContext test) {
    String userId = newUserId();
    LocalHub.start(vertx, CONNECTIONS_PER_USER, test, local -> {
      BridgeConnection connection = local.connect(userId, "session");
      local.hub.subscriptions.add(connection, Addresses.user(userId))
          .andThen(local.hub.subscriptions.add(connection, Addresses.chat("c")))
          .subscribe(() -> test.verify(() -> {
            assertThat(local.node.registrations.get()).isEqualTo(2);
            local.hub.registry.closed(connection);
            assertThat(connection.addresses).isEmpty();
            assertThat(local.node.registrations.get()).as("registrations").isZero();
            assertThat(local.node.clusterSubscriptions.get()).as("consumers").isZero();
            assertThat(local.node.sockets.get()).as("sockets").isZero();
            assertThat(local.hub.registry.ofUser(userId)).isNull();
            test.completeNow();
          }), test::failNow);
    });
  }

  @Test
  @DisplayName("a user's connection beyond the limit closes the oldest, with 429 rate_limited, and only that one")
  void limitClosesTheOldest(Vertx vertx, VertxTestContext test) {
    String userId = newUserId();
    LocalHub.start(vertx, CONNECTIONS_PER_USER, test, local -> {
      List<BridgeConnection> connections = new ArrayList<>();
      for (int i = 0; i <= CONNECTIONS_PER_USER; i++) {
        connections.add(local.connect(userId, "session " + i));
      }
      BridgeConnection oldest = connections.get(0);
      local.eventually(test, "the oldest is closed", () -> RecordingSocket.of(oldest).closes > 0, () -> {
        assertThat(RecordingSocket.of(oldest).texts).hasSize(1);
        assertThat(errorCode(RecordingSocket.of(oldest).texts.get(0))).isEqualTo("rate_limited");
        assertThat(local.hub.registry.ofUser(userId)).containsExactlyInAnyOrderElementsOf(connections.subList(1, 3));
        assertThat(connections.subList(1, 3)).allSatisfy(connection -> {
          assertThat(RecordingSocket.of(connection).texts).isEmpty();
          assertThat(connection.closed).isFalse();
        });
        test.completeNow();
      });
    });
  }
}
