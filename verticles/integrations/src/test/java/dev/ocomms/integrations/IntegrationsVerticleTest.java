package dev.ocomms.integrations;

import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.VerticleStartContract;
import io.vertx.core.Verticle;
import org.junit.jupiter.api.DisplayName;

import java.util.function.Supplier;

@DisplayName("The integrations verticle")
class IntegrationsVerticleTest extends VerticleStartContract {
  @Override
  protected Supplier<Verticle> verticle() {
    return IntegrationsVerticle::new;
  }

  @Override
  protected Setting store() {
    return Setting.PG_URL;
  }
}
