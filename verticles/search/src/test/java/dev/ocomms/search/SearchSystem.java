package dev.ocomms.search;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.notes.NotesVerticle;
import dev.ocomms.search.Answer.Via;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.uploads.UploadsVerticle;
import dev.ocomms.testkit.Blocking;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.schedulers.Schedulers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the search tests talk to: a node running accounts, messaging, search and the gateway (real PostgreSQL and
 * Redis), reached as a browser reaches it: {@code GET /api/v1/search} and {@code search.query} over the bridge. The
 * package's tests share one ({@code @ExtendWith(SearchSystem.Resolver.class)}, then a {@code SearchSystem} parameter);
 * a test that stops or leaves out the search verticle starts its own ({@link #withoutSearch()}). Every class makes
 * its own accounts and workspaces, so the index holds other classes' messages too, never in the same workspace.
 * Blocking helpers are for the test thread only.
 */
final class SearchSystem implements ExtensionContext.Store.CloseableResource, AutoCloseable {
  static final Duration WAIT = TestSystem.WAIT;
  /** The contract: a message is searchable within 1 s of its send's ack; an edit or a delete shows within 1 s too. */
  static final Duration FRESHNESS = Duration.ofSeconds(1);
  /** How often a test asks again while it waits for the index: a user may search 5 times a second. */
  static final Duration POLL = Duration.ofMillis(250);
  private static final String SEARCH_LIMIT = "search.query";

  final TestSystem server;
  private final Map<String, BridgeClient> bridges = new ConcurrentHashMap<>();

  private SearchSystem(TestSystem server) {
    this.server = server;
  }

  /** Hands the package's one {@link SearchSystem} to test methods and {@code @BeforeAll} methods. */
  static final class Resolver implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == SearchSystem.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
          .getOrComputeIfAbsent(SearchSystem.class, key -> start(), SearchSystem.class);
    }
  }

  /**
   * Accounts, messaging, uploads (messages with files), notes (channel notes), search and the gateway (last, as the
   * launcher deploys it) on one node.
   */
  static SearchSystem start() {
    return new SearchSystem(TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(UploadsVerticle::new)
        .deploy(NotesVerticle::new).deploy(SearchVerticle::new).deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .start());
  }

  /** A system of a test's own without the search verticle; {@link #deploySearch()} adds it. */
  static SearchSystem withoutSearch() {
    return new SearchSystem(TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .start());
  }

  /** Deploys the search verticle on the node, as an operator starts it; its deployment id. */
  String deploySearch() {
    return server.cluster().deploy(0, SearchVerticle::new);
  }

  /** Stops a search verticle this test deployed, as an operator stops it. */
  void undeploySearch(String deploymentId) {
    server.cluster().undeploy(0, deploymentId);
  }

  /** The operators' command that drops the index and rebuilds it from the event stream; its status. */
  int reindex() {
    return server.ops(0, io.vertx.core.http.HttpMethod.POST, "/admin/search/reindex").statusCode();
  }

  @Override
  public void close() {
    server.close();
  }

  // Accounts and chats

  List<Account> users(int count) {
    return server.register(count, Math.min(count, 10));
  }

  /** An account with this display name and a username that starts with {@code usernamePrefix}. */
  Account user(String displayName, String usernamePrefix) {
    String username = usernamePrefix + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    return server.register(new JsonObject().put("email", username + "@example.org").put("username", username)
        .put("displayName", displayName).put("password", TestSystem.PASSWORD));
  }

  /** A workspace of {@code owner} that {@code members} joined (so they are in its #general too); its id. */
  String workspace(Account owner, List<Account> members) {
    return server.workspace(owner, members);
  }

  String general(Account member, String workspaceId) {
    return server.general(member, workspaceId);
  }

  /** A public channel created by {@code creator} and joined by {@code members}; its id. */
  String publicChannel(Account creator, String workspaceId, String name, List<Account> members) {
    return channel(creator, workspaceId, new JsonObject().put("name", name).put("private", false), members);
  }

  /** A private channel created by {@code creator}, who added {@code members}; its id. */
  String privateChannel(Account creator, String workspaceId, String name, List<Account> members) {
    return channel(creator, workspaceId, new JsonObject().put("name", name).put("private", true), members);
  }

  /** A channel from a creation body ({@code name}, {@code private}, {@code topic}); public ones are joined. */
  String channel(Account creator, String workspaceId, JsonObject creation, List<Account> members) {
    String chatId = write(creator, HttpMethod.POST, "/workspaces/" + workspaceId + "/channels", creation, 201)
        .getJsonObject("chat").getString("id");
    boolean isPrivate = creation.getBoolean("private", false);
    members.forEach(member -> {
      if (isPrivate) {
        write(creator, HttpMethod.POST, "/chats/" + chatId + "/members", new JsonObject().put("userId", member.id()),
            200);
      } else {
        write(member, HttpMethod.POST, "/chats/" + chatId + "/join", null, 200);
      }
    });
    return chatId;
  }

  /** The DM of {@code caller} and {@code others}; the chat. */
  JsonObject dm(Account caller, String workspaceId, Account... others) {
    return write(caller, HttpMethod.POST, "/workspaces/" + workspaceId + "/dms", new JsonObject()
        .put("userIds", new JsonArray(Arrays.stream(others).map(Account::id).toList())), 200).getJsonObject("chat");
  }

  void leave(Account member, String chatId) {
    write(member, HttpMethod.POST, "/chats/" + chatId + "/leave", null, 204);
  }

  void removeMember(Account moderator, String chatId, Account member) {
    write(moderator, HttpMethod.DELETE, "/chats/" + chatId + "/members/" + member.id(), null, 204);
  }

  // Messages (REST, as the web client sends them)

  /** Sends {@code content}; the stored message (the ack). */
  JsonObject send(Account sender, String chatId, String content) {
    return send(sender, chatId, new JsonObject().put("content", content));
  }

  /** Sends a message body ({@code content}, {@code replyTo}, {@code fileIds} …) with a fresh clientId; the ack. */
  JsonObject send(Account sender, String chatId, JsonObject message) {
    return write(sender, HttpMethod.POST, "/chats/" + chatId + "/messages",
        message.copy().put("clientId", UUID.randomUUID().toString()), 201);
  }

  /**
   * {@code contents.size()} messages to a chat, spread over {@code senders}, many in flight at once (refused ones are
   * sent again once the sender's limit allows); the acks in the order of {@code contents}.
   */
  List<JsonObject> sendAll(List<Account> senders, String chatId, List<String> contents) {
    return Single.concatEager(IntStream.range(0, contents.size()).mapToObj(i -> Single.fromCallable(() ->
                send(senders.get(i % senders.size()), chatId, contents.get(i)))
            .subscribeOn(Schedulers.io())).toList(), 10)
        .toList().blockingGet();
  }

  JsonObject edit(Account author, String messageId, String content) {
    return write(author, HttpMethod.PATCH, "/messages/" + messageId, new JsonObject().put("content", content), 200);
  }

  JsonObject delete(Account author, String messageId) {
    return write(author, HttpMethod.DELETE, "/messages/" + messageId, null, 200);
  }

  /** The history around a seq (what a client opens for a result). */
  JsonObject around(Account reader, String chatId, long seq) {
    return write(reader, HttpMethod.GET, "/chats/" + chatId + "/messages?around=" + seq + "&limit=10", null, 200);
  }

  /** A write that must answer {@code status}, sent again after {@code retryAfterMs} while the caller's limits refuse it. */
  private JsonObject write(Account caller, HttpMethod method, String path, JsonObject body, int status) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      HttpResponse<Buffer> response = server.call(0, method, path, caller.token(), body);
      if (response.statusCode() == 429 && System.nanoTime() < deadline) {
        Blocking.pause(retryAfterMs(response.bodyAsJsonObject()));
        continue;
      }
      assertThat(response.statusCode()).as("%s %s: %s", method, path, response.bodyAsString()).isEqualTo(status);
      return status == 204 || response.body() == null ? new JsonObject() : response.bodyAsJsonObject();
    }
  }

  // Search

  /** One search, exactly as asked: over REST or as a {@code search.query} bridge request. */
  Answer searchOnce(Via via, Account searcher, SearchRequest query) {
    return switch (via) {
      case REST -> Answer.of(server.call(0, HttpMethod.GET, query.path(), searcher.token(), null));
      case BRIDGE -> Answer.of(bridge(searcher).request(Addresses.SEARCH_QUERY, query.body(), searcher.token()));
    };
  }

  /** One search that, when the searcher's 5 a second are used up, waits as told and asks again. */
  Answer search(Via via, Account searcher, SearchRequest query) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Answer answer = searchOnce(via, searcher, query);
      if (answer.status() == 429 && SEARCH_LIMIT.equals(answer.body().getString("limit"))
          && System.nanoTime() < deadline) {
        Blocking.pause(retryAfterMs(answer.body()));
        continue;
      }
      return answer;
    }
  }

  Answer search(Account searcher, SearchRequest query) {
    return search(Via.REST, searcher, query);
  }

  /** The ids of the messages a search finds (first page). */
  List<String> find(Account searcher, SearchRequest query) {
    return search(searcher, query).messageIds();
  }

  /** Every result of a search, page after page by {@code nextCursor}, until a page has none. */
  List<JsonObject> allPages(Via via, Account searcher, SearchRequest query) {
    List<JsonObject> all = new ArrayList<>();
    SearchRequest page = query;
    for (int pages = 0; pages < 200; pages++) {
      Answer answer = search(via, searcher, page);
      all.addAll(answer.results());
      if (answer.nextCursor() == null) {
        return all;
      }
      page = query.cursor(answer.nextCursor());
    }
    throw new AssertionError("more than 200 pages for " + query);
  }

  /**
   * Asks every {@link #POLL} from {@code sinceNanos} (a {@link System#nanoTime()}) until {@code done} holds: the
   * answer that satisfied it. Fails unless a search started within {@code within} of {@code sinceNanos} did, naming
   * the last answer. No fixed sleep: it returns as soon as the index shows the change.
   */
  Answer awaitAnswer(Account searcher, SearchRequest query, Predicate<Answer> done, long sinceNanos, Duration within,
                     String what) {
    long deadline = sinceNanos + within.toNanos();
    Answer last = null;
    for (long ask = sinceNanos; ; ) {
      Blocking.sleepUntil(Math.min(ask, deadline));
      long asked = System.nanoTime();
      ask = asked + POLL.toNanos();
      last = searchOnce(Via.REST, searcher, query);
      if (done.test(last)) {
        assertThat(asked).as("%s within %d ms: only in a search asked %d ms after", what, within.toMillis(),
            TimeUnit.NANOSECONDS.toMillis(asked - sinceNanos)).isLessThanOrEqualTo(deadline);
        return last;
      }
      if (asked >= deadline) {
        throw new AssertionError(what + " within " + within.toMillis() + " ms: not so; the last answer to "
            + query + " (asked " + TimeUnit.NANOSECONDS.toMillis(asked - sinceNanos) + " ms after): " + last);
      }
    }
  }

  /** As {@link #awaitAnswer}, waiting up to {@link #WAIT} from now: for setting up a corpus. */
  Answer awaitAnswer(Account searcher, SearchRequest query, Predicate<Answer> done, String what) {
    return awaitAnswer(searcher, query, done, System.nanoTime(), WAIT, what);
  }

  /** Waits until the search finds exactly these messages (in any order): the corpus is indexed. */
  void awaitIndexed(Account searcher, SearchRequest query, Set<String> messageIds) {
    awaitAnswer(searcher, query.limit(50), answer -> answer.status() == 200
        && Set.copyOf(answer.messageIds()).equals(messageIds), "the index holds " + messageIds.size() + " messages");
  }

  /** The answer is a success whose message ids are exactly {@code ids}. */
  static Predicate<Answer> findsExactly(Set<String> ids) {
    return answer -> answer.status() == 200 && Set.copyOf(answer.messageIds()).equals(ids);
  }

  /** The answer is a success that holds none of these messages. */
  static Predicate<Answer> findsNoneOf(Set<String> ids) {
    return answer -> answer.status() == 200 && answer.messageIds().stream().noneMatch(ids::contains);
  }

  // The bridge

  /** The searcher's bridge connection (one per account, opened on first use). */
  BridgeClient bridge(Account account) {
    return bridges.computeIfAbsent(account.id(),
        id -> server.connect(0, Transport.RAW_WEBSOCKET).signedInAs(account.token()));
  }

  // Test data

  /**
   * A word no other message holds (letters a text-search dictionary keeps as they are: consonants, so no stemming
   * rule such as a final "s" or "ing" applies).
   */
  static String uniqueWord() {
    String letters = "bcdfghjklmnpqrtvwxz";
    return ThreadLocalRandom.current().ints(10, 0, letters.length())
        .mapToObj(i -> String.valueOf(letters.charAt(i))).collect(Collectors.joining());
  }

  static Set<String> ids(JsonObject... messages) {
    return Arrays.stream(messages).map(message -> message.getString("id"))
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  static String id(JsonObject message) {
    return message.getString("id");
  }

  private static long retryAfterMs(JsonObject error) {
    long millis = error.getLong("retryAfterMs", error.getLong("retryAfter", 1L) * 1000);
    return Math.max(50, millis);
  }
}
