package dev.ocomms.integrations;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.limits.Quota;
import dev.ocomms.shared.limits.RateLimiter;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Incoming webhooks (docs/protocol.md, "Incoming webhooks"): a chat's members create them; each has a URL
 * {@code /hooks/<secret>} that takes Slack's payload and posts it into the chat as an ordinary message of the webhook's
 * creator, marked {@code via} the webhook. The secret (32 random bytes, base64url) is shown once; only its SHA-256 is
 * kept. Its creator and the workspace's owners and admins rename and delete it.
 */
final class Webhooks {
  /** 1 post a second per webhook, with bursts up to 10, cluster-wide. */
  static final Quota POSTS = Quota.bucket("webhook.posts", 10, java.time.Duration.ofSeconds(10),
      "a webhook may post 1 message a second, with bursts up to 10");
  static final String URL_PREFIX = "/hooks/";
  private static final int MAX_NAME = 80;
  private static final int MAX_ICON_URL = 2048;
  private static final long LOOKUP_TIMEOUT_MS = 5_000;
  /** 32 bytes, base64url without padding. */
  private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final WebhookStore store;
  private final RateLimiter limiter;

  Webhooks(Vertx vertx, WebhookStore store, RateLimiter limiter) {
    this.vertx = vertx;
    this.store = store;
    this.limiter = limiter;
  }

  /** {@code integrations.webhooks.create {chatId, name, iconUrl?}} → {webhook, url} (chat members). */
  Single<JsonObject> create(BusRequest request) {
    Input body = request.body();
    UUID chatId = body.id("chatId");
    String name = body.text("name", MAX_NAME);
    String iconUrl = iconUrl(body).orElse(null);
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return memberChat(request.caller(), chatId)
        .flatMap(chat -> store.create(Ids.next(), chatId, UUID.fromString(chat.getString("workspaceId")),
            request.caller(), name, iconUrl, sha256(token)))
        .map(webhook -> new JsonObject().put("webhook", webhook.toJson()).put("url", URL_PREFIX + token));
  }

  /** {@code integrations.webhooks.list {chatId}} → {webhooks} (chat members). */
  Single<JsonObject> list(BusRequest request) {
    UUID chatId = request.body().id("chatId");
    return memberChat(request.caller(), chatId)
        .flatMap(chat -> store.ofChat(chatId))
        .map(webhooks -> new JsonObject().put("webhooks", webhooks));
  }

