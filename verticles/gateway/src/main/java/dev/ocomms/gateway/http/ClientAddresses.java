package dev.ocomms.gateway.http;

import dev.ocomms.shared.config.IpRange;
import dev.ocomms.shared.config.OcommsConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.rxjava3.ext.web.RoutingContext;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who the client is: the one place that decides which address counts for per-address limits (registrations, failed
 * logins, new bridge connections) and in logs. It is the socket's peer, unless the peer is one of the trusted proxies
 * ({@code OCOMMS_TRUSTED_PROXIES}); then it is read from {@code Forwarded} (RFC 7239, {@code for=}) or
 * {@code X-Forwarded-For}, walking from the right past trusted proxies to the first address that is not one. Each
 * proxy appends the address it saw, so everything right of that address was written by proxies we trust, and whatever
 * a client wrote itself is to its left, never read.
 *
 * <p>Anything that cannot be read the same way whichever proxy wrote it falls back to the peer: a header that does
 * not parse, a hop that is no address ({@code unknown}, an obfuscated name) before the first untrusted address, and
 * a request whose two headers name different clients (a proxy that sends one of them passes a client's forged other
 * one on untouched). A client that sends such a request lands in the proxy's own bucket, which no well-behaved client
 * shares.
 */
public final class ClientAddresses {
  /** Where {@link RestApi} keeps a request's client address for the handlers after it. */
  static final String CONTEXT_KEY = "ocomms.clientAddress";
  static final String UNKNOWN = "unknown";

  private final List<IpRange> trustedProxies;

  public ClientAddresses(List<IpRange> trustedProxies) {
    this.trustedProxies = List.copyOf(trustedProxies);
  }

  public static ClientAddresses of(OcommsConfig config) {
    return new ClientAddresses(config.trustedProxies());
  }

  /** The client address of a request {@link RestApi} saw (every route of the gateway's router). */
  public static String of(RoutingContext ctx) {
    String address = ctx.get(CONTEXT_KEY);
    return address == null ? UNKNOWN : address;
  }

  public String of(HttpServerRequest request) {
    return of(request.remoteAddress(), request.headers());
  }

  /** The client address of a connection from {@code peer} whose (first) request carried {@code headers}. */
  public String of(SocketAddress peer, MultiMap headers) {
    String peerAddress = peer == null ? null : peer.hostAddress();
    if (peerAddress == null) {
      return UNKNOWN;
    }
    if (trustedProxies.isEmpty() || !IpRange.literal(peerAddress).map(this::trusted).orElse(false)) {
      return peerAddress;
    }
    Optional<Hops> forwarded = forwardedHops(headers.getAll("Forwarded"));
    if (forwarded.isEmpty()) {
      return peerAddress;
    }
    Walk fromForwarded = walk(forwarded.get());
    Walk fromXForwardedFor = walk(xForwardedForHops(headers.getAll("X-Forwarded-For")));
    if (fromForwarded.unreadable() || fromXForwardedFor.unreadable()
        || fromForwarded.client().isPresent() && fromXForwardedFor.client().isPresent()
        && !fromForwarded.client().get().equals(fromXForwardedFor.client().get())) {
      return peerAddress;
    }
    return fromForwarded.client().or(fromXForwardedFor::client).map(InetAddress::getHostAddress).orElse(peerAddress);
  }

  private boolean trusted(InetAddress address) {
    return trustedProxies.stream().anyMatch(range -> range.contains(address));
  }

  /**
   * The client a header names: the first hop from the right that is not a trusted proxy (all of them trusted: the
   * leftmost); none when the header lists no hop; unreadable when a hop that is no address comes first.
   */
  private Walk walk(Hops hops) {
    for (int i = hops.addresses().size() - 1; i >= 0; i--) {
      Optional<InetAddress> hop = hops.addresses().get(i);
      if (hop.isEmpty()) {
        return new Walk(true, Optional.empty());
      }
      if (!trusted(hop.get()) || i == 0) {
        return new Walk(false, hop);
      }
    }
    return new Walk(false, Optional.empty());
  }

  private record Walk(boolean unreadable, Optional<InetAddress> client) {
  }

  /** The hops a header lists, left (the first proxy's client) to right; an empty hop is not an address. */
  record Hops(List<Optional<InetAddress>> addresses) {
  }

  /** {@code X-Forwarded-For: client, proxy1, proxy2}, over any number of header lines. */
  static Hops xForwardedForHops(List<String> lines) {
    List<Optional<InetAddress>> hops = new ArrayList<>();
    for (String line : lines) {
      for (String item : line.split(",", -1)) {
        hops.add(node(item.trim()));
      }
    }
    return new Hops(hops);
  }

