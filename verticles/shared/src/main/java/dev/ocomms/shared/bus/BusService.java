package dev.ocomms.shared.bus;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;

import java.util.Map;
import java.util.function.Function;

/**
 * The one way a verticle serves its addresses: one consumer per action, the body read through {@link Input}, and
 * every failure (a thrown {@code OcommsException} included) answered through {@link BusErrors}.
 */
public final class BusService {
  private BusService() {
  }

  /** Serves actions asked on a user's behalf: the gateway names the caller in the headers ({@link Caller}). */
  public static Completable serve(Vertx vertx, Map<String, Function<BusRequest, Single<JsonObject>>> actions) {
    return Completable.merge(actions.entrySet().stream()
        .map(action -> consume(vertx, action.getKey(), message -> action.getValue().apply(BusRequest.of(message))))
        .toList());
  }

  /** Serves internal actions, asked by other verticles rather than on a user's behalf (no caller). */
  public static Completable serveInternal(Vertx vertx, Map<String, Function<Input, Single<JsonObject>>> actions) {
    return Completable.merge(actions.entrySet().stream()
        .map(action -> consume(vertx, action.getKey(), message -> action.getValue().apply(Input.of(message.body()))))
        .toList());
  }

  private static Completable consume(Vertx vertx, String address, Function<Message<Object>, Single<JsonObject>> action) {
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(address);
    consumer.handler(message -> Single.defer(() -> action.apply(message))
        .subscribe(message::reply, failure -> BusErrors.fail(message, failure)));
    return consumer.rxCompletion();
  }
}
