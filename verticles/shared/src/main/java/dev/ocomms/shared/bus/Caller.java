package dev.ocomms.shared.bus;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.rxjava3.core.eventbus.Message;

/**
 * Who is asking. The gateway (REST and bridge) authenticates the token and puts the identity into these headers;
 * a request body never says who the caller is. Browsers cannot set these headers: the bridge builds every
 * outgoing message's headers itself.
 */
public record Caller(String userId, String sessionId) {
  public static final String USER_HEADER = "ocomms-user-id";
  public static final String SESSION_HEADER = "ocomms-session-id";

  /** The caller of a request; {@code unauthorized} when the gateway did not set one. */
  public static Caller of(Message<?> message) {
    String userId = message.headers().get(USER_HEADER);
    if (userId == null || userId.isBlank()) {
      throw new OcommsException(ErrorCode.UNAUTHORIZED, "no caller on this request");
    }
    return new Caller(userId, message.headers().get(SESSION_HEADER));
  }

  public DeliveryOptions deliveryOptions() {
    DeliveryOptions options = new DeliveryOptions().addHeader(USER_HEADER, userId);
    if (sessionId != null) {
      options.addHeader(SESSION_HEADER, sessionId);
    }
    return options;
  }
}
