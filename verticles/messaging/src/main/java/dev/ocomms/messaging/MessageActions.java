package dev.ocomms.messaging;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.events.Events;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Messages: send (durable before the ack, idempotent per clientId, numbered by the chat's seq), edit, delete,
 * react, history, sync after a gap, and read watermarks with unread and mention counts. Every change takes the next
 * seq of its chat in the same transaction and is published on {@code chat.<chatId>} after it commits.
 */
final class MessageActions {
  private static final Logger LOG = LoggerFactory.getLogger(MessageActions.class);
  static final int MAX_CONTENT_BYTES = 16 * 1024;
  static final int MAX_HISTORY = 100;
  static final int DEFAULT_HISTORY = 50;
  static final int MAX_SYNC_EVENTS = 500;
  static final int MAX_SYNC_CHATS = 500;
  private static final int MAX_FILES = 10;
  private static final int MAX_EMOJI = 64;
  private static final long LOOKUP_TIMEOUT_MS = 3_000;

  private final Vertx vertx;
  private final MessageStore store;
  private final RateLimits limits;
  private final Memberships memberships;
  private final SendBatches batches;
  private final StreamWakeUps wakeUps;

  MessageActions(Vertx vertx, MessageStore store, Redis redis, Memberships memberships) {
    this.vertx = vertx;
    this.store = store;
    this.limits = new RateLimits(redis);
    this.memberships = memberships;
    this.batches = new SendBatches(store, this::published);
    this.wakeUps = new StreamWakeUps(vertx);
  }

  /** On verticle stop. */
  void close() {
    wakeUps.close();
  }

  /** The caller's unread and mention counts in each chat, counted by PostgreSQL (for the chat list). */
  Single<Map<UUID, MessageStore.MemberCounts>> unreadOf(UUID userId, List<UUID> chatIds) {
    return store.unreadOf(userId, chatIds);
  }

  Map<String, Function<BusRequest, Single<JsonObject>>> actions() {
    Map<String, Function<BusRequest, Single<JsonObject>>> actions = new LinkedHashMap<>();
    actions.put(Addresses.CHAT_MESSAGE_SEND, this::send);
    actions.put(Addresses.CHAT_MESSAGE_EDIT, this::edit);
    actions.put(Addresses.CHAT_MESSAGE_DELETE, this::delete);
    actions.put(Addresses.CHAT_MESSAGE_REACT, this::react);
    actions.put(Addresses.CHAT_HISTORY, this::history);
    actions.put(Addresses.CHAT_SYNC, this::sync);
    actions.put(Addresses.CHAT_READ, this::read);
    return actions;
  }

  // Sending

  /** Thrown inside a reaction's transaction when it changes nothing: roll back the seq, answer with the message. */
  private static final class Unchanged extends RuntimeException {
    Unchanged() {
      super(null, null, false, false);
    }
  }

  private Single<JsonObject> send(BusRequest request) {
    UUID caller = request.caller();
    Input body = request.body();
    UUID chatId = body.id("chatId");
    UUID clientId = uuid(body, "clientId");
    String content = content(body);
    // A malformed replyTo is invalid just like an unknown one or another chat's message.
    Optional<UUID> replyTo = body.has("replyTo") ? Optional.of(uuid(body, "replyTo")) : Optional.empty();
    String priority = body.has("priority") ? body.string("priority") : "normal";
    if (!priority.equals("normal") && !priority.equals("urgent")) {
      throw invalid("priority", "priority must be \"normal\" or \"urgent\"");
    }
    JsonArray fileIds = fileIds(body);

    // Membership from this instance's memory (no query before the batch, which rechecks it under the chat's lock).
    return memberships.forWriter(chatId, caller)
        .map(chat -> chat.filter(state -> state.members().contains(caller))
            .orElseThrow(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such chat")))
        .flatMap(chat -> {
          // An invalid replyTo is refused before it can use up the sender's rate limits.
          Single<JsonObject> sent = chat.archived()
              ? Single.error(new OcommsException(ErrorCode.FORBIDDEN, "this chat is archived"))
              : threadRoot(chatId, replyTo)
                  .flatMap(root -> limits.takeMessage(caller)
                      .andThen(priority.equals("urgent") ? limits.takeUrgent(caller)
                          : io.reactivex.rxjava3.core.Completable.complete())
                      .andThen(resolveMentions(chatId, content))
                      .flatMap(mentions -> insert(chatId, caller, clientId, content, root, mentions, priority,
                          fileIds)));
          // A retry of a stored message (found by its batch, or refused before it) gets the same ack as the first
          // time; someone else's clientId is a conflict.
          return sent.onErrorResumeNext(failure -> store.byClientId(chatId, clientId)
              .map(existing -> existingAck(existing, caller))
              .switchIfEmpty(Single.error(failure)));
        });
  }

  private Single<JsonObject> insert(UUID chatId, UUID sender, UUID clientId, String content, Optional<UUID> root,
                                    MentionSet mentions, String priority, JsonArray fileIds) {
    // Stored with the other sends to this chat that are waiting (one transaction); answered after its commit.
    return batches.send(chatId, sender, clientId, content, root.orElse(null), mentions, priority, fileIds, Ids.next())
        .map(Message::toJson);
  }

  /** Right after a batch committed, before its acks: its events, in seq order. */
  private void published(List<SendBatches.Stored> batch) {
    Set<String> senders = new java.util.LinkedHashSet<>();
    batch.forEach(stored -> {
      Message message = stored.message();
      Events.publish(vertx.eventBus(), event(EventType.MESSAGE_NEW, message, message.seq(), null));
      senders.add(message.senderId().toString());
    });
    wakeUps.appended();
    // Sending ends the senders' typing in this chat, wherever presence heard it start.
    vertx.eventBus().publish(Addresses.PRESENCE_MESSAGE_SENT, new JsonObject()
        .put("chatId", batch.get(0).message().chatId().toString()).put("userIds", new JsonArray(List.copyOf(senders))));
  }

  /** A retry of a stored message gets the same ack; someone else's clientId reveals nothing. */
  private static JsonObject existingAck(Message existing, UUID caller) {
    if (!existing.senderId().equals(caller)) {
      throw new OcommsException(ErrorCode.CONFLICT, "this clientId is already used; generate a new one");
    }
    return existing.toJson();
  }

  /** A reply belongs to its thread's root: replies to replies join the same thread. */
  private Single<Optional<UUID>> threadRoot(UUID chatId, Optional<UUID> replyTo) {
    if (replyTo.isEmpty()) {
      return Single.just(Optional.empty());
    }
    return store.byId(replyTo.get())
        .filter(target -> target.chatId().equals(chatId) && !target.deleted())
        .map(target -> Optional.of(target.replyTo() != null ? target.replyTo() : target.id()))
        .switchIfEmpty(Single.error(() -> invalid("replyTo", "replyTo must be a message of this chat")));
  }

  /**
   * After a committed change that is hard to count on the client (a delete, edited mentions): the members for whom
   * the message was unread (everyone but its sender whose watermark is below it) hear their counts, recounted from
   * PostgreSQL, before the reply, so that the caller's next chat list agrees. Never fails the change.
   */
  private io.reactivex.rxjava3.core.Completable recount(Message message) {
    return store.unreadOfMembers(message.chatId(), Optional.empty())
        .doOnSuccess(counts -> counts.forEach((userId, member) -> {
          if (!userId.equals(message.senderId()) && member.readSeq() < message.seq()) {
            badge(userId, message.chatId(), member);
          }
        }))
        .ignoreElement()
        .onErrorComplete(failure -> {
          LOG.warn("unread counts not recounted: chatId={} reason={}", message.chatId(), failure.toString());
          return true;
        });
  }

  /** A member's counts after a read or a recount, to their sessions (clients count new messages themselves). */
  private void badge(UUID userId, UUID chatId, MessageStore.MemberCounts counts) {
    Events.publish(vertx.eventBus(), new Event.NotificationBadge(userId.toString(), chatId.toString(),
        counts.unread(), counts.mentions()));
  }

  // Mentions

  /** Resolved mentions: member ids, and whether the whole chat was addressed. */
  record MentionSet(Set<UUID> users, boolean channel, boolean here) {
    boolean channelWide() {
      return channel || here;
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("users", new JsonArray(users.stream().map(UUID::toString).sorted().toList()))
          .put("channel", channel)
          .put("here", here);
    }
  }

  /** Usernames become ids (the gateway owns users); only members of the chat count as mentioned. */
  private Single<MentionSet> resolveMentions(UUID chatId, String content) {
    Mentions.Found found = Mentions.find(content);
    if (found.usernames().isEmpty()) {
      return Single.just(new MentionSet(Set.of(), found.channel(), found.here()));
    }
    return Requests.<JsonObject>request(vertx, Addresses.USERS_BY_USERNAME,
            new JsonObject().put("usernames", new JsonArray(new ArrayList<>(found.usernames()))),
            new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(LOOKUP_TIMEOUT_MS))
        .map(reply -> reply.body().getJsonArray("users", new JsonArray()).stream()
            .map(user -> Ids.parse(((JsonObject) user).getString("id")))
            .flatMap(Optional::stream).toList())
        .flatMap(ids -> memberships.membersAmong(chatId, new HashSet<>(ids)))
        .map(members -> new MentionSet(new HashSet<>(members), found.channel(), found.here()))
        .onErrorReturn(failure -> {
          // Without the user directory a message still goes out; it just mentions no one by name.
          LOG.warn("mentions not resolved: chatId={} reason={}", chatId, failure.toString());
          return new MentionSet(Set.of(), found.channel(), found.here());
        });
  }

  // Edit, delete, react

  private Single<JsonObject> edit(BusRequest request) {
    UUID caller = request.caller();
    UUID messageId = request.body().id("messageId");
    String content = content(request.body());
    return visibleMessage(messageId, caller)
        .flatMap(message -> {
          if (!message.senderId().equals(caller)) {
            return Single.error(new OcommsException(ErrorCode.FORBIDDEN, "only the author may edit a message"));
          }
          if (message.deleted()) {
            return Single.error(new OcommsException(ErrorCode.NOT_FOUND, "this message was deleted"));
          }
          return resolveMentions(message.chatId(), content).flatMap(mentions -> change(message.chatId(), caller,
              EventType.MESSAGE_UPDATED, messageId, null,
              tx -> tx.updateContent(messageId, content, mentions.toJson()))
              .flatMap(edited -> edited.mentions().equals(message.mentions())
                  ? Single.just(edited) : recount(message).andThen(Single.just(edited))));
        })
        .map(Message::toJson);
  }

  private Single<JsonObject> delete(BusRequest request) {
    UUID caller = request.caller();
    UUID messageId = request.body().id("messageId");
    return visibleMessage(messageId, caller)
        .flatMap(message -> store.standing(message.chatId(), caller).toSingle().flatMap(standing -> {
          if (!message.senderId().equals(caller) && !standing.moderator()) {
            return Single.error(new OcommsException(ErrorCode.FORBIDDEN,
                "only the author or a workspace admin may delete a message"));
          }
          if (message.deleted()) {
            return Single.just(message);
          }
          return change(message.chatId(), caller, EventType.MESSAGE_DELETED, messageId, null,
              tx -> tx.markDeleted(messageId, caller))
              .flatMap(deleted -> recount(message).andThen(Single.just(deleted)));
        }))
        .map(Message::toJson);
  }

  private Single<JsonObject> react(BusRequest request) {
    UUID caller = request.caller();
    UUID messageId = request.body().id("messageId");
    String emoji = request.body().string("emoji").trim();
    if (emoji.isEmpty() || emoji.length() > MAX_EMOJI || emoji.chars().anyMatch(Character::isWhitespace)) {
      throw invalid("emoji", "emoji must be 1 to " + MAX_EMOJI + " characters without spaces");
    }
    String action = request.body().string("action");
    if (!action.equals("add") && !action.equals("remove")) {
      throw invalid("action", "action must be \"add\" or \"remove\"");
    }
    boolean add = action.equals("add");
    JsonObject detail = new JsonObject().put("emoji", emoji).put("userId", caller.toString()).put("action", action);
    return visibleMessage(messageId, caller)
        .flatMap(message -> {
          if (message.deleted()) {
            return Single.error(new OcommsException(ErrorCode.NOT_FOUND, "this message was deleted"));
          }
          // The reaction, its seq and its event commit together. Nothing changes (a repeated add, a remove of
          // nothing): the transaction rolls back, so no seq is used and no event goes out.
          return change(message.chatId(), caller, EventType.MESSAGE_REACTION, messageId, detail,
                  tx -> tx.react(messageId, emoji, caller, add)
                      .flatMap(changed -> changed ? Single.just(1) : Single.error(new Unchanged())))
              .onErrorResumeNext(failure -> failure instanceof Unchanged
                  ? store.byId(messageId).toSingle() : Single.error(failure));
        })
        .map(message -> new JsonObject().put("messageId", messageId.toString()).put("reactions", message.reactions()));
  }

  /**
   * Applies one change to a message under the chat's next seq, records it in the event stream, and publishes it with
   * the message's new state.
   */
  private Single<Message> change(UUID chatId, UUID caller, EventType type, UUID messageId, JsonObject detail,
                                 Function<MessageStore, Single<Integer>> update) {
    return store.transaction(tx -> tx.nextSeq(chatId, caller)
            .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.FORBIDDEN,
                "you can no longer write in this chat")))
            .flatMap(seq -> update.apply(tx)
                .flatMap(n -> tx.insertEvent(chatId, seq, type.wireName(), messageId, detail))
                .flatMap(n -> tx.byId(messageId).toSingle())
                .map(message -> Map.entry(seq, message))))
        .map(entry -> {
          Events.publish(vertx.eventBus(), event(type, entry.getValue(), entry.getKey(), detail));
          wakeUps.appended();
          return entry.getValue();
        });
  }

  /** A message in a chat the caller is a member of; otherwise not_found (nothing is revealed). */
  private Single<Message> visibleMessage(UUID messageId, UUID caller) {
    return store.byId(messageId)
        .flatMap(message -> store.standing(message.chatId(), caller)
            .filter(MessageStore.Standing::member)
            .map(standing -> message))
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such message")));
  }

  // History and sync

  private Single<JsonObject> history(BusRequest request) {
    UUID caller = request.caller();
    Input body = request.body();
    UUID chatId = body.id("chatId");
    Long beforeSeq = optionalSeq(body, "beforeSeq");
    Long afterSeq = optionalSeq(body, "afterSeq");
    if (beforeSeq != null && afterSeq != null) {
      throw invalid("afterSeq", "give beforeSeq or afterSeq, not both");
    }
    int limit = body.optionalInt("limit", 1, MAX_HISTORY).orElse(DEFAULT_HISTORY);
    UUID rootId = body.has("rootId") ? body.id("rootId") : null;
    return memberStanding(chatId, caller)
        .flatMap(standing -> store.history(chatId, rootId, beforeSeq, afterSeq, limit + 1))
        .map(messages -> {
          boolean hasMore = messages.size() > limit;
          List<Message> page = hasMore ? messages.subList(0, limit) : messages;
          return new JsonObject()
              .put("chatId", chatId.toString())
              .put("messages", new JsonArray(page.stream().map(Message::toJson).toList()))
              .put("hasMore", hasMore);
        });
  }

  /** For each chat, every event after the client's last seq, in order, with messages in their current state. */
  private Single<JsonObject> sync(BusRequest request) {
    UUID caller = request.caller();
    JsonObject chats = request.body().object("chats");
    if (chats.size() > MAX_SYNC_CHATS) {
      throw invalid("chats", "at most " + MAX_SYNC_CHATS + " chats per sync");
    }
    JsonObject result = new JsonObject();
    return Observable.fromIterable(chats.fieldNames())
        .concatMapSingle(chatKey -> {
          Object last = chats.getValue(chatKey);
          if (!(last instanceof Number number) || number.longValue() < 0) {
            return Single.just(Map.entry(chatKey, new JsonObject().put("error", ErrorCode.VALIDATION_FAILED.wireName())
                .put("detail", "lastSeq must be a whole number ≥ 0")));
          }
          Optional<UUID> chatId = Ids.parse(chatKey);
          if (chatId.isEmpty()) {
            return Single.just(Map.entry(chatKey, notFoundEntry()));
          }
          return syncChat(chatId.get(), caller, number.longValue())
              .defaultIfEmpty(notFoundEntry())
              .map(entry -> Map.entry(chatKey, entry));
        })
        .doOnNext(entry -> result.put(entry.getKey(), entry.getValue()))
        .ignoreElements()
        .andThen(Single.fromCallable(() -> new JsonObject().put("chats", result)));
  }

  private Maybe<JsonObject> syncChat(UUID chatId, UUID caller, long lastSeq) {
    return store.standing(chatId, caller)
        .filter(MessageStore.Standing::member)
        .flatMapSingle(standing -> store.eventsAfter(chatId, lastSeq, MAX_SYNC_EVENTS + 1).map(events -> {
          JsonObject entry = new JsonObject().put("lastSeq", standing.lastSeq());
          if (events.size() > MAX_SYNC_EVENTS) {
            return entry.put("tooLarge", true).put("events", new JsonArray());
          }
          JsonArray list = new JsonArray();
          events.forEach(stored -> EventType.find(stored.type())
              .ifPresent(type -> list.add(event(type, stored.message(), stored.seq(), stored.detail()).toJson())));
          return entry.put("tooLarge", false).put("events", list);
        }));
  }

  private static JsonObject notFoundEntry() {
    return new JsonObject().put("error", ErrorCode.NOT_FOUND.wireName());
  }

  // Read state

  /** A member's read watermark after a read, and whether that read moved it. */
  private record Watermark(long seq, boolean moved) {
  }

  private Single<JsonObject> read(BusRequest request) {
    UUID caller = request.caller();
    UUID chatId = request.body().id("chatId");
    Long seq = optionalSeq(request.body(), "seq");
    if (seq == null) {
      throw invalid("seq", "seq is required");
    }
    return memberStanding(chatId, caller)
        .flatMap(standing -> {
          long target = Math.min(seq, standing.lastSeq());
          // Not moved (an older seq, or a race with another device): answer with the watermark as it is.
          return store.advanceRead(chatId, caller, target)
              .map(moved -> new Watermark(moved, true))
              .switchIfEmpty(store.readWatermark(chatId, caller).map(current -> new Watermark(current, false))
                  .toSingle())
              .flatMap(watermark -> store.unreadOfMembers(chatId, Optional.of(caller)).map(all -> {
                MessageStore.MemberCounts counts = all.getOrDefault(caller, new MessageStore.MemberCounts(0, 0, 0));
                long readSeq = watermark.seq();
                if (watermark.moved()) {
                  badge(caller, chatId, counts);
                  Events.publish(vertx.eventBus(),
                      new Event.ReadReceipt(chatId.toString(), caller.toString(), readSeq));
                }
                return new JsonObject().put("chatId", chatId.toString()).put("seq", readSeq)
                    .put("unreadCount", counts.unread()).put("mentionCount", counts.mentions());
              }));
        });
  }

  // Shared pieces

  /** A change to a message as its sequenced event, live or replayed, with the message as it is now. */
  static Event event(EventType type, Message message, long seq, JsonObject detail) {
    String chatId = message.chatId().toString();
    String messageId = message.id().toString();
    JsonObject json = message.toJson();
    return switch (type) {
      case MESSAGE_NEW -> new Event.MessageNew(chatId, seq, json);
      case MESSAGE_UPDATED -> new Event.MessageUpdated(chatId, seq, messageId, json);
      case MESSAGE_DELETED -> new Event.MessageDeleted(chatId, seq, messageId, json);
      case MESSAGE_REACTION -> new Event.MessageReaction(chatId, seq, messageId, detail.getString("emoji"),
          detail.getString("userId"), detail.getString("action"), message.reactions(), json);
      default -> throw new IllegalArgumentException("not a message event: " + type);
    };
  }

  private Single<MessageStore.Standing> memberStanding(UUID chatId, UUID caller) {
    return store.standing(chatId, caller)
        .filter(MessageStore.Standing::member)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such chat")));
  }

  private static String content(Input body) {
    String content = body.string("content");
    if (content.isBlank()) {
      throw invalid("content", "content must not be empty");
    }
    if (content.getBytes(StandardCharsets.UTF_8).length > MAX_CONTENT_BYTES) {
      throw invalid("content", "content is limited to " + MAX_CONTENT_BYTES + " bytes");
    }
    return content;
  }

  private static JsonArray fileIds(Input body) {
    if (!body.has("fileIds")) {
      return new JsonArray();
    }
    JsonArray ids = body.array("fileIds");
    if (ids.size() > MAX_FILES || ids.stream().anyMatch(id -> !(id instanceof String s) || Ids.parse(s).isEmpty())) {
      throw invalid("fileIds", "fileIds must be at most " + MAX_FILES + " file ids");
    }
    return ids;
  }

  private static UUID uuid(Input body, String field) {
    return Ids.parse(body.string(field)).orElseThrow(() -> invalid(field, field + " must be a UUID"));
  }

  private static Long optionalSeq(Input body, String field) {
    if (!body.has(field)) {
      return null;
    }
    return body.optionalLong(field, 0, Long.MAX_VALUE).orElseThrow();
  }

  private static OcommsException invalid(String field, String detail) {
    return Input.invalid(field, detail);
  }
}
