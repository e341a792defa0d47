package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Random;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet6.impl.Inet6;
import net.tern.inet6.impl.Inet6Settings;
import net.tern.spi.net.EtherType;
import net.tern.udp.testing.UdpTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code net:ping -6} and {@code net:ping6} through the socket layer and IPv6's echo sockets, in virtual time. */
@ExtendWith(PacketLeakCheck.class)
class Ping6CommandTest {
    private UdpTestBed bed;
    private Inet6 inet6;
    private PingCommand ping;

    @BeforeEach
    void start() throws Exception {
        bed = new UdpTestBed();
        inet6 = new Inet6(bed.stack().clock(), bed.stack().timers(), bed.stack().allocator(), Inet6Settings.defaults(),
                new Random(1));
        bed.stack().addPacketHandler(EtherType.IPV6, inet6.input());
        bed.stack().addLinkListener(inet6.addrconf());
        bed.socketLayer().bindFamily(inet6.family(), Map.of("family", SocketConstants.AF_INET6));
        bed.socketLayer().addProcFile("net/snmp6", inet6.snmp());
        ping = new PingCommand(bed.api());
    }

    @AfterEach
    void stop() {
        inet6.close();
        bed.close();
    }

    private PingRun.Result run(String... args) {
        return EchoPeer.pingThroughLo(bed, args);
    }

    @Test
    void pingingColonColonOnePrintsAsIputilsPingDoesForIpv6() {
        PingRun.Result result = run("-6", "-c", "2", "-s", "1400", "::1");
        assertThat(result.report().lines()).containsExactly(
                "PING ::1 (::1) 1400 data bytes",
                "1408 bytes from ::1: icmp_seq=1 ttl=64 time=0.000 ms",
                "1408 bytes from ::1: icmp_seq=2 ttl=64 time=0.000 ms",
                "",
                "--- ::1 ping statistics ---",
                "2 packets transmitted, 2 received, 0% packet loss, time 1000ms",
                "rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms");
        assertThat(inet6.counter("Icmp6OutEchos")).isEqualTo(2);
        assertThat(inet6.counter("Icmp6InEchoReplies")).isEqualTo(2);
        assertThat(bed.socketLayer().openDescriptors()).as("descriptor closed").isZero();
    }

    @Test
    void aColonInTheDestinationMeansIpv6AndPing6IsPingDash6() {
        assertThat(PingOptions.parse("::1").ipv6()).isTrue();
        assertThat(PingOptions.parse("127.0.0.1").ipv6()).isFalse();
        assertThatThrownBy(() -> PingOptions.parse("-4", "::1")).hasMessageContaining("Address family");
        assertThatThrownBy(() -> PingOptions.parse("-6", "fe80::zz")).hasMessageContaining("Name or service not known");
        assertThat(run("-c", "1", "-q", "::1").report()).contains("1 packets transmitted, 1 received");
    }

    @Test
    void withoutARouteTheConnectFailsAsIputilsSays() {
        assertThatThrownBy(() -> ping.ping("-6", "-c", "1", "2001:db8::1")).hasMessageContaining("ping: connect: Network is unreachable");
    }
}
