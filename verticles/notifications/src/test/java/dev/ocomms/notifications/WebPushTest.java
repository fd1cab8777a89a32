package dev.ocomms.notifications;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.notifications.PushEndpoint.Behaviour;
import dev.ocomms.notifications.PushEndpoint.Browser;
import dev.ocomms.notifications.PushEndpoint.Received;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Web Push end to end: messages sent over the bridge to members who are offline, pushes received by a push service run
 * inside the test ({@link PushEndpoint}), which checks the VAPID signature and decrypts each payload as a browser
 * would.
 */
@DisplayName("Web Push: offline members' browsers get encrypted, signed, coalesced pushes")
class WebPushTest {
  private static final Duration PUSH_WAIT = Duration.ofSeconds(15);
  private static TestSystem system;
  private static String notifications;
  private static PushEndpoint pushService;

  @BeforeAll
  static void start() {
    system = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
        .deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .configure(config -> config.with(Setting.WEB_PUSH_ALLOW_HTTP_LOOPBACK, true))
        .start();
    notifications = system.cluster().deploy(0, NotificationsVerticle::new);
    pushService = PushEndpoint.start(system.clientVertx());
  }

  @AfterAll
  static void stop() {
    if (pushService != null) {
      pushService.close();
    }
    system.close();
  }

  @AfterEach
  void closeClients() {
    system.closeClients();
  }

  @Test
  @DisplayName("an offline member's browser gets the mention as an aes128gcm payload, VAPID-signed, that decrypts")
  void offlineMemberGetsEncryptedPush() {
    Team team = team();
    Browser browser = subscribe(team.bob, Behaviour.ACCEPT);
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);

    String mention = send(alice, team.channel, "@" + team.bob.username() + " can you **review** this?");

