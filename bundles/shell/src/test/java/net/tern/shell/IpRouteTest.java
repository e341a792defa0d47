package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.Route;
import net.tern.inet.route.RouteOrigin;
import net.tern.inet.route.RouteType;
import net.tern.inet.testing.InetTestBed;
import org.junit.jupiter.api.Test;

class IpRouteTest extends IpCommandTestBase {

    @Test
    void showPrintsTheMainTableAsIpRouteDoes() {
        assertThat(ip.ip("route")).isEqualTo("10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1");
        assertThat(ip.ip("r", "s")).isEqualTo(ip.ip("route", "show", "table", "main")).isEqualTo(ip.ip("ro", "list"));
    }

    @Test
    void showTableLocalPrintsThisHostsAddressesInDumpOrderWithoutNamingTheTable() {
        assertThat(ip.ip("route", "show", "table", "local").lines()).containsExactly(
                "local 10.0.0.1 dev eth0 proto kernel scope host src 10.0.0.1",
                "broadcast 10.0.0.255 dev eth0 proto kernel scope link src 10.0.0.1",
                "local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1",
                "local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1",
                "broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1");
    }

    @Test
    void showTableAllPrintsMainThenLocalNamingTheLocalTable() {
        assertThat(ip.ip("route", "show", "table", "all").lines()).containsExactly(
                "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1",
                "local 10.0.0.1 dev eth0 table local proto kernel scope host src 10.0.0.1",
                "broadcast 10.0.0.255 dev eth0 table local proto kernel scope link src 10.0.0.1",
                "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1",
                "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1",
                "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1");
    }

    @Test
    void showFiltersByDeviceLeavingTheDeviceOutAndByExactPrefix() {
        ip.ip("route", "add", "default", "via", "10.0.0.254");
        assertThat(ip.ip("route", "show", "table", "local", "dev", "lo").lines()).containsExactly(
                "local 127.0.0.0/8 proto kernel scope host src 127.0.0.1",
                "local 127.0.0.1 proto kernel scope host src 127.0.0.1",
                "broadcast 127.255.255.255 proto kernel scope link src 127.0.0.1");
        assertThat(ip.ip("route", "show", "default")).isEqualTo("default via 10.0.0.254 dev eth0");
        assertThat(ip.ip("route", "show", "10.0.0.0/24"))
                .isEqualTo("10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1");
        assertThat(ip.ip("route", "show", "exact", "10.0.0.0/16")).isNull();
    }

    @Test
    void showRootSelectsPrefixesInsideAndMatchSelectsPrefixesAround() {
        ip.ip("route", "add", "default", "via", "10.0.0.254");
        ip.ip("route", "add", "10.9.0.0/16", "dev", "eth0");
        ip.ip("route", "add", "10.9.8.0/24", "via", "10.0.0.2");

        assertThat(ip.ip("route", "show", "root", "10.9.0.0/16").lines()).containsExactly(
                "10.9.0.0/16 dev eth0 scope link",
                "10.9.8.0/24 via 10.0.0.2 dev eth0");
        assertThat(ip.ip("route", "show", "match", "10.9.8.7").lines()).containsExactly(
                "default via 10.0.0.254 dev eth0",
                "10.9.0.0/16 dev eth0 scope link",
                "10.9.8.0/24 via 10.0.0.2 dev eth0");
        assertThat(ip.ip("route", "show", "to", "match", "10.0.0.7").lines()).containsExactly(
                "default via 10.0.0.254 dev eth0",
                "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1");
    }

    @Test
    void addDefaultViaAGatewayShowsFirstWithItsDevice() throws Exception {
        assertThat(ip.ip("route", "add", "default", "via", "10.0.0.254")).isNull();

        assertThat(ip.ip("route").lines()).containsExactly(
                "default via 10.0.0.254 dev eth0",
                "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1");
        Route added = bed.inet().fib().routes(Route.Table.MAIN).stream().filter(Route::isDefault).findFirst().orElseThrow();
        assertThat(added.gateway()).isEqualTo(InetTestBed.addr("10.0.0.254"));
        assertThat(added.origin()).isEqualTo(RouteOrigin.STATIC);
        assertThat(bed.inet().fib().routeOutput(Flowi4.to(InetTestBed.addr("8.8.8.8"))).nextHop())
                .isEqualTo(InetTestBed.addr("10.0.0.254"));
    }

    @Test
    void addOnLinkRouteWithMetricSourceAndMtu() {
        ip.ip("route", "add", "10.9.0.0/16", "dev", "eth0", "metric", "5", "src", "10.0.0.1", "mtu", "lock", "1400");
        ip.ip("route", "add", "to", "192.168.0.0/16", "via", "inet", "10.0.0.2", "mtu", "1280");

        assertThat(ip.ip("route").lines()).containsExactly(
                "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1",
                "10.9.0.0/16 dev eth0 scope link src 10.0.0.1 metric 5 mtu lock 1400",
                "192.168.0.0/16 via 10.0.0.2 dev eth0 mtu lock 1280");
    }

