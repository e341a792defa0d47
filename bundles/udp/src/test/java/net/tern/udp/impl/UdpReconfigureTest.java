package net.tern.udp.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.inet.sock.LocalPortRange;
import net.tern.inet.sock.ProtoMemory;
import net.tern.inet.testing.ComponentConfig;
import org.junit.jupiter.api.Test;

/**
 * A Config Admin update of {@code net.tern.udp} applies at once, without withdrawing UDP or its
 * sockets; so does a new {@code ip_local_port_range}, which is IPv4's and read at each autobind.
 */
class UdpReconfigureTest extends UdpTestBase {
    @Test
    void aNewPortRangeOfIpv4AppliesToTheNextAutobindAndOpenSocketsKeepTheirPorts() throws Exception {
        int before = bound(new InetSockAddr(0, 0));
        int portBefore = localPort(before);
        Udp running = bed.udp();

        bed.inet().reconfigure(bed.inet().settings().withLocalPorts(new LocalPortRange.Range(41000, 41001)));

        assertThat(bed.udp()).isSameAs(running);
        assertThat(localPort(before)).isEqualTo(portBefore);
        int a = localPort(bound(new InetSockAddr(0, 0)));
        int b = localPort(bound(new InetSockAddr(0, 0)));
        assertThat(List.of(a, b)).containsExactlyInAnyOrder(41000, 41001);
        assertThatThrownBy(() -> bound(new InetSockAddr(0, 0)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE))
                .hasMessageContaining("41000..41001");

        // A range that holds the socket bound before and one free port: the ports in use are
        // counted again in it (1 of 2, not the 2 of 2 of the range before), so one more autobind fits.
        assertThat(portBefore + 1).isNotIn(41000, 41001);
        bed.inet().reconfigure(bed.inet().settings().withLocalPorts(new LocalPortRange.Range(portBefore, portBefore + 1)));
        assertThat(localPort(bound(new InetSockAddr(0, 0)))).isEqualTo(portBefore + 1);
        assertThat(errnoOf(() -> bound(new InetSockAddr(0, 0)))).isEqualTo(Errno.EADDRINUSE);
    }

    @Test
    void newMemoryLimitsApplyAndSettingsThatDoNotValidateAreRefused() {
        Udp running = bed.udp();
        bed.component().modified(ComponentConfig.of(UdpInit.Config.class,
                Map.of("udpMem", "10 20 30", "udpRmemMin", 8192)));
        assertThat(bed.udp()).isSameAs(running);
        UdpSettings changed = bed.udp().settings();
        assertThat(changed.rmemMin()).isEqualTo(8192);
        assertThat(changed.udpMem()).isEqualTo(new ProtoMemory.Limits(10, 20, 30));

        bed.component().modified(ComponentConfig.of(UdpInit.Config.class, Map.of("udpRmemMin", -1)));
        assertThat(bed.udp().settings()).isEqualTo(changed);
    }
}
