package dev.ocomms.messaging;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.BusService;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.Migrations;
import dev.ocomms.shared.db.PgClients;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Workspaces, channels, DMs and who belongs to them (messages and read state arrive later). Answers the internal
 * {@code messaging.*} addresses of {@link Addresses}; the caller is always the one in the request's {@link Caller}
 * headers. Events go out only after the change they describe has committed, and only when something changed.
 */
public class MessagingVerticle extends AbstractVerticle {
  /** Slack-like channel names, after trimming and lower-casing: ASCII letters, digits, '-' and '_'. */
  static final Pattern CHANNEL_NAME = Pattern.compile("[a-z0-9_-]{1,80}");
  private static final String CHANNEL_NAME_RULE = "1 to 80 characters: lower-case letters, digits, '-' and '_'";

  private static final Logger LOG = LoggerFactory.getLogger(MessagingVerticle.class);
  private static final int DEFAULT_INVITE_HOURS = 168;
  private static final int MAX_DM_MEMBERS = 8;
  private static final int INVITE_CODE_ATTEMPTS = 3;

  private Pool pg;
  private Redis redis;
  private ChatStore store;
  private Memberships memberships;
  private MessageActions messages;
  private EventStreamActions stream;

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    return PgClients.connectedPool(vertx, settings, "messaging")
        .doOnSuccess(pool -> pg = pool)
        .flatMap(pool -> RedisClients.connectedClient(vertx, settings))
        .doOnSuccess(client -> redis = client)
        .ignoreElement()
        .andThen(Completable.defer(() -> Migrations.migrate(vertx, settings.pgUrl().orElseThrow(), "messaging")))
        .andThen(Completable.defer(() -> {
          store = new ChatStore(pg);
          MessageStore messageStore = new MessageStore(pg);
          memberships = new Memberships(messageStore);
          messages = new MessageActions(vertx, messageStore, redis, memberships);
          stream = new EventStreamActions(messageStore);
          return registerConsumers();
        }));
  }

  @Override
  public Completable rxStop() {
    if (messages != null) {
      messages.close();
    }
    return (pg == null ? Completable.complete() : pg.rxClose())
        .doFinally(() -> {
          if (redis != null) {
            redis.close();
          }
        });
  }

  private Completable registerConsumers() {
    Map<String, Function<BusRequest, Single<JsonObject>>> actions = new LinkedHashMap<>();
    actions.put(Addresses.WORKSPACE_CREATE, this::createWorkspace);
    actions.put(Addresses.WORKSPACE_LIST, this::listWorkspaces);
    actions.put(Addresses.WORKSPACE_INVITE_CREATE, this::createInvite);
    actions.put(Addresses.WORKSPACE_JOIN, this::joinWorkspace);
    actions.put(Addresses.WORKSPACE_MEMBERS, this::workspaceMembers);
    actions.put(Addresses.CHANNEL_CREATE, this::createChannel);
    actions.put(Addresses.CHANNEL_LIST, this::listChannels);
    actions.put(Addresses.DM_OPEN, this::openDm);
    actions.put(Addresses.CHAT_LIST, this::listChats);
    actions.put(Addresses.CHAT_GET, this::getChat);
    actions.put(Addresses.CHAT_MEMBERS, this::chatMembers);
    actions.put(Addresses.CHAT_JOIN, this::joinChat);
    actions.put(Addresses.CHAT_LEAVE, this::leaveChat);
    actions.put(Addresses.CHAT_MEMBER_ADD, this::addMember);
    actions.put(Addresses.CHAT_MEMBER_REMOVE, this::removeMember);
    actions.put(Addresses.CHAT_UPDATE, this::updateChat);
    actions.put(Addresses.CHAT_ACCESS, this::chatAccess);
    actions.put(Addresses.USERS_VISIBLE, this::visibleUsers);
    actions.putAll(messages.actions());
    // Wait until the cluster knows every consumer, so that requests sent right after deployment find one.
    MessageConsumer<JsonObject> changes = vertx.eventBus().consumer(Addresses.MESSAGING_CHAT_CHANGED,
        message -> Ids.parse(message.body().getString("chatId")).ifPresent(memberships::changed));
    return BusService.serve(vertx, actions)
        .andThen(BusService.serveInternal(vertx, stream.actions()))
        .andThen(changes.rxCompletion())
        .doOnComplete(() -> LOG.info("messaging ready: addresses={}", actions.size()));
  }

  // Workspaces

  private Single<JsonObject> createWorkspace(BusRequest request) {
    String name = request.body().text("name", 80);
    UUID workspaceId = Ids.next();
    UUID generalId = Ids.next();
    return store.transaction(tx -> tx.createWorkspace(workspaceId, name, request.caller(), generalId)
            .toSingleDefault(workspaceId))
        .flatMap(created -> Single.zip(store.workspace(workspaceId, request.caller()).toSingle(), store.chat(generalId),
            (workspace, general) -> {
              LOG.info("workspace created: workspaceId={} by={}", workspaceId, request.caller());
              chatAdded(request.caller(), general);
              return new JsonObject().put("workspace", workspace.toJson());
            }));
  }

  private Single<JsonObject> listWorkspaces(BusRequest request) {
    return store.workspacesOf(request.caller())
        .map(workspaces -> new JsonObject().put("workspaces", jsonArray(workspaces, Workspace::toJson)));
  }

  private Single<JsonObject> createInvite(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    int hours = request.body().optionalInt("expiresInHours", 1, 720).orElse(DEFAULT_INVITE_HOURS);
    Integer maxUses = request.body().optionalInt("maxUses", 1, 1000).orElse(null);
    return requireWorkspaceMember(store, workspaceId, request.caller())
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

  private Single<JsonObject> joinWorkspace(BusRequest request) {
    UUID caller = request.caller();
    String code = InviteCodes.normalize(request.body().string("code"))
        .orElseThrow(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such invite"));
    return store.transaction(tx -> tx.inviteForUpdate(code)
            .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such invite")))
            .flatMap(invite -> {
              if (invite.expired()) {
                throw new OcommsException(ErrorCode.NOT_FOUND, "this invite has expired");
              }
              UUID workspaceId = invite.workspaceId();
              return tx.role(workspaceId, caller)
                  .map(alreadyMember -> new Joined(workspaceId, Optional.empty()))
                  .switchIfEmpty(Single.defer(() -> {
                    if (invite.usedUp()) {
                      throw new OcommsException(ErrorCode.NOT_FOUND, "this invite has been used up");
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
          Completable events = joined.general()
              .map(general -> store.chat(general).doOnSuccess(chat -> memberJoined(chat, caller, caller))
                  .ignoreElement())
              .orElse(Completable.complete());
          return events.andThen(store.workspace(joined.workspaceId(), caller).toSingle());
        })
        .map(workspace -> new JsonObject().put("workspace", workspace.toJson()));
  }

  private Single<JsonObject> workspaceMembers(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    return requireWorkspaceMember(store, workspaceId, request.caller())
        .flatMap(role -> store.workspaceMembers(workspaceId))
        .map(members -> new JsonObject().put("members", new JsonArray(members)));
  }

  // Channels and DMs

  private Single<JsonObject> createChannel(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    String name = request.body().name("name", CHANNEL_NAME, CHANNEL_NAME_RULE);
    boolean isPrivate = request.body().optionalBool("private").orElse(false);
    String topic = request.body().optionalText("topic", 0, 250).orElse("");
    UUID chatId = Ids.next();
    return store.transaction(tx -> requireWorkspaceMember(tx, workspaceId, request.caller())
            .flatMap(role -> tx.insertChannel(chatId, workspaceId, name, topic, isPrivate, request.caller()))
            .flatMap(inserted -> {
              if (!inserted) {
                throw nameTaken(name);
              }
              return tx.addChatMember(chatId, request.caller());
            }))
        .flatMap(member -> store.chat(chatId))
        .map(chat -> {
          chatAdded(request.caller(), chat);
          return new JsonObject().put("chat", chat.toJson());
        });
  }

  private Single<JsonObject> listChannels(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    return requireWorkspaceMember(store, workspaceId, request.caller())
        .flatMap(role -> store.channelsVisibleTo(workspaceId, request.caller()))
        .map(channels -> new JsonObject().put("channels",
            jsonArray(channels, listing -> listing.chat().toJson().put("member", listing.member()))));
  }

  /** Whether the DM was created by this request (then its members hear of it) or existed already. */
  private record Opened(UUID chatId, boolean created) {
  }

  private Single<JsonObject> openDm(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    List<String> requested = request.body().strings("userIds", MAX_DM_MEMBERS);
    Set<UUID> members = new TreeSet<>();
    List<String> notMembers = new ArrayList<>();
    members.add(request.caller());
    for (String text : requested) {
      Ids.parse(text).ifPresentOrElse(members::add, () -> notMembers.add(text));
    }
    if (members.size() > MAX_DM_MEMBERS) {
      throw Input.invalid("userIds", "a DM has at most " + MAX_DM_MEMBERS + " members, you included");
    }
    // The member set names the DM: sorted ids, so that any order of the same people finds the same chat.
    String dmKey = members.stream().map(UUID::toString).sorted().collect(Collectors.joining(","));
    return requireWorkspaceMember(store, workspaceId, request.caller())
        .flatMap(role -> store.workspaceMembersAmong(workspaceId, members))
        .flatMap(inWorkspace -> {
          members.stream().filter(id -> !inWorkspace.contains(id)).map(UUID::toString).forEach(notMembers::add);
          if (!notMembers.isEmpty()) {
            throw new OcommsException(ErrorCode.VALIDATION_FAILED,
                "userIds: not members of this workspace: " + String.join(", ", notMembers),
                new JsonObject().put("field", "userIds").put("notMembers", new JsonArray(notMembers)));
          }
          UUID newId = Ids.next();
          // Concurrent opens of the same set: one insert wins, the others wait for it on the unique dm_key and
          // then find its chat.
          return store.transaction(tx -> tx.insertDm(newId, workspaceId, dmKey, request.caller())
              .flatMap(created -> created
                  ? tx.addChatMembers(newId, members).toSingleDefault(new Opened(newId, true))
                  : tx.dmByKey(workspaceId, dmKey).map(existing -> new Opened(existing, false))));
        })
        .flatMap(opened -> store.chat(opened.chatId()).map(chat -> {
          if (opened.created()) {
            members.forEach(member -> chatAdded(member, chat));
          }
          return new JsonObject().put("chat", chat.toJson());
        }));
  }

  private Single<JsonObject> listChats(BusRequest request) {
    return store.chatsOf(request.caller())
        .flatMap(chats -> messages.unreadOf(request.caller(), chats.stream().map(Chat::id).toList())
            .map(counts -> new JsonObject().put("chats", jsonArray(chats, chat -> {
              MessageStore.MemberCounts count = counts.getOrDefault(chat.id(), new MessageStore.MemberCounts(0, 0, 0));
              return chat.toJson().put("unreadCount", count.unread()).put("mentionCount", count.mentions())
                  .put("readSeq", count.readSeq());
            }))));
  }

  private Single<JsonObject> getChat(BusRequest request) {
    return visibleChat(request, "chatId").map(access -> new JsonObject().put("chat", access.chat().toJson()));
  }

  private Single<JsonObject> chatMembers(BusRequest request) {
    return visibleChat(request, "chatId")
        .flatMap(access -> store.chatMembers(access.chat().id()))
        .map(members -> new JsonObject().put("members", new JsonArray(members)));
  }

  private Single<JsonObject> joinChat(BusRequest request) {
    UUID caller = request.caller();
    return visibleChat(request, "chatId").flatMap(access -> {
      Chat chat = access.chat();
      if (access.member()) {
        return Single.just(chat);
      }
      // Visible to a non-member means a public channel of their workspace; private chats and DMs were not_found.
      if (chat.archived()) {
        throw new OcommsException(ErrorCode.FORBIDDEN, "this channel is archived");
      }
      return store.addChatMember(chat.id(), caller)
          .flatMap(added -> store.chat(chat.id()).doOnSuccess(updated -> {
            if (added) {
              memberJoined(updated, caller, caller);
            }
          }));
    }).map(chat -> new JsonObject().put("chat", chat.toJson()));
  }

  private Single<JsonObject> leaveChat(BusRequest request) {
    UUID caller = request.caller();
    return visibleChat(request, "chatId").flatMap(access -> {
      if (!access.member()) {
        throw new OcommsException(ErrorCode.NOT_FOUND, "you are not a member of this chat");
      }
      if (access.chat().isDm()) {
        throw Input.invalid("chatId", "DMs cannot be left");
      }
      return store.removeChatMember(access.chat().id(), caller).map(removed -> {
        if (removed) {
          memberLeft(access.chat().id(), caller, caller, "left");
        }
        return new JsonObject();
      });
    });
  }

  private Single<JsonObject> addMember(BusRequest request) {
    UUID caller = request.caller();
    // A malformed user id is, like an unknown one, not a member of the workspace.
    String targetText = request.body().string("userId");
    return visibleChat(request, "chatId").flatMap(access -> {
      Chat chat = access.chat();
      if (chat.isDm()) {
        throw Input.invalid("chatId", "the members of a DM cannot change; open another DM");
      }
      if (!access.member()) {
        throw new OcommsException(ErrorCode.FORBIDDEN, "only members of this channel can add people to it");
      }
      if (chat.archived()) {
        throw new OcommsException(ErrorCode.FORBIDDEN, "this channel is archived");
      }
      Optional<UUID> target = Ids.parse(targetText);
      Maybe<String> targetRole = target.isPresent() ? store.role(chat.workspaceId(), target.get()) : Maybe.empty();
      return targetRole
          .switchIfEmpty(Single.error(() -> Input.invalid("userId", "userId is not a member of this workspace")))
          .flatMap(role -> store.addChatMember(chat.id(), target.get()))
          .flatMap(added -> store.chat(chat.id()).doOnSuccess(updated -> {
            if (added) {
              memberJoined(updated, target.get(), caller);
            }
          }));
    }).map(chat -> new JsonObject().put("chat", chat.toJson()));
  }

  private Single<JsonObject> removeMember(BusRequest request) {
    UUID caller = request.caller();
    UUID target = request.body().id("userId");
    return visibleChat(request, "chatId").flatMap(access -> {
      if (access.chat().isDm()) {
        throw Input.invalid("chatId", "the members of a DM cannot change");
      }
      if (!access.moderator()) {
        throw new OcommsException(ErrorCode.FORBIDDEN,
            "only the channel's creator and the workspace's owners and admins can remove members");
      }
      return store.removeChatMember(access.chat().id(), target).map(removed -> {
        if (!removed) {
          throw new OcommsException(ErrorCode.NOT_FOUND, "that user is not a member of this chat");
        }
        memberLeft(access.chat().id(), target, caller, "removed");
        return new JsonObject();
      });
    });
  }

  private Single<JsonObject> updateChat(BusRequest request) {
    Input body = request.body();
    Optional<String> name = body.optionalName("name", CHANNEL_NAME, CHANNEL_NAME_RULE);
    Optional<String> topic = body.optionalText("topic", 0, 250);
    Optional<Boolean> archived = body.optionalBool("archived");
    if (name.isEmpty() && topic.isEmpty() && archived.isEmpty()) {
      throw Input.invalid("name", "give at least one of name, topic and archived");
    }
    return visibleChat(request, "chatId").flatMap(access -> {
      Chat chat = access.chat();
      if (chat.isDm() && name.isPresent()) {
        throw Input.invalid("name", "DMs cannot be renamed");
      }
      if (chat.isDm() && archived.isPresent()) {
        throw Input.invalid("archived", "DMs cannot be archived");
      }
      if ((name.isPresent() || archived.isPresent()) && !access.moderator()) {
        throw new OcommsException(ErrorCode.FORBIDDEN,
            "only the channel's creator and the workspace's owners and admins can rename or archive it");
      }
      if (topic.isPresent() && !access.member()) {
        throw new OcommsException(ErrorCode.FORBIDDEN, "only members can change the topic");
      }
      if (chat.archived() && archived.orElse(true) && (name.isPresent() || topic.isPresent())) {
        throw new OcommsException(ErrorCode.FORBIDDEN, "this channel is archived; unarchive it first");
      }
      String newName = name.filter(value -> !value.equals(chat.name())).orElse(null);
      String newTopic = topic.filter(value -> !value.equals(chat.topic())).orElse(null);
      Boolean newArchived = archived.filter(value -> value != chat.archived()).orElse(null);
      if (newName == null && newTopic == null && newArchived == null) {
        return Single.just(chat);
      }
      return store.updateChat(chat.id(), newName, newTopic, newArchived)
          .flatMap(updated -> {
            if (!updated) {
              throw nameTaken(newName);
            }
            return store.chat(chat.id());
          })
          .doOnSuccess(this::chatUpdated);
    }).map(chat -> new JsonObject().put("chat", chat.toJson()));
  }

  /** Of the given users, those who share a workspace with the caller: whom the caller may see (presence). */
  private Single<JsonObject> visibleUsers(BusRequest request) {
    List<UUID> ids = request.body().strings("userIds", 1000).stream().map(Ids::parse).flatMap(Optional::stream)
        .distinct().toList();
    if (ids.isEmpty()) {
      return Single.just(new JsonObject().put("userIds", new JsonArray()));
    }
    return store.sharingAWorkspace(request.caller(), ids)
        .map(visible -> new JsonObject().put("userIds", new JsonArray(visible.stream().map(UUID::toString).toList())));
  }

  private Single<JsonObject> chatAccess(BusRequest request) {
    // Asked on every REGISTER by the bridge: one primary-key lookup, and a malformed id is simply not a chat of theirs.
    Optional<UUID> chatId = Ids.parse(request.body().string("chatId"));
    return chatId.map(id -> memberships.isMember(id, request.caller())).orElse(Single.just(false))
        .map(member -> new JsonObject().put("member", member));
  }

  // Rules shared by several actions

  /** The caller's role in the workspace, or not_found when they are not in it (or it does not exist). */
  private static Single<String> requireWorkspaceMember(ChatStore store, UUID workspaceId, UUID userId) {
    return store.role(workspaceId, userId)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such workspace")));
  }

  /** The chat named by {@code field} if the caller may see it; not_found otherwise, revealing nothing. */
  private Single<ChatAccess> visibleChat(BusRequest request, String field) {
    UUID chatId = request.body().id(field);
    return store.access(chatId, request.caller())
        .filter(ChatAccess::visible)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such chat")));
  }

  private static OcommsException nameTaken(String name) {
    return new OcommsException(ErrorCode.CONFLICT, "this workspace already has a channel named " + name,
        new JsonObject().put("field", "name"));
  }

  private static <T> JsonArray jsonArray(List<T> items, Function<T, JsonObject> toJson) {
    return new JsonArray(items.stream().map(toJson).toList());
  }

  // Events, published after the change has committed

  private void memberJoined(Chat chat, UUID userId, UUID by) {
    membershipChanged(chat.id());
    Events.publish(vertx.eventBus(), new Event.MemberJoined(chat.id().toString(), userId.toString(), by.toString()));
    chatAdded(userId, chat);
  }

  private void memberLeft(UUID chatId, UUID userId, UUID by, String reason) {
    membershipChanged(chatId);
    Events.publish(vertx.eventBus(),
        new Event.MemberLeft(chatId.toString(), userId.toString(), by.toString(), reason));
    Events.publish(vertx.eventBus(), new Event.ChatRemoved(userId.toString(), chatId.toString(), reason));
  }

  private void chatAdded(UUID userId, Chat chat) {
    Events.publish(vertx.eventBus(), new Event.ChatAdded(userId.toString(), chat.toJson()));
  }

  /** Every messaging instance forgets what it remembered of the chat's members (see {@link Memberships}). */
  private void membershipChanged(UUID chatId) {
    vertx.eventBus().publish(Addresses.MESSAGING_CHAT_CHANGED, new JsonObject().put("chatId", chatId.toString()));
  }

  private void chatUpdated(Chat chat) {
    membershipChanged(chat.id());
    Events.publish(vertx.eventBus(), new Event.ChatUpdated(chat.id().toString(), chat.toJson()));
  }
}
