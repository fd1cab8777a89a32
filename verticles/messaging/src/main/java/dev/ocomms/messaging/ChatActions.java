package dev.ocomms.messaging;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Chats: channels (create, list, rename, topic, purpose, archive), DMs (open), the caller's chats, and who is in a chat
 * (join, leave, add, remove, the member list, and the bridge's membership check). Visibility and moderation rules are
 * {@link ChatAccess}'s. Every change of a channel's members, name, topic, purpose or archived flag is also stored as a
 * system message in the channel, in the same transaction (see {@link ChatStore#insertSystemMessage}).
 */
final class ChatActions {
  /** Slack-like channel names, after trimming and lower-casing: ASCII letters, digits, '-' and '_'. */
  static final Pattern CHANNEL_NAME = Pattern.compile("[a-z0-9_-]{1,80}");
  private static final String CHANNEL_NAME_RULE = "1 to 80 characters: lower-case letters, digits, '-' and '_'";
  private static final int MAX_DM_MEMBERS = 8;
  static final int MAX_TOPIC = 250;
  static final int MAX_PURPOSE = 250;

  private final ChatStore store;
  private final MessageStore messages;
  private final Memberships memberships;
  private final ChatEvents events;
  private final RateLimits limits;

  ChatActions(ChatStore store, MessageStore messages, Memberships memberships, ChatEvents events, RateLimits limits) {
    this.store = store;
    this.messages = messages;
    this.memberships = memberships;
    this.events = events;
    this.limits = limits;
  }

  // Channels and DMs

  /**
   * {@code messaging.channel.create {workspaceId, name, private?, topic?, purpose?}}: any workspace member; they are
   * in it.
   */
  Single<JsonObject> createChannel(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    String name = request.body().name("name", CHANNEL_NAME, CHANNEL_NAME_RULE);
    boolean isPrivate = request.body().optionalBool("private").orElse(false);
    String topic = request.body().optionalText("topic", 0, MAX_TOPIC).orElse("");
    String purpose = request.body().optionalText("purpose", 0, MAX_PURPOSE).orElse("");
    UUID chatId = Ids.next();
    return limits.takeWrite(request.caller()).andThen(store.transaction(tx -> WorkspaceActions.requireMember(tx,
            workspaceId, request.caller())
            .flatMap(role -> tx.insertChannel(chatId, workspaceId, name, topic, purpose, isPrivate,
                request.caller()))
            .flatMap(inserted -> {
              if (!inserted) {
                throw nameTaken(name);
              }
              return tx.addChatMember(chatId, request.caller());
            })))
        .flatMap(member -> store.chat(chatId))
        .map(chat -> {
          events.chatAdded(request.caller(), chat);
          return new JsonObject().put("chat", chat.toJson());
        });
  }

  /** {@code messaging.channel.list {workspaceId}}: the caller's channels and the public ones they could join. */
  Single<JsonObject> listChannels(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    return WorkspaceActions.requireMember(store, workspaceId, request.caller())
        .flatMap(role -> store.channelsVisibleTo(workspaceId, request.caller()))
        .map(channels -> new JsonObject().put("channels", new JsonArray(channels.stream()
            .map(listing -> listing.chat().toJson().put("member", listing.member())).toList())));
  }

  /**
   * {@code messaging.chat.readable {workspaceId}} (internal, asked by search on the caller's behalf): the chats of the
   * workspace whose messages the caller may read now, each as {@code {id, kind, name, topic, private, memberCount,
   * member, memberIds (DMs)}}; not_found outside the workspace.
   */
  Single<JsonObject> readableChats(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    return WorkspaceActions.requireMember(store, workspaceId, request.caller())
        .flatMap(role -> store.chatsReadableBy(workspaceId, request.caller()))
        .map(chats -> new JsonObject().put("chats", new JsonArray(chats)));
  }

  /** Whether the DM was created by this request (then its members hear of it) or existed already. */
  private record Opened(UUID chatId, boolean created) {
  }

  /** {@code messaging.dm.open {workspaceId, userIds}}: the one DM of the caller and these workspace members. */
  Single<JsonObject> openDm(BusRequest request) {
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
    return limits.takeWrite(request.caller()).andThen(WorkspaceActions.requireMember(store, workspaceId,
            request.caller()))
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
            members.forEach(member -> events.chatAdded(member, chat));
          }
          return new JsonObject().put("chat", chat.toJson());
        }));
  }

  /** {@code messaging.chat.list}: every chat the caller is in, with their unread and mention counts and watermark. */
  Single<JsonObject> listChats(BusRequest request) {
    return store.chatsOf(request.caller())
        .flatMap(chats -> messages.unreadOf(request.caller(), chats.stream().map(Chat::id).toList())
            .map(counts -> new JsonObject().put("chats", new JsonArray(chats.stream().map(chat -> {
              MessageStore.MemberCounts count = counts.getOrDefault(chat.id(), new MessageStore.MemberCounts(0, 0, 0));
              return chat.toJson().put("unreadCount", count.unread()).put("mentionCount", count.mentions())
                  .put("readSeq", count.readSeq());
            }).toList()))));
  }

  Single<JsonObject> getChat(BusRequest request) {
    return visibleChat(request).map(access -> new JsonObject().put("chat", access.chat().toJson()));
  }

  /**
   * {@code messaging.chat.update {chatId, name?, topic?, purpose?, archived?}}: each change is also stored as a system
   * message in the chat ({@code renamed}, {@code topic}, {@code purpose}, {@code archived}, {@code unarchived}).
   */
  Single<JsonObject> updateChat(BusRequest request) {
    Input body = request.body();
    UUID caller = request.caller();
    Optional<String> name = body.optionalName("name", CHANNEL_NAME, CHANNEL_NAME_RULE);
    Optional<String> topic = body.optionalText("topic", 0, MAX_TOPIC);
    Optional<String> purpose = body.optionalText("purpose", 0, MAX_PURPOSE);
    Optional<Boolean> archived = body.optionalBool("archived");
    if (name.isEmpty() && topic.isEmpty() && purpose.isEmpty() && archived.isEmpty()) {
      throw Input.invalid("name", "give at least one of name, topic, purpose and archived");
    }
    return limits.takeWrite(caller).andThen(visibleChat(request)).flatMap(access -> {
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
      if ((topic.isPresent() || purpose.isPresent()) && !access.member()) {
        throw new OcommsException(ErrorCode.FORBIDDEN, "only members can change the topic and the purpose");
      }
      if (chat.archived() && archived.orElse(true) && (name.isPresent() || topic.isPresent() || purpose.isPresent())) {
        throw new OcommsException(Reason.CHAT_ARCHIVED, "this channel is archived; unarchive it first");
      }
      String newName = name.filter(value -> !value.equals(chat.name())).orElse(null);
      String newTopic = topic.filter(value -> !value.equals(chat.topic())).orElse(null);
      String newPurpose = purpose.filter(value -> !value.equals(chat.purpose())).orElse(null);
      Boolean newArchived = archived.filter(value -> value != chat.archived()).orElse(null);
      if (newName == null && newTopic == null && newPurpose == null && newArchived == null) {
        return Single.just(chat);
      }
      // In the chat's history in the order a reader expects: unarchived first, archived last.
      List<JsonObject> changes = new ArrayList<>();
      if (Boolean.FALSE.equals(newArchived)) {
        changes.add(system("unarchived", caller, List.of()));
      }
      if (newName != null) {
        changes.add(system("renamed", caller, List.of()).put("oldName", chat.name()).put("name", newName));
      }
      if (newTopic != null) {
        changes.add(system("topic", caller, List.of()).put("topic", newTopic));
      }
      if (newPurpose != null) {
        changes.add(system("purpose", caller, List.of()).put("purpose", newPurpose));
      }
      if (Boolean.TRUE.equals(newArchived)) {
        changes.add(system("archived", caller, List.of()));
      }
      return store.transaction(tx -> Observable.fromIterable(changes)
              .concatMapSingle(change -> tx.insertSystemMessage(chat.id(), caller, change))
              .toList()
              .flatMap(stored -> tx.updateChat(chat.id(), newName, newTopic, newPurpose, newArchived)
                  .map(updated -> {
                    if (!updated) {
                      throw nameTaken(newName);
                    }
                    return stored;
                  })))
          .flatMap(stored -> store.chat(chat.id()).doOnSuccess(updated -> {
            stored.forEach(events::systemMessage);
            events.chatUpdated(updated);
          }));
    }).map(chat -> new JsonObject().put("chat", chat.toJson()));
  }

  // Members

  Single<JsonObject> chatMembers(BusRequest request) {
    return visibleChat(request)
        .flatMap(access -> store.chatMembers(access.chat().id()))
        .map(members -> new JsonObject().put("members", new JsonArray(members)));
  }

  /** {@code messaging.chat.join {chatId}}: a public, non-archived channel of one's workspace; idempotent. */
  Single<JsonObject> joinChat(BusRequest request) {
    UUID caller = request.caller();
    return limits.takeWrite(caller).andThen(visibleChat(request)).flatMap(access -> {
      Chat chat = access.chat();
      if (access.member()) {
        return Single.just(chat);
      }
      // Visible to a non-member means a public channel of their workspace; private chats and DMs were not_found.
      if (chat.archived()) {
        throw new OcommsException(Reason.CHAT_ARCHIVED, "this channel is archived");
      }
      return addWithSystemMessage(chat, caller, system("joined", caller, List.of(caller)))
          .flatMap(stored -> store.chat(chat.id()).doOnSuccess(updated -> stored.ifPresent(message -> {
            events.systemMessage(message);
            events.memberJoined(updated, caller, caller);
          })));
    }).map(chat -> new JsonObject().put("chat", chat.toJson()));
  }

  Single<JsonObject> leaveChat(BusRequest request) {
    UUID caller = request.caller();
    return limits.takeWrite(caller).andThen(visibleChat(request)).flatMap(access -> {
      if (!access.member()) {
        throw new OcommsException(ErrorCode.NOT_FOUND, "you are not a member of this chat");
      }
      if (access.chat().isDm()) {
        throw Input.invalid("chatId", "DMs cannot be left");
      }
      if (access.general()) {
        throw defaultChannel();
      }
      return removeWithSystemMessage(access.chat(), caller, system("left", caller, List.of(caller)))
          .map(removed -> {
            // The leaver's sessions drop the chat with member.left; the line goes to those who stay.
            removed.ifPresent(change -> {
              events.memberLeft(access.chat().id(), caller, caller, "left", change.memberCount());
              events.systemMessage(change.message());
            });
            return new JsonObject();
          });
    });
  }

  /** {@code messaging.chat.member.add {chatId, userId}}: members add workspace members to channels; idempotent. */
  Single<JsonObject> addMember(BusRequest request) {
    UUID caller = request.caller();
    // A malformed user id is, like an unknown one, not a member of the workspace.
    String targetText = request.body().string("userId");
    return limits.takeWrite(caller).andThen(visibleChat(request)).flatMap(access -> {
      Chat chat = access.chat();
      if (chat.isDm()) {
        throw Input.invalid("chatId", "the members of a DM cannot change; open another DM");
      }
      if (!access.member()) {
        throw new OcommsException(ErrorCode.FORBIDDEN, "only members of this channel can add people to it");
      }
      if (chat.archived()) {
        throw new OcommsException(Reason.CHAT_ARCHIVED, "this channel is archived");
      }
      Optional<UUID> target = Ids.parse(targetText);
      Maybe<String> targetRole = target.isPresent() ? store.role(chat.workspaceId(), target.get()) : Maybe.empty();
      return targetRole
          .switchIfEmpty(Single.error(() -> Input.invalid("userId", "userId is not a member of this workspace")))
          .flatMap(role -> addWithSystemMessage(chat, target.get(), target.get().equals(caller)
              ? system("joined", caller, List.of(caller)) : system("added", caller, List.of(target.get()))))
          .flatMap(stored -> store.chat(chat.id()).doOnSuccess(updated -> stored.ifPresent(message -> {
            events.systemMessage(message);
            events.memberJoined(updated, target.get(), caller);
          })));
    }).map(chat -> new JsonObject().put("chat", chat.toJson()));
  }

  /**
   * {@code messaging.chat.member.remove {chatId, userId}}: moderators only (see {@link ChatAccess#moderator}); nobody
   * is removed from the workspace's default channel, and nobody removes the workspace's owner.
   */
  Single<JsonObject> removeMember(BusRequest request) {
    UUID caller = request.caller();
    UUID target = request.body().id("userId");
    return limits.takeWrite(caller).andThen(visibleChat(request)).flatMap(access -> {
      Chat chat = access.chat();
      if (chat.isDm()) {
        throw Input.invalid("chatId", "the members of a DM cannot change");
      }
      if (!access.moderator()) {
        throw new OcommsException(ErrorCode.FORBIDDEN,
            "only the channel's creator and the workspace's owners and admins can remove members");
      }
      if (access.general()) {
        throw defaultChannel();
      }
      return store.role(chat.workspaceId(), target).defaultIfEmpty("")
          .flatMap(role -> {
            if (role.equals("owner") && !target.equals(caller)) {
              throw new OcommsException(ErrorCode.FORBIDDEN, "nobody can remove the workspace's owner");
            }
            return removeWithSystemMessage(chat, target, target.equals(caller)
                ? system("left", caller, List.of(caller)) : system("removed", caller, List.of(target)));
          })
          .map(removed -> {
            Removed change = removed.orElseThrow(() ->
                new OcommsException(ErrorCode.NOT_FOUND, "that user is not a member of this chat"));
            events.memberLeft(chat.id(), target, caller, target.equals(caller) ? "left" : "removed",
                change.memberCount());
            events.systemMessage(change.message());
            return new JsonObject();
          });
    });
  }

  /** {@code messaging.chat.access {chatId}}: whether the caller is a member (the bridge asks at every REGISTER). */
  Single<JsonObject> chatAccess(BusRequest request) {
    // From this instance's memory when it knows the caller is in; a malformed id is simply not a chat of theirs.
    Optional<UUID> chatId = Ids.parse(request.body().string("chatId"));
    return chatId.map(id -> memberships.isMember(id, request.caller())).orElse(Single.just(false))
        .map(member -> new JsonObject().put("member", member));
  }

  // Membership changes with their system messages

  /** Thrown inside a transaction that turned out to change nothing: it rolls back (its system message too). */
  private static final class NothingChanged extends RuntimeException {
    NothingChanged() {
      super(null, null, false, false);
    }
  }

  /**
   * Adds {@code userId} to the chat with the system message that says so, in one transaction (the message first: it
   * locks the chat row, and the new member starts with it read); empty, and nothing stored, when they already were a
   * member.
   */
  private Single<Optional<Message>> addWithSystemMessage(Chat chat, UUID userId, JsonObject system) {
    return store.transaction(tx -> tx.insertSystemMessage(chat.id(), UUID.fromString(system.getString("actorId")),
                system)
            .flatMap(message -> tx.addChatMember(chat.id(), userId).map(added -> {
              if (!added) {
                throw new NothingChanged();
              }
              return Optional.of(message);
            })))
        .onErrorResumeNext(failure -> failure instanceof NothingChanged
            ? Single.just(Optional.empty()) : Single.error(failure));
  }

  /** A removal that happened: its system message, and the chat's member count after it. */
  record Removed(Message message, int memberCount) {
  }

  /**
   * Removes {@code userId} from the chat with the system message that says so, in one transaction; empty, and nothing
   * stored, when they were not a member.
   */
  private Single<Optional<Removed>> removeWithSystemMessage(Chat chat, UUID userId, JsonObject system) {
    return removeWithSystemMessage(store, chat.id(), userId, system);
  }

  /** As {@link #removeWithSystemMessage(Chat, UUID, JsonObject)}, for the workspace's actions too (a deleted bot). */
  static Single<Optional<Removed>> removeWithSystemMessage(ChatStore store, UUID chatId, UUID userId,
                                                           JsonObject system) {
    return store.transaction(tx -> tx.insertSystemMessage(chatId, UUID.fromString(system.getString("actorId")),
                system)
            .flatMap(message -> tx.removeChatMember(chatId, userId).flatMap(removed -> {
              if (!removed) {
                throw new NothingChanged();
              }
              return tx.chat(chatId).map(after -> Optional.of(new Removed(message, after.memberCount())));
            })))
        .onErrorResumeNext(failure -> failure instanceof NothingChanged
            ? Single.just(Optional.empty()) : Single.error(failure));
  }

  /** A system message's {@code system} object: what happened, who did it, to whom. */
  static JsonObject system(String action, UUID actor, List<UUID> userIds) {
    return new JsonObject()
        .put("action", action)
        .put("actorId", actor.toString())
        .put("userIds", new JsonArray(userIds.stream().map(UUID::toString).toList()));
  }

  private static OcommsException defaultChannel() {
    return new OcommsException(Reason.DEFAULT_CHANNEL,
        "every member of the workspace stays in its default channel: it cannot be left, nor anyone removed from it");
  }

  // Rules shared by several actions

  /** The chat named by {@code chatId} if the caller may see it; not_found otherwise, revealing nothing. */
  private Single<ChatAccess> visibleChat(BusRequest request) {
    UUID chatId = request.body().id("chatId");
    return store.access(chatId, request.caller())
        .filter(ChatAccess::visible)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such chat")));
  }

  /** Channel names are unique per workspace, in any letter case (the unique name_key of chats). */
  private static OcommsException nameTaken(String name) {
    return new OcommsException(Reason.NAME_TAKEN, "this workspace already has a channel named " + name,
        new JsonObject().put("field", "name"));
  }
}
