package net.tern.udp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import net.tern.api.socket.SocketConstants;
import org.junit.jupiter.api.Test;

/** The {@code Udp} counter group, as {@code /proc/net/snmp} shows it. */
class UdpCountersTest extends UdpTestBase {

    @Test
    void theGroupIsRegisteredWithLinuxsNamesInLinuxsOrder() {
        assertThat(bed.inet().snmp().group("Udp")).isPresent();
        assertThat(bed.inet().snmp().group("Udp").orElseThrow().counterNames()).containsExactly("InDatagrams",
                "NoPorts", "InErrors", "OutDatagrams", "RcvbufErrors", "SndbufErrors", "InCsumErrors", "IgnoredMulti",
                "MemErrors");
        assertThat(bed.inet().snmp().snapshot().get("Udp")).allSatisfy((name, value) -> assertThat(value).isZero());
    }

    @Test
    void datagramsAreCountedOutWhenSentAndInWhenRead() throws Exception {
        int server = bound(lo(7000));
        int client = bed.udpSocket();
        for (int i = 0; i < 3; i++) {
            sendTo(client, new byte[] {(byte) i}, lo(7000));
        }
        sendTo(client, new byte[] {9}, lo(7001));
        bed.runUntilIdle();

        assertThat(bed.udp("OutDatagrams")).isEqualTo(4);
        assertThat(bed.udp("NoPorts")).isEqualTo(1);
        assertThat(bed.udp("InDatagrams")).as("queued, not yet read").isZero();

        recv(server, 10, SocketConstants.MSG_PEEK);
        recv(server, 10);
        recv(server, 10);
        assertThat(bed.udp("InDatagrams")).isEqualTo(2);
        assertThat(bed.udp("InErrors")).isZero();
    }
}
