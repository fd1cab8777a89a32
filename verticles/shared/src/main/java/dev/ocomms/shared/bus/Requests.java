package dev.ocomms.shared.bus;

import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.eventbus.Message;

/**
 * The one way a verticle asks another: the owning verticle's instances on this node answer when the node runs it,
 * any node's otherwise. Staying on the node saves a network hop, and it keeps requests away from a member that has
 * just died: the cluster drops a dead member's consumers only seconds after it is gone (longer with many bridge
 * subscriptions), and until then requests routed to it are lost and end in timeouts.
 */
public final class Requests {
  private Requests() {
  }

  public static <T> Single<Message<T>> request(Vertx vertx, String address, Object body, DeliveryOptions options) {
    return vertx.eventBus().<T>rxRequest(address, body, new DeliveryOptions(options).setLocalOnly(true))
        .onErrorResumeNext(failure -> noLocalConsumer(failure)
            ? vertx.eventBus().rxRequest(address, body, options)
            : Single.error(failure));
  }

  private static boolean noLocalConsumer(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS;
  }
}
