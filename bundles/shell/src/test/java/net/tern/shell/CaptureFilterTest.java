package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.tern.inet.testing.InetTestBed;
import org.junit.jupiter.api.Test;

class CaptureFilterTest {
    private static final byte[] ECHO = InetTestBed.datagram("10.0.0.1", "10.0.0.2", 1,
            InetTestBed.icmpMessage(8, 0, 0x00070001, new byte[8]));
    private static final byte[] UDP_5000_TO_53 = InetTestBed.datagram("10.0.0.1", "10.0.0.9", 17,
            new byte[] {0x13, (byte) 0x88, 0, 53, 0, 8, 0, 0});
    private static final byte[] TCP_80_TO_4000 = InetTestBed.datagram("10.0.0.3", "10.0.0.1", 6,
            new byte[] {0, 80, 0x0f, (byte) 0xa0, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0, 0, 0, 0, 0, 0});

    private static boolean matches(String filter, byte[] packet) {
        return CaptureFilter.parse(List.of(filter.split(" "))).matches(packet, packet.length);
    }

    @Test
    void noWordsMatchEverythingEvenWhatIsNotIpv4() {
        assertThat(CaptureFilter.parse(List.of()).matches(new byte[] {0x60, 0}, 2)).isTrue();
    }

    @Test
    void protocolsMatchTheIpProtocolField() {
        assertThat(matches("icmp", ECHO)).isTrue();
        assertThat(matches("udp", ECHO)).isFalse();
        assertThat(matches("udp", UDP_5000_TO_53)).isTrue();
        assertThat(matches("tcp", TCP_80_TO_4000)).isTrue();
        assertThat(matches("tcp", UDP_5000_TO_53)).isFalse();
    }

    @Test
    void hostMatchesSourceOrDestination() {
        assertThat(matches("host 10.0.0.1", ECHO)).isTrue();
        assertThat(matches("host 10.0.0.2", ECHO)).isTrue();
        assertThat(matches("host 10.0.0.3", ECHO)).isFalse();
    }

    @Test
    void portMatchesEitherPortOfTcpOrUdpOnly() {
        assertThat(matches("port 53", UDP_5000_TO_53)).isTrue();
        assertThat(matches("port 5000", UDP_5000_TO_53)).isTrue();
        assertThat(matches("port 80", TCP_80_TO_4000)).isTrue();
        assertThat(matches("port 81", TCP_80_TO_4000)).isFalse();
        assertThat(matches("port 1", ECHO)).as("ICMP has no ports").isFalse();
    }

    @Test
    void andRequiresEveryPrimitive() {
        assertThat(matches("udp and host 10.0.0.9 and port 53", UDP_5000_TO_53)).isTrue();
        assertThat(matches("udp && port 53", UDP_5000_TO_53)).isTrue();
        assertThat(matches("udp and host 10.0.0.2", UDP_5000_TO_53)).isFalse();
    }

    @Test
    void aNonIpv4PacketMatchesNoPrimitive() {
        assertThat(matches("icmp", new byte[] {0x60, 0, 0, 0})).isFalse();
    }

    @Test
    void badExpressionsAreRefusedNamingTheFault() {
        assertThatThrownBy(() -> CaptureFilter.parse(List.of("arp")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capture: syntax error in filter expression 'arp': unknown primitive 'arp' "
                        + "(expected host, port, icmp, udp or tcp)");
        assertThatThrownBy(() -> CaptureFilter.parse(List.of("host")))
                .hasMessageEndingWith("'host' needs an address");
        assertThatThrownBy(() -> CaptureFilter.parse(List.of("host", "10.0.0")))
                .hasMessageEndingWith("'10.0.0' is not an IPv4 address");
        assertThatThrownBy(() -> CaptureFilter.parse(List.of("port", "70000")))
                .hasMessageEndingWith("'70000' is not a port (0..65535)");
        assertThatThrownBy(() -> CaptureFilter.parse(List.of("udp", "or", "tcp")))
                .hasMessageEndingWith("expected 'and' before 'or'");
        assertThatThrownBy(() -> CaptureFilter.parse(List.of("udp", "and")))
                .hasMessageEndingWith("expected a primitive at the end");
    }
}