    Received push = browser.await(p -> mention.equals(p.getString("messageId")), PUSH_WAIT);
    assertThat(push.payload()).isEqualTo(new JsonObject()
        .put("title", team.alice.displayName() + " in #launch")
        .put("body", "@" + team.bob.username() + " can you review this?")
        .put("chatId", team.channel).put("messageId", mention).put("priority", "normal").put("count", 1)
        .put("url", "/?chat=" + team.channel + "&message=" + mention));
    assertThat(push.header("Content-Encoding")).isEqualTo("aes128gcm");
    assertThat(push.header("TTL")).isEqualTo("86400");
    assertThat(push.header("Urgency")).isEqualTo("high");
    assertThat(push.header("Topic")).isEqualTo(team.channel.replace("-", ""));
    JsonObject claims = push.vapid();
    assertThat(claims.getString("aud")).isEqualTo("http://127.0.0.1");
    assertThat(claims.getString("sub")).isEqualTo("mailto:admin@localhost");
    assertThat(claims.getLong("exp")).isGreaterThan(Instant.now().getEpochSecond());
    assertThat(claims.getString("k")).isEqualTo(vapidPublicKey(team.bob));
    long deadline = System.nanoTime() + PUSH_WAIT.toNanos();
    while (subscriptions(team.bob).get(0).getString("lastSuccessAt") == null) {
      assertThat(System.nanoTime()).as("lastSuccessAt is never set").isLessThan(deadline);
      PushEndpoint.sleep(50);
    }
    assertThat(subscriptions(team.bob).get(0).getString("origin"))
        .isEqualTo(PushSubscriptions.origin(browser.endpoint()));
  }

  @Test
  @DisplayName("several messages to an offline member in quick succession become one push with their count")
  void quickMessagesAreCoalesced() {
    Team team = team();
    Browser browser = subscribe(team.bob, Behaviour.ACCEPT);
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    String mention = "@" + team.bob.username() + " ";

    send(alice, team.channel, mention + "one");
    send(alice, team.channel, mention + "two");
    String third = send(alice, team.channel, mention + "three");

    JsonObject push = browser.await(p -> third.equals(p.getString("messageId")), PUSH_WAIT).payload();
    assertThat(push.getInteger("count")).isEqualTo(3);
    assertThat(push.getString("title")).isEqualTo("3 new messages in #launch");
    assertThat(push.getString("body")).isEqualTo(team.alice.displayName() + ": " + mention + "three");
    assertThat(browser.received()).hasSize(1);
  }

  @Test
  @DisplayName("under DND only an urgent message is pushed, with priority urgent")
  void dndLetsOnlyUrgentThrough() {
    Team team = team();
    Browser browser = subscribe(team.bob, Behaviour.ACCEPT);
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    system.expect(200, HttpMethod.PUT, "/users/me/notification-settings", team.bob.token(),
        new JsonObject().put("dnd", new JsonObject()));

    String underDnd = send(alice, team.channel, "@" + team.bob.username() + " call me");
    String urgent = alice.call(Addresses.CHAT_MESSAGE_SEND, new JsonObject().put("chatId", team.channel)
        .put("clientId", UUID.randomUUID().toString()).put("content", "the build is on fire")
        .put("priority", "urgent")).getString("id");

    Received push = browser.await(p -> urgent.equals(p.getString("messageId")), PUSH_WAIT);
    assertThat(push.payload().getString("priority")).isEqualTo("urgent");
    assertThat(push.payload().getInteger("count")).isEqualTo(1);
    assertThat(push.header("Urgency")).isEqualTo("high");
    assertThat(browser.received()).extracting(r -> r.payload().getString("messageId")).doesNotContain(underDnd);
  }

  @Test
  @DisplayName("a subscription its push service calls gone (410) is removed")
  void goneSubscriptionIsRemoved() {
    Team team = team();
    Browser gone = subscribe(team.bob, Behaviour.GONE);
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);

    send(alice, team.channel, "@" + team.bob.username() + " still there?");

    gone.awaitRequests(1, PUSH_WAIT);
    long deadline = System.nanoTime() + PUSH_WAIT.toNanos();
    while (!subscriptions(team.bob).isEmpty()) {
      assertThat(System.nanoTime()).as("the gone subscription is still listed").isLessThan(deadline);
      PushEndpoint.sleep(100);
    }
  }

  @Test
  @DisplayName("push subscriptions: registered (idempotent per endpoint), listed, moved to another user, deleted")
  void subscriptionsLifecycle() {
    List<Account> people = system.register(2, 2);
    Account ann = people.get(0);
    Account ben = people.get(1);
    Browser browser = pushService.browser(Behaviour.ACCEPT);

    JsonObject first = system.expect(201, HttpMethod.POST, "/users/me/push-subscriptions", ann.token(),
        browser.subscription()).getJsonObject("subscription");
    JsonObject again = system.expect(201, HttpMethod.POST, "/users/me/push-subscriptions", ann.token(),
        browser.subscription()).getJsonObject("subscription");
    assertThat(again.getString("id")).isEqualTo(first.getString("id"));
    assertThat(first.getString("endpoint")).isEqualTo(browser.endpoint());
    assertThat(subscriptions(ann)).extracting(s -> s.getString("id")).containsExactly(first.getString("id"));

    system.expect(201, HttpMethod.POST, "/users/me/push-subscriptions", ben.token(), browser.subscription());
    assertThat(subscriptions(ann)).isEmpty();
    assertThat(subscriptions(ben)).hasSize(1);
    assertThat(system.call(0, HttpMethod.DELETE, "/users/me/push-subscriptions", ann.token(),
        new JsonObject().put("endpoint", browser.endpoint())).statusCode()).isEqualTo(404);
    assertThat(system.call(0, HttpMethod.DELETE, "/users/me/push-subscriptions/" + first.getString("id"),
        ann.token(), null).statusCode()).isEqualTo(404);
    system.expect(204, HttpMethod.DELETE, "/users/me/push-subscriptions", ben.token(),
        new JsonObject().put("endpoint", browser.endpoint()));
    assertThat(subscriptions(ben)).isEmpty();

    String byId = system.expect(201, HttpMethod.POST, "/users/me/push-subscriptions", ben.token(),
        browser.subscription()).getJsonObject("subscription").getString("id");
    system.expect(204, HttpMethod.DELETE, "/users/me/push-subscriptions/" + byId, ben.token(), null);
    assertThat(subscriptions(ben)).isEmpty();
  }

  @Test
  @DisplayName("signing out removes the push subscriptions of that session only: a signed-out browser gets no pushes")
  void signingOutRemovesThatSessionsSubscriptions() {
    Account ann = system.register();
    Account.Tokens laptop = system.login(ann);
    Browser signedOut = pushService.browser(Behaviour.ACCEPT);
    Browser stillIn = pushService.browser(Behaviour.ACCEPT);
    system.expect(201, HttpMethod.POST, "/users/me/push-subscriptions", laptop.accessToken(),
        signedOut.subscription());
    system.expect(201, HttpMethod.POST, "/users/me/push-subscriptions", ann.token(), stillIn.subscription());

    system.logout(laptop.accessToken());

    long deadline = System.nanoTime() + PUSH_WAIT.toNanos();
    while (subscriptions(ann).size() > 1 && System.nanoTime() < deadline) {
      PushEndpoint.sleep(50);
    }
    assertThat(subscriptions(ann)).hasSize(1);
    assertThat(system.call(0, HttpMethod.DELETE, "/users/me/push-subscriptions", ann.token(),
        new JsonObject().put("endpoint", signedOut.endpoint())).statusCode()).isEqualTo(404);
    system.expect(204, HttpMethod.DELETE, "/users/me/push-subscriptions", ann.token(),
        new JsonObject().put("endpoint", stillIn.endpoint()));
  }

  @Test
  @DisplayName("a user keeps at most 10 subscriptions: the 11th replaces the oldest")
  void subscriptionsPerUserAreLimited() {
    Account ann = system.register();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < PushSubscriptions.MAX_PER_USER + 1; i++) {
      ids.add(system.expect(201, HttpMethod.POST, "/users/me/push-subscriptions", ann.token(),
          pushService.browser(Behaviour.ACCEPT).subscription()).getJsonObject("subscription").getString("id"));
    }

    assertThat(subscriptions(ann)).extracting(s -> s.getString("id"))
        .hasSize(PushSubscriptions.MAX_PER_USER).doesNotContain(ids.get(0)).contains(ids.get(ids.size() - 1));
  }

  @Test
  @DisplayName("a subscription that is not https, or whose keys have the wrong length, is validation_failed")
  void badSubscriptionsAreRefused() {
    Account ann = system.register();
    JsonObject good = pushService.browser(Behaviour.ACCEPT).subscription();

    assertRefused(ann, good.copy().put("endpoint", "http://push.example.com/x"), "endpoint");
    assertRefused(ann, good.copy().put("endpoint", "not a url"), "endpoint");
    assertRefused(ann, good.copy().put("keys", good.getJsonObject("keys").copy().put("p256dh", "AAAA")),
        "keys.p256dh");
    assertRefused(ann, good.copy().put("keys", good.getJsonObject("keys").copy()
        .put("auth", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA")), "keys.auth");
    assertThat(subscriptions(ann)).isEmpty();
  }

  @Test
  @DisplayName("the VAPID key is the same from every notifications instance and after a restart (one database)")
  void vapidKeysAreShared() {
    Account ann = system.register();
    String key = vapidPublicKey(ann);
    assertThat(java.util.Base64.getUrlDecoder().decode(key)).hasSize(65).startsWith((byte) 4);

    String more = system.cluster().deploy(0, NotificationsVerticle::new, 2);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 9; i++) {
      seen.add(vapidPublicKey(ann));
    }
    system.cluster().undeploy(0, more);
    system.cluster().undeploy(0, notifications);
    notifications = system.cluster().deploy(0, NotificationsVerticle::new);

    assertThat(seen).containsExactly(key);
    assertThat(vapidPublicKey(ann)).isEqualTo(key);
  }

  @Test
  @DisplayName("notifications stopped mid-stream and started again: the due pushes arrive, each message once")
  void restartDeliversEachPushOnce() {
    Team team = team();
    Browser browser = subscribe(team.bob, Behaviour.ACCEPT);
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    String mention = "@" + team.bob.username() + " ";

    String before = send(alice, team.channel, mention + "before");
    browser.await(p -> before.equals(p.getString("messageId")), PUSH_WAIT);
    system.cluster().undeploy(0, notifications);
    List<String> whileStopped = List.of(send(alice, team.channel, mention + "one"),
        send(alice, team.channel, mention + "two"), send(alice, team.channel, mention + "three"));
    notifications = system.cluster().deploy(0, NotificationsVerticle::new);
    String after = send(alice, team.channel, mention + "after");

    browser.await(p -> after.equals(p.getString("messageId")), PUSH_WAIT);
    PushEndpoint.sleep(PushSender.COALESCE.toMillis() + 2 * PushSender.DRAIN_INTERVAL_MS);
    List<JsonObject> pushes = browser.received().stream().map(Received::payload).toList();
    assertThat(pushes.stream().mapToInt(p -> p.getInteger("count")).sum()).isEqualTo(2 + whileStopped.size());
    assertThat(pushes).extracting(p -> p.getString("messageId")).doesNotHaveDuplicates()
        .isSubsetOf(before, whileStopped.get(2), after);
  }

  @Test
  @DisplayName("a push service that hangs does not change send ack latency")
  void hangingPushServiceDoesNotSlowSends() {
    Team team = team();
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    String mention = "@" + team.bob.username() + " @" + team.carol.username() + " ";
    int sends = 20;

    List<Long> baseline = acks(alice, team.channel, mention, sends);
    List<Browser> hanging = new ArrayList<>();
    for (Account member : List.of(team.bob, team.carol)) {
      for (int i = 0; i < 5; i++) {
        hanging.add(subscribe(member, Behaviour.HANG));
      }
    }
    send(alice, team.channel, mention + "wake up");
    hanging.get(0).awaitRequests(1, PUSH_WAIT);
    List<Long> withHanging = acks(alice, team.channel, mention, sends);

    assertThat(withHanging).hasSize(sends).allSatisfy(ms -> assertThat(ms).isLessThan(2_000));
    assertThat(median(withHanging)).as("median ack ms with a hanging push service, baseline %s", baseline)
        .isLessThan(median(baseline) * 3 + 50);
    assertThat(hanging.stream().mapToInt(b -> b.received().size()).sum()).isGreaterThan(1);
  }

  // Helpers

  private record Team(Account alice, Account bob, Account carol, String channel) {
  }

  /** Alice's channel with Bob and Carol, who are never online here (pushes, not toasts, are theirs). */
  private static Team team() {
    List<Account> people = system.register(3, 3);
    String workspaceId = system.workspace(people.get(0), List.of(people.get(1), people.get(2)));
    String channel = system.channel(people.get(0), workspaceId, "launch");
    system.joinChat(people.get(1), channel);
    system.joinChat(people.get(2), channel);
    return new Team(people.get(0), people.get(1), people.get(2), channel);
  }

  private static Browser subscribe(Account account, Behaviour behaviour) {
    Browser browser = pushService.browser(behaviour);
    system.expect(201, HttpMethod.POST, "/users/me/push-subscriptions", account.token(), browser.subscription());
    return browser;
  }

  private static List<JsonObject> subscriptions(Account account) {
    JsonArray list = system.expect(200, HttpMethod.GET, "/users/me/push-subscriptions", account.token(), null)
        .getJsonArray("subscriptions");
    return list.stream().map(JsonObject.class::cast).toList();
  }

  private static String vapidPublicKey(Account account) {
    return system.expect(200, HttpMethod.GET, "/users/me/push-subscriptions/vapid-public-key", account.token(), null)
        .getString("publicKey");
  }

  private static void assertRefused(Account account, JsonObject subscription, String field) {
    HttpResponse<Buffer> response = system.call(0, HttpMethod.POST, "/users/me/push-subscriptions", account.token(),
        subscription);
    assertThat(response.statusCode()).as("%s: %s", field, response.bodyAsString()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("validation_failed");
    assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo(field);
  }



  private static String send(BridgeClient sender, String chatId, String content) {
    return sender.call(Addresses.CHAT_MESSAGE_SEND, new JsonObject().put("chatId", chatId)
        .put("clientId", UUID.randomUUID().toString()).put("content", content)).getString("id");
  }

  /** The ack latency (ms) of each of {@code count} sends, 100 ms apart, so that drains run among them. */
  private static List<Long> acks(BridgeClient sender, String chatId, String content, int count) {
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long started = System.nanoTime();
      send(sender, chatId, content + i);
      latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      PushEndpoint.sleep(100);
    }
    return latencies;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
