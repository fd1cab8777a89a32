package dev.ocomms.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The accounts and chats of a run, created through the REST API like real users would: an owner, a workspace,
 * {@code chats} public channels, and {@code users} accounts that join the workspace and the chats each is assigned.
 * Registration hashes a password (Argon2id, tens of milliseconds of CPU), so large runs reuse users over several
 * connections rather than creating one per connection.
 */
final class Population {
  /** A user and its tokens and chats. */
  record User(int index, String userId, String accessToken, String refreshToken, List<String> chatIds) {
  }

  /** Invites allow at most this many uses each. */
  private static final int USES_PER_INVITE = 1000;

  final String workspaceId;
  /** The workspace owner's access token (who creates the channels, and bots where a scenario needs them). */
  final String ownerToken;
  /** This run's short id, in every username it creates. */
  final String runId;
  final List<String> chatIds;
  final List<User> users;

  private Population(String workspaceId, String ownerToken, String runId, List<String> chatIds, List<User> users) {
    this.workspaceId = workspaceId;
    this.ownerToken = ownerToken;
    this.runId = runId;
    this.chatIds = chatIds;
    this.users = users;
  }

  /**
   * Creates the population; {@code chatsOf} gives the chat indexes (into the created chats) of user {@code i}.
   * Up to {@code concurrency} REST calls run at once.
   */
  static Future<Population> create(WebClient web, Target target, int users, int chats, IntFunction<List<Integer>> chatsOf,
                                   int concurrency) {
    // Accounts are spread over the nodes: registration hashes a password, and every node can do its share.
    List<Api> nodes = new ArrayList<>();
    for (int node = 0; node < target.size(); node++) {
      nodes.add(new Api(web, target.host, target.port(node)));
    }
    Api api = nodes.get(0);
    String runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    return api.register("o" + runId + "owner").compose(owner -> {
      String ownerToken = owner.getString("accessToken");
      return api.createWorkspace(ownerToken, "bench " + runId).compose(workspace -> {
        String workspaceId = workspace.getString("id");
        int invites = (users + USES_PER_INVITE - 1) / USES_PER_INVITE;
        return Lanes.bounded(Math.max(1, invites), 4, i -> api.invite(ownerToken, workspaceId)).compose(codes ->
            Lanes.bounded(chats, 4, i -> api.createChannel(ownerToken, workspaceId, "bench-" + runId + "-" + i)
                    .map(chat -> chat.getString("id")))
                .compose(chatIds -> Lanes.bounded(users, concurrency, i -> {
                  List<String> mine = new ArrayList<>();
                  chatsOf.apply(i).forEach(chat -> mine.add(chatIds.get(chat)));
                  Api node = nodes.get(i % nodes.size());
                  return node.register("u" + runId + "x" + i).compose(user -> {
                    String token = user.getString("accessToken");
                    Future<JsonObject> joined = node.join(token, codes.get(i / USES_PER_INVITE));
                    for (String chatId : mine) {
                      joined = joined.compose(ok -> node.joinChat(token, chatId));
                    }
                    return joined.map(ok -> new User(i, user.getJsonObject("user").getString("id"), token,
                        user.getString("refreshToken"), List.copyOf(mine)));
                  });
                }).map(created -> new Population(workspaceId, ownerToken, runId, chatIds, created))));
      });
    });
  }
}
