package dev.ocomms.messaging;

import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.VerticleStartContract;
import io.vertx.core.Verticle;
import org.junit.jupiter.api.DisplayName;

import java.util.function.Supplier;

@DisplayName("The messaging verticle")
class MessagingVerticleTest extends VerticleStartContract {
  @Override
  protected Supplier<Verticle> verticle() {
    return MessagingVerticle::new;
  }

  @Override
  protected Setting store() {
    return Setting.PG_URL;
  }
}
