package dev.ocomms.gateway.http;

import dev.ocomms.gateway.accounts.AccessTokens;
import dev.ocomms.gateway.accounts.BotLimits;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.ClientRequests;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.bus.Requests;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.openapi.router.RequestExtractor;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.web.Router;
import io.vertx.rxjava3.ext.web.RoutingContext;
import io.vertx.rxjava3.ext.web.handler.BodyHandler;
import io.vertx.rxjava3.ext.web.openapi.router.RouterBuilder;
import io.vertx.rxjava3.openapi.contract.OpenAPIContract;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The REST API under {@code /api/v1}, routed and validated from the OpenAPI contract ({@code api/openapi.yaml}).
 * The gateway authenticates (it verifies access tokens) and forwards: accounts, sessions and profiles to the accounts
 * verticle, workspaces, chats and messages to messaging, over the event bus with the authenticated caller in the
 * headers. The owners' answers and catalogued failures come back as they are.
 */
public final class RestApi {
  public static final String CONTRACT = "api/openapi.yaml";
  public static final int BODY_LIMIT_BYTES = 64 * 1024;
  /** A note's text may be 256 KB (the notes verticle says so precisely); its JSON, escaped, somewhat more. */
  public static final int NOTE_BODY_LIMIT_BYTES = 1024 * 1024;
  /** The most messages one history page holds (the contract's maximum; messaging's too). */
  private static final int HISTORY_LIMIT = 100;
  private static final String CALLER = "ocomms.caller";

  /**
   * What only people do: a bot's token is refused here with {@code bot_not_allowed} (a bot cannot log in at all:
   * accounts refuses its username; docs/protocol.md, "Bots").
   */
  private static final Set<String> NOT_FOR_BOTS = Set.of("logout", "createWorkspace", "joinWorkspace", "createInvite",
      "createBot", "listBots", "deleteBot", "rotateBotToken");

  private final Vertx vertx;
  private final AccessTokens tokens;
  private final ClientAddresses clients;
  private final BotLimits botLimits;

