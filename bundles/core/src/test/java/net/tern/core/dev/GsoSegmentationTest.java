package net.tern.core.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.NetdevFeatures;
import net.tern.spi.net.Packet;
import net.tern.wire.InetChecksum;
import net.tern.wire.Ipv6Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Software segmentation on the way out ({@code validate_xmit_skb}, {@code skb_gso_segment}):
 * a TCP packet of several segments reaches a device that segments ({@code NETIF_F_TSO}) whole,
 * and any other device, a tap, or the impairment as the segments the wire carries, each with
 * its own IP length, identification and checksum, sequence number, flags and TCP checksum.
 */
@ExtendWith(PacketLeakCheck.class)
class GsoSegmentationTest {
    private static final int SOURCE = 0x0a000001;
    private static final int DESTINATION = 0x0a000002;
    private static final int MSS = 1000;
    private static final int PAYLOAD = 3500;
    private static final int SEQ = 0x7ffffe00;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private static final int FIN = 0x01;
    private static final int CWR = 0x80;

    private final TestStack stack = new TestStack();

    @AfterEach
    void close() {
        stack.close();
    }

    /** IPv4 (id 0x1234, DF) + TCP (20 bytes, ACK PSH FIN CWR) + {@link #PAYLOAD} numbered bytes, checksum partial, gso {@link #MSS}. */
    private Packet gsoPacket() {
        byte[] bytes = new byte[20 + 20 + PAYLOAD];
        bytes[0] = 0x45;
        bytes[2] = (byte) (bytes.length >>> 8);
        bytes[3] = (byte) bytes.length;
        bytes[4] = 0x12;
        bytes[5] = 0x34;
        bytes[6] = 0x40;
        bytes[8] = 64;
        bytes[9] = 6;
        for (int i = 40; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7 + 3);
        }
        Packet packet = stack.packet(EtherType.IPV4, bytes);
        ByteBuf buf = packet.buf();
        int ip = buf.readerIndex();
        buf.setInt(ip + 12, SOURCE);
        buf.setInt(ip + 16, DESTINATION);
        buf.setShort(ip + 10, InetChecksum.checksum(buf, ip, 20));
        buf.setInt(ip + 20 + 4, SEQ);
        buf.setByte(ip + 20 + 12, 5 << 4);
        buf.setByte(ip + 20 + 13, ACK | PSH | FIN | CWR);
        buf.setShort(ip + 20 + 16, InetChecksum.pseudoHeaderSum(SOURCE, DESTINATION, 6, 20 + PAYLOAD));
        packet.checksumPartial(ip + 20, 16).gso(Packet.GSO_TCPV4, MSS);
        packet.resetNetworkHeader();
        return packet;
    }

    @Test
    void aDeviceThatCannotSegmentGetsTheWireSegments() throws Exception {
        FakeDevice tun = new FakeDevice("tun0");
        Link link = stack.register(tun);

        assertThat(link.transmit(gsoPacket())).isTrue();

        List<Packet> sent = tun.transmitted();
        assertThat(sent).hasSize(4);
        for (int i = 0; i < 4; i++) {
            Packet p = sent.get(i);
            ByteBuf b = p.buf();
            int ip = b.readerIndex();
            int length = i < 3 ? MSS : PAYLOAD - 3 * MSS;
            assertThat(p.length()).isEqualTo(40 + length);
            assertThat(p.isGso()).isFalse();
            assertThat(b.getUnsignedShort(ip + 2)).as("total length").isEqualTo(40 + length);
            assertThat(b.getUnsignedShort(ip + 4)).as("identification").isEqualTo(0x1234 + i);
            assertThat(InetChecksum.verify(b, ip, 20)).as("IP header checksum").isTrue();
            assertThat(b.getInt(ip + 24)).as("sequence number").isEqualTo(SEQ + i * MSS);
            int flags = b.getUnsignedByte(ip + 33);
            assertThat(flags).isEqualTo(ACK | (i == 0 ? CWR : 0) | (i == 3 ? PSH | FIN : 0));
            assertThat(InetChecksum.verifyTransport(b, ip + 20, 20 + length, SOURCE, DESTINATION, 6))
                    .as("TCP checksum, completed for a device without checksum offload").isTrue();
            assertThat(b.getByte(ip + 40)).as("payload carried from its offset").isEqualTo((byte) ((40 + i * MSS) * 7 + 3));
        }
        assertThat(link.stats().txPackets.sum()).isEqualTo(4);
        tun.releaseTransmitted();
    }

    @Test
    void aDeviceThatSegmentsGetsThePacketWhole() throws Exception {
        FakeDevice tun = new FakeDevice("tun0").features(NetdevFeatures.NETIF_F_TSO | NetdevFeatures.NETIF_F_HW_CSUM);
        Link link = stack.register(tun);

        assertThat(link.transmit(gsoPacket())).isTrue();

        Packet sent = tun.takeTransmitted();
        assertThat(sent.length()).isEqualTo(40 + PAYLOAD);
        assertThat(sent.gsoType()).isEqualTo(Packet.GSO_TCPV4);
        assertThat(sent.gsoSize()).isEqualTo(MSS);
        assertThat(sent.ipSummed()).isEqualTo(Packet.CHECKSUM_PARTIAL);
        assertThat(tun.takeTransmitted()).isNull();
        sent.release();
    }

    @Test
    void aTapSeesTheWireSegmentsAndTheyVerify() throws Exception {
        FakeDevice tun = new FakeDevice("tun0").features(NetdevFeatures.NETIF_F_TSO | NetdevFeatures.NETIF_F_HW_CSUM);
        Link link = stack.register(tun);
        List<Integer> lengths = new ArrayList<>();
        List<Boolean> verified = new ArrayList<>();
        link.addTap((l, direction, time, protocol, data) -> {
            int ip = data.readerIndex();
            lengths.add(data.readableBytes());
            verified.add(InetChecksum.verifyTransport(data, ip + 20, data.readableBytes() - 20, SOURCE, DESTINATION, 6));
        });

        assertThat(link.transmit(gsoPacket())).isTrue();

        assertThat(lengths).containsExactly(1040, 1040, 1040, 540);
        assertThat(verified).containsOnly(true);
        assertThat(tun.transmitted()).hasSize(4);
        tun.releaseTransmitted();
    }

    @Test
    void aPacketWhoseSegmentsExceedTheMtuIsDropped() throws Exception {
        FakeDevice tun = new FakeDevice("tun0", 1000, 65535, List.of())
                .features(NetdevFeatures.NETIF_F_TSO | NetdevFeatures.NETIF_F_HW_CSUM);
        Link link = stack.register(tun);

        assertThat(link.transmit(gsoPacket())).isFalse();

        assertThat(tun.transmitted()).isEmpty();
        assertThat(link.stats().txDropped.sum()).isEqualTo(1);
    }

    @Test
    void tcpOverIpv6IsCutWithItsPayloadLengthAndChecksum() throws Exception {
        FakeDevice tun = new FakeDevice("tun0");
        Link link = stack.register(tun);
        Ipv6Address src = Ipv6Address.parse("fd00:99::2");
        Ipv6Address dst = Ipv6Address.parse("fd00:99::1");
        byte[] bytes = new byte[40 + 32 + 2500];
        bytes[0] = 0x60;
        bytes[6] = 6;
        bytes[7] = 64;
        Packet packet = stack.packet(EtherType.IPV6, bytes);
        ByteBuf buf = packet.buf();
        int ip = buf.readerIndex();
        src.write(buf, ip + 8);
        dst.write(buf, ip + 24);
        buf.setShort(ip + 4, 32 + 2500);
        buf.setByte(ip + 40 + 12, 8 << 4);
        buf.setByte(ip + 40 + 13, ACK | PSH);
        buf.setShort(ip + 40 + 16, InetChecksum.pseudoHeaderSum6(src, dst, 6, 32 + 2500));
        packet.checksumPartial(ip + 40, 16).gso(Packet.GSO_TCPV6, 1200);

        assertThat(link.transmit(packet)).isTrue();

        List<Packet> sent = tun.transmitted();
        assertThat(sent).extracting(Packet::length).containsExactly(72 + 1200, 72 + 1200, 72 + 100);
        for (Packet p : sent) {
            ByteBuf b = p.buf();
            int at = b.readerIndex();
            assertThat(b.getUnsignedShort(at + 4)).isEqualTo(p.length() - 40);
            assertThat(InetChecksum.verifyTransport6(b, at + 40, p.length() - 40, src, dst, 6)).isTrue();
        }
        tun.releaseTransmitted();
    }
}
