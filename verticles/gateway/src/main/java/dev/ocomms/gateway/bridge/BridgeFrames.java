package dev.ocomms.gateway.bridge;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonObject;

/**
 * Server frames of the Vert.x event-bus bridge wire protocol, as the npm client {@code @vertx/eventbus-bridge-client.js}
 * reads them: {@code rec} for a delivered message or a reply, {@code err} for a failure. Our {@code err} frames carry
 * the stable error code as {@code message} and a problem body ({@code code}, {@code detail}, extra fields such as
 * {@code retryAfter}); they name the {@code address} the failure belongs to (the client's reply address, or the
 * address of a refused register) whenever there is one, so that the client can route them to the right callback.
 */
final class BridgeFrames {
  private BridgeFrames() {
  }

  static String rec(String address, Object body) {
    return new JsonObject().put("type", "rec").put("address", address).put("body", body).encode();
  }

  /**
   * A {@code rec} frame around a body that is already JSON text (an event serialized once by its publisher): the
   * text goes in as it is, neither parsed nor encoded again.
   */
  static String recText(String address, String jsonBody) {
    return "{\"type\":\"rec\",\"address\":" + io.vertx.core.json.Json.encode(address) + ",\"body\":" + jsonBody + "}";
  }

  static String err(String address, OcommsException problem) {
    ErrorCode code = problem.code();
    JsonObject body = new JsonObject().put("code", code.wireName()).put("detail", problem.getMessage())
        .mergeIn(problem.details());
    JsonObject frame = new JsonObject().put("type", "err");
    if (address != null) {
      frame.put("address", address);
    }
    return frame.put("failureCode", code.failureCode()).put("failureType", "RECIPIENT_FAILURE")
        .put("message", code.wireName()).put("body", body).encode();
  }
}