    @Test
    void addRoutesOfOtherTypes() {
        ip.ip("route", "add", "unreachable", "172.16.0.0/12");
        ip.ip("route", "add", "blackhole", "10.66.0.0/16");
        ip.ip("route", "add", "prohibit", "10.77.0.0/16", "metric", "3");

        assertThat(ip.ip("route").lines()).containsExactly(
                "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1",
                "blackhole 10.66.0.0/16",
                "prohibit 10.77.0.0/16 metric 3",
                "unreachable 172.16.0.0/12");
        assertThatThrownBy(() -> bed.inet().fib().routeOutput(Flowi4.to(InetTestBed.addr("172.16.1.1"))))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EHOSTUNREACH));
    }

    @Test
    void addingTheSameRouteTwiceIsFileExists() {
        ip.ip("route", "add", "default", "via", "10.0.0.254");
        assertThatThrownBy(() -> ip.ip("route", "add", "default", "via", "10.0.0.253"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("RTNETLINK answers: File exists")
                .hasCauseInstanceOf(ErrnoException.class);
    }

    @Test
    void aGatewayWithNoConnectedRouteIsNetworkUnreachable() {
        assertThatThrownBy(() -> ip.ip("route", "add", "10.5.0.0/16", "via", "192.168.77.1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("RTNETLINK answers: Network is unreachable");
    }

    @Test
    void anUnknownDeviceCannotBeFoundAndADownOneIsNetworkDown() throws Exception {
        assertThatThrownBy(() -> ip.ip("route", "add", "10.5.0.0/16", "dev", "eth9"))
                .hasMessage("Cannot find device \"eth9\"");
        assertThatThrownBy(() -> ip.ip("route", "show", "dev", "eth9"))
                .hasMessage("Cannot find device \"eth9\"");
        bed.link("eth0").setUp(false);
        assertThatThrownBy(() -> ip.ip("route", "add", "10.5.0.0/16", "dev", "eth0"))
                .hasMessage("RTNETLINK answers: Network is down");
    }

    @Test
    void hostBitsBeyondThePrefixAreAnInvalidArgument() {
        assertThatThrownBy(() -> ip.ip("route", "add", "10.5.0.1/16", "dev", "eth0"))
                .hasMessage("RTNETLINK answers: Invalid argument");
    }

    @Test
    void delRemovesTheRouteThatMatchesAndThenThereIsNoSuchProcess() {
        ip.ip("route", "add", "default", "via", "10.0.0.254");
        ip.ip("route", "add", "10.9.0.0/16", "dev", "eth0", "metric", "5");

        assertThat(ip.ip("route", "del", "default")).isNull();
        assertThat(ip.ip("route", "delete", "10.9.0.0/16", "dev", "eth0", "metric", "5")).isNull();

        assertThat(ip.ip("route")).isEqualTo("10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1");
        assertThatThrownBy(() -> ip.ip("route", "del", "default"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("RTNETLINK answers: No such process");
    }

    @Test
    void delWithAFieldThatDoesNotMatchFindsNoRoute() {
        ip.ip("route", "add", "default", "via", "10.0.0.254");
        assertThatThrownBy(() -> ip.ip("route", "del", "default", "via", "10.0.0.253"))
                .hasMessage("RTNETLINK answers: No such process");
        assertThat(bed.inet().fib().routes(Route.Table.MAIN)).anyMatch(r -> r.isDefault() && r.type() == RouteType.UNICAST);
    }

    @Test
    void badArgumentsGetIproute2sMessages() {
        assertThatThrownBy(() -> ip.ip("route", "add", "10.0.0/33", "dev", "eth0"))
                .hasMessage("Error: inet prefix is expected rather than \"10.0.0/33\".");
        assertThatThrownBy(() -> ip.ip("route", "add", "default", "via", "gw"))
                .hasMessage("Error: inet address is expected rather than \"gw\".");
        assertThatThrownBy(() -> ip.ip("route", "add", "default", "via", "10.0.0.254", "metric", "-1"))
                .hasMessage("Error: argument \"-1\" is wrong: \"metric\" value is invalid");
        assertThatThrownBy(() -> ip.ip("route", "add", "default", "via", "10.0.0.254", "via", "10.0.0.253"))
                .hasMessage("Error: duplicate \"via\": \"10.0.0.253\" is the second value.");
        assertThatThrownBy(() -> ip.ip("route", "add", "default", "onlink"))
                .hasMessage("Error: either \"to\" is duplicate, or \"onlink\" is a garbage.");
        assertThatThrownBy(() -> ip.ip("route", "add", "default", "via"))
                .hasMessage("Command line is not complete. Try option \"help\"");
        assertThatThrownBy(() -> ip.ip("route", "show", "table", "wan"))
                .hasMessage("Error: argument \"wan\" is wrong: table id value is invalid");
        assertThatThrownBy(() -> ip.ip("route", "add", "10.1.0.0/16", "dev", "eth0", "table", "local"))
                .hasMessage("Error: argument \"local\" is wrong: routes are added to and deleted from table main only");
        assertThatThrownBy(() -> ip.ip("route", "add", "via", "10.0.0.254"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Usage: net:ip route");
    }

    @Test
    void anUnknownCommandPointsToHelpAndHelpPrintsTheUsage() {
        assertThatThrownBy(() -> ip.ip("route", "frob"))
                .hasMessage("Command \"frob\" is unknown, try \"net:ip route help\".");
        assertThat(ip.ip("route", "help")).startsWith("Usage: net:ip route [ list | show ] [ SELECTOR ]");
    }
}
