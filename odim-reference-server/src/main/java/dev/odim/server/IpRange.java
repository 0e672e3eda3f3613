package dev.odim.server;

import java.net.InetAddress;

/**
 * One entry of {@code ODIM_TRUSTED_PROXIES}: an IP address with a prefix length, {@code 10.0.0.0/8}
 * or {@code 2001:db8::/32}; a bare address is a range of one.
 *
 * @param network the first address of the range
 * @param prefixLength how many leading bits must match, 0 to 32 (IPv4) or 128 (IPv6)
 */
public record IpRange(InetAddress network, int prefixLength) {

  /** Whether {@code address} lies in this range; an IPv4 address never matches an IPv6 range. */
  public boolean contains(InetAddress address) {
    byte[] want = network.getAddress();
    byte[] have = address.getAddress();
    if (want.length != have.length) {
      return false;
    }
    int bits = prefixLength;
    for (int i = 0; i < want.length && bits > 0; i++, bits -= 8) {
      int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((want[i] & mask) != (have[i] & mask)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefixLength;
  }
}
