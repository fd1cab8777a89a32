package dev.ocomms.notifications;

import dev.ocomms.shared.config.ConfigException;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Web Push parts: the coalesced payload, retries, endpoints accepted, VAPID keys")
class PushPartsTest {
  private static final String CHAT = "0190f0e0-0000-7000-8000-000000000001";
  private static final String MESSAGE = "0190f0e0-0000-7000-8000-000000000002";

  private static JsonObject toast(String title, String body) {
    return new JsonObject().put("title", title).put("body", body).put("chatId", CHAT).put("messageId", MESSAGE)
        .put("senderId", "x").put("priority", "normal").put("count", 1);
  }

  @Test
  @DisplayName("one notification is pushed as its toast, with count 1 and the url that opens the message")
  void one() {
    assertThat(PushSender.payload(toast("Alice in #launch", "hi"), 1, true)).isEqualTo(new JsonObject()
        .put("title", "Alice in #launch").put("body", "hi").put("chatId", CHAT).put("messageId", MESSAGE)
        .put("priority", "normal").put("count", 1).put("url", "/?chat=" + CHAT + "&message=" + MESSAGE));
  }

  @Test
  @DisplayName("several from one channel: '3 new messages in #launch', the latest's sender and text")
  void severalFromOneChannel() {
    JsonObject payload = PushSender.payload(toast("Alice in #launch", "hi"), 3, true);
    assertThat(payload.getString("title")).isEqualTo("3 new messages in #launch");
    assertThat(payload.getString("body")).isEqualTo("Alice: hi");
    assertThat(payload.getInteger("count")).isEqualTo(3);
  }

  @Test
  @DisplayName("several from one DM: '2 new messages from Alice'; from several chats: '4 new messages'")
  void severalFromDmOrChats() {
    assertThat(PushSender.payload(toast("Alice", "hi"), 2, true).getString("title"))
        .isEqualTo("2 new messages from Alice");
    JsonObject mixed = PushSender.payload(toast("Alice in #launch", "hi"), 4, false);
    assertThat(mixed.getString("title")).isEqualTo("4 new messages");
    assertThat(mixed.getString("body")).isEqualTo("Alice in #launch: hi");
  }

  @Test
  @DisplayName("the payload stays under 3 KB whatever the title")
  void small() {
    JsonObject payload = PushSender.payload(toast("x".repeat(5_000), "hi"), 1, true);
    assertThat(payload.encode().length()).isLessThan(PushSender.MAX_PAYLOAD_BYTES);
  }

  @Test
  @DisplayName("retries wait 10 s, 20 s, 40 s, … and never more than 10 minutes")
  void backoff() {
    assertThat(PushSender.backoff(1)).isEqualTo(Duration.ofSeconds(10));
    assertThat(PushSender.backoff(3)).isEqualTo(Duration.ofSeconds(40));
    assertThat(PushSender.backoff(30)).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  @DisplayName("endpoints: https only; http to a loopback address only when allowed, never to another host")
  void endpoints() {
    assertThat(PushSubscriptions.endpoint("https://fcm.googleapis.com/fcm/send/abc", false)).isNotNull();
    assertRefused("http://127.0.0.1:8080/push", false);
    assertThat(PushSubscriptions.endpoint("http://127.0.0.1:8080/push", true)).isNotNull();
    assertThat(PushSubscriptions.endpoint("http://[::1]:8080/push", true)).isNotNull();
    assertRefused("http://10.0.0.1/push", true);
    assertRefused("http://push.example.com/push", true);
    assertRefused("https://user:pw@push.example.com/push", false);
    assertRefused("ftp://push.example.com/push", false);
    assertRefused("/relative", false);
  }

  private static void assertRefused(String endpoint, boolean allowHttpLoopback) {
    assertThatThrownBy(() -> PushSubscriptions.endpoint(endpoint, allowHttpLoopback))
        .isInstanceOf(OcommsException.class).hasMessageContaining("https");
  }

  @Test
  @DisplayName("a generated VAPID pair reads back; a public key of another pair is refused")
  void vapidKeys() throws Exception {
    String[] pair = VapidKeys.generate();
    String[] other = VapidKeys.generate();

    VapidKeys keys = VapidKeys.parse(pair[0], pair[1]);

    assertThat(keys.publicKey()).isEqualTo(pair[0]);
    assertThat(keys.toString()).doesNotContain(pair[1]);
    assertThatThrownBy(() -> VapidKeys.parse(other[0], pair[1])).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> VapidKeys.parse("AAAA", pair[1])).isInstanceOf(ConfigException.class);
  }

  @Test
  @DisplayName("configuration: the VAPID keys go together; the subject has a default")
  void configuration() {
    JsonObject defaults = new JsonObject().put("httpHost", "0.0.0.0").put("httpPort", 8080)
        .put("httpIdleTimeoutSeconds", 75).put("httpRequestHeaderTimeoutSeconds", 10).put("dataDir", "./data")
        .put("pgPoolSize", 8).put("redisPoolSize", 8).put("clusterHost", "127.0.0.1").put("clusterPort", 5701)
        .put("clusterDiscovery", "tcp").put("shutdownGraceSeconds", 10).put("bridgeConnectionsPerSecond", 100)
        .put("bridgeConnectionsPerIpPerSecond", 20).put("bridgeConnectionsPerUser", 5)
        .put("bridgeConnectionQueueBytes", 1048576).put("presenceSessionTtlSeconds", 90)
        .put("registrationsPerIpPerHour", 10).put("sessionMaxAgeDays", 30).put("passwordHashThreads", 2)
        .put("passwordHashQueue", 32).put("opsPort", 9090);
    assertThat(OcommsConfig.parse(defaults, Map.of()).vapidSubject()).isEqualTo("mailto:admin@localhost");
    assertThat(OcommsConfig.parse(defaults, Map.of()).webPushAllowHttpLoopback()).isFalse();
    assertThatThrownBy(() -> OcommsConfig.parse(defaults, Map.of("OCOMMS_VAPID_PUBLIC_KEY", "abc")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("OCOMMS_VAPID_PRIVATE_KEY");
  }
}
