package dev.ocomms.integrations;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.EventStream;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.events.StreamCursor;
import dev.ocomms.shared.events.StreamEvent;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Outgoing webhooks (docs/protocol.md, "Outgoing webhooks"): per channel, a URL that hears the channel's new messages
 * (those starting with one of its trigger words, or all when it has none), signed as slash commands are. They follow
 * messaging's event stream with their own cursor, never its send path: a page's calls are queued in the same
 * transaction as the cursor after it, then made; each is removed once delivered or given up. A restart makes the
 * calls still queued, and a page is never queued twice. Messages posted by webhooks, commands or bots are not sent
 * (no loops). A 2xx reply with {@code text} is posted back as a message via the webhook.
 */
final class OutgoingWebhooks {
  private static final Logger LOG = LoggerFactory.getLogger(OutgoingWebhooks.class);
  static final long CALL_TIMEOUT_MS = 5_000;
  private static final int PAGE_SIZE = 200;
  private static final int MAX_NAME = 80;
  private static final int MAX_TRIGGER_WORDS = 10;
  private static final int MAX_TRIGGER_WORD = 50;
  private static final long LEFTOVERS_MS = 30_000;

  private final Vertx vertx;
  private final CommandStore store;
  private final Lookups lookups;
  private final Outbound outbound;
  private final Deliveries deliveries;
  private EventStream stream;
  private long leftoversTimer = -1;

  OutgoingWebhooks(Vertx vertx, CommandStore store, Lookups lookups, Outbound outbound, Deliveries deliveries) {
    this.vertx = vertx;
    this.store = store;
    this.lookups = lookups;
    this.outbound = outbound;
    this.deliveries = deliveries;
  }

  // Managing

  /** {@code integrations.outgoing.create {chatId, name, url, triggerWords?}} → {outgoingWebhook, signingSecret}. */
  Single<JsonObject> create(BusRequest request) {
    Input body = request.body();
    UUID chatId = body.id("chatId");
    String name = body.text("name", MAX_NAME);
    String url = body.string("url");
    Outbound.parse(url);
    List<String> words = new ArrayList<>();
    if (body.has("triggerWords")) {
      for (String word : body.strings("triggerWords", MAX_TRIGGER_WORDS)) {
        String trimmed = word.strip();
        if (trimmed.isEmpty() || trimmed.length() > MAX_TRIGGER_WORD || trimmed.chars().anyMatch(Character::isWhitespace)) {
          throw Input.invalid("triggerWords", "each trigger word is 1 to " + MAX_TRIGGER_WORD
              + " characters without spaces");
        }
        words.add(trimmed);
      }
    }
    String secret = Deliveries.newSecret();
    return lookups.memberChat(request.caller(), chatId)
        .flatMap(chat -> {
          UUID workspaceId = UUID.fromString(chat.getString("workspaceId"));
          return lookups.manager(request.caller(), workspaceId, "create outgoing webhooks")
              .flatMapCompletable(role -> outbound.checkResolved(url))
              .andThen(Single.defer(() -> store.createHook(Ids.next(), chatId, workspaceId, request.caller(), name,
                  url, words, secret)));
        })
        .map(hook -> new JsonObject().put("outgoingWebhook", hook.toJson()).put("signingSecret", secret));
  }

  /** {@code integrations.outgoing.list {chatId}} → {outgoingWebhooks} (members of the chat). */
  Single<JsonObject> list(BusRequest request) {
    UUID chatId = request.body().id("chatId");
    return lookups.memberChat(request.caller(), chatId)
        .flatMap(chat -> store.hooksOf(chatId))
        .map(hooks -> new JsonObject().put("outgoingWebhooks",
            new JsonArray(hooks.stream().map(CommandStore.OutgoingWebhook::toJson).collect(Collectors.toList()))));
  }

  /** {@code integrations.outgoing.delete {outgoingWebhookId}} → {} (owners, admins in the chat). */
  Single<JsonObject> delete(BusRequest request) {
    UUID id = request.body().id("outgoingWebhookId");
    return managed(request.caller(), id).flatMapCompletable(hook -> store.deleteHook(id))
        .toSingleDefault(new JsonObject());
  }

  /** {@code integrations.outgoing.deliveries {outgoingWebhookId}} → {deliveries} (owners, admins in the chat). */
  Single<JsonObject> deliveries(BusRequest request) {
    UUID id = request.body().id("outgoingWebhookId");
    return managed(request.caller(), id).flatMap(hook -> store.deliveries(id))
        .map(list -> new JsonObject().put("deliveries", list));
  }

