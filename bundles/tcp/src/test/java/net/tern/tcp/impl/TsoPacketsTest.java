package net.tern.tcp.impl;

import static net.tern.wire.TcpPacket.PSH;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.tern.spi.net.NetdevFeatures;
import net.tern.spi.net.Packet;
import net.tern.tcp.testing.Seg;
import org.junit.jupiter.api.Test;

/**
 * TCP on a device that segments ({@code NETIF_F_TSO}, {@code sk_can_gso}): the segments of each
 * packet {@link TcpTso} measures leave as that one packet, marked with the MSS as its segment
 * size, its checksum partial, counted as its segments; on any other device the same data go
 * as segments with PSH where each packet ends. After a 100 ms handshake at cwnd 10 Linux 6.18
 * sends packets of 2 segments (TcpTso).
 */
class TsoPacketsTest extends ScriptedPeerTestBase {
    private static final int PEER_ISN = 90_000;
    private static final int MSS = 1460;

    TsoPacketsTest() {
        super(PEER_ISN);
    }

    /** The packets the device got since the last call, taken whole (the caller releases them). */
    private List<Packet> devicePackets() {
        peer.time().runPending();
        List<Packet> out = new ArrayList<>();
        Packet p;
        while ((p = peer.device().takeTransmitted()) != null) {
            out.add(p);
        }
        return out;
    }

    @Test
    void onADeviceThatSegmentsEachPacketGoesWhole() throws Exception {
        peer.device().features(NetdevFeatures.NETIF_F_TSO | NetdevFeatures.NETIF_F_HW_CSUM);
        Conn c = openWithRtt(100, 65535);
        long outSegs = peer.host().counter(TcpMib.OutSegs);

        assertThat(api.send(c.fd(), ByteBuffer.wrap(new byte[20 * MSS]), 0)).isEqualTo(20 * MSS);

        List<Packet> packets = devicePackets();
        try {
            assertThat(packets).hasSize(5);
            for (int i = 0; i < packets.size(); i++) {
                Packet p = packets.get(i);
                ByteBuf b = p.buf();
                int ip = b.readerIndex();
                assertThat(p.gsoType()).isEqualTo(Packet.GSO_TCPV4);
                assertThat(p.gsoSize()).isEqualTo(MSS);
                assertThat(p.ipSummed()).isEqualTo(Packet.CHECKSUM_PARTIAL);
                assertThat(b.getUnsignedShort(ip + 2)).as("IP total length").isEqualTo(p.length());
                Seg seg = Seg.parse(b, ip, 0);
                assertThat(seg.length()).isEqualTo(2 * MSS);
                assertThat(seg.seq()).isEqualTo(c.nxt(2 * MSS * i));
                assertThat(seg.has(PSH)).as("PSH on the packet, for its last segment").isTrue();
            }
        } finally {
            packets.forEach(Packet::release);
        }
        assertThat(peer.host().counter(TcpMib.OutSegs) - outSegs).as("counted as segments").isEqualTo(10);
        assertThat(sock().rtx().size()).as("the retransmission queue keeps segments").isEqualTo(10);
    }

    @Test
    void onAnyOtherDeviceTheSameDataGoAsSegmentsWithPshWhereEachPacketEnds() throws Exception {
        Conn c = openWithRtt(100, 65535);

        api.send(c.fd(), ByteBuffer.wrap(new byte[20 * MSS]), 0);

        List<Packet> packets = devicePackets();
        try {
            assertThat(packets).hasSize(10).allSatisfy(p -> assertThat(p.isGso()).isFalse());
            List<Boolean> pushes = packets.stream().map(p -> Seg.parse(p.buf(), p.buf().readerIndex(), 0).has(PSH))
                    .toList();
            assertThat(pushes).containsExactly(false, true, false, true, false, true, false, true, false, true);
        } finally {
            packets.forEach(Packet::release);
        }
    }
}
