package net.tern.inet.impl.route;

import static net.tern.inet.testing.InetTestBed.addr;
import static org.assertj.core.api.Assertions.assertThat;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.Route;
import net.tern.inet.route.RouteRequest;
import net.tern.inet.route.RouteType;
import net.tern.inet.route.Rtable;
import net.tern.inet.testing.InetTestBed;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PacketLeakCheck.class)
class FibTest {
    private final InetTestBed bed = new InetTestBed();
    private Fib fib;
    private Link lo;
    private FakeDevice eth0;

    @BeforeEach
    void setUp() throws Exception {
        fib = bed.inet().fib();
        lo = bed.loopback();
        eth0 = bed.fake("eth0", 1500, "10.0.0.2/24");
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    private Rtable route(String destination) throws ErrnoException {
        return fib.routeOutput(Flowi4.to(addr(destination)));
    }

    private static Errno errnoOf(ThrowingCall call) {
        try {
            call.run();
        } catch (ErrnoException e) {
            return e.errno();
        }
        throw new AssertionError("expected an ErrnoException");
    }

    private interface ThrowingCall {
        void run() throws ErrnoException;
    }

    @Test
    void addressesGiveLocalConnectedAndBroadcastRoutes() {
        assertThat(fib.routes(Route.Table.LOCAL)).extracting(Route::toString).contains(
                "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1",
                "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1",
                "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1",
                "local 10.0.0.2 dev eth0 table local proto kernel scope host src 10.0.0.2",
                "broadcast 10.0.0.255 dev eth0 table local proto kernel scope link src 10.0.0.2");
        assertThat(fib.routes(Route.Table.MAIN)).extracting(Route::toString)
                .containsExactly("10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2");
    }

    @Test
    void addressTypeKnowsLocalBroadcastAndOthers() {
        assertThat(fib.addressType(addr("10.0.0.2"))).isEqualTo(RouteType.LOCAL);
        assertThat(fib.addressType(addr("127.9.9.9"))).isEqualTo(RouteType.LOCAL);
        assertThat(fib.addressType(addr("10.0.0.255"))).isEqualTo(RouteType.BROADCAST);
        assertThat(fib.addressType(addr("255.255.255.255"))).isEqualTo(RouteType.BROADCAST);
        assertThat(fib.addressType(addr("10.0.0.3"))).isEqualTo(RouteType.UNICAST);
        assertThat(fib.isLocalAddress(addr("10.0.0.2"))).isTrue();
        assertThat(fib.isLocalAddress(addr("10.0.0.3"))).isFalse();
    }

    @Test
    void localDestinationsLeaveThroughLoopbackWithTheDestinationAsSource() throws Exception {
        Rtable own = route("10.0.0.2");
        assertThat(own.type()).isEqualTo(RouteType.LOCAL);
        assertThat(own.link()).isSameAs(lo);
        assertThat(own.source()).isEqualTo(addr("10.0.0.2"));

        Rtable loopback = route("127.1.2.3");
        assertThat(loopback.link()).isSameAs(lo);
        assertThat(loopback.source()).isEqualTo(addr("127.0.0.1"));
        assertThat(loopback.mtu()).isEqualTo(65536);
    }

    @Test
    void connectedDestinationGoesDirectlyWithTheLinksAddressAsSource() throws Exception {
        Rtable rt = route("10.0.0.77");
        assertThat(rt.type()).isEqualTo(RouteType.UNICAST);
        assertThat(rt.link().name()).isEqualTo("eth0");
        assertThat(rt.gateway()).isZero();
        assertThat(rt.nextHop()).isEqualTo(addr("10.0.0.77"));
        assertThat(rt.source()).isEqualTo(addr("10.0.0.2"));
        assertThat(rt.mtu()).isEqualTo(1500);
    }

    @Test
    void noRouteIsEnetunreachAndDefaultRouteCatchesEverything() throws Exception {
        assertThat(errnoOf(() -> route("8.8.8.8"))).isEqualTo(Errno.ENETUNREACH);

        fib.add(RouteRequest.defaultRoute().via(addr("10.0.0.1")));

        Rtable rt = route("8.8.8.8");
        assertThat(rt.gateway()).isEqualTo(addr("10.0.0.1"));
        assertThat(rt.nextHop()).isEqualTo(addr("10.0.0.1"));
        assertThat(rt.link().name()).isEqualTo("eth0");
        assertThat(rt.source()).isEqualTo(addr("10.0.0.2"));
    }

    @Test
    void longestPrefixWins() throws Exception {
        bed.fake("eth1", 1500, "192.168.1.2/24");
        fib.add(RouteRequest.defaultRoute().via(addr("10.0.0.1")));
        fib.add(RouteRequest.parsePrefix("172.16.0.0/12").via(addr("10.0.0.12")));
        fib.add(RouteRequest.parsePrefix("172.16.5.0/24").via(addr("192.168.1.1")));
        fib.add(RouteRequest.parsePrefix("172.16.5.128/25").dev("eth0"));

        assertThat(route("172.31.0.1").gateway()).isEqualTo(addr("10.0.0.12"));
        assertThat(route("172.16.5.1").gateway()).isEqualTo(addr("192.168.1.1"));
        assertThat(route("172.16.5.1").link().name()).isEqualTo("eth1");
        assertThat(route("172.16.5.200").gateway()).isZero();
        assertThat(route("172.16.5.200").link().name()).isEqualTo("eth0");
        assertThat(route("172.32.0.1").gateway()).isEqualTo(addr("10.0.0.1"));
    }

    @Test
    void lowestMetricWinsAmongRoutesToOnePrefix() throws Exception {
        fib.add(RouteRequest.parsePrefix("20.0.0.0/8").via(addr("10.0.0.1")).metric(100));
        fib.add(RouteRequest.parsePrefix("20.0.0.0/8").via(addr("10.0.0.9")).metric(10));
        assertThat(route("20.1.1.1").gateway()).isEqualTo(addr("10.0.0.9"));

        fib.delete(RouteRequest.parsePrefix("20.0.0.0/8").metric(10));
        assertThat(route("20.1.1.1").gateway()).isEqualTo(addr("10.0.0.1"));
    }

    @Test
    void routeAddAndDeleteAtRunTime() throws Exception {
        Route added = fib.add(RouteRequest.parsePrefix("30.0.0.0/16").via(addr("10.0.0.1")));
        assertThat(added.toString()).isEqualTo("30.0.0.0/16 via 10.0.0.1 dev eth0 proto static");
        assertThat(fib.routes()).contains(added);
        assertThat(route("30.0.1.1").route()).isEqualTo(added);

        Route deleted = fib.delete(RouteRequest.parsePrefix("30.0.0.0/16"));

        assertThat(deleted).isEqualTo(added);
        assertThat(fib.routes()).doesNotContain(added);
        assertThat(errnoOf(() -> route("30.0.1.1"))).isEqualTo(Errno.ENETUNREACH);
    }

    @Test
    void badAddsGetLinuxErrnos() throws Exception {
        fib.add(RouteRequest.parsePrefix("40.0.0.0/8").via(addr("10.0.0.1")));
        assertThat(errnoOf(() -> fib.add(RouteRequest.parsePrefix("40.0.0.0/8").via(addr("10.0.0.3")))))
                .isEqualTo(Errno.EEXIST);
        assertThat(errnoOf(() -> fib.add(RouteRequest.to(addr("40.0.0.1"), 8).via(addr("10.0.0.1")))))
                .as("host bits set").isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> fib.add(RouteRequest.parsePrefix("50.0.0.0/8").via(addr("99.0.0.1")))))
                .as("gateway not on a connected network").isEqualTo(Errno.ENETUNREACH);
        assertThat(errnoOf(() -> fib.add(RouteRequest.parsePrefix("50.0.0.0/8").via(addr("10.0.0.2")))))
                .as("gateway is this host").isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> fib.add(RouteRequest.parsePrefix("50.0.0.0/8").dev("eth9"))))
                .isEqualTo(Errno.ENODEV);
        assertThat(errnoOf(() -> fib.add(RouteRequest.parsePrefix("50.0.0.0/8"))))
                .as("neither via nor dev").isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> fib.add(RouteRequest.parsePrefix("50.0.0.0/8").dev("eth0").src(addr("10.9.9.9")))))
                .as("src not local").isEqualTo(Errno.EINVAL);
        bed.link("eth0").setUp(false);
        assertThat(errnoOf(() -> fib.add(RouteRequest.parsePrefix("50.0.0.0/8").dev("eth0"))))
                .isEqualTo(Errno.ENETDOWN);
    }

    @Test
    void deletingARouteThatIsNotThereIsEsrch() {
        ErrnoException e = org.junit.jupiter.api.Assertions.assertThrows(ErrnoException.class,
                () -> fib.delete(RouteRequest.parsePrefix("60.0.0.0/8")));
        assertThat(e.errno()).isEqualTo(Errno.ESRCH);
        assertThat(e.getMessage()).contains("ip route del 60.0.0.0/8");
    }

    @Test
    void unreachableProhibitAndBlackholeRoutesRefuseOutput() throws Exception {
        fib.add(RouteRequest.parsePrefix("70.0.0.0/8").type(RouteType.UNREACHABLE));
        fib.add(RouteRequest.parsePrefix("71.0.0.0/8").type(RouteType.PROHIBIT));
        fib.add(RouteRequest.parsePrefix("72.0.0.0/8").type(RouteType.BLACKHOLE));
        assertThat(errnoOf(() -> route("70.1.1.1"))).isEqualTo(Errno.EHOSTUNREACH);
        assertThat(errnoOf(() -> route("71.1.1.1"))).isEqualTo(Errno.EACCES);
        assertThat(errnoOf(() -> route("72.1.1.1"))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void routesThroughALinkGoWhenItGoesDownAndOnlyDerivedOnesComeBack() throws Exception {
        fib.add(RouteRequest.parsePrefix("80.0.0.0/8").via(addr("10.0.0.1")));
        Link link = bed.link("eth0");

        link.setUp(false);

        assertThat(fib.routes()).noneMatch(r -> r.linkName().equals("eth0"));
        assertThat(errnoOf(() -> route("10.0.0.9"))).isEqualTo(Errno.ENETUNREACH);
        assertThat(fib.addressType(addr("10.0.0.2"))).isEqualTo(RouteType.UNICAST);

        link.setUp(true);

        assertThat(route("10.0.0.9").link().name()).isEqualTo("eth0");
        assertThat(errnoOf(() -> route("80.1.1.1"))).as("a static route does not come back").isEqualTo(Errno.ENETUNREACH);
    }

    @Test
    void routesGoWithTheirLinkWhenItLeaves() throws Exception {
        fib.add(RouteRequest.parsePrefix("90.0.0.0/8").via(addr("10.0.0.1")));
        bed.stack().unregister(eth0);

        assertThat(fib.routes()).noneMatch(r -> r.linkName().equals("eth0"));
        assertThat(errnoOf(() -> route("90.0.0.1"))).isEqualTo(Errno.ENETUNREACH);
        assertThat(fib.link(2)).isNull();
    }

    @Test
    void addressChangesFollowTheLink() throws Exception {
        Link link = bed.link("eth0");
        link.addAddress(IfAddress.parse("10.1.0.2/16"));
        assertThat(route("10.1.200.1").source()).isEqualTo(addr("10.1.0.2"));
        assertThat(fib.isLocalAddress(addr("10.1.0.2"))).isTrue();

        link.removeAddress(IfAddress.parse("10.1.0.2/16"));
        assertThat(fib.isLocalAddress(addr("10.1.0.2"))).isFalse();
        assertThat(errnoOf(() -> route("10.1.200.1"))).isEqualTo(Errno.ENETUNREACH);
    }

    @Test
    void aBoundSourceMustBeLocalAndIsKept() throws Exception {
        // Linux (checked on 6.18: a UDP socket bound with IP_FREEBIND to an address the host
        // does not have) answers ENETUNREACH; a source that cannot name a host is EINVAL.
        assertThat(errnoOf(() -> fib.routeOutput(Flowi4.of(addr("10.0.0.99"), addr("10.0.0.7"), 17))))
                .isEqualTo(Errno.ENETUNREACH);
        assertThat(errnoOf(() -> fib.routeOutput(Flowi4.of(addr("224.0.0.1"), addr("10.0.0.7"), 17))))
                .isEqualTo(Errno.EINVAL);
        assertThat(fib.routeOutput(Flowi4.of(addr("127.0.0.1"), addr("10.0.0.7"), 17)).source())
                .isEqualTo(addr("127.0.0.1"));
    }

    @Test
    void withoutLoopbackALocalDestinationIsUnreachable() {
        bed.removeLoopback();
        assertThat(errnoOf(() -> route("10.0.0.2"))).isEqualTo(Errno.ENETUNREACH);
    }
}
