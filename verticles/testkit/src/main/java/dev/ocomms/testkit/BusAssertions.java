package dev.ocomms.testkit;

import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Assertions about what a verticle answers on the clustered event bus. */
public final class BusAssertions {
  private BusAssertions() {
  }

  /**
   * Sends a request from {@code client} (a node) that must fail with {@code code}, on the wire as every verticle
   * reports it; the failure, for assertions on its detail.
   */
  public static OcommsException assertFails(Vertx client, ErrorCode code, String address, Object body,
                                            DeliveryOptions options) {
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
}
