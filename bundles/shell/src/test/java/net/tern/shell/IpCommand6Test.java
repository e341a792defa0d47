package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet6.impl.Inet6;
import net.tern.netlink.testing.Inet6Wiring;
import net.tern.netlink.testing.NetlinkWiring;
import net.tern.udp.testing.UdpTestBed;
import net.tern.wire.Ipv6Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code net:ip -6 addr} and {@code net:ip -6 route} over a stack with IPv6, as {@code ip -6} prints and changes them. */
@ExtendWith(PacketLeakCheck.class)
class IpCommand6Test {
    private UdpTestBed bed;
    private Inet6Wiring ipv6;
    private Inet6 inet6;
    private IpCommand ip;
    private String linkLocal;

    @BeforeEach
    void start() throws Exception {
        bed = new UdpTestBed();
        bed.fake("eth0", 1500, "10.0.0.1/24");
        ipv6 = Inet6Wiring.attach(bed, NetlinkWiring.attach(bed.socketLayer(), bed.stack(), bed.inet().fib()), 3);
        inet6 = ipv6.inet6();
        ip = new IpCommand(bed.api());
        linkLocal = inet6.addrconf().addresses(bed.link("eth0").index()).get(0).address().toString();
    }

    @AfterEach
    void stop() {
        ipv6.close();
        bed.close();
    }

    @Test
    void addressShowListsInet6BesideInetAndMinusSixOnlyTheLinksWithIpv6() {
        assertThat(ip.ip("addr").lines()).containsExactly(
                "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UP",
                "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
                "    inet 127.0.0.1/8 scope host lo",
                "    inet6 ::1/128 scope host",
                "2: eth0: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1500 state UP",
                "    link/none",
                "    inet 10.0.0.1/24 scope global eth0",
                "    inet6 " + linkLocal + "/64 scope link");
        assertThat(ip.ip("-6", "addr").lines()).containsExactly(
                "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UP",
                "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
                "    inet6 ::1/128 scope host",
                "2: eth0: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1500 state UP",
                "    link/none",
                "    inet6 " + linkLocal + "/64 scope link");
        assertThat(ip.ip("-4", "a")).doesNotContain("inet6");
    }

    @Test
    void addAndDeleteAnAddressWithItsPrefixRoute() {
        assertThat(ip.ip("-6", "addr", "add", "fd00::2/64", "dev", "eth0")).isNull();
        assertThat(ip.ip("-6", "addr", "show", "eth0")).contains("    inet6 fd00::2/64 scope global");
        assertThat(ip.ip("-6", "route").lines()).containsExactly(
                "fd00::/64 dev eth0 proto kernel metric 256 pref medium",
                "fe80::/64 dev eth0 proto kernel metric 256 pref medium");
        // Without -6 the address itself says which family.
        assertThatThrownBy(() -> ip.ip("addr", "add", "fd00::2/64", "dev", "eth0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("RTNETLINK answers: File exists");
        // As on Linux, a deletion names the length: /128 when left out, which this address has not.
        assertThatThrownBy(() -> ip.ip("-6", "addr", "del", "fd00::2", "dev", "eth0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("RTNETLINK answers: Cannot assign requested address");
        assertThat(ip.ip("addr", "del", "fd00::2/64", "dev", "eth0")).isNull();
        assertThat(inet6.addrconf().local(Ipv6Address.parse("fd00::2"))).isNull();
        assertThat(ip.ip("-6", "route")).doesNotContain("fd00::/64");
    }

    @Test
    void routesAddedByGatewayOrDeviceShowAsIpMinusSixRouteShowsThemAndGo() {
        ip.ip("-6", "addr", "add", "fd00::2/64", "dev", "eth0");
        assertThat(ip.ip("-6", "route", "add", "default", "via", "fd00::1")).isNull();
        assertThat(ip.ip("route", "add", "fd05::/48", "dev", "eth0", "metric", "7")).isNull();
        assertThat(ip.ip("-6", "route").lines()).containsExactly(
                "fd00::/64 dev eth0 proto kernel metric 256 pref medium",
                "fd05::/48 dev eth0 metric 7 pref medium",
                "fe80::/64 dev eth0 proto kernel metric 256 pref medium",
                "default via fd00::1 dev eth0 metric 1024 pref medium");
        assertThat(inet6.fib().lookup(Ipv6Address.parse("2001:db8::1"), 0).gateway())
                .isEqualTo(Ipv6Address.parse("fd00::1"));
        assertThat(ip.ip("-6", "route", "show", "root", "fd00::/8").lines())
                .containsExactly("fd00::/64 dev eth0 proto kernel metric 256 pref medium",
                        "fd05::/48 dev eth0 metric 7 pref medium");
        assertThat(ip.ip("-6", "r", "s", "dev", "eth0", "fd05::/48")).isEqualTo("fd05::/48 metric 7 pref medium");
        assertThatThrownBy(() -> ip.ip("-6", "route", "add", "default", "via", "fd00::9", "dev", "eth0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("RTNETLINK answers: File exists");

        assertThat(ip.ip("-6", "route", "del", "default")).isNull();
        assertThat(ip.ip("-6", "route", "del", "fd05::/48")).isNull();
        assertThatThrownBy(() -> ip.ip("-6", "route", "del", "fd05::/48"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("RTNETLINK answers: No such process");
        assertThat(ip.ip("-6", "route").lines()).hasSize(2);
    }

    @Test
    void badIpv6WordsGetIproute2sMessages() {
        assertThatThrownBy(() -> ip.ip("-6", "route", "add", "fd00::zz/64", "dev", "eth0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Error: inet6 prefix is expected rather than \"fd00::zz/64\".");
        assertThatThrownBy(() -> ip.ip("-6", "route", "add", "fd00::/129", "dev", "eth0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Error: inet6 prefix is expected rather than \"fd00::/129\".");
        assertThatThrownBy(() -> ip.ip("-6", "addr", "add", "fd00::1/64"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not enough information: \"dev\" argument is required.");
    }
}
