package dev.ocomms.accounts;

import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.VerticleStartContract;
import io.vertx.core.Verticle;
import org.junit.jupiter.api.DisplayName;

import java.util.function.Supplier;

@DisplayName("The accounts verticle")
class AccountsVerticleTest extends VerticleStartContract {
  @Override
  protected Supplier<Verticle> verticle() {
    return AccountsVerticle::new;
  }

  @Override
  protected Setting store() {
    return Setting.PG_URL;
  }
}
