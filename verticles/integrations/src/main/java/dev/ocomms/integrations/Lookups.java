package dev.ocomms.integrations;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.util.UUID;

/**
 * What slash commands and outgoing webhooks ask of the owning verticles, as the user they act for (messaging checks
 * membership and roles; the same requests a REST call or the bridge would make, so the same events follow).
 */
final class Lookups {
  static final long TIMEOUT_MS = 5_000;

  private final Vertx vertx;

  Lookups(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Asks {@code address} as {@code caller}; catalogued failures come back as they are. */
  Single<JsonObject> ask(UUID caller, String address, JsonObject body) {
    return ask(new Caller(caller.toString(), null).deliveryOptions(), address, body);
  }

  /** Asks an internal address (no caller). */
  Single<JsonObject> askInternal(String address, JsonObject body) {
    return ask(new DeliveryOptions(), address, body);
  }

  private Single<JsonObject> ask(DeliveryOptions options, String address, JsonObject body) {
    return Requests.<JsonObject>request(vertx, address, body, options.setSendTimeout(TIMEOUT_MS))
        .map(reply -> reply.body() == null ? new JsonObject() : reply.body())
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  /** The chat, when the caller is one of its members; not_found otherwise (as for every chat not theirs). */
  Single<JsonObject> memberChat(UUID caller, UUID chatId) {
    JsonObject chat = new JsonObject().put("chatId", chatId.toString());
    return ask(caller, Addresses.CHAT_ACCESS, chat)
        .flatMap(access -> access.getBoolean("member", false)
            ? ask(caller, Addresses.CHAT_GET, chat).map(answer -> answer.getJsonObject("chat"))
            : Single.error(new OcommsException(ErrorCode.NOT_FOUND, "no such chat")));
  }

  /** The caller's role in a workspace (owner, admin, member); not_found when they are not in it. */
  Single<String> role(UUID caller, UUID workspaceId) {
    return ask(caller, Addresses.WORKSPACE_ROLE, new JsonObject().put("workspaceId", workspaceId.toString()))
        .map(answer -> answer.getString("role", "member"));
  }

  /** Completes for owners and admins of the workspace; forbidden for other members, not_found for anyone else. */
  Single<String> manager(UUID caller, UUID workspaceId, String what) {
    return role(caller, workspaceId).map(role -> {
      if (!"owner".equals(role) && !"admin".equals(role)) {
        throw new OcommsException(ErrorCode.FORBIDDEN, "only the workspace's owners and admins " + what);
      }
      return role;
    });
  }

  /** A user's public profile ({id, username, displayName, kind, ...}), or an empty object. */
  Single<JsonObject> profile(UUID userId) {
    return askInternal(Addresses.USERS_PROFILES, new JsonObject().put("userIds",
            new io.vertx.core.json.JsonArray().add(userId.toString())))
        .map(answer -> {
          var users = answer.getJsonArray("users");
          return users == null || users.isEmpty() ? new JsonObject() : users.getJsonObject(0);
        });
  }
}
