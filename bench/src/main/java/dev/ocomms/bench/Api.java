package dev.ocomms.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.List;

/** The REST calls a scenario needs to set itself up: accounts, a workspace, chats. */
final class Api {
  private final WebClient web;
  private final String host;
  private final int port;

  Api(WebClient web, String host, int port) {
    this.web = web;
    this.host = host;
    this.port = port;
  }

  /** A registered user: {user, accessToken, refreshToken}. */
  Future<JsonObject> register(String username) {
    return post("/api/v1/auth/register", null, new JsonObject()
        .put("email", username + "@bench.invalid").put("username", username)
        .put("password", "Bench-" + Long.toHexString(Double.doubleToLongBits(Math.random())) + "-x")
        .put("displayName", "Bench " + username), 201);
  }

  /** A session's new tokens: {accessToken, refreshToken, expiresIn}; the refresh token presented is used up. */
  Future<JsonObject> refresh(String refreshToken) {
    return post("/api/v1/auth/refresh", null, new JsonObject().put("refreshToken", refreshToken), 200);
  }

  Future<JsonObject> createWorkspace(String token, String name) {
    return post("/api/v1/workspaces", token, new JsonObject().put("name", name), 201)
        .map(reply -> reply.getJsonObject("workspace"));
  }

  Future<String> invite(String token, String workspaceId) {
    return post("/api/v1/workspaces/" + workspaceId + "/invites", token, new JsonObject().put("maxUses", 1000), 201)
        .map(reply -> reply.getString("code"));
  }

  Future<JsonObject> join(String token, String code) {
    return post("/api/v1/workspaces/join", token, new JsonObject().put("code", code), 200);
  }

  Future<JsonObject> createChannel(String token, String workspaceId, String name) {
    return createChannel(token, workspaceId, name, false);
  }

  /** A channel, public or private (the caller is its first member): the chat. */
  Future<JsonObject> createChannel(String token, String workspaceId, String name, boolean isPrivate) {
    return post("/api/v1/workspaces/" + workspaceId + "/channels", token,
        new JsonObject().put("name", name).put("private", isPrivate), 201).map(reply -> reply.getJsonObject("chat"));
  }

  /** Adds a workspace member to a channel the caller is in (how private channels get their members). */
  Future<JsonObject> addMember(String token, String chatId, String userId) {
    return post("/api/v1/chats/" + chatId + "/members", token, new JsonObject().put("userId", userId), 200);
  }

  /** A bot of the workspace, made by an owner or admin: {@code {bot, token}} (the {@code ocb_} token, shown once). */
  Future<JsonObject> createBot(String token, String workspaceId, String username, String displayName) {
    return post("/api/v1/workspaces/" + workspaceId + "/bots", token,
        new JsonObject().put("username", username).put("displayName", displayName), 201);
  }

  /** The DM of the caller and {@code userIds}: the chat. */
  Future<JsonObject> dm(String token, String workspaceId, List<String> userIds) {
    return post("/api/v1/workspaces/" + workspaceId + "/dms", token,
        new JsonObject().put("userIds", new JsonArray(userIds)), 200)
        .map(reply -> reply.getJsonObject("chat"));
  }

  /** {@code GET /api/v1/search} with the workspace and query text: {@code {results, nextCursor, total?}}. */
  Future<JsonObject> search(String token, String workspaceId, String q) {
    return web.get(port, host, "/api/v1/search").addQueryParam("workspaceId", workspaceId).addQueryParam("q", q)
        .putHeader("Authorization", "Bearer " + token).send()
        .compose(response -> check(response, "GET /api/v1/search", 200));
  }

  Future<JsonObject> joinChat(String token, String chatId) {
    return post("/api/v1/chats/" + chatId + "/join", token, new JsonObject(), 200);
  }

  /** A message sent as {@code POST /api/v1/chats/{id}/messages} does: the stored message. */
  Future<JsonObject> sendMessage(String token, String chatId, String clientId, String content) {
    return postMeasured("/api/v1/chats/" + chatId + "/messages", token,
        new JsonObject().put("clientId", clientId).put("content", content), 201)
        .map(reply -> reply.getJsonObject("message", reply));
  }

  /** Every chat of the caller with the caller's counts: {@code {chats: [chat + unreadCount + mentionCount]}}. */
  Future<JsonObject> chats(String token) {
    return get("/api/v1/chats", token);
  }

  /** The caller's own profile. */
  Future<JsonObject> me(String token) {
    return get("/api/v1/users/me", token).map(reply -> reply.getJsonObject("user"));
  }

  private Future<JsonObject> get(String path, String token) {
    return web.get(port, host, path).putHeader("Authorization", "Bearer " + token).send()
        .compose(response -> check(response, "GET " + path, 200));
  }

  /**
   * A set-up call: one the server refuses as {@code rate_limited} (a scenario creating hundreds of channels meets the
   * per-user write budget) is sent again after the {@code retryAfterMs} it names.
   */
  private Future<JsonObject> post(String path, String token, JsonObject body, int expected) {
    return postOnce(path, token, body).compose(response -> {
      if (response.statusCode() == 429) {
        JsonObject problem = response.bodyAsJsonObject();
        long waitMs = Math.max(1, problem.getLong("retryAfterMs", 1000 * problem.getLong("retryAfter", 1L)));
        // The web client answers on its Vert.x context; its timer paces the retry.
        Promise<JsonObject> retried = Promise.promise();
        Vertx.currentContext().owner().setTimer(waitMs,
            id -> post(path, token, body, expected).onComplete(retried));
        return retried.future();
      }
      return check(response, "POST " + path, expected);
    });
  }

  /** A measured call: a refusal is the scenario's to count, never retried here. */
  private Future<JsonObject> postMeasured(String path, String token, JsonObject body, int expected) {
    return postOnce(path, token, body).compose(response -> check(response, "POST " + path, expected));
  }

  private Future<HttpResponse<Buffer>> postOnce(String path, String token, JsonObject body) {
    var request = web.post(port, host, path);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.sendJsonObject(body);
  }

  private static Future<JsonObject> check(HttpResponse<Buffer> response, String call, int expected) {
    if (response.statusCode() != expected) {
      return Future.failedFuture(call + " answered " + response.statusCode() + ": " + response.bodyAsString());
    }
    Buffer body = response.body();
    return Future.succeededFuture(body == null || body.length() == 0 ? new JsonObject() : body.toJsonObject());
  }
}
