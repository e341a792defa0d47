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
import net.tern.spi.net.PacketTap;
import net.tern.wire.InetChecksum;
import net.tern.wire.TcpPacket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code validate_xmit_skb}'s checksum help: a packet whose TCP checksum was left partial
 * ({@code CHECKSUM_PARTIAL}) leaves a device without {@code NETIF_F_HW_CSUM} with the whole
 * checksum, leaves one with it untouched, and is completed for packet taps so that captures
 * verify.
 */
@ExtendWith(PacketLeakCheck.class)
class ChecksumOffloadTest {
    private static final int SOURCE = 0x0a000001;
    private static final int DESTINATION = 0x0a000002;
    /** A 20-byte IPv4 header's worth of bytes in front of the segment, as IP output leaves them. */
    private static final int IP_HEADER = 20;

    private final TestStack stack = new TestStack();

    @AfterEach
    void close() {
        stack.close();
    }

    /** A TCP segment of {@code dataLength} bytes after a blank IP header, its checksum partial. */
    private Packet partialSegment(int dataLength) {
        byte[] bytes = new byte[IP_HEADER + 20 + dataLength];
        bytes[0] = 0x45;
        for (int i = IP_HEADER + 20; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7 + 3);
        }
        Packet packet = stack.packet(EtherType.IPV4, bytes);
        ByteBuf buf = packet.buf();
        int start = buf.readerIndex() + IP_HEADER;
        buf.setByte(start + 12, 5 << 4); // data offset: 5 words
        TcpPacket.fillPartialChecksum(buf, start, 20 + dataLength, SOURCE, DESTINATION);
        packet.checksumPartial(start, TcpPacket.CHECKSUM_OFFSET);
        return packet;
    }

    private static boolean verifies(Packet packet) {
        ByteBuf buf = packet.buf();
        int start = buf.readerIndex() + IP_HEADER;
        return InetChecksum.verifyTransport(buf, start, buf.writerIndex() - start, SOURCE, DESTINATION, 6);
    }

    @Test
    void aDeviceWithoutChecksumOffloadGetsTheWholeChecksum() throws Exception {
        FakeDevice tun = new FakeDevice("tun0");
        Link link = stack.register(tun);
        Packet packet = partialSegment(1001);
        assertThat(verifies(packet)).as("the partial sum alone does not verify").isFalse();

        assertThat(link.transmit(packet)).isTrue();

        Packet sent = tun.takeTransmitted();
        assertThat(verifies(sent)).isTrue();
        assertThat(sent.ipSummed()).isEqualTo(Packet.CHECKSUM_NONE);
        sent.release();
    }

    @Test
    void aDeviceThatOffloadsChecksumsGetsThePartialOneUntouched() throws Exception {
        FakeDevice lo = new FakeDevice("lo0").features(NetdevFeatures.NETIF_F_HW_CSUM);
        Link link = stack.register(lo);
        Packet packet = partialSegment(1000);
        int field = packet.buf().getUnsignedShort(packet.csumStart() + TcpPacket.CHECKSUM_OFFSET);

        assertThat(link.transmit(packet)).isTrue();

        Packet sent = lo.takeTransmitted();
        assertThat(sent.ipSummed()).isEqualTo(Packet.CHECKSUM_PARTIAL);
        assertThat(sent.buf().getUnsignedShort(sent.csumStart() + TcpPacket.CHECKSUM_OFFSET))
                .isEqualTo(field)
                .isEqualTo(InetChecksum.pseudoHeaderSum(SOURCE, DESTINATION, 6, 1020));
        assertThat(sent.csumUnnecessary()).isTrue();
        sent.release();
    }

    @Test
    void aTapOnAnOffloadingDeviceSeesAChecksumThatVerifies() throws Exception {
        FakeDevice lo = new FakeDevice("lo0").features(NetdevFeatures.NETIF_F_HW_CSUM);
        Link link = stack.register(lo);
        List<Boolean> tapped = new ArrayList<>();
        link.addTap((l, direction, time, protocol, data) -> {
            int start = data.readerIndex() + IP_HEADER;
            tapped.add(InetChecksum.verifyTransport(data, start, data.writerIndex() - start, SOURCE, DESTINATION, 6));
        });

        assertThat(link.transmit(partialSegment(999))).isTrue();

        assertThat(tapped).containsExactly(true);
        Packet sent = lo.takeTransmitted();
        assertThat(verifies(sent)).isTrue();
        assertThat(sent.ipSummed()).as("still one that needs no verification").isEqualTo(Packet.CHECKSUM_UNNECESSARY);
        sent.release();
    }
}