  public RestApi(Vertx vertx, AccessTokens tokens, ClientAddresses clients, BotLimits botLimits) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.clients = clients;
    this.botLimits = botLimits;
  }

  /** Builds the API router; every operation of the contract has a handler. */
  public Single<Router> router() {
    return OpenAPIContract.from(vertx, CONTRACT).map(contract -> {
      RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
      BodyHandler bodies = BodyHandler.create().setBodyLimit(BODY_LIMIT_BYTES).setHandleFileUploads(false);
      BodyHandler noteBodies = BodyHandler.create().setBodyLimit(NOTE_BODY_LIMIT_BYTES).setHandleFileUploads(false);
      BodyHandler hookBodies = BodyHandler.create().setBodyLimit(WebhookRoutes.BODY_LIMIT_BYTES)
          .setHandleFileUploads(false);
      // File bodies are not read here: FileRoutes streams them to an uploads node as they arrive.
      builder.rootHandler(ctx -> {
        if (FileRoutes.isFileRequest(ctx.request().path())) {
          ctx.next();
        } else if (ctx.request().path().startsWith(WebhookRoutes.PREFIX)) {
          hookBodies.handle(ctx);
        } else if (ctx.request().path().endsWith("/note")) {
          noteBodies.handle(ctx);
        } else {
          bodies.handle(ctx);
        }
      });
      // Root handlers run for every route of the router, the bridge's and the web client's too.
      builder.rootHandler(ctx -> {
        ctx.put(ClientAddresses.CONTEXT_KEY, clients.of(ctx.request().getDelegate()));
        ctx.next();
      });
      builder.getRoutes().forEach(route -> route.setDoSecurity(false));

      // The client's address counts registrations and failed logins (RegistrationThrottle and LoginThrottle in
      // accounts); only the gateway knows it.
      open(builder, "register", Addresses.ACCOUNTS_REGISTER, ctx -> body(ctx).put("clientIp", clientIp(ctx)), 201);
      open(builder, "login", Addresses.ACCOUNTS_LOGIN, ctx -> body(ctx).put("clientIp", clientIp(ctx)), 200);
      open(builder, "refresh", Addresses.ACCOUNTS_REFRESH, RestApi::body, 200);
      authed(builder, "logout", (ctx, caller) -> request(caller, Addresses.ACCOUNTS_LOGOUT, new JsonObject())
          // This instance refuses the session at once, without waiting for the announcement to come round.
          .doOnSuccess(done -> tokens.rememberRevoked(caller.sessionId())), 204);
      forward(builder, "getMe", Addresses.USERS_ME, ctx -> new JsonObject(), 200);
      forward(builder, "updateMe", Addresses.USERS_ME_UPDATE, RestApi::body, 200);
      forward(builder, "getUser", Addresses.USERS_GET, ctx -> new JsonObject().put("userId", ctx.pathParam("userId")),
          200);

      forward(builder, "listWorkspaces", Addresses.WORKSPACE_LIST, ctx -> new JsonObject(), 200);
      forward(builder, "createWorkspace", Addresses.WORKSPACE_CREATE, RestApi::body, 201);
      forward(builder, "joinWorkspace", Addresses.WORKSPACE_JOIN, RestApi::body, 200);
      forward(builder, "createInvite", Addresses.WORKSPACE_INVITE_CREATE,
          ctx -> bodyOrEmpty(ctx).put("workspaceId", ctx.pathParam("workspaceId")), 201);
      authed(builder, "listWorkspaceMembers", (ctx, caller) -> request(caller, Addresses.WORKSPACE_MEMBERS,
          new JsonObject().put("workspaceId", ctx.pathParam("workspaceId"))).flatMap(this::withProfiles), 200);
      forward(builder, "createBot", Addresses.BOTS_CREATE,
          ctx -> body(ctx).put("workspaceId", ctx.pathParam("workspaceId")), 201);
      forward(builder, "listBots", Addresses.BOTS_LIST,
          ctx -> new JsonObject().put("workspaceId", ctx.pathParam("workspaceId")), 200);
      forward(builder, "deleteBot", Addresses.BOTS_DELETE,
          ctx -> new JsonObject().put("botId", ctx.pathParam("botId")), 204);
      forward(builder, "rotateBotToken", Addresses.BOTS_TOKEN_ROTATE,
          ctx -> new JsonObject().put("botId", ctx.pathParam("botId")), 200);
      forward(builder, "listChannels", Addresses.CHANNEL_LIST,
          ctx -> new JsonObject().put("workspaceId", ctx.pathParam("workspaceId")), 200);
      forward(builder, "createChannel", Addresses.CHANNEL_CREATE,
          ctx -> body(ctx).put("workspaceId", ctx.pathParam("workspaceId")), 201);
      forward(builder, "openDm", Addresses.DM_OPEN,
          ctx -> body(ctx).put("workspaceId", ctx.pathParam("workspaceId")), 200);
      forward(builder, "listChats", Addresses.CHAT_LIST, ctx -> new JsonObject(), 200);
      forward(builder, "getChat", Addresses.CHAT_GET, RestApi::chatId, 200);
      forward(builder, "updateChat", Addresses.CHAT_UPDATE, ctx -> body(ctx).mergeIn(chatId(ctx)), 200);
      forward(builder, "joinChat", Addresses.CHAT_JOIN, RestApi::chatId, 200);
      forward(builder, "leaveChat", Addresses.CHAT_LEAVE, RestApi::chatId, 204);
      authed(builder, "listChatMembers", (ctx, caller) -> request(caller, Addresses.CHAT_MEMBERS, chatId(ctx))
          .flatMap(this::withProfiles), 200);
      forward(builder, "addChatMember", Addresses.CHAT_MEMBER_ADD, ctx -> body(ctx).mergeIn(chatId(ctx)), 200);
      forward(builder, "removeChatMember", Addresses.CHAT_MEMBER_REMOVE,
          ctx -> chatId(ctx).put("userId", ctx.pathParam("userId")), 204);

      forward(builder, "sendMessage", Addresses.CHAT_MESSAGE_SEND, ctx -> body(ctx).mergeIn(chatId(ctx)), 201);
      forward(builder, "listMessages", Addresses.CHAT_HISTORY, RestApi::historyQuery, 200);
      forward(builder, "markRead", Addresses.CHAT_READ, ctx -> body(ctx).mergeIn(chatId(ctx)), 200);
      forward(builder, "editMessage", Addresses.CHAT_MESSAGE_EDIT, ctx -> body(ctx).mergeIn(messageId(ctx)), 200);
      forward(builder, "deleteMessage", Addresses.CHAT_MESSAGE_DELETE, RestApi::messageId, 200);
      forward(builder, "reactToMessage", Addresses.CHAT_MESSAGE_REACT, ctx -> body(ctx).mergeIn(messageId(ctx)), 200);
      forward(builder, "pinMessage", Addresses.CHAT_MESSAGE_PIN, ctx -> messageId(ctx).put("pinned", true), 200);
      forward(builder, "unpinMessage", Addresses.CHAT_MESSAGE_PIN, ctx -> messageId(ctx).put("pinned", false), 200);
      forward(builder, "listPins", Addresses.CHAT_PINS, RestApi::chatId, 200);
      forward(builder, "saveMessage", Addresses.CHAT_MESSAGE_SAVE, ctx -> messageId(ctx).put("saved", true), 200);
      forward(builder, "unsaveMessage", Addresses.CHAT_MESSAGE_SAVE, ctx -> messageId(ctx).put("saved", false), 200);
      forward(builder, "listSaved", Addresses.CHAT_SAVED, RestApi::savedQuery, 200);
      forward(builder, "sync", Addresses.CHAT_SYNC, RestApi::body, 200);
      forward(builder, "search", Addresses.SEARCH_QUERY, RestApi::searchQuery, 200);

      noteRoutes(builder, "ChatNote", RestApi::chatId);
      noteRoutes(builder, "PersonalNote", ctx -> new JsonObject().put("workspaceId", ctx.pathParam("workspaceId")));
      forward(builder, "createWebhook", Addresses.WEBHOOKS_CREATE, ctx -> body(ctx).mergeIn(chatId(ctx)), 201);
      forward(builder, "listWebhooks", Addresses.WEBHOOKS_LIST, RestApi::chatId, 200);
      forward(builder, "updateWebhook", Addresses.WEBHOOKS_UPDATE,
          ctx -> body(ctx).put("webhookId", ctx.pathParam("webhookId")), 200);
      forward(builder, "deleteWebhook", Addresses.WEBHOOKS_DELETE,
          ctx -> new JsonObject().put("webhookId", ctx.pathParam("webhookId")), 204);
      forward(builder, "runCommand", Addresses.CHAT_COMMAND, ctx -> body(ctx).mergeIn(chatId(ctx)), 200);
      forward(builder, "createCommand", Addresses.COMMANDS_CREATE,
          ctx -> body(ctx).put("workspaceId", ctx.pathParam("workspaceId")), 201);
      forward(builder, "listCommands", Addresses.COMMANDS_LIST,
          ctx -> new JsonObject().put("workspaceId", ctx.pathParam("workspaceId")), 200);
      forward(builder, "deleteCommand", Addresses.COMMANDS_DELETE,
          ctx -> new JsonObject().put("commandId", ctx.pathParam("commandId")), 204);
      forward(builder, "listCommandDeliveries", Addresses.COMMANDS_DELIVERIES,
          ctx -> new JsonObject().put("commandId", ctx.pathParam("commandId")), 200);
      forward(builder, "createOutgoingWebhook", Addresses.OUTGOING_WEBHOOKS_CREATE,
          ctx -> body(ctx).mergeIn(chatId(ctx)), 201);
      forward(builder, "listOutgoingWebhooks", Addresses.OUTGOING_WEBHOOKS_LIST, RestApi::chatId, 200);
      forward(builder, "deleteOutgoingWebhook", Addresses.OUTGOING_WEBHOOKS_DELETE,
          ctx -> new JsonObject().put("outgoingWebhookId", ctx.pathParam("outgoingWebhookId")), 204);
      forward(builder, "listOutgoingWebhookDeliveries", Addresses.OUTGOING_WEBHOOKS_DELIVERIES,
          ctx -> new JsonObject().put("outgoingWebhookId", ctx.pathParam("outgoingWebhookId")), 200);
      forward(builder, "getNotificationSettings", Addresses.NOTIFICATION_SETTINGS_GET, ctx -> new JsonObject(), 200);
      forward(builder, "saveNotificationSettings", Addresses.NOTIFICATION_SETTINGS_SAVE, RestApi::body, 200);
      forward(builder, "listPendingUrgent", Addresses.NOTIFICATION_URGENT_PENDING, ctx -> new JsonObject(), 200);
      forward(builder, "getVapidPublicKey", Addresses.NOTIFICATION_PUSH_KEY, ctx -> new JsonObject(), 200);
      forward(builder, "listPushSubscriptions", Addresses.NOTIFICATION_PUSH_LIST, ctx -> new JsonObject(), 200);
      forward(builder, "createPushSubscription", Addresses.NOTIFICATION_PUSH_SUBSCRIBE, RestApi::body, 201);
      forward(builder, "deletePushSubscription", Addresses.NOTIFICATION_PUSH_UNSUBSCRIBE, RestApi::body, 204);
      forward(builder, "deletePushSubscriptionById", Addresses.NOTIFICATION_PUSH_UNSUBSCRIBE,
          ctx -> new JsonObject().put("id", ctx.pathParam("subscriptionId")), 204);
      forward(builder, "getChatNotificationSettings", Addresses.NOTIFICATION_CHAT_SETTINGS_GET, RestApi::chatId, 200);
      forward(builder, "saveChatNotificationSettings", Addresses.NOTIFICATION_CHAT_SETTINGS_SAVE,
          ctx -> body(ctx).mergeIn(chatId(ctx)), 200);

      Router router = builder.createRouter();
      router.get("/api/v1/openapi.yaml").handler(ctx -> ctx.response()
          .putHeader("Content-Type", "application/yaml").sendFile(CONTRACT).subscribe(() -> { }, ctx::fail));
      return router;
    });
  }

  /** A note's routes, the chat's or the personal one: {@code note} names it ({chatId} or {workspaceId}). */
  private void noteRoutes(RouterBuilder builder, String kind, Function<RoutingContext, JsonObject> note) {
    forward(builder, "get" + kind, Addresses.NOTES_GET, note, 200);
    forward(builder, "save" + kind, Addresses.NOTES_SAVE, ctx -> body(ctx).mergeIn(note.apply(ctx)), 200);
    forward(builder, "list" + kind + "Revisions", Addresses.NOTES_REVISIONS, note, 200);
    forward(builder, "get" + kind + "Revision", Addresses.NOTES_REVISION, ctx -> version(ctx).mergeIn(note.apply(ctx)),
        200);
    forward(builder, "restore" + kind + "Revision", Addresses.NOTES_RESTORE,
        ctx -> version(ctx).mergeIn(note.apply(ctx)), 200);
  }

  /** The path's version as a number (the contract let only digits through); notes says whether it is in range. */
  private static JsonObject version(RoutingContext ctx) {
    String version = ctx.pathParam("version");
    try {
      return new JsonObject().put("version", Long.parseLong(version));
    } catch (NumberFormatException tooLong) {
      return new JsonObject().put("version", version);
    }
  }

  private static String clientIp(RoutingContext ctx) {
    return ClientAddresses.of(ctx);
  }

  /** An operation open to anyone (no token): forwarded without a caller. */
  private void open(RouterBuilder builder, String operation, String address,
                    Function<RoutingContext, JsonObject> requestBody, int status) {
    builder.getRoute(operation).addHandler(ctx -> respond(ctx,
        Single.defer(() -> request(new DeliveryOptions(), address, requestBody.apply(ctx))), status));
  }

  private void authed(RouterBuilder builder, String operation,
                      BiFunction<RoutingContext, Caller, Single<JsonObject>> action, int status) {
    builder.getRoute(operation).addHandler(ctx -> respond(ctx, authenticate(ctx, operation)
        .flatMap(caller -> action.apply(ctx, caller)), status));
  }

  private void forward(RouterBuilder builder, String operation, String address,
                       Function<RoutingContext, JsonObject> requestBody, int status) {
    authed(builder, operation, (ctx, caller) -> request(caller, address, requestBody.apply(ctx)), status);
  }

  /** The caller of a request; a bot only for what bots may do, within its limits ({@link BotLimits}). */
  private Single<Caller> authenticate(RoutingContext ctx, String operation) {
    return tokens.verifiedOf(ctx.request().getHeader("Authorization"))
        .flatMap(verified -> {
          if (verified.bot() && NOT_FOR_BOTS.contains(operation)) {
            return Single.error(new OcommsException(Reason.BOT_NOT_ALLOWED, "bots may not " + operation));
          }
          return botLimits.take(verified).toSingleDefault(verified.caller());
        })
        .doOnSuccess(caller -> ctx.put(CALLER, caller));
  }

  /** Asks the owning verticle, as the caller; its catalogued failures come back as they are. */
  private Single<JsonObject> request(Caller caller, String address, JsonObject body) {
    return request(caller.deliveryOptions(), address, body);
  }

  private Single<JsonObject> request(DeliveryOptions options, String address, JsonObject body) {
    return Requests.<JsonObject>request(vertx, address, body,
            options.setSendTimeout(ClientRequests.timeoutMs(address)))
        .map(message -> message.body() == null ? new JsonObject() : message.body())
        .onErrorResumeNext(failure -> Single.error(ClientRequests.failure(address, failure)));
  }

  /** Adds each member's public profile (users are accounts') to a {@code members} list from messaging. */
  private Single<JsonObject> withProfiles(JsonObject reply) {
    JsonArray members = reply.getJsonArray("members", new JsonArray());
    List<String> ids = members.stream().map(m -> ((JsonObject) m).getString("userId")).toList();
    if (ids.isEmpty()) {
      return Single.just(reply);
    }
    return request(new DeliveryOptions(), Addresses.USERS_PROFILES, new JsonObject().put("userIds", new JsonArray(ids)))
        .map(answer -> {
          Map<String, JsonObject> byId = new HashMap<>();
          answer.getJsonArray("users", new JsonArray())
              .forEach(profile -> byId.put(((JsonObject) profile).getString("id"), (JsonObject) profile));
          members.forEach(m -> ((JsonObject) m).put("user", byId.get(((JsonObject) m).getString("userId"))));
          return reply;
        });
  }

  private static void respond(RoutingContext ctx, Single<JsonObject> result, int status) {
    result.subscribe(body -> {
      if (status == 204) {
        ctx.response().setStatusCode(204).end().subscribe(() -> { }, e -> { });
      } else {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
            .end(body.encode()).subscribe(() -> { }, e -> { });
      }
    }, ctx::fail);
  }

  private static JsonObject body(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    return body == null ? new JsonObject() : body;
  }

  private static JsonObject bodyOrEmpty(RoutingContext ctx) {
    return ctx.body() == null || ctx.body().length() == 0 ? new JsonObject() : body(ctx);
  }

  private static JsonObject messageId(RoutingContext ctx) {
    return new JsonObject().put("messageId", ctx.pathParam("messageId"));
  }

  /**
   * ?before=&after=&around=&limit=&rootId= as chat.history takes them: seqs from 0 to 2^63-1, limit 1 to
   * {@value #HISTORY_LIMIT}, each given once ({@link QueryParameters}); rootId is an id (its owner answers 404 for a
   * malformed one, as for every id).
   */
  private static JsonObject historyQuery(RoutingContext ctx) {
    JsonObject query = chatId(ctx);
    QueryParameters.wholeNumber(ctx, "before", 0, Long.MAX_VALUE).ifPresent(seq -> query.put("beforeSeq", seq));
    QueryParameters.wholeNumber(ctx, "after", 0, Long.MAX_VALUE).ifPresent(seq -> query.put("afterSeq", seq));
    if (query.containsKey("beforeSeq") && query.containsKey("afterSeq")) {
      throw Input.invalid("after", "give before or after, not both");
    }
    QueryParameters.wholeNumber(ctx, "around", 0, Long.MAX_VALUE - 1).ifPresent(seq -> query.put("aroundSeq", seq));
    if (query.containsKey("aroundSeq") && (query.containsKey("beforeSeq") || query.containsKey("afterSeq"))) {
      throw Input.invalid("around", "give one of before, after and around");
    }
    QueryParameters.wholeNumber(ctx, "limit", 1, HISTORY_LIMIT).ifPresent(limit -> query.put("limit", limit));
    QueryParameters.text(ctx, "rootId").ifPresent(rootId -> query.put("rootId", rootId));
    return query;
  }

  /** ?cursor=&limit= as chat.saved takes them. */
  private static JsonObject savedQuery(RoutingContext ctx) {
    JsonObject query = new JsonObject();
    QueryParameters.text(ctx, "cursor").ifPresent(cursor -> query.put("cursor", cursor));
    QueryParameters.wholeNumber(ctx, "limit", 1, 100).ifPresent(limit -> query.put("limit", limit));
    return query;
  }

  /** ?q=&workspaceId=&scope=&sort=&cursor=&tz=&limit= as search.query takes them (search validates each). */
  private static JsonObject searchQuery(RoutingContext ctx) {
    JsonObject query = new JsonObject();
    for (String name : List.of("q", "workspaceId", "scope", "sort", "cursor", "tz")) {
      QueryParameters.text(ctx, name).ifPresent(value -> query.put(name, value));
    }
    QueryParameters.wholeNumber(ctx, "limit", 1, 50).ifPresent(limit -> query.put("limit", limit));
    return query;
  }

  private static JsonObject chatId(RoutingContext ctx) {
    return new JsonObject().put("chatId", ctx.pathParam("chatId"));
  }
}
