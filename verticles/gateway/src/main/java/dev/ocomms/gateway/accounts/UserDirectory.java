package dev.ocomms.gateway.accounts;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;

import java.util.List;
import java.util.function.Function;

/**
 * The gateway owns users; other verticles ask it here, over the event bus: usernames to ids (messaging resolves
 * mentions) and public profiles by id (presence names who is typing). Internal addresses, never reachable from
 * browsers.
 */
public final class UserDirectory {
  private static final int MAX_LOOKUP = 1000;

  private final Vertx vertx;
  private final AccountService accounts;

  public UserDirectory(Vertx vertx, AccountService accounts) {
    this.vertx = vertx;
    this.accounts = accounts;
  }

  public Completable start() {
    return Completable.mergeArray(
        serve(Addresses.USERS_BY_USERNAME, body -> accounts.byUsernames(strings(body, "usernames"))),
        serve(Addresses.USERS_PROFILES, body -> accounts.profiles(strings(body, "userIds"))));
  }

  private Completable serve(String address, Function<JsonObject, Single<JsonArray>> lookup) {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(address, message ->
        Single.defer(() -> lookup.apply(message.body() == null ? new JsonObject() : message.body()))
            .subscribe(users -> message.reply(new JsonObject().put("users", users)),
                failure -> BusErrors.fail(message, failure)));
    return consumer.rxCompletion();
  }

  private static List<String> strings(JsonObject body, String field) {
    JsonArray values = body.getJsonArray(field, new JsonArray());
    return values.stream().limit(MAX_LOOKUP).filter(String.class::isInstance).map(String.class::cast).toList();
  }
}
