package dev.ocomms.gateway.http;

import dev.ocomms.shared.config.IpRange;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The client's address behind trusted proxies")
class ClientAddressesTest {
  /** The load balancer in front of the gateways, and a CDN edge in front of it. */
  private static final String PROXY = "10.0.0.5";
  private static final String EDGE = "2001:db8:cafe::17";
  private static final ClientAddresses BEHIND_PROXIES =
      new ClientAddresses(Stream.of("10.0.0.0/8", "2001:db8:cafe::/48").map(IpRange::parse).toList());

  private static String client(ClientAddresses addresses, String peer, String... headers) {
    MultiMap map = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < headers.length; i += 2) {
      map.add(headers[i], headers[i + 1]);
    }
    // As Vert.x reports a connection's peer: from the socket's InetSocketAddress.
    return addresses.of(SocketAddress.inetSocketAddress(
        new InetSocketAddress(IpRange.literal(peer).orElseThrow(), 40_000)), map);
  }

  private static String viaProxy(String... headers) {
    return client(BEHIND_PROXIES, PROXY, headers);
  }

  @Test
  @DisplayName("with no trusted proxy the peer is the client, whatever the headers say")
  void noTrustedProxies() {
    ClientAddresses direct = new ClientAddresses(List.of());
    assertThat(client(direct, "198.51.100.7", "X-Forwarded-For", "203.0.113.1", "Forwarded", "for=203.0.113.2"))
        .isEqualTo("198.51.100.7");
  }

  @Test
  @DisplayName("a peer that is no trusted proxy is the client: its forwarding headers are ignored")
  void untrustedPeer() {
    assertThat(client(BEHIND_PROXIES, "198.51.100.7", "X-Forwarded-For", "203.0.113.1")).isEqualTo("198.51.100.7");
    assertThat(client(BEHIND_PROXIES, "198.51.100.7", "Forwarded", "for=203.0.113.1")).isEqualTo("198.51.100.7");
  }

  @Test
  @DisplayName("a trusted proxy without forwarding headers is the client itself")
  void trustedPeerWithoutHeaders() {
    assertThat(viaProxy()).isEqualTo(PROXY);
  }

  @Test
  @DisplayName("X-Forwarded-For: the first address from the right that is no trusted proxy")
  void xForwardedFor() {
    assertThat(viaProxy("X-Forwarded-For", "203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(viaProxy("X-Forwarded-For", "203.0.113.9, 10.1.2.3")).isEqualTo("203.0.113.9");
    assertThat(viaProxy("X-Forwarded-For", "203.0.113.9, " + EDGE)).isEqualTo("203.0.113.9");
    // Several header lines are one list, in order.
    assertThat(viaProxy("X-Forwarded-For", "203.0.113.9", "X-Forwarded-For", "10.1.2.3")).isEqualTo("203.0.113.9");
  }

  @Test
  @DisplayName("what a client writes into X-Forwarded-For itself is left of its own address, and never read")
  void spoofedXForwardedFor() {
    assertThat(viaProxy("X-Forwarded-For", "1.2.3.4, 10.9.9.9, 203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(viaProxy("X-Forwarded-For", "garbage, unknown, 203.0.113.9, 10.1.2.3")).isEqualTo("203.0.113.9");
  }

  @Test
  @DisplayName("when every hop is a trusted proxy, the leftmost is the client")
  void allTrusted() {
    assertThat(viaProxy("X-Forwarded-For", "10.7.7.7, 10.1.2.3")).isEqualTo("10.7.7.7");
  }

  @Test
  @DisplayName("X-Forwarded-For hops may carry ports and IPv6 brackets")
  void portsAndBrackets() {
    assertThat(viaProxy("X-Forwarded-For", "203.0.113.9:51234")).isEqualTo("203.0.113.9");
    assertThat(viaProxy("X-Forwarded-For", "2001:db8::1")).isEqualTo("2001:db8:0:0:0:0:0:1");
    assertThat(viaProxy("X-Forwarded-For", "[2001:db8::1]:443")).isEqualTo("2001:db8:0:0:0:0:0:1");
    assertThat(viaProxy("X-Forwarded-For", "[2001:db8::1]")).isEqualTo("2001:db8:0:0:0:0:0:1");
  }

  @Test
  @DisplayName("Forwarded (RFC 7239): the for= of each element, walked from the right, in any case and quoting")
  void forwarded() {
    assertThat(viaProxy("Forwarded", "for=203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(viaProxy("Forwarded", "for=1.2.3.4, For=203.0.113.9;proto=https;by=10.0.0.5, for=10.1.2.3"))
        .isEqualTo("203.0.113.9");
    assertThat(viaProxy("Forwarded", "for=\"[2001:db8::1]:4711\";host=\"a,b;c\", for=\"" + EDGE + "\""))
        .isEqualTo("2001:db8:0:0:0:0:0:1");
    assertThat(viaProxy("Forwarded", "proto=https;for=\"203.0.113.9:8080\"")).isEqualTo("203.0.113.9");
    assertThat(viaProxy("Forwarded", "for=1.2.3.4", "Forwarded", "for=203.0.113.9")).isEqualTo("203.0.113.9");
  }

  @Test
  @DisplayName("a hop that is no address (unknown, obfuscated, a host name) before the client falls back to the peer")
  void unreadableHop() {
    assertThat(viaProxy("Forwarded", "for=203.0.113.9, for=unknown")).isEqualTo(PROXY);
    assertThat(viaProxy("Forwarded", "for=_hidden")).isEqualTo(PROXY);
    assertThat(viaProxy("Forwarded", "proto=https")).isEqualTo(PROXY);
    assertThat(viaProxy("X-Forwarded-For", "203.0.113.9, proxy.example")).isEqualTo(PROXY);
    assertThat(viaProxy("X-Forwarded-For", "203.0.113.9, ")).isEqualTo(PROXY);
    assertThat(viaProxy("X-Forwarded-For", "203.0.113.9:99999")).isEqualTo(PROXY);
    // Left of the client, what a hop says is never read.
    assertThat(viaProxy("Forwarded", "for=unknown, for=203.0.113.9")).isEqualTo("203.0.113.9");
  }

  @Test
  @DisplayName("a Forwarded header that does not parse falls back to the peer")
  void malformedForwarded() {
    for (String malformed : List.of("for=\"203.0.113.9", "for", "=203.0.113.9", "for=203.0.113.9;for=1.2.3.4",
        "for=\"203.0.113\"9\"", "for=203.0.113.9\"")) {
      assertThat(viaProxy("Forwarded", malformed)).as(malformed).isEqualTo(PROXY);
    }
    // A client's broken Forwarded that a proxy appended to is still broken: the peer, not the X-Forwarded-For.
    assertThat(viaProxy("Forwarded", "for=\"1.2.3.4, for=203.0.113.9", "X-Forwarded-For", "6.6.6.6"))
        .isEqualTo(PROXY);
  }

  @Test
  @DisplayName("when Forwarded and X-Forwarded-For name different clients, the peer is the client")
  void headersDisagree() {
    // A proxy that writes one header passes on a client's forged other one untouched.
    assertThat(viaProxy("X-Forwarded-For", "203.0.113.9", "Forwarded", "for=6.6.6.6")).isEqualTo(PROXY);
    assertThat(viaProxy("X-Forwarded-For", "203.0.113.9", "Forwarded", "for=203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(viaProxy("X-Forwarded-For", "6.6.6.6, 203.0.113.9", "Forwarded", "for=203.0.113.9"))
        .isEqualTo("203.0.113.9");
  }

  @Test
  @DisplayName("a peer over IPv6 and an IPv4-mapped peer are matched against the trusted blocks")
  void ipv6Peers() {
    assertThat(client(BEHIND_PROXIES, EDGE, "X-Forwarded-For", "203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(client(BEHIND_PROXIES, "::ffff:10.0.0.5", "X-Forwarded-For", "203.0.113.9")).isEqualTo("203.0.113.9");
  }
}