  private Single<CommandStore.OutgoingWebhook> managed(UUID caller, UUID id) {
    return store.hookById(id)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such outgoing webhook")))
        .flatMap(hook -> lookups.memberChat(caller, hook.chatId())
            .flatMap(chat -> lookups.manager(caller, hook.workspaceId(), "manage outgoing webhooks"))
            .map(role -> hook));
  }

  // Following the stream

  Completable start() {
    stream = new EventStream(vertx, "outgoing-webhooks", PAGE_SIZE, store::outgoingCursor, this::apply);
    return stream.start().doOnComplete(() -> {
      leftoversTimer = vertx.setPeriodic(LEFTOVERS_MS, id -> leftovers());
      leftovers();
    });
  }

  Completable stop() {
    vertx.cancelTimer(leftoversTimer);
    return stream == null ? Completable.complete() : stream.stop();
  }

  private record Candidate(UUID chatId, JsonObject event, JsonObject message) {
  }

  /** A call a page decided on. */
  private record Call(UUID id, UUID webhookId, UUID chatId, JsonObject payload) {
  }

  private Completable apply(EventStream.Page page) {
    StreamCursor after = stream.cursor();
    List<Candidate> candidates = new ArrayList<>();
    for (StreamEvent event : page.events()) {
      if (event.type().orElseThrow() != EventType.MESSAGE_NEW) {
        continue;
      }
      JsonObject message = event.json().getJsonObject("message");
      // Not system messages, and never what a webhook, command or outgoing webhook posted (no loops).
      if (message == null || "system".equals(message.getString("kind")) || message.containsKey("via")
          || message.getBoolean("deleted", false)) {
        continue;
      }
      Ids.parse(message.getString("chatId")).ifPresent(chatId ->
          candidates.add(new Candidate(chatId, event.json(), message)));
    }
    Single<List<Call>> queued = candidates.isEmpty() ? Single.just(List.of())
        : store.hooksOf(new ArrayList<>(candidates.stream().map(Candidate::chatId).collect(Collectors.toSet())))
            .flatMap(hooks -> senders(candidates, hooks).map(bots -> matches(candidates, hooks, bots)));
    return queued.flatMapCompletable(calls -> store.pool().rxWithTransaction(tx ->
            CommandStore.moveOutgoingCursor(tx, after, page.next())
                .flatMapCompletable(moved -> moved ? Completable.complete()
                    : Completable.error(new EventStream.CursorMoved()))
                .andThen(Flowable.fromIterable(calls).concatMapCompletable(call -> CommandStore.queueCall(tx,
                    call.id(), call.webhookId(), call.chatId(), call.payload())))
                .toMaybe())
        .ignoreElement()
        // Stored: make the calls now (a failure here leaves them for the leftovers sweep).
        .doOnComplete(() -> calls.forEach(call -> dispatch(call.id()))));
  }

  /** The senders among the candidates who are bots (their messages are not sent out, as webhooks' are not). */
  private Single<Set<String>> senders(List<Candidate> candidates, List<CommandStore.OutgoingWebhook> hooks) {
    Set<UUID> chats = hooks.stream().map(CommandStore.OutgoingWebhook::chatId).collect(Collectors.toSet());
    Set<String> ids = new LinkedHashSet<>();
    candidates.stream().filter(c -> chats.contains(c.chatId()))
        .forEach(c -> ids.add(c.message().getString("senderId")));
    if (ids.isEmpty()) {
      return Single.just(Set.of());
    }
    return lookups.askInternal(Addresses.USERS_PROFILES, new JsonObject().put("userIds", new JsonArray(List.copyOf(ids))))
        .map(answer -> answer.getJsonArray("users", new JsonArray()).stream().map(JsonObject.class::cast)
            .filter(user -> "bot".equals(user.getString("kind"))).map(user -> user.getString("id"))
            .collect(Collectors.toSet()));
  }

  /** The calls to make for these messages. */
  private List<Call> matches(List<Candidate> candidates, List<CommandStore.OutgoingWebhook> hooks,
                               Set<String> bots) {
    List<Call> calls = new ArrayList<>();
    for (Candidate candidate : candidates) {
      if (bots.contains(candidate.message().getString("senderId"))) {
        continue;
      }
      String content = candidate.message().getString("content", "");
      for (CommandStore.OutgoingWebhook hook : hooks) {
        // Only messages sent since the webhook exists (a follower catching up reads older ones).
        if (!hook.chatId().equals(candidate.chatId()) || before(candidate.message(), hook.createdAt())) {
          continue;
        }
        String trigger = trigger(hook.triggerWords(), content);
        if (trigger == null) {
          continue;
        }
        calls.add(new Call(Ids.next(), hook.id(), hook.chatId(), payload(hook, candidate, trigger)));
      }
    }
    return calls;
  }

