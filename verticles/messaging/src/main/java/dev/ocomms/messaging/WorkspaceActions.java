package dev.ocomms.messaging;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Workspaces: creating one (with its #general channel), listing one's own, inviting, joining by invite, the member
 * list, and whom a user may see (people who share a workspace with them).
 */
final class WorkspaceActions {
  private static final Logger LOG = LoggerFactory.getLogger(WorkspaceActions.class);
  private static final int DEFAULT_INVITE_HOURS = 168;
  private static final int INVITE_CODE_ATTEMPTS = 3;

  private final ChatStore store;
  private final ChatEvents events;
  private final RateLimits limits;

  WorkspaceActions(ChatStore store, ChatEvents events, RateLimits limits) {
    this.store = store;
    this.events = events;
    this.limits = limits;
  }

  /** The caller's role in the workspace, or not_found when they are not in it (or it does not exist). */
  static Single<String> requireMember(ChatStore store, UUID workspaceId, UUID userId) {
    return store.role(workspaceId, userId)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such workspace")));
  }

  /** {@code messaging.workspace.create {name}}: the caller owns it and is in its new #general channel. */
  Single<JsonObject> createWorkspace(BusRequest request) {
    String name = request.body().text("name", 80);
    UUID workspaceId = Ids.next();
    UUID generalId = Ids.next();
    return limits.takeWorkspace(request.caller())
        .andThen(store.transaction(tx -> tx.createWorkspace(workspaceId, name, request.caller(), generalId)
            .toSingleDefault(workspaceId)))
        .flatMap(created -> Single.zip(store.workspace(workspaceId, request.caller()).toSingle(), store.chat(generalId),
            (workspace, general) -> {
              LOG.info("workspace created: workspaceId={} by={}", workspaceId, request.caller());
              events.chatAdded(request.caller(), general);
              return new JsonObject().put("workspace", workspace.toJson());
            }));
  }

  Single<JsonObject> listWorkspaces(BusRequest request) {
    return store.workspacesOf(request.caller())
        .map(workspaces -> new JsonObject()
            .put("workspaces", new JsonArray(workspaces.stream().map(Workspace::toJson).toList())));
  }

  /** {@code messaging.workspace.invite.create {workspaceId, expiresInHours?, maxUses?}}: any member may invite. */
  Single<JsonObject> createInvite(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    int hours = request.body().optionalInt("expiresInHours", 1, 720).orElse(DEFAULT_INVITE_HOURS);
    Integer maxUses = request.body().optionalInt("maxUses", 1, 1000).orElse(null);
    return limits.takeInvite(request.caller()).andThen(requireMember(store, workspaceId, request.caller()))
        .flatMap(role -> insertInvite(workspaceId, request.caller(), hours, maxUses, INVITE_CODE_ATTEMPTS));
  }

  private Single<JsonObject> insertInvite(UUID workspaceId, UUID caller, int hours, Integer maxUses, int attempts) {
    String code = InviteCodes.next();
    return store.insertInvite(code, workspaceId, caller, hours, maxUses)
        .map(expiresAt -> new JsonObject()
            .put("code", code)
            .put("workspaceId", workspaceId.toString())
            .put("expiresAt", Timestamps.iso(expiresAt))
            .put("maxUses", maxUses))
        // A collision is about one in 10^15; drawing again is the whole remedy.
        .switchIfEmpty(Single.defer(() -> attempts > 1
            ? insertInvite(workspaceId, caller, hours, maxUses, attempts - 1)
            : Single.error(new IllegalStateException("no free invite code after " + INVITE_CODE_ATTEMPTS + " draws"))));
  }

  /** What joining changed: the general channel the caller was added to, if any. */
  private record Joined(UUID workspaceId, Optional<UUID> general) {
  }

  /** {@code messaging.workspace.join {code}}: joins as a member, and #general unless it is archived; idempotent. */
  Single<JsonObject> joinWorkspace(BusRequest request) {
    UUID caller = request.caller();
    Optional<String> normalized = InviteCodes.normalize(request.body().string("code"));
    // Every attempt counts, a malformed or unknown code too: that also keeps codes from being guessed.
    return limits.takeJoin(caller).andThen(Single.defer(() -> joinWith(caller, normalized
        .orElseThrow(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such invite")))));
  }

  private Single<JsonObject> joinWith(UUID caller, String code) {
    return store.transaction(tx -> tx.inviteForUpdate(code)
            .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such invite")))
            .flatMap(invite -> {
              if (invite.expired()) {
                throw new OcommsException(Reason.INVITE_EXPIRED, "this invite has expired");
              }
              UUID workspaceId = invite.workspaceId();
              return tx.role(workspaceId, caller)
                  .map(alreadyMember -> new Joined(workspaceId, Optional.empty()))
                  .switchIfEmpty(Single.defer(() -> {
                    if (invite.usedUp()) {
                      throw new OcommsException(Reason.INVITE_USED_UP, "this invite has been used up");
                    }
                    return tx.addWorkspaceMember(workspaceId, caller, "member")
                        .flatMapCompletable(added -> added ? tx.countInviteUse(code) : Completable.complete())
                        .andThen(tx.openGeneralChannel(workspaceId)
                            .flatMap(general -> tx.addChatMember(general, caller)
                                .filter(added -> added).map(added -> general))
                            .map(general -> new Joined(workspaceId, Optional.of(general)))
                            .defaultIfEmpty(new Joined(workspaceId, Optional.empty())));
                  }));
            }))
        .flatMap(joined -> {
          // No system message in #general: everyone joins it with the workspace, so in a large workspace such lines
          // would be most of what it holds (clients may show the live member.joined).
          Completable announced = joined.general()
              .map(general -> store.chat(general).doOnSuccess(chat -> events.memberJoined(chat, caller, caller))
                  .ignoreElement())
              .orElse(Completable.complete());
          return announced.andThen(store.workspace(joined.workspaceId(), caller).toSingle());
        })
        .map(workspace -> new JsonObject().put("workspace", workspace.toJson()));
  }

  Single<JsonObject> workspaceMembers(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    return requireMember(store, workspaceId, request.caller())
        .flatMap(role -> store.workspaceMembers(workspaceId))
        .map(members -> new JsonObject().put("members", new JsonArray(members)));
  }

  /** {@code messaging.workspace.role {workspaceId}}: the caller's role there; not_found outside it (accounts' bots). */
  Single<JsonObject> workspaceRole(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    return requireMember(store, workspaceId, request.caller()).map(role -> new JsonObject().put("role", role));
  }

  /**
   * {@code messaging.workspace.bot.add {workspaceId, botUserId}}: the bot accounts just created becomes a member of the
   * workspace (it then joins chats like anyone); only owners and admins add bots. Idempotent.
   */
  Single<JsonObject> addBot(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    UUID botUserId = request.body().id("botUserId");
    return requireMember(store, workspaceId, request.caller())
        .flatMap(role -> {
          if (!"owner".equals(role) && !"admin".equals(role)) {
            return Single.error(new OcommsException(ErrorCode.FORBIDDEN, "only owners and admins add bots"));
          }
          return store.addWorkspaceMember(workspaceId, botUserId, "member");
        })
        .map(added -> new JsonObject());
  }

  /**
   * {@code messaging.workspace.bot.remove {workspaceId, botUserId}}: a deleted bot leaves the workspace's channels (as a
   * removal: its system message, member.left with reason removed, by the caller) and the workspace; owners and admins
   * only.
   */
  Single<JsonObject> removeBot(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    UUID botUserId = request.body().id("botUserId");
    return requireMember(store, workspaceId, request.caller())
        .flatMap(role -> {
          if (!"owner".equals(role) && !"admin".equals(role)) {
            return Single.error(new OcommsException(ErrorCode.FORBIDDEN, "only owners and admins remove bots"));
          }
          return store.channelsOf(workspaceId, botUserId);
        })
        .flatMapCompletable(channels -> Observable.fromIterable(channels)
            .concatMapCompletable(chatId -> ChatActions.removeWithSystemMessage(store, chatId, botUserId,
                    ChatActions.system("removed", request.caller(), List.of(botUserId)))
                .doOnSuccess(removed -> removed.ifPresent(change -> {
                  events.memberLeft(chatId, botUserId, request.caller(), "removed", change.memberCount());
                  events.systemMessage(change.message());
                }))
                .ignoreElement()))
        .andThen(Single.defer(() -> store.removeWorkspaceMember(workspaceId, botUserId)))
        .map(removed -> new JsonObject());
  }

  /** {@code messaging.users.visible {userIds}}: those of them who share a workspace with the caller (presence). */
  Single<JsonObject> visibleUsers(BusRequest request) {
    List<UUID> ids = request.body().strings("userIds", 1000).stream().map(Ids::parse).flatMap(Optional::stream)
        .distinct().toList();
    if (ids.isEmpty()) {
      return Single.just(new JsonObject().put("userIds", new JsonArray()));
    }
    return store.sharingAWorkspace(request.caller(), ids)
        .map(visible -> new JsonObject().put("userIds", new JsonArray(visible.stream().map(UUID::toString).toList())));
  }
}
