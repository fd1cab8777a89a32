package dev.ocomms.messaging;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;

import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/** How messaging serves its addresses: one consumer per action, every failure answered through the one error path. */
final class Actions {
  private Actions() {
  }

  /** Who asks (from the headers only) and what they sent. */
  record ActionRequest(UUID caller, Input body) {
    static ActionRequest of(Message<Object> message) {
      UUID caller = Ids.parse(Caller.of(message).userId())
          .orElseThrow(() -> new OcommsException(ErrorCode.UNAUTHORIZED, "the caller is not a user id"));
      return new ActionRequest(caller, Input.of(message.body()));
    }
  }

  /** Registers every action; completes when the cluster knows all of them. */
  static Completable serve(Vertx vertx, Map<String, Function<ActionRequest, Single<JsonObject>>> actions) {
    return Completable.merge(actions.entrySet().stream()
        .map(action -> consume(vertx, action.getKey(), action.getValue())).toList());
  }

  /** Registers internal actions, asked by other verticles rather than on a user's behalf (no caller). */
  static Completable serveInternal(Vertx vertx, Map<String, Function<Input, Single<JsonObject>>> actions) {
    return Completable.merge(actions.entrySet().stream().map(action -> {
      MessageConsumer<Object> consumer = vertx.eventBus().consumer(action.getKey());
      consumer.handler(message -> Single.defer(() -> action.getValue().apply(Input.of(message.body())))
          .subscribe(message::reply, failure -> BusErrors.fail(message, failure)));
      return consumer.rxCompletion();
    }).toList());
  }

  private static Completable consume(Vertx vertx, String address, Function<ActionRequest, Single<JsonObject>> action) {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(address);
    consumer.handler(message -> Single.defer(() -> action.apply(ActionRequest.of(message)))
        .subscribe(message::reply, failure -> BusErrors.fail(message, failure)));
    return consumer.rxCompletion();
  }
}
