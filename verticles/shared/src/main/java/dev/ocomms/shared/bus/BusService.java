package dev.ocomms.shared.bus;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.subjects.CompletableSubject;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Context;
import io.vertx.rxjava3.core.RxHelper;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The one way a verticle serves its addresses: one consumer per action, the body read through {@link Input}, and
 * every failure (a thrown {@code OcommsException} included) answered through {@link BusErrors}. A verticle stops
 * serving with {@link #drain}: its consumers go first, then the requests it has begun are answered, and only then
 * may it close its pools.
 */
public final class BusService {
  private static final String SERVED_KEY = BusService.class.getName() + ".served";

  private BusService() {
  }

  /**
   * What the calling verticle serves: it stops taking requests (its consumers are unregistered cluster-wide, so new
   * ones go to other instances, or are answered {@code unavailable}), then waits until every request it has begun is
   * answered, or {@code within} has passed. Call first in {@code rxStop}, before closing the pools those requests use.
   */
  public static Completable drain(Vertx vertx, Duration within) {
    Served served = vertx.getOrCreateContext().get(SERVED_KEY);
    return served == null ? Completable.complete() : served.drain(vertx, within);
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
    Served served = served(vertx);
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(address);
    served.consumers.add(consumer);
    consumer.handler(message -> {
      served.begun();
      Single.defer(() -> action.apply(message))
          .doFinally(served::answered)
          .subscribe(message::reply, failure -> BusErrors.fail(message, failure));
    });
    return consumer.rxCompletion();
  }

  /** The calling verticle's record of what it serves (one per verticle instance: its context). */
  private static Served served(Vertx vertx) {
    Context context = vertx.getOrCreateContext();
    Served served = context.get(SERVED_KEY);
    if (served == null) {
      served = new Served();
      context.put(SERVED_KEY, served);
    }
    return served;
  }

  /** A verticle's consumers and how many of its requests are begun but not answered; used on its event loop only. */
  private static final class Served {
    final List<MessageConsumer<Object>> consumers = new ArrayList<>();
    int inFlight;
    CompletableSubject idle;

    void begun() {
      inFlight++;
    }

    void answered() {
      inFlight--;
      if (inFlight == 0 && idle != null) {
        idle.onComplete();
      }
    }

    Completable drain(Vertx vertx, Duration within) {
      return Completable.merge(consumers.stream().map(consumer -> consumer.rxUnregister().onErrorComplete()).toList())
          .andThen(Completable.defer(() -> {
            if (inFlight == 0) {
              return Completable.complete();
            }
            idle = CompletableSubject.create();
            return idle.timeout(within.toMillis(), TimeUnit.MILLISECONDS, RxHelper.scheduler(vertx),
                Completable.complete());
          }));
    }
  }
}
