package dev.ocomms.integrations;

import dev.ocomms.shared.errors.OcommsException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Outbound calls: which addresses and URLs are refused, and the /dnd durations")
class OutboundTest {

  @Test
  @DisplayName("loopback, private, link-local (metadata), CGNAT, unspecified, multicast and mapped forms are internal")
  void internalAddresses() throws Exception {
    for (String address : List.of("127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3", "224.0.0.1",
        "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
        "::ffff:169.254.169.254", "::ffff:10.0.0.1")) {
      assertThat(Outbound.internal(InetAddress.getByName(address))).as(address).isTrue();
    }
  }

  @Test
  @DisplayName("public addresses are not internal")
  void publicAddresses() throws Exception {
    for (String address : List.of("93.184.216.34", "8.8.8.8", "100.63.255.255", "100.128.0.1", "172.32.0.1",
        "2606:2800:220:1:248:1893:25c8:1946")) {
      assertThat(Outbound.internal(InetAddress.getByName(address))).as(address).isFalse();
    }
  }

  @Test
  @DisplayName("only http(s) URLs with a host and no credentials are taken: url_not_allowed otherwise")
  void urlForms() {
    for (String url : List.of("file:///etc/passwd", "gopher://example.com/", "ftp://example.com/x",
        "http://user:pw@example.com/", "http:///nohost", "javascript:alert(1)", "http://exa mple.com/")) {
      assertThatThrownBy(() -> Outbound.parse(url)).as(url).isInstanceOf(OcommsException.class)
          .satisfies(e -> assertThat(((OcommsException) e).details().getString("reason"))
              .isEqualTo("url_not_allowed"));
    }
    assertThat(Outbound.parse("https://hooks.example.com:8443/x?y=1").getHost()).isEqualTo("hooks.example.com");
  }

  @Test
  @DisplayName("the signature is Slack's: v0= and the hex HMAC-SHA256 of v0:<timestamp>:<body>")
  void signature() {
    // The example of Slack's "Verifying requests from Slack" documentation.
    String body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url="
        + "https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id="
        + "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    assertThat(Outbound.signature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body))
        .isEqualTo("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
  }

  @Test
  @DisplayName("/dnd takes minutes, hours, days and tomorrow; nonsense and zero are refused")
  void dndDurations() {
    Instant now = Instant.parse("2026-12-07T21:00:00Z");
    assertThat(Commands.until("30m", now, ZoneOffset.UTC)).contains(Instant.parse("2026-12-07T21:30:00Z"));
    assertThat(Commands.until("2h", now, ZoneOffset.UTC)).contains(Instant.parse("2026-12-07T23:00:00Z"));
    assertThat(Commands.until("1 hour", now, ZoneOffset.UTC)).contains(Instant.parse("2026-12-07T22:00:00Z"));
    assertThat(Commands.until("tomorrow", now, ZoneOffset.UTC)).contains(Instant.parse("2026-12-08T09:00:00Z"));
    assertThat(Commands.until("tomorrow", now, ZoneId.of("Asia/Tokyo")))
        .as("06:00 on the 8th in Tokyo: tomorrow is the 9th, 09:00 there").contains(Instant.parse("2026-12-09T00:00:00Z"));
    assertThat(Commands.until("0m", now, ZoneOffset.UTC)).isEmpty();
    assertThat(Commands.until("soon", now, ZoneOffset.UTC)).isEmpty();
    assertThat(Commands.until("90d", now, ZoneOffset.UTC)).isEmpty();
  }
}
