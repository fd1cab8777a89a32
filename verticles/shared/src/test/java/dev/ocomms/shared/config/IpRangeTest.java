package dev.ocomms.shared.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("IP ranges (trusted proxies)")
class IpRangeTest {

  private static InetAddress ip(String literal) {
    return IpRange.literal(literal).orElseThrow();
  }

  @Test
  @DisplayName("an IPv4 block holds exactly the addresses under its prefix")
  void ipv4Block() {
    IpRange range = IpRange.parse("10.1.0.0/16");
    assertThat(range.contains(ip("10.1.0.0"))).isTrue();
    assertThat(range.contains(ip("10.1.255.255"))).isTrue();
    assertThat(range.contains(ip("10.2.0.0"))).isFalse();
    assertThat(range.contains(ip("10.0.255.255"))).isFalse();
  }

  @Test
  @DisplayName("a prefix that is not a multiple of 8 splits a byte")
  void oddPrefix() {
    IpRange range = IpRange.parse("192.0.2.64/26");
    assertThat(range.contains(ip("192.0.2.64"))).isTrue();
    assertThat(range.contains(ip("192.0.2.127"))).isTrue();
    assertThat(range.contains(ip("192.0.2.63"))).isFalse();
    assertThat(range.contains(ip("192.0.2.128"))).isFalse();
  }

  @Test
  @DisplayName("a single address holds only itself; /0 holds every address of its family")
  void singleAndAll() {
    assertThat(IpRange.parse("192.0.2.7").contains(ip("192.0.2.7"))).isTrue();
    assertThat(IpRange.parse("192.0.2.7").contains(ip("192.0.2.8"))).isFalse();
    assertThat(IpRange.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
    assertThat(IpRange.parse("0.0.0.0/0").contains(ip("2001:db8::1"))).isFalse();
  }

  @Test
  @DisplayName("an IPv6 block holds the addresses under its prefix, however they are written")
  void ipv6Block() {
    IpRange range = IpRange.parse("2001:db8:abcd::/48");
    assertThat(range.contains(ip("2001:db8:abcd:12::1"))).isTrue();
    assertThat(range.contains(ip("2001:0db8:abcd:0000:0000:0000:0000:0001"))).isTrue();
    assertThat(range.contains(ip("2001:db8:abce::1"))).isFalse();
    assertThat(range.contains(ip("10.0.0.1"))).isFalse();
    assertThat(IpRange.parse("::1").contains(ip("0:0:0:0:0:0:0:1"))).isTrue();
  }

  @Test
  @DisplayName("IPv4-mapped IPv6 addresses and blocks are IPv4 ones")
  void ipv4Mapped() {
    assertThat(IpRange.parse("10.0.0.0/8").contains(ip("::ffff:10.9.8.7"))).isTrue();
    assertThat(IpRange.parse("::ffff:10.0.0.0/104").contains(ip("10.9.8.7"))).isTrue();
    assertThat(IpRange.parse("::ffff:10.0.0.0/104").contains(ip("11.0.0.1"))).isFalse();
  }

  @Test
  @DisplayName("only literals are addresses: host names, ports and garbage are not")
  void literalsOnly() {
    for (String text : new String[] {"localhost", "proxy.internal", "10.0.0.1:80", "10.0.0", "", "unknown",
        "1.2.3.4.5", "::g"}) {
      assertThat(IpRange.literal(text)).as(text).isEmpty();
    }
    assertThatThrownBy(() -> IpRange.parse("localhost")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> IpRange.parse("10.0.0.0/-1")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> IpRange.parse("::ffff:10.0.0.0/64")).isInstanceOf(ConfigException.class);
  }
}
