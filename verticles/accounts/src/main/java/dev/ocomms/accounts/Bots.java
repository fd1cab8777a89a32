package dev.ocomms.accounts;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * Bots (docs/protocol.md, "Bots"): users of kind {@code bot} that a workspace's owners and admins create, list, delete
 * and give new tokens. Who is an owner or admin is messaging's to say ({@code messaging.workspace.role}); the bot
 * becomes a member of its workspace through messaging too ({@code messaging.workspace.bot.add}).
 *
 * <p>A bot's token is {@code ocb_} and 32 random bytes (base64url), shown once; only its SHA-256 is stored (a hash
 * that fast is enough for a secret of 256 random bits). The gateway verifies it by asking here
 * ({@code accounts.bots.token.verify}) and caches the answer briefly; the token's id stands for the bot's session,
 * so deleting the bot or rotating its token revokes that id ({@link Revocations}): every gateway drops it from its
 * cache, refuses it and closes its connections at once.
 */
final class Bots {
  private static final Logger LOG = LoggerFactory.getLogger(Bots.class);
  static final String TOKEN_PREFIX = "ocb_";
  private static final int MAX_DESCRIPTION = 500;
  private static final long REQUEST_TIMEOUT_MS = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final AccountStore store;
  private final Revocations revocations;

  Bots(Vertx vertx, AccountStore store, Revocations revocations) {
    this.vertx = vertx;
    this.store = store;
    this.revocations = revocations;
  }

  /** {workspaceId, username, displayName, description?} → {bot, token}: owners and admins of the workspace. */
  Single<JsonObject> create(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    String username = request.body().string("username").trim();
    Registration.checkUsername(username);
    String displayName = Registration.displayName(request.body());
    String description = request.body().optionalText("description", 0, MAX_DESCRIPTION).orElse(null);
    UUID botId = Ids.next();
    UUID tokenId = Ids.next();
    String token = newToken();
    return requireAdmin(request, workspaceId)
        .andThen(Single.defer(() -> store.insertBot(botId, username, displayName, workspaceId, request.caller(),
            description, tokenId, Tokens.sha256(token))))
        .onErrorResumeNext(failure -> Single.error(AccountStore.violatedConstraint(failure)
            .<Throwable>map(constraint -> new OcommsException(ErrorCode.CONFLICT, "username: already taken"))
            .orElse(failure)))
        .flatMap(bot -> ask(request, Addresses.WORKSPACE_BOT_ADD, new JsonObject()
                .put("workspaceId", workspaceId.toString()).put("botUserId", botId.toString()))
            // Not a member of its workspace, the bot would be of no use: it does not stay half made.
            .onErrorResumeNext(failure -> store.deleteBot(botId).onErrorReturnItem(false)
                .flatMap(deleted -> Single.error(failure)))
            .map(added -> {
              LOG.info("bot created: botId={} workspaceId={} by={}", botId, workspaceId, request.caller());
              return new JsonObject().put("bot", bot.toJson()).put("token", token);
            }));
  }

  /** {workspaceId} → {bots}: owners and admins of the workspace. */
  Single<JsonObject> list(BusRequest request) {
    UUID workspaceId = request.body().id("workspaceId");
    return requireAdmin(request, workspaceId)
        .andThen(Single.defer(() -> store.botsOf(workspaceId)))
        .map(bots -> new JsonObject().put("bots", new JsonArray(bots.stream().map(AccountStore.Bot::toJson).toList())));
  }

  /**
   * {botId} → {}: the bot's token stops working on every node, its connections close, and it leaves its workspace's
   * channels and the workspace (messaging's {@code messaging.workspace.bot.remove}, asked first: a bot that could not
   * be taken out is not deleted, and the owner may try again).
   */
  Single<JsonObject> delete(BusRequest request) {
    return managed(request).flatMap(bot -> ask(request, Addresses.WORKSPACE_BOT_REMOVE, new JsonObject()
            .put("workspaceId", bot.workspaceId().toString()).put("botUserId", bot.user().id().toString()))
        .flatMap(removed -> store.deleteBot(bot.user().id()))
        .flatMap(deleted -> revocations.revoke(bot.tokenId(), bot.user().id()).toSingleDefault(deleted))
        .map(deleted -> {
          LOG.info("bot deleted: botId={} by={}", bot.user().id(), request.caller());
          return new JsonObject();
        }));
  }

  /** {botId} → {bot, token}: a new token; the previous one stops working on every node at once. */
  Single<JsonObject> rotate(BusRequest request) {
    UUID tokenId = Ids.next();
    String token = newToken();
    return managed(request).flatMap(bot -> store.replaceBotToken(bot.user().id(), bot.tokenId(), tokenId,
            Tokens.sha256(token))
        .flatMap(replaced -> {
          if (!replaced) {
            return Single.error(new OcommsException(ErrorCode.CONFLICT, "the token changed meanwhile; try again"));
          }
          return revocations.revoke(bot.tokenId(), bot.user().id())
              .andThen(Single.fromCallable(() -> new JsonObject().put("bot", bot.toJson()).put("token", token)));
        }));
  }

  /** {tokenHash} → {userId, tokenId, workspaceId}: internal, for the gateway; unauthorized for any token not live. */
  Single<JsonObject> verify(Input request) {
    byte[] hash;
    try {
      hash = Base64.getDecoder().decode(request.string("tokenHash"));
    } catch (IllegalArgumentException e) {
      throw new OcommsException(ErrorCode.UNAUTHORIZED, "bot token invalid");
    }
    return store.findBotByTokenHash(hash)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.UNAUTHORIZED, "bot token invalid or revoked")))
        .map(bot -> new JsonObject().put("userId", bot.user().id().toString())
            .put("tokenId", bot.tokenId().toString()).put("workspaceId", bot.workspaceId().toString()));
  }

  /** The bot of {botId}, if the caller is an owner or admin of its workspace; not_found otherwise, alike. */
  private Single<AccountStore.Bot> managed(BusRequest request) {
    OcommsException noSuchBot = new OcommsException(ErrorCode.NOT_FOUND, "no such bot");
    UUID botId = Ids.parse(request.body().string("botId")).orElseThrow(() -> noSuchBot);
    return store.findBot(botId)
        .switchIfEmpty(Single.error(noSuchBot))
        .flatMap(bot -> requireAdmin(request, bot.workspaceId()).toSingleDefault(bot));
  }

  /** Completes when the caller is an owner or admin of the workspace; not_found outside it, forbidden for members. */
  private Completable requireAdmin(BusRequest request, UUID workspaceId) {
    return ask(request, Addresses.WORKSPACE_ROLE, new JsonObject().put("workspaceId", workspaceId.toString()))
        .flatMapCompletable(reply -> {
          String role = reply.getString("role");
          return "owner".equals(role) || "admin".equals(role) ? Completable.complete()
              : Completable.error(new OcommsException(ErrorCode.FORBIDDEN,
                  "only the workspace's owners and admins manage its bots"));
        });
  }

  /** Asks messaging on the caller's behalf; its catalogued failures come back as they are. */
  private Single<JsonObject> ask(BusRequest request, String address, JsonObject body) {
    DeliveryOptions onBehalf = new Caller(request.caller().toString(), request.sessionId()).deliveryOptions()
        .setSendTimeout(REQUEST_TIMEOUT_MS);
    return Requests.<JsonObject>request(vertx, address, body, onBehalf)
        .map(reply -> reply.body() == null ? new JsonObject() : reply.body())
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
