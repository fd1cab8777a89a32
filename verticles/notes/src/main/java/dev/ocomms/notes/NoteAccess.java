package dev.ocomms.notes;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.util.UUID;

/**
 * Who may read and write which note. A chat's note belongs to its members (any member may edit it; an archived
 * chat's note is read-only); a personal note to its owner alone, in a workspace they belong to. Chats and
 * workspaces are messaging's: notes asks it over the event bus, and everyone else gets {@code not_found}, as for a
 * chat that does not exist.
 */
final class NoteAccess {
  private static final long ASK_TIMEOUT_MS = 5_000;

  private final Vertx vertx;

  NoteAccess(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The note a request names ({@code chatId} or {@code workspaceId}, one of them), if the caller may read it. */
  Single<NoteKey> readable(BusRequest request) {
    Input body = request.body();
    if (body.has("chatId") == body.has("workspaceId")) {
      throw Input.invalid("chatId", "give either chatId (a chat's note) or workspaceId (your personal note)");
    }
    if (body.has("workspaceId")) {
      UUID workspaceId = body.id("workspaceId");
      return ask(request, Addresses.WORKSPACE_LIST, new JsonObject())
          .map(reply -> reply.getJsonArray("workspaces", new JsonArray()).stream()
              .anyMatch(workspace -> workspaceId.toString().equals(((JsonObject) workspace).getString("id"))))
          .map(member -> {
            if (!member) {
              throw new OcommsException(ErrorCode.NOT_FOUND, "no such workspace");
            }
            return NoteKey.personal(workspaceId, request.caller());
          });
    }
    UUID chatId = body.id("chatId");
    return ask(request, Addresses.CHAT_ACCESS, new JsonObject().put("chatId", chatId.toString()))
        .map(reply -> {
          if (!reply.getBoolean("member", false)) {
            throw new OcommsException(ErrorCode.NOT_FOUND, "no such chat");
          }
          return NoteKey.ofChat(chatId);
        });
  }

  /** Whether the caller is a member of the chat (messaging answers from memory). */
  Single<Boolean> isMember(BusRequest request, UUID chatId) {
    return ask(request, Addresses.CHAT_ACCESS, new JsonObject().put("chatId", chatId.toString()))
        .map(reply -> reply.getBoolean("member", false));
  }

  /** As {@link #readable}, and the note may be changed: not the note of an archived chat. */
  Single<NoteKey> writable(BusRequest request) {
    return readable(request).flatMap(key -> key.isPersonal() ? Single.just(key)
        : ask(request, Addresses.CHAT_GET, new JsonObject().put("chatId", key.chatId().toString()))
            .map(reply -> {
              if (reply.getJsonObject("chat").getBoolean("archived", false)) {
                throw new OcommsException(Reason.CHAT_ARCHIVED, "this chat is archived; its note is read-only");
              }
              return key;
            }));
  }

  private Single<JsonObject> ask(BusRequest request, String address, JsonObject body) {
    DeliveryOptions options = new Caller(request.caller().toString(), request.sessionId()).deliveryOptions()
        .setSendTimeout(ASK_TIMEOUT_MS);
    return Requests.<JsonObject>request(vertx, address, body, options)
        .map(reply -> reply.body())
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }
}
