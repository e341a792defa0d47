package net.tern.inet6.impl;

import static net.tern.inet6.testing.Inet6TestBed.addr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.inet6.addrconf.Inet6IfAddr;
import net.tern.inet6.addrconf.Route6;
import net.tern.inet6.ip.Dst6;
import net.tern.inet6.testing.Inet6TestBed;
import net.tern.wire.Ipv6Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Addresses (addrconf), the routing table's longest-prefix match, and source selection. */
class RoutingTest {
    Inet6TestBed bed;
    int lo;
    int tun;
    int tun1;

    @BeforeEach
    void setUp() throws Exception {
        bed = new Inet6TestBed();
        lo = bed.loopback().index();
        bed.fake("tun0", 1500, "fd00::2/64");
        bed.fake("tun1", 1400, "2001:db8:1::2/48");
        tun = bed.link("tun0").index();
        tun1 = bed.link("tun1").index();
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    @Test
    void loopbackHasOnlyColonColonOne() {
        assertThat(bed.inet6().addrconf().addresses(lo)).extracting(Inet6IfAddr::toString).containsExactly("::1/128");
    }

    @Test
    void eachOtherLinkHasALinkLocalAddressWithARandomInterfaceId() {
        var addresses = bed.inet6().addrconf().addresses(tun);
        assertThat(addresses).filteredOn(a -> a.address().isLinkLocal()).singleElement()
                .satisfies(a -> assertThat(a.prefixLength()).isEqualTo(64));
        Ipv6Address a0 = addresses.stream().filter(a -> a.address().isLinkLocal()).findFirst().orElseThrow().address();
        Ipv6Address a1 = bed.inet6().addrconf().addresses(tun1).stream().filter(a -> a.address().isLinkLocal())
                .findFirst().orElseThrow().address();
        assertThat(a0).isNotEqualTo(a1);
        assertThat((a0.low() >>> 56) & 0x02).as("universal/local bit clear").isZero();
    }

    @Test
    void anAddressBringsItsPrefixRouteAndTakesItAway() throws Exception {
        assertThat(bed.inet6().fib().lookup(addr("fd00::99"), 0).ifindex()).isEqualTo(tun);
        bed.inet6().addrconf().remove(tun, addr("fd00::2"));
        assertThat(bed.inet6().fib().lookup(addr("fd00::99"), 0)).isNull();
    }

    @Test
    void theLongestPrefixWinsThenTheLowestMetric() throws Exception {
        Fib6 fib = bed.inet6().fib();
        fib.add(new Route6(Ipv6Address.UNSPECIFIED, 0, tun, addr("fd00::1"), Route6.METRIC_USER, false));
        fib.add(new Route6(addr("2001:db8:1:5::"), 64, tun, addr("fd00::1"), Route6.METRIC_USER, false));
        assertThat(fib.lookup(addr("2001:db8:1:5::7"), 0).prefixLength()).isEqualTo(64);
        assertThat(fib.lookup(addr("2001:db8:1:6::7"), 0).ifindex()).isEqualTo(tun1);
        assertThat(fib.lookup(addr("2600::1"), 0).prefixLength()).isZero();
        fib.add(new Route6(Ipv6Address.UNSPECIFIED, 0, tun1, addr("2001:db8:1::1"), 100, false));
        assertThat(fib.lookup(addr("2600::1"), 0).ifindex()).isEqualTo(tun1);
        Dst6 dst = bed.inet6().output().route(addr("2600::1"), 0);
        assertThat(dst.nextHop()).isEqualTo(addr("2001:db8:1::1"));
        assertThat(dst.mtu()).isEqualTo(1400);
    }

    @Test
    void aRouteTwiceIsEexistAndAMissingOneEsrch() throws Exception {
        Fib6 fib = bed.inet6().fib();
        Route6 r = new Route6(addr("2001:db8:9::"), 48, tun, Ipv6Address.UNSPECIFIED, Route6.METRIC_USER, false);
        fib.add(r);
        assertThatThrownBy(() -> fib.add(r)).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
        fib.remove(r);
        assertThatThrownBy(() -> fib.remove(r)).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ESRCH));
    }

    @Test
    void routesOfALinkThatIsDownAreSkippedAndGoWhenItLeaves() throws Exception {
        bed.link("tun1").setUp(false);
        assertThat(bed.inet6().fib().lookup(addr("2001:db8:1::9"), 0)).isNull();
        bed.link("tun1").setUp(true);
        assertThat(bed.inet6().fib().lookup(addr("2001:db8:1::9"), 0)).isNotNull();
    }

    @Test
    void sourceSelectionMatchesScopeAndPrefix() throws Exception {
        Addrconf a = bed.inet6().addrconf();
        a.add(tun, addr("2001:db8:2::2"), 64);
        assertThat(a.selectSource(addr("fd00::1"), tun)).isEqualTo(addr("fd00::2"));
        assertThat(a.selectSource(addr("2001:db8:2::1"), tun)).isEqualTo(addr("2001:db8:2::2"));
        assertThat(a.selectSource(addr("fe80::1"), tun).isLinkLocal()).isTrue();
        assertThat(a.selectSource(addr("fd00::2"), tun)).isEqualTo(addr("fd00::2"));
    }

    @Test
    void addressesAreCheckedWhenAdded() throws Exception {
        Addrconf a = bed.inet6().addrconf();
        assertThatThrownBy(() -> a.add(tun, addr("fd00::2"), 64)).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
        assertThatThrownBy(() -> a.add(99, addr("fd00::3"), 64)).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV));
        assertThatThrownBy(() -> a.add(tun, addr("ff02::3"), 64)).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
    }

    @Test
    void configuredAddressesFollowTheirLinkAndTheConfiguration() throws Exception {
        Addrconf a = bed.inet6().addrconf();
        a.configure(Inet6Init.addresses(new String[] {"tun0 fd01::2/64, tun0 fd02::2/64", "tun9 fd09::2/64"}));
        assertThat(a.local(addr("fd01::2")).ifindex()).isEqualTo(tun);
        assertThat(a.local(addr("fd02::2"))).isNotNull();
        bed.fake("tun9", 1500);
        assertThat(a.local(addr("fd09::2")).ifindex()).isEqualTo(bed.link("tun9").index());
        a.configure(Inet6Init.addresses(new String[] {"tun0 fd01::2/64"}));
        assertThat(a.local(addr("fd02::2"))).isNull();
        assertThat(a.local(addr("fd09::2"))).isNull();
        assertThatThrownBy(() -> Inet6Init.addresses(new String[] {"tun0"}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFamilyOffersPingSocketsButNoDefaultOfItsOwn() {
        Inet6Family family = bed.inet6().family();
        assertThat(family.family()).isEqualTo(SocketConstants.AF_INET6);
        assertThat(family.name()).isEqualTo("inet6");
        assertThat(family.protocols()).singleElement().satisfies(p -> {
            assertThat(p.protocol()).isEqualTo(SocketConstants.IPPROTO_ICMPV6);
            assertThat(p.name()).isEqualTo("PINGv6");
            assertThat(p.typeDefault()).isFalse();
        });
    }
}