  private static boolean before(JsonObject message, String createdAt) {
    String sent = message.getString("createdAt");
    try {
      return sent != null && Instant.parse(sent).isBefore(Instant.parse(createdAt));
    } catch (java.time.format.DateTimeParseException e) {
      return false;
    }
  }

  /** The trigger word the text starts with ("" when the webhook has none), or null when it does not fire. */
  static String trigger(List<String> words, String content) {
    if (words.isEmpty()) {
      return "";
    }
    String text = content.stripLeading().toLowerCase(Locale.ROOT);
    for (String word : words) {
      String lower = word.toLowerCase(Locale.ROOT);
      if (text.startsWith(lower) && (text.length() == lower.length()
          || Character.isWhitespace(text.charAt(lower.length())) || !Character.isLetterOrDigit(text.charAt(lower.length())))) {
        return word;
      }
    }
    return null;
  }

  /** Slack's outgoing-webhook fields, and the event as clients see it. */
  private static JsonObject payload(CommandStore.OutgoingWebhook hook, Candidate candidate, String trigger) {
    JsonObject message = candidate.message();
    String createdAt = message.getString("createdAt");
    double ts = createdAt == null ? Instant.now().toEpochMilli() / 1000.0 : Instant.parse(createdAt).toEpochMilli() / 1000.0;
    return new JsonObject()
        .put("token", "")
        .put("team_id", hook.workspaceId().toString())
        .put("channel_id", hook.chatId().toString())
        .put("user_id", message.getString("senderId"))
        .put("text", message.getString("content", ""))
        .put("trigger_word", trigger)
        .put("timestamp", String.format(Locale.ROOT, "%.6f", ts))
        .put("message_id", message.getString("id"))
        .put("outgoing_webhook_id", hook.id().toString())
        .put("event", candidate.event().copy());
  }

  // Calling

  /** Makes one queued call if no other node holds it, then removes it. */
  private void dispatch(UUID callId) {
    store.claimCall(callId)
        .flatMapCompletable(claimed -> store.hookById(UUID.fromString(claimed.getString("webhookId")))
            .flatMapCompletable(hook -> call(hook, claimed.getJsonObject("payload")))
            .andThen(Completable.defer(() -> store.finishCall(callId))))
        .subscribe(() -> { }, failure -> LOG.warn("outgoing webhook call not made: call={} reason={}", callId,
            failure.toString()));
  }

  private Completable call(CommandStore.OutgoingWebhook hook, JsonObject payload) {
    Buffer body = payload.toBuffer();
    return deliveries.call(hook.id(), hook.url(), "application/json", body, hook.secret(), CALL_TIMEOUT_MS)
        .flatMapCompletable(reply -> postBack(hook, reply.body()))
        .onErrorComplete();
  }

  /** A reply with {@code text} (or attachments, blocks) posts back as a message via the webhook. */
  private Completable postBack(CommandStore.OutgoingWebhook hook, Buffer reply) {
    if (reply.length() == 0) {
      return Completable.complete();
    }
    JsonObject answer;
    try {
      if (!(io.vertx.core.json.Json.decodeValue(reply) instanceof JsonObject object)) {
        return Completable.complete();
      }
      answer = object;
    } catch (RuntimeException notJson) {
      return Completable.complete();
    }
    if (!answer.containsKey("text") && !answer.containsKey("attachments") && !answer.containsKey("blocks")) {
      return Completable.complete();
    }
    SlackPayload.Post post = SlackPayload.read(answer);
    JsonObject via = new JsonObject().put("outgoingWebhookId", hook.id().toString()).put("name", hook.name());
    if (post.username() != null && !post.username().isBlank()) {
      via.put("username", post.username());
    }
    if (post.iconUrl() != null) {
      via.put("iconUrl", post.iconUrl());
    }
    JsonObject message = new JsonObject().put("chatId", hook.chatId().toString())
        .put("clientId", UUID.randomUUID().toString()).put("content", post.text())
        .put("integration", new JsonObject().put("via", via)
            .put("attachments", post.attachments()).put("blocks", post.blocks()));
    return lookups.ask(hook.creatorId(), Addresses.WEBHOOK_POST, message).ignoreElement();
  }

  /** Calls left queued by a stop, a crash or a failed dispatch. */
  private void leftovers() {
    store.unclaimedCalls().subscribe(ids -> ids.forEach(this::dispatch),
        failure -> LOG.warn("queued outgoing webhook calls not read: reason={}", failure.toString()));
  }
}
