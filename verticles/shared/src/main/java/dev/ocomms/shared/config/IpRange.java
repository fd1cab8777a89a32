package dev.ocomms.shared.config;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * An IPv4 or IPv6 address or CIDR block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, {@code 192.0.2.7}), as
 * {@code OCOMMS_TRUSTED_PROXIES} lists them. Only literals are read: nothing here ever asks DNS (which would block).
 */
public final class IpRange {
  private final byte[] network;
  private final int prefixLength;

  private IpRange(byte[] network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /**
   * Reads {@code address} or {@code address/prefix}.
   *
   * @throws ConfigException saying what is wrong with it
   */
  public static IpRange parse(String text) {
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address.trim());
    if (bytes == null) {
      throw new ConfigException("'" + text + "' is not an IP address or CIDR block (such as 10.0.0.0/8 or fd00::/8)");
    }
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(text.substring(slash + 1).trim());
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new ConfigException("'" + text + "' has no valid prefix length (0-" + bits + ")");
      }
    }
    byte[] normalized = literal(address.trim()).orElseThrow().getAddress();
    if (normalized.length < bytes.length) {
      // An IPv4-mapped IPv6 block (::ffff:10.0.0.0/104): clients arrive as plain IPv4, so the block is kept as one.
      if (prefix < 96) {
        throw new ConfigException("'" + text + "' mixes IPv4-mapped and other IPv6 addresses; list them apart");
      }
      prefix -= 96;
    }
    return new IpRange(masked(normalized, prefix), prefix);
  }

  /**
   * An IP address written as a literal (IPv4, or IPv6 with or without brackets); empty for anything else, host names
   * included. IPv4-mapped IPv6 addresses come back as IPv4 ones.
   */
  public static Optional<InetAddress> literal(String text) {
    byte[] bytes = text == null ? null : NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code address} is in this range; an IPv4 address is never in an IPv6 range, nor the other way. */
  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    return bytes.length == network.length && Arrays.equals(masked(bytes, prefixLength), network);
  }

  private static byte[] masked(byte[] address, int prefixLength) {
    byte[] result = address.clone();
    for (int i = 0; i < result.length; i++) {
      int bitsKept = Math.max(0, Math.min(8, prefixLength - i * 8));
      result[i] &= (byte) (0xff << (8 - bitsKept));
    }
    return result;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