  /** {@code integrations.webhooks.update {webhookId, name?, iconUrl?}} → {webhook}; iconUrl null removes the icon. */
  Single<JsonObject> update(BusRequest request) {
    Input body = request.body();
    UUID webhookId = body.id("webhookId");
    Optional<String> name = body.optionalText("name", 1, MAX_NAME);
    boolean setIcon = body.given("iconUrl");
    String iconUrl = body.has("iconUrl") ? iconUrl(body).orElse(null) : null;
    if (name.isEmpty() && !setIcon) {
      throw Input.invalid("name", "give name or iconUrl");
    }
    return manageable(request.caller(), webhookId)
        .flatMap(webhook -> store.update(webhookId, name.orElse(null), setIcon, iconUrl)
            .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such webhook"))))
        .map(webhook -> new JsonObject().put("webhook", webhook.toJson()));
  }

  /** {@code integrations.webhooks.delete {webhookId}} → {}; its URL answers 404 from now on. */
  Single<JsonObject> delete(BusRequest request) {
    UUID webhookId = request.body().id("webhookId");
    return manageable(request.caller(), webhookId)
        .flatMap(webhook -> store.delete(webhookId))
        .map(deleted -> new JsonObject());
  }

  /**
   * {@code integrations.webhooks.incoming {secret, payload}} (from the gateway's {@code POST /hooks/<secret>}, no
   * caller): the post, stored as the creator's message in the webhook's chat → {messageId}.
   */
  Single<JsonObject> incoming(Input body) {
    String secret = body.string("secret");
    if (!SECRET.matcher(secret).matches()) {
      return Single.error(new OcommsException(ErrorCode.NOT_FOUND, "no such webhook"));
    }
    JsonObject payload = body.object("payload");
    return store.bySecretHash(sha256(secret))
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such webhook")))
        .flatMap(webhook -> {
          // A malformed payload is refused before it takes from the webhook's allowance.
          SlackPayload.Post post = SlackPayload.read(payload);
          JsonObject via = new JsonObject().put("webhookId", webhook.id().toString()).put("name", webhook.name());
          if (post.username() != null && !post.username().isBlank()) {
            via.put("username", post.username());
          }
          String icon = post.iconUrl() != null ? post.iconUrl() : webhook.iconUrl();
          if (icon != null) {
            via.put("iconUrl", icon);
          }
          JsonObject message = new JsonObject()
              .put("chatId", webhook.chatId().toString())
              .put("clientId", UUID.randomUUID().toString())
              .put("content", post.text())
              .put("integration", new JsonObject().put("via", via)
                  .put("attachments", post.attachments()).put("blocks", post.blocks()));
          return limiter.take(webhook.id().toString(), POSTS)
              .andThen(ask(new Caller(webhook.creatorId().toString(), null), Addresses.WEBHOOK_POST, message))
              .map(stored -> new JsonObject().put("messageId", stored.getString("id")));
        });
  }

  /** The chat, when the caller is one of its members; not_found otherwise (as for every chat not theirs). */
  private Single<JsonObject> memberChat(UUID caller, UUID chatId) {
    Caller asker = new Caller(caller.toString(), null);
    JsonObject chat = new JsonObject().put("chatId", chatId.toString());
    return ask(asker, Addresses.CHAT_ACCESS, chat)
        .flatMap(access -> access.getBoolean("member", false)
            ? ask(asker, Addresses.CHAT_GET, chat).map(answer -> answer.getJsonObject("chat"))
            : Single.error(new OcommsException(ErrorCode.NOT_FOUND, "no such chat")));
  }

  /**
   * The webhook, when the caller may rename or delete it: its creator, or an owner or admin of its workspace; others in
   * its chat are forbidden, anyone else is told it does not exist.
   */
  private Single<WebhookStore.Webhook> manageable(UUID caller, UUID webhookId) {
    return store.byId(webhookId)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such webhook")))
        .flatMap(webhook -> webhook.creatorId().equals(caller) ? Single.just(webhook)
            : memberChat(caller, webhook.chatId())
                .flatMap(chat -> ask(new Caller(caller.toString(), null), Addresses.WORKSPACE_ROLE,
                    new JsonObject().put("workspaceId", webhook.workspaceId().toString())))
                .map(role -> {
                  String name = role.getString("role");
                  if (!"owner".equals(name) && !"admin".equals(name)) {
                    throw new OcommsException(ErrorCode.FORBIDDEN,
                        "only its creator and the workspace's owners and admins change a webhook");
                  }
                  return webhook;
                }));
  }

  private Single<JsonObject> ask(Caller caller, String address, JsonObject body) {
    return Requests.<JsonObject>request(vertx, address, body,
            caller.deliveryOptions().setSendTimeout(LOOKUP_TIMEOUT_MS))
        .map(reply -> reply.body() == null ? new JsonObject() : reply.body())
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  private static Optional<String> iconUrl(Input body) {
    if (!body.has("iconUrl")) {
      return Optional.empty();
    }
    String url = body.string("iconUrl");
    if (url.length() > MAX_ICON_URL || !(url.startsWith("https://") || url.startsWith("http://"))
        || url.chars().anyMatch(c -> c <= ' ')) {
      throw Input.invalid("iconUrl", "iconUrl must be an http(s) URL of at most " + MAX_ICON_URL + " characters");
    }
    return Optional.of(url);
  }

  static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
