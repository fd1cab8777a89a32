package dev.ocomms.notifications;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Notifications on two nodes: both follow the event stream and send pushes, each toast and push once")
class NotificationsClusterTest {
  /** Below the send limit of one sender (10 a second), so that a quick test machine is not refused. */
  private static final int MESSAGES = 8;
  private static TestSystem system;
  private static PushEndpoint pushService;

  @BeforeAll
  static void start() {
    system = TestSystem.builder().nodes(2).everyNodeServes()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
        .deploy(NotificationsVerticle::new, 2).deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .configure(config -> config.with(Setting.WEB_PUSH_ALLOW_HTTP_LOOPBACK, true))
        .start();
    pushService = PushEndpoint.start(system.clientVertx());
  }

  @AfterAll
  static void stop() {
    if (pushService != null) {
      pushService.close();
    }
    system.close();
  }

  @Test
  @DisplayName("two nodes' push senders share the pushes due: every mention reaches the offline member's browser once")
  void eachPushOnce() {
    List<Account> people = system.register(2, 2);
    Account alice = people.get(0);
    Account carol = people.get(1);
    String workspaceId = system.workspace(alice, List.of(carol));
    String channel = system.channel(alice, workspaceId, "pushes");
    system.joinChat(carol, channel);
    PushEndpoint.Browser browser = pushService.browser(PushEndpoint.Behaviour.ACCEPT);
    system.expect(201, HttpMethod.POST, "/users/me/push-subscriptions", carol.token(), browser.subscription());
    List<BridgeClient> alices = List.of(system.connect(0, Transport.RAW_WEBSOCKET).signedInAs(alice.token()),
        system.connect(1, Transport.RAW_WEBSOCKET).signedInAs(alice.token()));

    List<String> sent = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      sent.add(alices.get(i % 2).call(Addresses.CHAT_MESSAGE_SEND, new JsonObject().put("chatId", channel)
          .put("clientId", UUID.randomUUID().toString()).put("content", "@" + carol.username() + " #" + i))
          .getString("id"));
      PushEndpoint.sleep(150);
    }

    String last = sent.get(MESSAGES - 1);
    browser.await(p -> last.equals(p.getString("messageId")), Duration.ofSeconds(15));
    PushEndpoint.sleep(PushSender.COALESCE.toMillis() + 2 * PushSender.DRAIN_INTERVAL_MS);
    List<JsonObject> pushes = browser.received().stream().map(PushEndpoint.Received::payload).toList();
    assertThat(pushes.stream().mapToInt(p -> p.getInteger("count")).sum()).isEqualTo(MESSAGES);
    assertThat(pushes).extracting(p -> p.getString("messageId")).doesNotHaveDuplicates().isSubsetOf(sent);
  }

  @Test
  @DisplayName("mentions sent through both nodes reach the member once each, whichever node decided them")
  void eachToastOnce() {
    List<Account> people = system.register(2, 2);
    Account alice = people.get(0);
    Account bob = people.get(1);
    String workspaceId = system.workspace(alice, List.of(bob));
    String channel = system.channel(alice, workspaceId, "launch");
    system.joinChat(bob, channel);
    BridgeClient bobs = system.onlineAndAvailable(1, bob);
    List<BridgeClient> alices = List.of(system.connect(0, Transport.RAW_WEBSOCKET).signedInAs(alice.token()),
        system.connect(1, Transport.RAW_WEBSOCKET).signedInAs(alice.token()));

    List<String> sent = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      sent.add(alices.get(i % 2).call(Addresses.CHAT_MESSAGE_SEND, new JsonObject().put("chatId", channel)
          .put("clientId", UUID.randomUUID().toString()).put("content", "@" + bob.username() + " #" + i))
          .getString("id"));
    }

    String last = sent.get(MESSAGES - 1);
    bobs.awaitEvent(Addresses.user(bob.id()), "notification.toast", t -> last.equals(t.getString("messageId")),
        TestSystem.WAIT);
    Map<String, Long> perMessage = bobs.events(Addresses.user(bob.id()), "notification.toast").stream()
        .collect(Collectors.groupingBy(t -> t.getString("messageId"), Collectors.counting()));
    assertThat(perMessage).containsOnlyKeys(sent);
    assertThat(perMessage.values()).containsOnly(1L);
  }


}
