package dev.odim.webhooks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which source addresses may deliver webhooks: a second line of defence behind the signature, for
 * providers that publish the addresses they send from (Paystack does). Off unless configured,
 * because a stale list silently drops real payments, and the signature alone already proves the
 * sender.
 *
 * <p>Behind a reverse proxy the peer is the proxy, and the client is named in {@code
 * X-Forwarded-For}, a header anyone can send. So the header is read only when the peer is a proxy
 * the host declared with {@link #trustingProxies}, and then from the right: each trusted proxy
 * appends the address it received from, so the rightmost address that is not a trusted proxy is the
 * first one that no trusted party vouches for, and that is the client. The leftmost value is
 * whatever the client chose to write and is never believed on its own. An entry that is not an IP
 * address ends the walk with a refusal.
 *
 * <p>Addresses are IPv4 or IPv6 literals, single or as CIDR ranges ({@code 10.0.0.0/8}, {@code
 * 2001:db8::/32}); an IPv4-mapped IPv6 address ({@code ::ffff:1.2.3.4}) is the IPv4 address. No
 * name is ever resolved. Immutable and thread-safe.
 */
public final class SourceIpAllowList {

  /**
   * A chain longer than this is refused rather than walked: no real proxy chain is this deep, and
   * the bound keeps a hostile header from costing more than a few microseconds.
   */
  private static final int MAX_HOPS = 32;

  private static final SourceIpAllowList OFF = new SourceIpAllowList(null, List.of());

  /** Null when the list is off: every address is allowed. */
  private final @Nullable List<Range> allowed;

  private final List<Range> trustedProxies;

  private SourceIpAllowList(@Nullable List<Range> allowed, List<Range> trustedProxies) {
    this.allowed = allowed == null ? null : List.copyOf(allowed);
    this.trustedProxies = List.copyOf(trustedProxies);
  }

  /** The default: every source address is allowed. */
  public static SourceIpAllowList off() {
    return OFF;
  }

  /**
   * Allows only these addresses or CIDR ranges.
   *
   * @throws IllegalArgumentException naming the first value that is not an IP literal or CIDR
   *     range, or when the collection is empty (use {@link #off()} to allow everyone)
   */
  public static SourceIpAllowList of(Collection<String> addressesOrCidrs) {
    if (addressesOrCidrs.isEmpty()) {
      throw new IllegalArgumentException(
          "source IP allow-list is empty, which would refuse every delivery; use off() instead");
    }
    return new SourceIpAllowList(parseRanges(addressesOrCidrs), List.of());
  }

  /**
   * The reverse proxies (addresses or CIDR ranges) whose {@code X-Forwarded-For} is believed;
   * replaces any earlier set.
   *
   * @throws IllegalArgumentException naming the first value that is not an IP literal or CIDR range
   */
  public SourceIpAllowList trustingProxies(Collection<String> proxiesOrCidrs) {
    return new SourceIpAllowList(allowed, parseRanges(proxiesOrCidrs));
  }

  /** Whether a list is configured; when not, {@link #allows} is always true. */
  public boolean enabled() {
    return allowed != null;
  }

  /**
   * Whether the client that sent a request may deliver webhooks.
   *
   * @param remoteAddress the peer's address, as the server saw the connection
   * @param xForwardedFor every value of the {@code X-Forwarded-For} header, in the order received
   */
  public boolean allows(String remoteAddress, List<String> xForwardedFor) {
    List<Range> ranges = allowed;
    if (ranges == null) {
      return true;
    }
    Hop client = client(remoteAddress, xForwardedFor);
    return client != null && matchesAny(ranges, client.address());
  }

  /**
   * The client's address as this list determines it (see the class comment), as it was written in
   * the request; null when it cannot be determined (a malformed address, an over-long chain).
   */
  public @Nullable String clientAddress(String remoteAddress, List<String> xForwardedFor) {
    Hop client = client(remoteAddress, xForwardedFor);
    return client == null ? null : client.text();
  }

  /**
   * Whether a peer is one of the trusted proxies, whose other forwarded headers (such as {@code
   * X-Forwarded-Proto}) a host may believe too.
   */
  public boolean trustsProxy(String remoteAddress) {
    byte[] peer = Address.parse(remoteAddress);
    return peer != null && matchesAny(trustedProxies, peer);
  }

  private record Hop(byte[] address, String text) {}

  private @Nullable Hop client(String remoteAddress, List<String> xForwardedFor) {
    byte[] peer = Address.parse(remoteAddress);
    if (peer == null) {
      return null;
    }
    Hop candidate = new Hop(peer, remoteAddress.strip());
    if (!matchesAny(trustedProxies, peer)) {
      return candidate;
    }
    List<String> hops = new ArrayList<>();
    for (String value : xForwardedFor) {
      for (String hop : value.split(",", -1)) {
        if (!hop.isBlank()) {
          hops.add(hop.strip());
        }
      }
      if (hops.size() > MAX_HOPS) {
        return null;
      }
    }
    // When every address is a trusted proxy, the leftmost one is itself the client (e.g. a health
    // check sent by the load balancer).
    for (int i = hops.size() - 1; i >= 0; i--) {
      byte[] hop = Address.parse(hops.get(i));
      if (hop == null) {
        return null;
      }
      candidate = new Hop(hop, hops.get(i));
      if (!matchesAny(trustedProxies, hop)) {
        return candidate;
      }
    }
    return candidate;
  }

  private static boolean matchesAny(List<Range> ranges, byte[] address) {
    for (Range range : ranges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static List<Range> parseRanges(Collection<String> values) {
    List<Range> ranges = new ArrayList<>(values.size());
    for (String value : values) {
      Objects.requireNonNull(value, "address");
      ranges.add(Range.parse(value));
    }
    return ranges;
  }

  /** Shows the configured ranges, normalized. */
  @Override
  public String toString() {
    return allowed == null
        ? "SourceIpAllowList[off]"
        : "SourceIpAllowList[allowed=" + allowed + ", trustedProxies=" + trustedProxies + "]";
  }

  /** An address and a prefix length; a single address is a range of full length. */
  private record Range(byte[] network, int prefix, String text) {

    static Range parse(String value) {
      String s = value.strip();
      int slash = s.indexOf('/');
      String addressPart = slash < 0 ? s : s.substring(0, slash);
      byte[] address = Address.parseLiteral(addressPart);
      if (address == null) {
        throw new IllegalArgumentException("not an IP address or CIDR range: '" + value + "'");
      }
      int bits = address.length * 8;
      int prefix = bits;
      if (slash >= 0) {
        String prefixText = s.substring(slash + 1);
        if (prefixText.isEmpty()
            || prefixText.length() > 3
            || !prefixText.chars().allMatch(c -> c >= '0' && c <= '9')) {
          throw new IllegalArgumentException("not a CIDR prefix length: '" + value + "'");
        }
        prefix = Integer.parseInt(prefixText);
        int declaredBits = Address.isMappedLiteral(addressPart) ? 128 : bits;
        if (prefix > declaredBits) {
          throw new IllegalArgumentException(
              "CIDR prefix longer than the address (" + declaredBits + " bits): '" + value + "'");
        }
        if (declaredBits == 128 && bits == 32) {
          // ::ffff:a.b.c.d/n names IPv4 addresses, which compare as 4 bytes.
          if (prefix < 96) {
            throw new IllegalArgumentException(
                "CIDR range mixes IPv4-mapped and other IPv6 addresses: '" + value + "'");
          }
          prefix -= 96;
        }
      }
      return new Range(address, prefix, s);
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (address[full] & mask) == (network[full] & mask);
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Range r && r.text.equals(text);
    }

    @Override
    public int hashCode() {
      return text.hashCode();
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * IP literal parsing, written by hand because the JDK's only parser, {@code
   * InetAddress.getByName}, falls back to a DNS lookup for anything that is not a literal (a header
   * value is attacker-chosen, and a lookup per request is a denial of service), and accepts forms
   * such as {@code 010.1.1.1} (octal in some parsers, decimal in others); {@code
   * InetAddress.ofLiteral} only arrived in Java 22.
   */
  static final class Address {
    private Address() {}

    /**
     * An address as it appears in a request: a literal, optionally in brackets, optionally with a
     * port ({@code [2001:db8::1]:443}, {@code 192.0.2.1:443}) or an IPv6 zone; null if not one.
     */
    static byte @Nullable [] parse(String value) {
      String s = value.strip();
      if (s.length() > 64) {
        return null;
      }
      if (s.startsWith("[")) {
        int close = s.indexOf(']');
        if (close < 0) {
          return null;
        }
        String after = s.substring(close + 1);
        if (!after.isEmpty() && !isPort(after)) {
          return null;
        }
        s = s.substring(1, close);
      } else {
        int colon = s.indexOf(':');
        if (colon >= 0 && colon == s.lastIndexOf(':') && s.indexOf('.') >= 0) {
          if (!isPort(s.substring(colon))) {
            return null;
          }
          s = s.substring(0, colon);
        }
      }
      int zone = s.indexOf('%');
      if (zone >= 0 && s.indexOf(':') >= 0) {
        s = s.substring(0, zone);
      }
      return parseLiteral(s);
    }

    private static boolean isPort(String s) {
      return s.length() >= 2
          && s.length() <= 6
          && s.charAt(0) == ':'
          && s.substring(1).chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** A bare literal: 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6; null if not one. */
    static byte @Nullable [] parseLiteral(String s) {
      if (s.indexOf(':') >= 0) {
        byte[] v6 = parseV6(s);
        return v6 == null ? null : unmapped(v6);
      }
      return parseV4(s);
    }

    static boolean isMappedLiteral(String s) {
      byte[] v6 = s.indexOf(':') >= 0 ? parseV6(s) : null;
      return v6 != null && unmapped(v6).length == 4;
    }

    private static byte[] unmapped(byte[] v6) {
      for (int i = 0; i < 10; i++) {
        if (v6[i] != 0) {
          return v6;
        }
      }
      if (v6[10] != (byte) 0xFF || v6[11] != (byte) 0xFF) {
        return v6;
      }
      return new byte[] {v6[12], v6[13], v6[14], v6[15]};
    }

    private static byte @Nullable [] parseV4(String s) {
      String[] parts = s.split("\\.", -1);
      if (parts.length != 4) {
        return null;
      }
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        String p = parts[i];
        if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
          return null; // a leading zero is octal to some parsers: refuse the ambiguity
        }
        int v = 0;
        for (int j = 0; j < p.length(); j++) {
          char c = p.charAt(j);
          if (c < '0' || c > '9') {
            return null;
          }
          v = v * 10 + (c - '0');
        }
        if (v > 255) {
          return null;
        }
        out[i] = (byte) v;
      }
      return out;
    }

    private static byte @Nullable [] parseV6(String s) {
      int doubleColon = s.indexOf("::");
      if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
        return null;
      }
      List<Integer> head = new ArrayList<>();
      List<Integer> tail = new ArrayList<>();
      byte[] v4 = null;
      if (doubleColon >= 0) {
        if (!groups(s.substring(0, doubleColon), head, false)) {
          return null;
        }
        String rest = s.substring(doubleColon + 2);
        v4 = trailingV4(rest);
        if (v4 == Invalid.MARK || !groups(withoutV4(rest, v4), tail, v4 != null)) {
          return null;
        }
        int used = head.size() + tail.size() + (v4 == null ? 0 : 2);
        if (used > 7) {
          return null; // "::" stands for at least one group of zeros
        }
      } else {
        v4 = trailingV4(s);
        if (v4 == Invalid.MARK || !groups(withoutV4(s, v4), head, v4 != null)) {
          return null;
        }
        if (head.size() + (v4 == null ? 0 : 2) != 8) {
          return null;
        }
      }
      byte[] out = new byte[16];
      int i = 0;
      for (int g : head) {
        out[i++] = (byte) (g >> 8);
        out[i++] = (byte) g;
      }
      int tailStart = 16 - tail.size() * 2 - (v4 == null ? 0 : 4);
      i = tailStart;
      for (int g : tail) {
        out[i++] = (byte) (g >> 8);
        out[i++] = (byte) g;
      }
      if (v4 != null) {
        System.arraycopy(v4, 0, out, 12, 4);
      }
      return out;
    }

    /** Marks an embedded IPv4 part that is present but malformed. */
    private static final class Invalid {
      static final byte[] MARK = new byte[0];
    }

    private static byte @Nullable [] trailingV4(String s) {
      int lastColon = s.lastIndexOf(':');
      String last = s.substring(lastColon + 1);
      if (last.indexOf('.') < 0) {
        return null;
      }
      byte[] v4 = parseV4(last);
      return v4 == null ? Invalid.MARK : v4;
    }

    private static String withoutV4(String s, byte @Nullable [] v4) {
      if (v4 == null) {
        return s;
      }
      int lastColon = s.lastIndexOf(':');
      return lastColon < 0 ? "" : s.substring(0, lastColon);
    }

    /**
     * Parses colon-separated hex groups into {@code out}. When an IPv4 part was cut off the end, a
     * non-empty group list must not have ended in a colon of its own.
     */
    private static boolean groups(String s, List<Integer> out, boolean hadV4) {
      if (s.isEmpty()) {
        return true;
      }
      String[] parts = s.split(":", -1);
      for (String p : parts) {
        if (p.isEmpty() || p.length() > 4) {
          return false;
        }
        int v = 0;
        for (int j = 0; j < p.length(); j++) {
          // Character.digit would also accept non-ASCII digits.
          char c = p.charAt(j);
          int d =
              c >= '0' && c <= '9'
                  ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
          if (d < 0) {
            return false;
          }
          v = (v << 4) | d;
        }
        out.add(v);
      }
      return out.size() <= 8 || hadV4 && out.size() <= 6;
    }
  }
}
