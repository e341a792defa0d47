package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.tern.api.socket.ErrnoException;
import net.tern.spi.net.IfAddress;
import org.junit.jupiter.api.Test;

class IpAddrTest extends IpCommandTestBase {

    @Test
    void showListsEveryLinkWithFlagsMtuStateTypeAndAddressesAsIpAddrDoes() {
        assertThat(ip.ip("addr").lines()).containsExactly(
                "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UP",
                "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
                "    inet 127.0.0.1/8 scope host lo",
                "2: eth0: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1500 state UP",
                "    link/none",
                "    inet 10.0.0.1/24 scope global eth0");
        assertThat(ip.ip("address", "show")).isEqualTo(ip.ip("addr")).isEqualTo(ip.ip("a"));
    }

    @Test
    void showOfOneDeviceByDevOrByBareName() {
        String expected = String.join("\n",
                "2: eth0: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1500 state UP",
                "    link/none",
                "    inet 10.0.0.1/24 scope global eth0");
        assertThat(ip.ip("addr", "show", "dev", "eth0")).isEqualTo(expected);
        assertThat(ip.ip("a", "s", "eth0")).isEqualTo(expected);
    }

    @Test
    void aDownLinkShowsWithoutUpFlagsAndStateDown() throws Exception {
        bed.link("eth0").setUp(false);
        assertThat(ip.ip("addr", "show", "eth0").lines().findFirst().orElseThrow())
                .isEqualTo("2: eth0: <POINTOPOINT,NOARP> mtu 1500 state DOWN");
    }

    @Test
    void showOfAnUnknownDeviceSaysItDoesNotExist() {
        assertThatThrownBy(() -> ip.ip("addr", "show", "dev", "eth7"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Device \"eth7\" does not exist.");
    }

    @Test
    void addPutsTheAddressOnTheLinkAndTheRoutingTableDerivesItsRoutes() {
        assertThat(ip.ip("addr", "add", "192.168.5.1/24", "dev", "eth0")).isNull();

        assertThat(bed.link("eth0").addresses())
                .containsExactly(IfAddress.parse("10.0.0.1/24"), IfAddress.parse("192.168.5.1/24"));
        assertThat(ip.ip("addr", "show", "eth0")).endsWith("    inet 192.168.5.1/24 scope global eth0");
        assertThat(ip.ip("route").lines())
                .contains("192.168.5.0/24 dev eth0 proto kernel scope link src 192.168.5.1");
    }

    @Test
    void addWithoutPrefixLengthAddsAHostAddressAndLoopbackAddressesGetHostScope() {
        ip.ip("addr", "add", "dev", "eth0", "10.9.9.9");
        ip.ip("addr", "add", "127.0.0.2/8", "dev", "eth0");

        assertThat(ip.ip("addr", "show", "eth0").lines()).contains(
                "    inet 10.9.9.9/32 scope global eth0",
                "    inet 127.0.0.2/8 scope host eth0");
    }

    @Test
    void addingAnAddressTwiceIsFileExists() {
        assertThatThrownBy(() -> ip.ip("addr", "add", "10.0.0.1/24", "dev", "eth0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("RTNETLINK answers: File exists")
                .hasCauseInstanceOf(ErrnoException.class);
    }

    @Test
    void addToAnUnknownDeviceCannotFindIt() {
        assertThatThrownBy(() -> ip.ip("addr", "add", "10.1.0.1/24", "dev", "nosuch"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Cannot find device \"nosuch\"");
    }

    @Test
    void addWithoutDevSaysDevIsRequired() {
        assertThatThrownBy(() -> ip.ip("addr", "add", "10.1.0.1/24"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not enough information: \"dev\" argument is required.");
    }

    @Test
    void addWithoutAnAddressSaysSo() {
        assertThatThrownBy(() -> ip.ip("addr", "add", "dev", "eth0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Error: ipv4: Local address is not supplied.");
    }

    @Test
    void badAddressesAreNotInetPrefixes() {
        for (String bad : new String[] {"10.0.0.300/24", "10.0.0.1/33", "eth0.1", "10.0.0.1/", "1.2.3.4.5"}) {
            assertThatThrownBy(() -> ip.ip("addr", "add", bad, "dev", "eth0"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Error: inet prefix is expected rather than \"" + bad + "\".");
        }
    }

    @Test
    void aSecondAddressOrDeviceIsReportedAsIproute2Does() {
        assertThatThrownBy(() -> ip.ip("addr", "add", "10.1.0.1/24", "10.2.0.1/24", "dev", "eth0"))
                .hasMessage("Error: either \"local\" is duplicate, or \"10.2.0.1/24\" is a garbage.");
        assertThatThrownBy(() -> ip.ip("addr", "add", "10.1.0.1/24", "dev", "eth0", "dev", "lo"))
                .hasMessage("Error: duplicate \"dev\": \"lo\" is the second value.");
        assertThatThrownBy(() -> ip.ip("addr", "add", "10.1.0.1/24", "dev"))
                .hasMessage("Command line is not complete. Try option \"help\"");
    }

    @Test
    void delRemovesTheAddressAndItsRoutes() {
        ip.ip("addr", "add", "192.168.5.1/24", "dev", "eth0");

        assertThat(ip.ip("addr", "del", "192.168.5.1/24", "dev", "eth0")).isNull();

        assertThat(bed.link("eth0").addresses()).containsExactly(IfAddress.parse("10.0.0.1/24"));
        assertThat(ip.ip("route")).doesNotContain("192.168.5.0/24");
    }

    @Test
    void delWithoutPrefixLengthRemovesTheAddressWhateverItsLength() {
        ip.ip("addr", "delete", "10.0.0.1", "dev", "eth0");
        assertThat(bed.link("eth0").addresses()).isEmpty();
    }

    @Test
    void deletingAnAddressThatIsNotThereCannotAssignRequestedAddress() {
        assertThatThrownBy(() -> ip.ip("addr", "del", "10.0.0.2/24", "dev", "eth0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("RTNETLINK answers: Cannot assign requested address");
        assertThatThrownBy(() -> ip.ip("addr", "del", "10.0.0.1/16", "dev", "eth0"))
                .hasMessage("RTNETLINK answers: Cannot assign requested address");
        assertThatThrownBy(() -> ip.ip("addr", "del", "10.0.0.7", "dev", "eth0"))
                .hasMessage("RTNETLINK answers: Cannot assign requested address");
    }

    @Test
    void anUnknownCommandPointsToHelpAndHelpPrintsTheUsage() {
        assertThatThrownBy(() -> ip.ip("addr", "frob"))
                .hasMessage("Command \"frob\" is unknown, try \"net:ip address help\".");
        assertThat(ip.ip("addr", "help")).startsWith("Usage: net:ip address { add | del } IFADDR dev IFNAME");
    }
}
