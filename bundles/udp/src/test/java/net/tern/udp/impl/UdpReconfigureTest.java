package net.tern.udp.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.inet.testing.ComponentConfig;
import org.junit.jupiter.api.Test;

/** A Config Admin update of {@code net.tern.udp} applies at once, without withdrawing UDP or its sockets. */
class UdpReconfigureTest extends UdpTestBase {
    static UdpInit.Config config(int low, int high) {
        return ComponentConfig.of(UdpInit.Config.class, Map.of("localPortLow", low, "localPortHigh", high));
    }

    @Test
    void aNewPortRangeAppliesToTheNextAutobindAndOpenSocketsKeepTheirPorts() throws Exception {
        int before = bound(new InetSockAddr(0, 0));
        int portBefore = localPort(before);
        Udp running = bed.udp();

        bed.component().modified(config(41000, 41001));

        assertThat(bed.udp()).isSameAs(running);
        assertThat(bed.udp().settings()).isEqualTo(new UdpSettings(41000, 41001));
        assertThat(localPort(before)).isEqualTo(portBefore);
        int a = localPort(bound(new InetSockAddr(0, 0)));
        int b = localPort(bound(new InetSockAddr(0, 0)));
        assertThat(java.util.List.of(a, b)).containsExactlyInAnyOrder(41000, 41001);
        assertThatThrownBy(() -> bound(new InetSockAddr(0, 0)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE))
                .hasMessageContaining("41000..41001");
    }

    @Test
    void aRangeThatDoesNotValidateIsRefusedAndTheOneBeforeStays() {
        bed.component().modified(config(50000, 40000));
        assertThat(bed.udp().settings()).isEqualTo(UdpSettings.defaults());
    }
}
