package dev.ocomms.notifications;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.shared.bus.Addresses;
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

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Notifications end to end: messages sent over the bridge, toasts received over the bridge. A toast that must not
 * come is shown absent without waiting out a window: a later toast to the same user (a marker) is awaited, and toasts
 * are published in the order of the messages they are about.
 */
@DisplayName("Notifications: toasts over the bridge, as settings, DND, focus and urgency say")
class NotificationsTest {
  private static final String TOAST = "notification.toast";
  private static TestSystem system;
  private static String notifications;

  @BeforeAll
  static void start() {
    system = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
        .deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .start();
    notifications = system.cluster().deploy(0, NotificationsVerticle::new);
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  @AfterEach
  void closeClients() {
    system.closeClients();
  }

  @Test
  @DisplayName("a mention reaches the online member as notification.toast on user.<id>; the sender gets none")
  void mentionReachesOnlineMember() {
    Team team = team();
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    BridgeClient bob = system.onlineAndAvailable(0, team.bob);

    String mention = send(alice, team.channel, "@" + team.bob.username() + " can you **review** this?");
    String reply = send(bob, team.channel, "@" + team.alice.username() + " on it");

    JsonObject toast = toastAbout(bob, team.bob, mention);
    assertThat(toast).isEqualTo(new JsonObject().put("type", TOAST)
        .put("title", team.alice.displayName() + " in #launch")
        .put("body", "@" + team.bob.username() + " can you review this?")
        .put("chatId", team.channel).put("messageId", mention).put("senderId", team.alice.id())
        .put("priority", "normal").put("count", 1));
    toastAbout(alice, team.alice, reply);
    assertThat(toasts(alice, team.alice)).extracting(t -> t.getString("messageId")).containsExactly(reply);
  }

  @Test
  @DisplayName("a system message toasts no one: a DM's topic change (where every message toasts) and a join at level "
      + "all")
  void systemMessagesNeverToast() {
    Team team = team();
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    BridgeClient bob = system.onlineAndAvailable(0, team.bob);
    String dm = system.expect(200, HttpMethod.POST, "/workspaces/" + team.workspaceId + "/dms", team.alice.token(),
        new JsonObject().put("userIds", new JsonArray().add(team.bob.id()))).getJsonObject("chat").getString("id");
    chatSettings(team.bob, team.channel, new JsonObject().put("level", "all"));

    system.expect(200, HttpMethod.PATCH, "/chats/" + dm, team.alice.token(), new JsonObject().put("topic", "Launch"));
    String other = system.channel(team.alice, team.workspaceId, "later");
    system.expect(200, HttpMethod.POST, "/chats/" + other + "/members", team.alice.token(),
        new JsonObject().put("userId", team.bob.id()));
    system.expect(204, HttpMethod.POST, "/chats/" + team.channel + "/leave", team.carol.token(), null);
    String marker = send(alice, dm, "and now a message");

    toastAbout(bob, team.bob, marker);
    assertThat(toasts(bob, team.bob)).extracting(t -> t.getString("messageId")).containsExactly(marker);
  }

  @Test
  @DisplayName("without a mention nothing toasts by default (level mentions); with level all every message does")
  void levels() {
    Team team = team();
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    BridgeClient bob = system.onlineAndAvailable(0, team.bob);
    BridgeClient carol = witness(team);

    String quiet = send(alice, team.channel, "lunch?");
    decided(carol, team, quiet);
    chatSettings(team.bob, team.channel, new JsonObject().put("level", "all"));
    String loud = send(alice, team.channel, "lunch now?");

    toastAbout(bob, team.bob, loud);
    assertThat(toasts(bob, team.bob)).extracting(t -> t.getString("messageId")).doesNotContain(quiet);
  }

  @Test
  @DisplayName("members whose chat settings let a message through nowhere are not looked up in presence for it")
  void membersWhoCannotBeToldAreNotLookedUp() {
    Team team = team();
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    system.onlineAndAvailable(0, team.bob);
    BridgeClient carol = witness(team);
    List<String> askedAbout = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.vertx.core.Handler<io.vertx.core.eventbus.DeliveryContext<Object>> recorder = delivery -> {
      if (Addresses.PRESENCE_READ.equals(delivery.message().address())
          && delivery.body() instanceof JsonObject body) {
        body.getJsonArray("userIds", new JsonArray()).forEach(id -> askedAbout.add((String) id));
      }
      delivery.next();
    };
    io.vertx.core.eventbus.EventBus bus = system.cluster().node(0).eventBus().getDelegate();
    bus.addOutboundInterceptor(recorder);
    try {
      String quiet = send(alice, team.channel, "lunch?");
      decided(carol, team, quiet);
    } finally {
      bus.removeOutboundInterceptor(recorder);
    }

    // Carol (level all) is looked up; Bob (level mentions, not mentioned) and Alice (the sender) are not.
    assertThat(askedAbout).contains(team.carol.id()).doesNotContain(team.bob.id(), team.alice.id());
  }

  @Test
  @DisplayName("level nothing, mute and DND each suppress the toast of a mention")
  void nothingMuteAndDndSuppress() {
    Team team = team();
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    BridgeClient bob = system.onlineAndAvailable(0, team.bob);
    BridgeClient carol = witness(team);
    String mention = "@" + team.bob.username() + " ping";

    chatSettings(team.bob, team.channel, new JsonObject().put("level", "nothing"));
    String underNothing = send(alice, team.channel, mention);
    decided(carol, team, underNothing);
    chatSettings(team.bob, team.channel, new JsonObject().put("level", "mentions").put("muted", true));
    String underMute = send(alice, team.channel, mention);
    decided(carol, team, underMute);
    chatSettings(team.bob, team.channel, new JsonObject().put("muted", false));
    userSettings(team.bob, new JsonObject().put("dnd", new JsonObject()));
    String underDnd = send(alice, team.channel, mention);
    decided(carol, team, underDnd);
    userSettings(team.bob, new JsonObject().putNull("dnd"));
    String marker = send(alice, team.channel, mention);

    toastAbout(bob, team.bob, marker);
    assertThat(toasts(bob, team.bob)).extracting(t -> t.getString("messageId")).containsExactly(marker)
        .doesNotContain(underNothing, underMute, underDnd);
  }

  @Test
  @DisplayName("while one of the member's devices shows the chat (chat.focus), its messages do not toast")
  void focusSuppresses() {
    Team team = team();
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    BridgeClient bob = system.onlineAndAvailable(0, team.bob);
    BridgeClient carol = witness(team);
    String mention = "@" + team.bob.username() + " look";

    JsonObject focused = bob.call(Addresses.CHAT_FOCUS, new JsonObject().put("chatId", team.channel));
    assertThat(focused.getString("chatId")).isEqualTo(team.channel);
    String whileFocused = send(alice, team.channel, mention);
    decided(carol, team, whileFocused);
    bob.call(Addresses.CHAT_FOCUS, new JsonObject().putNull("chatId"));
    String afterwards = send(alice, team.channel, mention);

    toastAbout(bob, team.bob, afterwards);
    assertThat(toasts(bob, team.bob)).extracting(t -> t.getString("messageId")).containsExactly(afterwards)
        .doesNotContain(whileFocused);
  }

  @Test
  @DisplayName("3 messages from one chat within 10 s: the third toast stands for all three (3 new messages in #launch)")
  void rapidMessagesAreGrouped() {
    Team team = team();
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    BridgeClient bob = system.onlineAndAvailable(0, team.bob);
    chatSettings(team.bob, team.channel, new JsonObject().put("level", "all"));

    send(alice, team.channel, "one");
    send(alice, team.channel, "two");
    String third = send(alice, team.channel, "three");

    JsonObject grouped = toastAbout(bob, team.bob, third);
    assertThat(grouped.getString("title")).isEqualTo("3 new messages in #launch");
    assertThat(grouped.getString("body")).isEqualTo(team.alice.displayName() + ": three");
    assertThat(grouped.getInteger("count")).isEqualTo(3);
    assertThat(toasts(bob, team.bob)).extracting(t -> t.getInteger("count")).containsExactly(1, 2, 3);
  }

  @Test
  @DisplayName("a mention added by an edit notifies once; editing again does not notify again")
  void mentionsAddedByEditsNotifyOnce() {
    Team team = team();
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    BridgeClient bob = system.onlineAndAvailable(0, team.bob);

    String message = send(alice, team.channel, "who can review?");
    edit(alice, message, "who can review? @" + team.bob.username());
    edit(alice, message, "who can review? @" + team.bob.username() + " please");
    String marker = send(alice, team.channel, "@" + team.bob.username() + " thanks");

    toastAbout(bob, team.bob, marker);
    assertThat(toasts(bob, team.bob)).extracting(t -> t.getString("messageId")).containsExactly(message, marker);
  }

  @Test
  @DisplayName("an urgent message breaks through DND and mute, is pending until acknowledged; the sender sees the ack")
  void urgentBreaksThroughAndIsAcknowledged() {
    Team team = team();
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    BridgeClient bob = system.onlineAndAvailable(0, team.bob);
    userSettings(team.bob, new JsonObject().put("dnd", new JsonObject()));
    chatSettings(team.bob, team.channel, new JsonObject().put("muted", true));

    JsonObject sent = alice.call(Addresses.CHAT_MESSAGE_SEND, new JsonObject().put("chatId", team.channel)
        .put("clientId", UUID.randomUUID().toString()).put("content", "the build is on fire")
        .put("priority", "urgent"));
    String urgent = sent.getString("id");

    JsonObject toast = toastAbout(bob, team.bob, urgent);
    assertThat(toast.getString("priority")).isEqualTo("urgent");
    assertThat(pendingUrgent(team.bob)).containsExactly(urgent);
    JsonObject ack = bob.call(Addresses.NOTIFICATION_ACK, new JsonObject().put("messageId", urgent));
    assertThat(ack.getString("messageId")).isEqualTo(urgent);

    JsonObject seen = alice.awaitEvent(Addresses.user(team.alice.id()), "notification.acked",
        event -> urgent.equals(event.getString("messageId")), TestSystem.WAIT);
    assertThat(seen.getString("userId")).isEqualTo(team.bob.id());
    assertThat(seen.getString("chatId")).isEqualTo(team.channel);
    assertThat(seen.getString("acknowledgedAt")).isEqualTo(ack.getString("acknowledgedAt"));
    assertThat(pendingUrgent(team.bob)).isEmpty();
    assertThat(bob.request(Addresses.NOTIFICATION_ACK, new JsonObject().put("messageId", UUID.randomUUID()
        .toString()), team.bob.token()).getString("type")).isEqualTo("err");
  }

  @Test
  @DisplayName("after a reload, the recipient gets the urgent banner's text again and the sender who acknowledged it")
  void urgentMessagesAreListedForRecipientAndSender() {
    Team team = team();
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    BridgeClient bob = system.onlineAndAvailable(0, team.bob);
    BridgeClient carol = system.onlineAndAvailable(0, team.carol);
    String urgent = alice.call(Addresses.CHAT_MESSAGE_SEND, new JsonObject().put("chatId", team.channel)
        .put("clientId", UUID.randomUUID().toString()).put("content", "the **build** is on fire")
        .put("priority", "urgent")).getString("id");
    toastAbout(bob, team.bob, urgent);
    toastAbout(carol, team.carol, urgent);

    bob.call(Addresses.NOTIFICATION_ACK, new JsonObject().put("messageId", urgent));

    JsonObject forCarol = system.expect(200, HttpMethod.GET, "/users/me/urgent-messages", team.carol.token(), null);
    assertThat(forCarol.getJsonArray("urgent").getJsonObject(0)).isEqualTo(new JsonObject()
        .put("messageId", urgent).put("chatId", team.channel).put("senderId", team.alice.id())
        .put("createdAt", forCarol.getJsonArray("urgent").getJsonObject(0).getString("createdAt"))
        .put("title", team.alice.displayName() + " in #launch").put("body", "the build is on fire"));
    JsonObject forAlice = system.expect(200, HttpMethod.GET, "/users/me/urgent-messages", team.alice.token(), null);
    assertThat(forAlice.getJsonArray("urgent")).isEmpty();
    JsonObject sent = forAlice.getJsonArray("sent").getJsonObject(0);
    assertThat(sent.getString("messageId")).isEqualTo(urgent);
    assertThat(sent.getString("chatId")).isEqualTo(team.channel);
    assertThat(sent.getLong("recipients")).isEqualTo(2);
    assertThat(sent.getJsonArray("acknowledgedBy")).containsExactly(team.bob.id());
  }

  @Test
  @DisplayName("settings changed on one device reach the user's other devices (notification.settings)")
  void settingsReachOtherDevices() {
    Team team = team();
    BridgeClient otherDevice = system.onlineAndAvailable(0, team.bob);
    JsonObject schedule = new JsonObject().put("days", new JsonArray().add("sat").add("sun")).put("start", "20:00")
        .put("end", "08:00").put("timeZone", "Europe/Berlin");

    JsonObject saved = userSettings(team.bob, new JsonObject().put("sound", false).put("schedule", schedule));
    JsonObject chat = chatSettings(team.bob, team.channel, new JsonObject().put("level", "all"));

    assertThat(saved.getBoolean("sound")).isFalse();
    assertThat(saved.getJsonObject("schedule")).isEqualTo(schedule);
    JsonObject global = otherDevice.awaitEvent(Addresses.user(team.bob.id()), "notification.settings",
        event -> !event.containsKey("chatId"), TestSystem.WAIT);
    assertThat(global.getJsonObject("settings")).isEqualTo(saved);
    JsonObject perChat = otherDevice.awaitEvent(Addresses.user(team.bob.id()), "notification.settings",
        event -> team.channel.equals(event.getString("chatId")), TestSystem.WAIT);
    assertThat(perChat.getJsonObject("settings")).isEqualTo(chat);
    assertThat(system.expect(200, HttpMethod.GET, "/users/me/notification-settings", team.bob.token(), null)
        .getJsonObject("settings")).isEqualTo(saved);
    assertThat(system.expect(200, HttpMethod.GET, "/chats/" + team.channel + "/notification-settings",
        team.bob.token(), null)).isEqualTo(new JsonObject().put("chatId", team.channel).put("level", "all")
        .put("muted", false));
  }

  @Test
  @DisplayName("the global settings list every chat whose settings differ from the defaults, and only those")
  void globalSettingsListChangedChats() {
    Team team = team();
    String quiet = system.channel(team.alice, team.workspaceId, "quiet");
    system.joinChat(team.bob, quiet);
    String reset = system.channel(team.alice, team.workspaceId, "reset");
    system.joinChat(team.bob, reset);

    chatSettings(team.bob, team.channel, new JsonObject().put("level", "all"));
    chatSettings(team.bob, quiet, new JsonObject().put("muted", true));
    chatSettings(team.bob, reset, new JsonObject().put("level", "nothing"));
    chatSettings(team.bob, reset, new JsonObject().put("level", "mentions"));
    chatSettings(team.alice, team.channel, new JsonObject().put("level", "nothing"));

    JsonArray chats = system.expect(200, HttpMethod.GET, "/users/me/notification-settings", team.bob.token(), null)
        .getJsonArray("chats");
    assertThat(chats.stream().map(JsonObject.class::cast).toList()).containsExactlyInAnyOrder(
        new JsonObject().put("chatId", team.channel).put("level", "all").put("muted", false),
        new JsonObject().put("chatId", quiet).put("level", "mentions").put("muted", true));
  }

  @Test
  @DisplayName("a bad schedule is validation_failed (field schedule); another's chat is 404")
  void refusals() {
    Team team = team();
    Account outsider = system.register();

    HttpResponse<Buffer> badZone = system.call(0, HttpMethod.PUT, "/users/me/notification-settings",
        team.bob.token(), new JsonObject().put("schedule", new JsonObject().put("days", new JsonArray().add("mon"))
            .put("start", "22:00").put("end", "07:00").put("timeZone", "Nowhere/Special")));
    assertThat(badZone.statusCode()).isEqualTo(400);
    assertThat(badZone.bodyAsJsonObject().getString("code")).isEqualTo("validation_failed");
    assertThat(badZone.bodyAsJsonObject().getString("field")).isEqualTo("schedule");
    assertThat(system.call(0, HttpMethod.GET, "/chats/" + team.channel + "/notification-settings",
        outsider.token(), null).statusCode()).isEqualTo(404);
    assertThat(system.call(0, HttpMethod.PUT, "/chats/" + team.channel + "/notification-settings",
        team.bob.token(), new JsonObject().put("level", "loud")).statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("notifications stopped mid-stream and started again: every due toast arrives, each once")
  void restartDeliversEachToastOnce() {
    Team team = team();
    BridgeClient alice = system.onlineAndAvailable(0, team.alice);
    BridgeClient bob = system.onlineAndAvailable(0, team.bob);
    String mention = "@" + team.bob.username() + " ";

    String before = send(alice, team.channel, mention + "before");
    toastAbout(bob, team.bob, before);
    system.cluster().undeploy(0, notifications);
    List<String> whileStopped = List.of(send(alice, team.channel, mention + "one"),
        send(alice, team.channel, mention + "two"), send(alice, team.channel, mention + "three"));
    notifications = system.cluster().deploy(0, NotificationsVerticle::new);
    String after = send(alice, team.channel, mention + "after");

    toastAbout(bob, team.bob, after);
    Map<String, Long> perMessage = toasts(bob, team.bob).stream()
        .collect(Collectors.groupingBy(t -> t.getString("messageId"), Collectors.counting()));
    assertThat(perMessage).containsOnlyKeys(before, whileStopped.get(0), whileStopped.get(1), whileStopped.get(2),
        after);
    assertThat(perMessage.values()).containsOnly(1L);
  }

  // A workspace of Alice (its owner) with Bob and Carol, and a channel of theirs.
  private record Team(Account alice, Account bob, Account carol, String workspaceId, String channel) {
  }

  private static Team team() {
    List<Account> people = system.register(3, 3);
    String workspaceId = system.workspace(people.get(0), List.of(people.get(1), people.get(2)));
    String channel = system.channel(people.get(0), workspaceId, "launch");
    system.joinChat(people.get(1), channel);
    system.joinChat(people.get(2), channel);
    return new Team(people.get(0), people.get(1), people.get(2), workspaceId, channel);
  }

  /**
   * Carol, online and told of every message of the channel: her toast about a message shows that its page has been
   * decided (for Bob too), so that a test may change Bob's settings afterwards without changing that decision.
   */
  private static BridgeClient witness(Team team) {
    chatSettings(team.carol, team.channel, new JsonObject().put("level", "all"));
    return system.onlineAndAvailable(0, team.carol);
  }

  private static void decided(BridgeClient witness, Team team, String messageId) {
    toastAbout(witness, team.carol, messageId);
  }



  /** Sends a message over the bridge; its id. */
  private static String send(BridgeClient sender, String chatId, String content) {
    return sender.call(Addresses.CHAT_MESSAGE_SEND, new JsonObject().put("chatId", chatId)
        .put("clientId", UUID.randomUUID().toString()).put("content", content)).getString("id");
  }

  private static void edit(BridgeClient author, String messageId, String content) {
    author.call(Addresses.CHAT_MESSAGE_EDIT, new JsonObject().put("messageId", messageId).put("content", content));
  }

  private static JsonObject toastAbout(BridgeClient client, Account account, String messageId) {
    return client.awaitEvent(Addresses.user(account.id()), TOAST, t -> messageId.equals(t.getString("messageId")),
        TestSystem.WAIT);
  }

  private static List<JsonObject> toasts(BridgeClient client, Account account) {
    return client.events(Addresses.user(account.id()), TOAST);
  }

  /** The ids of the urgent messages the user has not acknowledged, newest first. */
  private static List<String> pendingUrgent(Account account) {
    return system.expect(200, HttpMethod.GET, "/users/me/urgent-messages", account.token(), null)
        .getJsonArray("urgent").stream().map(item -> ((JsonObject) item).getString("messageId")).toList();
  }

  private static JsonObject userSettings(Account account, JsonObject change) {
    return system.expect(200, HttpMethod.PUT, "/users/me/notification-settings", account.token(), change)
        .getJsonObject("settings");
  }

  private static JsonObject chatSettings(Account account, String chatId, JsonObject change) {
    return system.expect(200, HttpMethod.PUT, "/chats/" + chatId + "/notification-settings", account.token(), change);
  }

}
