package dev.ocomms.messaging;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.events.Events;
import dev.ocomms.shared.node.Node;
import io.micrometer.core.instrument.Counter;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Messages: send (durable before the ack, idempotent per clientId, numbered by the chat's seq), edit, delete and
 * react. Every change takes the next seq of its chat in the same transaction as the change and is published on
 * {@code chat.<chatId>} after it commits (sends in batches, see {@link SendBatches}).
 */
final class MessageActions {
  private static final Logger LOG = LoggerFactory.getLogger(MessageActions.class);
  static final int MAX_CONTENT_BYTES = 16 * 1024;
  private static final int MAX_FILES = 10;
  private static final int MAX_EMOJI = 64;
  private static final long LOOKUP_TIMEOUT_MS = 3_000;

  private final Vertx vertx;
  private final MessageStore store;
  private final RateLimits limits;
  private final Memberships memberships;
  private final UnreadBadges badges;
  private final SendBatches batches;
  private final StreamWakeUps wakeUps;
  /** Sends stored (acknowledged), on this node; a retried clientId is not counted again. */
  private final Counter accepted;

  MessageActions(Vertx vertx, MessageStore store, RateLimits limits, Memberships memberships, UnreadBadges badges) {
    this.vertx = vertx;
    this.store = store;
    this.limits = limits;
    this.memberships = memberships;
    this.badges = badges;
    this.batches = new SendBatches(store, this::published);
    this.wakeUps = new StreamWakeUps(vertx);
    this.accepted = Counter.builder("ocomms.messages.accepted")
        .description("Messages stored and acknowledged by this node's messaging")
        .register(Node.meters(vertx));
  }

  /** On verticle stop. */
  void close() {
    wakeUps.close();
  }

  // Sending

  /** {@code chat.message.send {chatId, clientId, content, replyTo?, fileIds?, priority?}}: the stored message. */
  Single<JsonObject> sendMessage(BusRequest request) {
    UUID caller = request.caller();
    Input body = request.body();
    UUID chatId = body.id("chatId");
    UUID clientId = uuid(body, "clientId");
    JsonArray fileIds = fileIds(body);
    // A message of files alone may have no text.
    String content = content(body, !fileIds.isEmpty());
    // A malformed replyTo is invalid just like an unknown one or another chat's message.
    Optional<UUID> replyTo = body.has("replyTo") ? Optional.of(uuid(body, "replyTo")) : Optional.empty();
    String priority = body.has("priority") ? body.string("priority") : "normal";
    if (!priority.equals("normal") && !priority.equals("urgent")) {
      throw Input.invalid("priority", "priority must be \"normal\" or \"urgent\"");
    }
    return send(caller, chatId, clientId, content, replyTo, priority, fileIds, null);
  }

  /**
   * {@code messaging.webhook.post {chatId, clientId, content, replyTo?, integration: {via, attachments, blocks}}}
   * (internal, asked by the integrations verticle only): a webhook's post, stored as an ordinary message of the caller
   * (an incoming webhook's creator, a slash command's invoker, an outgoing webhook's creator) that carries the
   * {@code via} marker and the Slack attachments and blocks. The integrations verticle limits each webhook's rate, so
   * the caller's own send limit is not taken.
   */
  Single<JsonObject> postFromWebhook(BusRequest request) {
    Input body = request.body();
    UUID chatId = body.id("chatId");
    UUID clientId = uuid(body, "clientId");
    JsonObject integration = WebhookPosts.integration(body);
    String content = content(body, !WebhookPosts.isEmpty(integration));
    // A slash command run in a thread answers in that thread.
    Optional<UUID> replyTo = body.has("replyTo") ? Optional.of(uuid(body, "replyTo")) : Optional.empty();
    return send(request.caller(), chatId, clientId, content, replyTo, "normal", new JsonArray(), integration);
  }

  private Single<JsonObject> send(UUID caller, UUID chatId, UUID clientId, String content, Optional<UUID> replyTo,
                                  String priority, JsonArray fileIds, JsonObject integration) {
    UUID messageId = Ids.next();
    Completable rate = integration != null ? Completable.complete() : limits.takeMessage(caller);

    // Membership from this instance's memory (no query before the batch, which rechecks it under the chat's lock).
    return memberships.forWriter(chatId, caller)
        .map(chat -> chat.filter(state -> state.members().contains(caller))
            .orElseThrow(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such chat")))
        .flatMap(chat -> {
          // An invalid replyTo is refused before it can use up the sender's rate limits.
          Single<JsonObject> sent = chat.archived()
              ? Single.error(new OcommsException(Reason.CHAT_ARCHIVED, "this chat is archived"))
              : threadRoot(chatId, replyTo)
                  .flatMap(root -> rate
                      .andThen(priority.equals("urgent") ? limits.takeUrgent(caller) : Completable.complete())
                      .andThen(resolveMentions(chatId, content))
                      .flatMap(mentions -> attachments(caller, chatId, messageId, fileIds)
                          .flatMap(attachments -> insert(messageId, chatId, caller, clientId, content, root, mentions,
                              priority, attachments, integration))));
          // A retry of a stored message (found by its batch, or refused before it) gets the same ack as the first
          // time; someone else's clientId is a conflict.
          return sent.onErrorResumeNext(failure -> store.byClientId(chatId, clientId)
              .map(existing -> existingAck(existing, caller))
              .switchIfEmpty(Single.error(failure)));
        });
  }

  private Single<JsonObject> insert(UUID messageId, UUID chatId, UUID sender, UUID clientId, String content,
                                    Optional<UUID> root, MentionSet mentions, String priority, JsonArray attachments,
                                    JsonObject integration) {
    // Stored with the sends that wait meanwhile, whatever their chats (one statement); answered after its commit.
    return batches.send(chatId, sender, clientId, content, root.orElse(null), mentions, priority, attachments,
            integration, messageId)
        .map(Message::toJson);
  }

  /**
   * The files a message is to carry, as uploads describes them; uploads refuses any the sender did not upload
   * (validation_failed, field fileIds) and from now on lets the chat's members download them. Messages without files
   * (nearly all) do not ask.
   */
  private Single<JsonArray> attachments(UUID sender, UUID chatId, UUID messageId, JsonArray fileIds) {
    if (fileIds.isEmpty()) {
      return Single.just(new JsonArray());
    }
    return Requests.<JsonObject>request(vertx, Addresses.UPLOADS_FILES_CLAIM, new JsonObject()
                .put("userId", sender.toString()).put("chatId", chatId.toString())
                .put("messageId", messageId.toString()).put("fileIds", fileIds),
            new DeliveryOptions().setSendTimeout(LOOKUP_TIMEOUT_MS))
        .map(reply -> reply.body().getJsonArray("attachments", new JsonArray()))
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  /** Right after a batch committed, before its acks: its events, in seq order. */
  private void published(List<Message> batch) {
    accepted.increment(batch.size());
    Set<String> senders = new LinkedHashSet<>();
    batch.forEach(message -> {
      Events.publish(vertx.eventBus(), message.asEvent(EventType.MESSAGE_NEW, message.seq(), null));
      senders.add(message.senderId().toString());
    });
    wakeUps.appended();
    // Sending ends the senders' typing in this chat, wherever presence heard it start.
    vertx.eventBus().publish(Addresses.PRESENCE_MESSAGE_SENT, new JsonObject()
        .put("chatId", batch.get(0).chatId().toString()).put("userIds", new JsonArray(List.copyOf(senders))));
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
        .filter(target -> target.chatId().equals(chatId) && !target.deleted() && !target.isSystem())
        .map(target -> Optional.of(target.replyTo() != null ? target.replyTo() : target.id()))
        .switchIfEmpty(Single.error(() -> Input.invalid("replyTo", "replyTo must be a message of this chat")));
  }

  // Mentions

  /** Resolved mentions: member ids, and whether the whole chat was addressed. */
  record MentionSet(Set<UUID> users, boolean channel, boolean here) {
    JsonObject toJson() {
      return new JsonObject()
          .put("users", new JsonArray(users.stream().map(UUID::toString).sorted().toList()))
          .put("channel", channel)
          .put("here", here);
    }
  }

  /** Usernames become ids (asked of the user directory); only members of the chat count as mentioned. */
  private Single<MentionSet> resolveMentions(UUID chatId, String content) {
    Mentions.Found found = Mentions.find(content);
    if (found.usernames().isEmpty()) {
      return Single.just(new MentionSet(Set.of(), found.channel(), found.here()));
    }
    return Requests.<JsonObject>request(vertx, Addresses.USERS_BY_USERNAME,
            new JsonObject().put("usernames", new JsonArray(new ArrayList<>(found.usernames()))),
            new DeliveryOptions().setSendTimeout(LOOKUP_TIMEOUT_MS))
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

  /** Thrown inside a reaction's transaction when it changes nothing: roll back the seq, answer with the message. */
  private static final class Unchanged extends RuntimeException {
    Unchanged() {
      super(null, null, false, false);
    }
  }

  /** {@code chat.message.edit {messageId, content}}: the author only. */
  Single<JsonObject> editMessage(BusRequest request) {
    UUID caller = request.caller();
    UUID messageId = request.body().id("messageId");
    String content = content(request.body(), false);
    return limits.takeEdit(caller).andThen(visibleMessage(messageId, caller))
        .flatMap(message -> {
          if (message.isSystem()) {
            return Single.error(new OcommsException(ErrorCode.FORBIDDEN, "system messages cannot be edited"));
          }
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
                  ? Single.just(edited) : badges.recount(message).andThen(Single.just(edited))));
        })
        .map(Message::toJson);
  }

  /** {@code chat.message.delete {messageId}}: the author, or a workspace owner or admin; the tombstone. */
  Single<JsonObject> deleteMessage(BusRequest request) {
    UUID caller = request.caller();
    UUID messageId = request.body().id("messageId");
    return limits.takeDelete(caller).andThen(visibleMessage(messageId, caller))
        .flatMap(message -> store.standing(message.chatId(), caller).toSingle().flatMap(standing -> {
          if (message.isSystem()) {
            return Single.error(new OcommsException(ErrorCode.FORBIDDEN, "system messages cannot be deleted"));
          }
          if (!message.senderId().equals(caller) && !standing.moderator()) {
            return Single.error(new OcommsException(ErrorCode.FORBIDDEN,
                "only the author or a workspace admin may delete a message"));
          }
          if (message.deleted()) {
            return Single.just(message);
          }
          return change(message.chatId(), caller, EventType.MESSAGE_DELETED, messageId, null,
              tx -> tx.markDeleted(messageId, caller))
              .flatMap(deleted -> badges.recount(message).andThen(Single.just(deleted)));
        }))
        .map(Message::toJson);
  }

  /** {@code chat.message.react {messageId, emoji, action}}: the message's reactions after the change. */
  Single<JsonObject> react(BusRequest request) {
    UUID caller = request.caller();
    UUID messageId = request.body().id("messageId");
    String emoji = request.body().string("emoji").trim();
    if (emoji.isEmpty() || emoji.length() > MAX_EMOJI || emoji.chars().anyMatch(Character::isWhitespace)) {
      throw Input.invalid("emoji", "emoji must be 1 to " + MAX_EMOJI + " characters without spaces");
    }
    String action = request.body().string("action");
    if (!action.equals("add") && !action.equals("remove")) {
      throw Input.invalid("action", "action must be \"add\" or \"remove\"");
    }
    boolean add = action.equals("add");
    JsonObject detail = new JsonObject().put("emoji", emoji).put("userId", caller.toString()).put("action", action);
    return limits.takeReaction(caller).andThen(visibleMessage(messageId, caller))
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

  // Pins and saved items

  /**
   * {@code chat.message.pin {messageId, pinned}}: any member pins or unpins a message of the chat (not a system
   * message, not a deleted one); a sequenced event ({@code message.pinned} / {@code message.unpinned}) like a
   * reaction. Pinning a pinned message, or unpinning one that is not, changes nothing and answers the same.
   */
  Single<JsonObject> pin(BusRequest request) {
    UUID caller = request.caller();
    UUID messageId = request.body().id("messageId");
    boolean pinned = request.body().optionalBool("pinned")
        .orElseThrow(() -> Input.invalid("pinned", "pinned must be true or false"));
    return limits.takeReaction(caller).andThen(visibleMessage(messageId, caller))
        .flatMap(message -> {
          if (message.isSystem()) {
            return Single.error(new OcommsException(ErrorCode.FORBIDDEN, "system messages cannot be pinned"));
          }
          if (message.deleted()) {
            return Single.error(new OcommsException(ErrorCode.NOT_FOUND, "this message was deleted"));
          }
          OffsetDateTime at = pinned ? OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS)
              : message.pinnedAt();
          JsonObject detail = new JsonObject().put("userId", caller.toString())
              .put("pinnedAt", at == null ? null : Timestamps.iso(at));
          return change(message.chatId(), caller, pinned ? EventType.MESSAGE_PINNED : EventType.MESSAGE_UNPINNED,
                  messageId, detail,
                  tx -> (pinned ? tx.pin(messageId, message.chatId(), caller, at) : tx.unpin(messageId))
                      .flatMap(changed -> changed ? Single.just(1) : Single.error(new Unchanged())))
              .onErrorResumeNext(failure -> failure instanceof Unchanged
                  ? store.byId(messageId).toSingle() : Single.error(failure));
        })
        .map(message -> new JsonObject().put("messageId", messageId.toString()).put("pinned", message.pinnedAt() != null)
            .put("pinnedAt", message.pinnedAt() == null ? null : Timestamps.iso(message.pinnedAt())));
  }

  /** {@code chat.pins {chatId}}: the chat's pins, newest pin first, each with who pinned it when and its message. */
  Single<JsonObject> pins(BusRequest request) {
    UUID caller = request.caller();
    UUID chatId = request.body().id("chatId");
    return store.standing(chatId, caller)
        .filter(MessageStore.Standing::member)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such chat")))
        .flatMap(standing -> store.pins(chatId))
        .map(pins -> new JsonObject().put("chatId", chatId.toString()).put("pins", new JsonArray(pins.stream()
            .map(pin -> new JsonObject().put("messageId", pin.message().id().toString())
                .put("userId", pin.pinnedBy().toString()).put("pinnedAt", Timestamps.iso(pin.pinnedAt()))
                .put("message", pin.message().toJson()))
            .toList())));
  }

  /**
   * {@code chat.message.save {messageId, saved}}: adds a message of a chat the caller is in to their saved items, or
   * removes it; their other sessions hear {@code message.saved} on {@code user.<id>}. A repeated save or an unsave of
   * nothing changes nothing and sends nothing. Removing works even once the message is gone from the caller's view.
   */
  Single<JsonObject> save(BusRequest request) {
    UUID caller = request.caller();
    UUID messageId = request.body().id("messageId");
    boolean saved = request.body().optionalBool("saved")
        .orElseThrow(() -> Input.invalid("saved", "saved must be true or false"));
    OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    Single<Map.Entry<UUID, Boolean>> changed = saved
        ? limits.takeReaction(caller).andThen(visibleMessage(messageId, caller))
            .flatMap(message -> message.deleted() || message.isSystem()
                ? Single.error(new OcommsException(ErrorCode.NOT_FOUND, "no such message"))
                : store.transaction(tx -> tx.save(caller, messageId, at))
                    .map(done -> Map.entry(message.chatId(), done)))
        : limits.takeReaction(caller).andThen(store.byId(messageId)
            .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such message")))
            .flatMap(message -> store.unsave(caller, messageId).map(done -> Map.entry(message.chatId(), done))));
    return changed.map(entry -> {
      String savedAt = saved ? Timestamps.iso(at) : null;
      if (entry.getValue()) {
        Events.publish(vertx.eventBus(), new Event.MessageSaved(caller.toString(), entry.getKey().toString(),
            messageId.toString(), saved, savedAt));
      }
      return new JsonObject().put("messageId", messageId.toString()).put("chatId", entry.getKey().toString())
          .put("saved", saved);
    });
  }

  /**
   * {@code chat.saved {cursor?, limit?}}: the caller's saved items, newest first; messages of chats they left (and
   * deleted ones) are left out. {@code nextCursor} pages on while {@code hasMore}.
   */
  Single<JsonObject> saved(BusRequest request) {
    UUID caller = request.caller();
    Input body = request.body();
    int limit = body.optionalInt("limit", 1, 100).orElse(50);
    OffsetDateTime beforeAt = null;
    UUID beforeId = null;
    if (body.has("cursor")) {
      String[] parts = body.string("cursor").split("_", 2);
      try {
        beforeAt = OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(Long.parseLong(parts[0])), ZoneOffset.UTC);
        beforeId = UUID.fromString(parts[1]);
      } catch (RuntimeException e) {
        throw Input.invalid("cursor", "cursor must be a nextCursor this list gave");
      }
    }
    return store.saved(caller, beforeAt, beforeId, limit + 1).map(items -> {
      boolean hasMore = items.size() > limit;
      List<MessageStore.Saved> page = hasMore ? items.subList(0, limit) : items;
      JsonObject reply = new JsonObject().put("items", new JsonArray(page.stream()
              .map(item -> new JsonObject().put("messageId", item.message().id().toString())
                  .put("chatId", item.message().chatId().toString()).put("savedAt", Timestamps.iso(item.savedAt()))
                  .put("message", item.message().toJson()))
              .toList()))
          .put("hasMore", hasMore);
      if (hasMore) {
        MessageStore.Saved last = page.get(page.size() - 1);
        reply.put("nextCursor", last.savedAt().toInstant().toEpochMilli() + "_" + last.message().id());
      }
      return reply;
    });
  }

  /**
   * Applies one change to a message under the chat's next seq, records it in the event stream, and publishes it with
   * the message's new state.
   */
  private Single<Message> change(UUID chatId, UUID caller, EventType type, UUID messageId, JsonObject detail,
                                 Function<MessageStore, Single<Integer>> update) {
    return store.transaction(tx -> tx.nextSeq(chatId, caller)
            .switchIfEmpty(Single.defer(() -> tx.standing(chatId, caller).toSingle()
                .flatMap(standing -> Single.error(cannotWrite(standing)))))
            .flatMap(seq -> update.apply(tx)
                .flatMap(n -> tx.insertEvent(chatId, seq, type.wireName(), messageId, detail))
                .flatMap(n -> tx.byId(messageId).toSingle())
                .map(message -> Map.entry(seq, message))))
        .map(entry -> {
          Events.publish(vertx.eventBus(), entry.getValue().asEvent(type, entry.getKey(), detail));
          wakeUps.appended();
          return entry.getValue();
        });
  }

  /** Why no seq could be taken for the caller's change: the chat is archived, or they are no longer in it. */
  private static OcommsException cannotWrite(MessageStore.Standing standing) {
    return standing.archived() ? new OcommsException(Reason.CHAT_ARCHIVED, "this chat is archived")
        : new OcommsException(ErrorCode.FORBIDDEN, "you can no longer write in this chat");
  }

  /** A message in a chat the caller is a member of; otherwise not_found (nothing is revealed). */
  private Single<Message> visibleMessage(UUID messageId, UUID caller) {
    return store.byId(messageId)
        .flatMap(message -> store.standing(message.chatId(), caller)
            .filter(MessageStore.Standing::member)
            .map(standing -> message))
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such message")));
  }

  // Validation

  private static String content(Input body, boolean mayBeEmpty) {
    if (mayBeEmpty && !body.has("content")) {
      return "";
    }
    String content = body.multilineText("content");
    if (content.isBlank() && mayBeEmpty) {
      return "";
    }
    if (content.isBlank()) {
      throw Input.invalid("content", "content must not be empty");
    }
    if (content.getBytes(StandardCharsets.UTF_8).length > MAX_CONTENT_BYTES) {
      throw new OcommsException(Reason.CONTENT_TOO_LONG, "content is limited to " + MAX_CONTENT_BYTES + " bytes",
          new JsonObject().put("field", "content"));
    }
    return content;
  }

  private static JsonArray fileIds(Input body) {
    if (!body.has("fileIds")) {
      return new JsonArray();
    }
    JsonArray ids = body.array("fileIds");
    if (ids.size() > MAX_FILES || ids.stream().anyMatch(id -> !(id instanceof String s) || Ids.parse(s).isEmpty())) {
      throw Input.invalid("fileIds", "fileIds must be at most " + MAX_FILES + " file ids");
    }
    return ids;
  }

  private static UUID uuid(Input body, String field) {
    return Ids.parse(body.string(field)).orElseThrow(() -> Input.invalid(field, field + " must be a UUID"));
  }
}
