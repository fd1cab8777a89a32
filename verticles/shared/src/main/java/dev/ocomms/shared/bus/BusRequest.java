package dev.ocomms.shared.bus;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.rxjava3.core.eventbus.Message;

import java.util.UUID;

/** A request served on a user's behalf: who asks (from the gateway's headers only), from which session, and its body. */
public record BusRequest(UUID caller, String sessionId, Input body) {
  static BusRequest of(Message<Object> message) {
    Caller identity = Caller.of(message);
    UUID caller = Ids.parse(identity.userId())
        .orElseThrow(() -> new OcommsException(ErrorCode.UNAUTHORIZED, "the caller is not a user id"));
    return new BusRequest(caller, identity.sessionId(), Input.of(message.body()));
  }
}