  /**
   * {@code Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"} (RFC 7239), over any number of header
   * lines: one hop per element, its {@code for=} parameter. Empty when the header does not parse (an unterminated
   * quoted string, a parameter without {@code =}, a {@code for} given twice).
   */
  static Optional<Hops> forwardedHops(List<String> lines) {
    List<Optional<InetAddress>> hops = new ArrayList<>();
    for (String line : lines) {
      Optional<List<List<String>>> elements = split(line);
      if (elements.isEmpty()) {
        return Optional.empty();
      }
      for (List<String> pairs : elements.get()) {
        Optional<InetAddress> hop = Optional.empty();
        boolean seenFor = false;
        for (String pair : pairs) {
          int equals = pair.indexOf('=');
          if (equals <= 0) {
            return Optional.empty();
          }
          if (pair.substring(0, equals).trim().equalsIgnoreCase("for")) {
            if (seenFor) {
              return Optional.empty();
            }
            seenFor = true;
            Optional<String> value = unquote(pair.substring(equals + 1).trim());
            if (value.isEmpty()) {
              return Optional.empty();
            }
            hop = node(value.get());
          }
        }
        hops.add(hop);
      }
    }
    return Optional.of(new Hops(hops));
  }

  /**
   * A {@code Forwarded} line as elements (split at commas) of pairs (split at semicolons), outside quoted strings;
   * empty pairs are dropped. Empty when a quoted string is not terminated.
   */
  private static Optional<List<List<String>>> split(String line) {
    List<List<String>> elements = new ArrayList<>();
    List<String> pairs = new ArrayList<>();
    StringBuilder pair = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        pair.append(c);
        if (c == '\\' && i + 1 < line.length()) {
          pair.append(line.charAt(++i));
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
        pair.append(c);
      } else if (c == ';' || c == ',') {
        addPair(pairs, pair);
        if (c == ',') {
          elements.add(pairs);
          pairs = new ArrayList<>();
        }
      } else {
        pair.append(c);
      }
    }
    if (quoted) {
      return Optional.empty();
    }
    addPair(pairs, pair);
    elements.add(pairs);
    return Optional.of(elements);
  }

  private static void addPair(List<String> pairs, StringBuilder pair) {
    String text = pair.toString().trim();
    if (!text.isEmpty()) {
      pairs.add(text);
    }
    pair.setLength(0);
  }

  /** A token as it is, or a quoted string without its quotes and escapes; empty when a quote is misplaced. */
  private static Optional<String> unquote(String value) {
    if (!value.startsWith("\"")) {
      return value.indexOf('"') < 0 ? Optional.of(value) : Optional.empty();
    }
    if (value.length() < 2 || !value.endsWith("\"")) {
      return Optional.empty();
    }
    StringBuilder text = new StringBuilder();
    for (int i = 1; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length() - 1) {
        c = value.charAt(++i);
      } else if (c == '"' || c == '\\') {
        return Optional.empty();
      }
      text.append(c);
    }
    return Optional.of(text.toString());
  }

  /**
   * A node as proxies write it: {@code 192.0.2.60}, {@code 192.0.2.60:4711}, {@code 2001:db8::1},
   * {@code [2001:db8::1]} or {@code [2001:db8::1]:4711}; empty for anything else ({@code unknown}, an obfuscated
   * {@code _name}, a host name, garbage).
   */
  static Optional<InetAddress> node(String text) {
    String host = text;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || !(close == text.length() - 1 || port(text.substring(close + 1)))) {
        return Optional.empty();
      }
      host = text.substring(1, close);
      if (host.indexOf(':') < 0) {
        return Optional.empty();
      }
    } else if (text.indexOf(':') == text.lastIndexOf(':') && text.indexOf(':') > 0) {
      // One colon: IPv4 with a port (an IPv6 address has at least two).
      int colon = text.indexOf(':');
      if (!port(text.substring(colon))) {
        return Optional.empty();
      }
      host = text.substring(0, colon);
      if (host.indexOf('.') < 0) {
        return Optional.empty();
      }
    }
    return IpRange.literal(host);
  }

  /** {@code :} and a port number. */
  private static boolean port(String text) {
    return text.length() >= 2 && text.length() <= 6 && text.charAt(0) == ':'
        && text.substring(1).chars().allMatch(c -> c >= '0' && c <= '9')
        && Integer.parseInt(text.substring(1)) <= 65_535;
  }
}
