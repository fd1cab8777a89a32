package dev.ocomms.launcher;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.integrations.IntegrationsVerticle;
import dev.ocomms.gateway.OpsVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.notes.NotesVerticle;
import dev.ocomms.notifications.NotificationsVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.search.SearchVerticle;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.uploads.UploadsVerticle;
import io.vertx.core.Verticle;

import java.util.Map;
import java.util.function.Supplier;

/** The verticles a node can run, by the names of {@link OcommsConfig#VERTICLE_NAMES}. */
final class VerticleCatalogue {
  /**
   * Not one of {@link OcommsConfig#VERTICLE_NAMES}: the operators' endpoints, which the gateway serves, deployed on
   * a node that runs no gateway.
   */
  static final String OPS = "ops";

  private static final Map<String, Supplier<io.vertx.rxjava3.core.AbstractVerticle>> VERTICLES = Map.of(
      "gateway", GatewayVerticle::new,
      "accounts", AccountsVerticle::new,
      "messaging", MessagingVerticle::new,
      "presence", PresenceVerticle::new,
      "notes", NotesVerticle::new,
      "uploads", UploadsVerticle::new,
      "notifications", NotificationsVerticle::new,
      "search", SearchVerticle::new,
      "integrations", IntegrationsVerticle::new,
      VerticleCatalogue.OPS, OpsVerticle::new);

  private VerticleCatalogue() {
  }

  /**
   * How many instances of a verticle a node runs. Presence runs one: its typing timers and notification batches are
   * per node, and the operators' endpoints one. The others run one per core (the gateway's instances share the node's HTTP port, each bridge keeping
   * the sockets that reach it on its own event loop).
   */
  static int instances(String name) {
    return "presence".equals(name) || OPS.equals(name) ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  static Verticle create(String name) {
    Supplier<io.vertx.rxjava3.core.AbstractVerticle> supplier = VERTICLES.get(name);
    if (supplier == null) {
      throw new IllegalArgumentException("unknown verticle " + name);
    }
    return supplier.get();
  }
}
