package dev.ocomms.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * The search scenario's workspace, made through the REST API as people would: an owner, one workspace, public and
 * private channels and DMs ({@code chats} in all), and {@code users} accounts, each a member of about
 * {@code chatsPerUser} channels drawn at random (private ones too) and of #general; the first {@code 2 × dms} users
 * have one DM each. A private channel is created by the first of its members, who adds the others. Only the messages
 * are loaded in bulk ({@link MessageFill}).
 */
final class SearchWorkspace {
  /** What to make. */
  record Shape(int users, int chats, int privateChannels, int dms, int chatsPerUser, long seed) {
    Shape {
      if (chats - dms - privateChannels < 1 || dms * 2 > users || chatsPerUser > chats - dms || users < 2) {
        throw new IllegalArgumentException("a search workspace needs a public channel, 2 users per DM and at most"
            + " as many chats per user as channels");
      }
    }

    int publicChannels() {
      return chats - privateChannels - dms;
    }

    JsonObject toJson() {
      return new JsonObject().put("users", users).put("chats", chats).put("publicChannels", publicChannels())
          .put("privateChannels", privateChannels).put("dms", dms).put("channelsPerUser", chatsPerUser);
    }
  }

  /** A chat: its index in {@link #chats}, id, kind and member indexes (into {@link #users}). */
  record Chat(int index, String id, String name, Kind kind, List<Integer> members) {
  }

  enum Kind { PUBLIC, PRIVATE, DM }

  /** An account: its index, id, username, tokens and chats (indexes into {@link #chats}). */
  record User(int index, String userId, String username, String accessToken, String refreshToken,
              List<Integer> chats) {
    User withAccessToken(String token) {
      return new User(index, userId, username, token, refreshToken, chats);
    }

    Population.User asPopulationUser() {
      return new Population.User(index, userId, accessToken, refreshToken, List.of());
    }
  }

  final String workspaceId;
  final List<Chat> chats;
  final List<User> users;

  private SearchWorkspace(String workspaceId, List<Chat> chats, List<User> users) {
    this.workspaceId = workspaceId;
    this.chats = chats;
    this.users = users;
  }

  /** The same workspace with new access tokens (user id to token, from {@link Sessions}). */
  SearchWorkspace withAccessTokens(Map<String, String> tokens) {
    return new SearchWorkspace(workspaceId, chats,
        users.stream().map(user -> user.withAccessToken(tokens.getOrDefault(user.userId(), user.accessToken())))
            .toList());
  }

  /** Whether a user may read a chat: a member of it, or it is a public channel of the workspace. */
  boolean canRead(User user, Chat chat) {
    return chat.kind() == Kind.PUBLIC || chat.members().contains(user.index());
  }

  /** Makes the workspace; up to {@code concurrency} REST calls at once, spread over the nodes. */
  static Future<SearchWorkspace> create(WebClient web, Target target, Shape shape, int concurrency) {
    List<Api> nodes = new ArrayList<>();
    for (int node = 0; node < target.size(); node++) {
      nodes.add(new Api(web, target.host, target.port(node)));
    }
    Api api = nodes.get(0);
    String runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    List<List<Integer>> channelsOf = assignChannels(shape);
    return api.register("s" + runId + "owner").compose(owner -> {
      String ownerToken = owner.getString("accessToken");
      return api.createWorkspace(ownerToken, "search " + runId).compose(workspace -> {
        String workspaceId = workspace.getString("id");
        int invites = (shape.users() + 999) / 1000;
        return Lanes.bounded(invites, 1, i -> api.invite(ownerToken, workspaceId))
            .compose(codes -> Lanes.bounded(shape.users(), concurrency, i -> {
              Api node = nodes.get(i % nodes.size());
              String username = "s" + runId + "u" + i;
              return node.register(username).compose(user -> node.join(user.getString("accessToken"),
                      codes.get(i / 1000))
                  .map(joined -> new User(i, user.getJsonObject("user").getString("id"), username,
                      user.getString("accessToken"), user.getString("refreshToken"), channelsOf.get(i))));
            }))
            .compose(users -> channels(nodes, ownerToken, workspaceId, runId, shape, users, concurrency)
                .compose(channels -> dms(nodes, workspaceId, shape, users, concurrency).map(dms -> {
                  List<Chat> chats = new ArrayList<>(channels);
                  chats.addAll(dms);
                  List<User> withDms = users.stream().map(user -> {
                    List<Integer> mine = new ArrayList<>(user.chats());
                    dms.stream().filter(dm -> dm.members().contains(user.index())).forEach(dm -> mine.add(dm.index()));
                    return new User(user.index(), user.userId(), user.username(), user.accessToken(),
                        user.refreshToken(), List.copyOf(mine));
                  }).toList();
                  return new SearchWorkspace(workspaceId, List.copyOf(chats), withDms);
                })));
      });
    });
  }

