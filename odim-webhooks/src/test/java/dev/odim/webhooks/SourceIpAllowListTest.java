package dev.odim.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SourceIpAllowListTest {

  private static final List<String> NO_XFF = List.of();

  private final SourceIpAllowList paystackOnly =
      SourceIpAllowList.of(List.of("52.31.139.75", "52.49.173.169", "52.214.14.220"));

  @Test
  void offAllowsEveryone() {
    SourceIpAllowList off = SourceIpAllowList.off();

    assertThat(off.enabled()).isFalse();
    assertThat(off.allows("203.0.113.9", NO_XFF)).isTrue();
    assertThat(off.allows("not an address", List.of("garbage"))).isTrue();
  }

  @Test
  void directClientOnTheListIsAllowed() {
    assertThat(paystackOnly.enabled()).isTrue();
    assertThat(paystackOnly.allows("52.31.139.75", NO_XFF)).isTrue();
    assertThat(paystackOnly.allows(" 52.214.14.220 ", NO_XFF)).isTrue();
  }

  @Test
  void directClientOffTheListIsRefused() {
    assertThat(paystackOnly.allows("52.31.139.76", NO_XFF)).isFalse();
    assertThat(paystackOnly.allows("2001:db8::1", NO_XFF)).isFalse();
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsIgnored() {
    // An attacker connecting directly claims to be Paystack.
    assertThat(paystackOnly.allows("203.0.113.9", List.of("52.31.139.75"))).isFalse();
    assertThat(paystackOnly.clientAddress("203.0.113.9", List.of("52.31.139.75")))
        .isEqualTo("203.0.113.9");
    // And Paystack itself connecting directly is not spoiled by a forwarded header it sent.
    assertThat(paystackOnly.allows("52.31.139.75", List.of("203.0.113.9"))).isTrue();
  }

  @Test
  void behindATrustedProxyTheForwardedClientIsChecked() {
    SourceIpAllowList list = paystackOnly.trustingProxies(List.of("10.0.0.0/8"));

    assertThat(list.allows("10.1.2.3", List.of("52.49.173.169"))).isTrue();
    assertThat(list.allows("10.1.2.3", List.of("203.0.113.9"))).isFalse();
  }

  @Test
  void theRightmostUntrustedAddressIsTheClientNotTheLeftmost() {
    SourceIpAllowList list = paystackOnly.trustingProxies(List.of("10.0.0.0/8", "192.168.0.1"));

    // The attacker wrote "52.31.139.75" himself; the trusted proxy appended his real address.
    List<String> spoofed = List.of("52.31.139.75, 203.0.113.9");
    assertThat(list.clientAddress("10.0.0.1", spoofed)).isEqualTo("203.0.113.9");
    assertThat(list.allows("10.0.0.1", spoofed)).isFalse();

    // A chain of trusted proxies is walked through: client, CDN edge (trusted), inner proxy.
    List<String> chain = List.of("198.51.100.1, 52.31.139.75", "10.9.9.9,192.168.0.1");
    assertThat(list.clientAddress("10.0.0.1", chain)).isEqualTo("52.31.139.75");
    assertThat(list.allows("10.0.0.1", chain)).isTrue();
  }

  @Test
  void aPeerThatIsOnlyATrustedProxyWithNoForwardedHeaderIsItself() {
    SourceIpAllowList list =
        SourceIpAllowList.of(List.of("10.0.0.1")).trustingProxies(List.of("10.0.0.0/8"));

    assertThat(list.clientAddress("10.0.0.1", NO_XFF)).isEqualTo("10.0.0.1");
    assertThat(list.allows("10.0.0.1", NO_XFF)).isTrue();
    assertThat(list.clientAddress("10.0.0.1", List.of("10.0.0.2"))).isEqualTo("10.0.0.2");
  }

  @Test
  void garbageInTheForwardedChainIsRefused() {
    SourceIpAllowList list = paystackOnly.trustingProxies(List.of("10.0.0.0/8"));

    assertThat(list.allows("10.0.0.1", List.of("unknown"))).isFalse();
    assertThat(list.allows("10.0.0.1", List.of("52.31.139.75, evil.example.com"))).isFalse();
    assertThat(list.allows("10.0.0.1", List.of("052.31.139.75"))).isFalse();
    assertThat(list.clientAddress("10.0.0.1", List.of("unknown"))).isNull();
  }

  @Test
  void anOverlongForwardedChainIsRefused() {
    SourceIpAllowList list =
        SourceIpAllowList.of(List.of("52.31.139.75")).trustingProxies(List.of("10.0.0.0/8"));
    String many = String.join(",", java.util.Collections.nCopies(40, "10.0.0.7"));

    assertThat(list.allows("10.0.0.1", List.of("52.31.139.75," + many))).isFalse();
  }

  @Test
  void forwardedAddressesMayCarryPortsAndBrackets() {
    SourceIpAllowList list =
        SourceIpAllowList.of(List.of("52.31.139.75", "2001:db8::7"))
            .trustingProxies(List.of("10.0.0.0/8"));

    assertThat(list.allows("10.0.0.1", List.of("52.31.139.75:51234"))).isTrue();
    assertThat(list.allows("10.0.0.1", List.of("[2001:db8::7]:443"))).isTrue();
    assertThat(list.allows("[2001:db8::7]", NO_XFF)).isTrue();
    assertThat(list.allows("10.0.0.1", List.of("[2001:db8::7]x"))).isFalse();
  }

  @Test
  void ipv4CidrRanges() {
    SourceIpAllowList list = SourceIpAllowList.of(List.of("192.0.2.0/24", "198.51.100.128/25"));

    assertThat(list.allows("192.0.2.0", NO_XFF)).isTrue();
    assertThat(list.allows("192.0.2.255", NO_XFF)).isTrue();
    assertThat(list.allows("192.0.3.0", NO_XFF)).isFalse();
    assertThat(list.allows("198.51.100.128", NO_XFF)).isTrue();
    assertThat(list.allows("198.51.100.127", NO_XFF)).isFalse();
    assertThat(SourceIpAllowList.of(List.of("0.0.0.0/0")).allows("8.8.8.8", NO_XFF)).isTrue();
    assertThat(SourceIpAllowList.of(List.of("0.0.0.0/0")).allows("::1", NO_XFF)).isFalse();
  }

  @Test
  void ipv6AddressesAndCidrRanges() {
    SourceIpAllowList list =
        SourceIpAllowList.of(List.of("2001:db8:abcd::/48", "::1", "fe80::/10"));

    assertThat(list.allows("2001:db8:abcd:12::1", NO_XFF)).isTrue();
    assertThat(list.allows("2001:DB8:ABCD:FFFF:FFFF:FFFF:FFFF:FFFF", NO_XFF)).isTrue();
    assertThat(list.allows("2001:db8:abce::1", NO_XFF)).isFalse();
    assertThat(list.allows("0:0:0:0:0:0:0:1", NO_XFF)).isTrue();
    assertThat(list.allows("::2", NO_XFF)).isFalse();
    assertThat(list.allows("fe80::1%eth0", NO_XFF)).isTrue();
    assertThat(list.allows("febf:ffff::1", NO_XFF)).isTrue();
    assertThat(list.allows("fec0::1", NO_XFF)).isFalse();
    assertThat(list.allows("127.0.0.1", NO_XFF)).isFalse();
  }

  @Test
  void ipv4MappedIpv6AddressesAreTheIpv4Address() {
    assertThat(paystackOnly.allows("::ffff:52.31.139.75", NO_XFF)).isTrue();
    assertThat(paystackOnly.allows("::FFFF:343f:f22e", NO_XFF)).isFalse();
    assertThat(paystackOnly.allows("0:0:0:0:0:ffff:341f:8b4b", NO_XFF)).isTrue();

    SourceIpAllowList mapped = SourceIpAllowList.of(List.of("::ffff:192.0.2.0/120"));
    assertThat(mapped.allows("192.0.2.77", NO_XFF)).isTrue();
    assertThat(mapped.allows("192.0.3.77", NO_XFF)).isFalse();
  }

  @Test
  void unparseableRemoteAddressesAreRefused() {
    for (String bad : List.of("", "localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1::2::3")) {
      assertThat(paystackOnly.allows(bad, NO_XFF)).as(bad).isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "paystack.com",
        "52.31.139",
        "52.31.139.256",
        "052.31.139.75",
        "52.31.139.75/33",
        "52.31.139.75/",
        "52.31.139.75/-1",
        "52.31.139.75/8/8",
        "2001:db8::/129",
        "2001:db8:::1",
        "2001:db8::1::",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7::8",
        "12345::",
        "::ffff:1.2.3.4/64",
        "::ffff:1.2.3",
        "g::1",
        "١٢٣.1.1.1",
        "fe80::1%eth0"
      })
  void badConfigurationIsRefusedNamingTheValue(String bad) {
    assertThatThrownBy(() -> SourceIpAllowList.of(List.of("10.0.0.1", bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + bad + "'");
    assertThatThrownBy(() -> SourceIpAllowList.off().trustingProxies(List.of(bad)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + bad + "'");
  }

  @Test
  void anEmptyListIsRefusedRatherThanRefusingEveryone() {
    assertThatThrownBy(() -> SourceIpAllowList.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("off()");
  }

  @Test
  void canonicalIpv6FormsParse() {
    for (String ok :
        List.of(
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1::8",
            "1:2:3:4:5:6::8",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:1.2.3.4",
            "::1.2.3.4",
            "64:ff9b::192.0.2.33")) {
      assertThat(SourceIpAllowList.of(List.of(ok)).enabled()).as(ok).isTrue();
    }
  }
}
