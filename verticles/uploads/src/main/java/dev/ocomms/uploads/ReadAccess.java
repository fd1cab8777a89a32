package dev.ocomms.uploads;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Requests;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.util.UUID;

/**
 * Who may read a file: its uploader, and the members of a chat whose message carries it. Membership is messaging's to
 * say ({@code messaging.chat.access}); uploads never reads its tables.
 */
final class ReadAccess {
  private static final long ASK_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final FileStore store;

  ReadAccess(Vertx vertx, FileStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  Single<Boolean> mayRead(Caller caller, UploadedFile file) {
    if (file.uploaderId().toString().equals(caller.userId())) {
      return Single.just(true);
    }
    return store.chatsCarrying(file.id())
        .flatMap(chats -> Flowable.fromIterable(chats).concatMapSingle(chat -> isMember(caller, chat))
            .any(member -> member));
  }

  /** Whether the caller is a member of the chat (messaging answers from memory). */
  Single<Boolean> isMember(Caller caller, UUID chatId) {
    return Requests.<JsonObject>request(vertx, Addresses.CHAT_ACCESS, new JsonObject().put("chatId", chatId.toString()),
            caller.deliveryOptions().setSendTimeout(ASK_TIMEOUT_MS))
        .map(reply -> reply.body().getBoolean("member", false))
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }
}