  /**
   * Each user's channels: {@code chatsPerUser} distinct ones of the public and private channels (indexes 0 to
   * channels − 1; the private ones come last), drawn with a fixed seed.
   */
  static List<List<Integer>> assignChannels(Shape shape) {
    int channels = shape.chats() - shape.dms();
    List<Integer> all = new ArrayList<>();
    for (int c = 0; c < channels; c++) {
      all.add(c);
    }
    Random random = new Random(shape.seed());
    List<List<Integer>> assigned = new ArrayList<>();
    for (int u = 0; u < shape.users(); u++) {
      Collections.shuffle(all, random);
      assigned.add(List.copyOf(new TreeSet<>(all.subList(0, shape.chatsPerUser()))));
    }
    return assigned;
  }

  /**
   * The public channels (created by the owner, joined by their members) and the private ones (created by their first
   * member, who adds the others; by the owner when nobody drew it), in index order.
   */
  private static Future<List<Chat>> channels(List<Api> nodes, String ownerToken, String workspaceId, String runId,
                                             Shape shape, List<User> users, int concurrency) {
    int channels = shape.chats() - shape.dms();
    List<List<Integer>> members = new ArrayList<>();
    for (int c = 0; c < channels; c++) {
      members.add(new ArrayList<>());
    }
    users.forEach(user -> user.chats().forEach(c -> members.get(c).add(user.index())));
    Api owner = nodes.get(0);
    return Lanes.bounded(channels, 4, c -> {
      boolean isPrivate = c >= shape.publicChannels();
      String name = (isPrivate ? "p" : "c") + runId + "-" + c;
      List<Integer> mine = members.get(c);
      if (!isPrivate || mine.isEmpty()) {
        return owner.createChannel(ownerToken, workspaceId, name, isPrivate)
            .map(chat -> new Chat(c, chat.getString("id"), name, isPrivate ? Kind.PRIVATE : Kind.PUBLIC,
                List.copyOf(mine)));
      }
      User creator = users.get(mine.get(0));
      Api node = nodes.get(creator.index() % nodes.size());
      return node.createChannel(creator.accessToken(), workspaceId, name, true)
          .compose(chat -> Lanes.bounded(mine.size() - 1, 1, m -> node.addMember(creator.accessToken(),
                  chat.getString("id"), users.get(mine.get(m + 1)).userId()))
              .map(added -> new Chat(c, chat.getString("id"), name, Kind.PRIVATE, List.copyOf(mine))));
    }).compose(made -> Lanes.bounded(users.size(), concurrency, u -> {
      User user = users.get(u);
      Api node = nodes.get(u % nodes.size());
      Future<JsonObject> joined = Future.succeededFuture();
      for (int c : user.chats()) {
        if (made.get(c).kind() == Kind.PUBLIC) {
          joined = joined.compose(ok -> node.joinChat(user.accessToken(), made.get(c).id()));
        }
      }
      return joined;
    }).map(joined -> made));
  }

  /** DM k is between users 2k and 2k + 1, created by the first. */
  private static Future<List<Chat>> dms(List<Api> nodes, String workspaceId, Shape shape, List<User> users,
                                        int concurrency) {
    int first = shape.chats() - shape.dms();
    return Lanes.bounded(shape.dms(), concurrency, k -> {
      User a = users.get(2 * k);
      User b = users.get(2 * k + 1);
      return nodes.get(a.index() % nodes.size()).dm(a.accessToken(), workspaceId, List.of(b.userId()))
          .map(chat -> new Chat(first + k, chat.getString("id"), null, Kind.DM, List.of(a.index(), b.index())));
    });
  }
}
