package net.tern.link.tun;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.tern.spi.net.Packet;
import org.junit.jupiter.api.Test;

/**
 * {@code struct virtio_net_hdr} both ways: its 16-bit fields are little-endian whatever the
 * machine, so every field here has two different bytes, and the bytes are checked one by one.
 */
class VirtioNetHdrTest {
    /** flags NEEDS_CSUM, gso TCPV4, hdr_len 0x0134, gso_size 0x05a8, csum_start 0x0214, csum_offset 0x0310. */
    private static final byte[] WIRE = {1, 1, 0x34, 0x01, (byte) 0xa8, 0x05, 0x14, 0x02, 0x10, 0x03};

    @Test
    void decodesLittleEndianFields() {
        VirtioNetHdr h = new VirtioNetHdr().decode(Unpooled.wrappedBuffer(WIRE), 0);

        assertThat(h.flags).isEqualTo(VirtioNetHdr.F_NEEDS_CSUM);
        assertThat(h.gsoType).isEqualTo(VirtioNetHdr.GSO_TCPV4);
        assertThat(h.hdrLen).isEqualTo(0x0134);
        assertThat(h.gsoSize).isEqualTo(0x05a8);
        assertThat(h.csumStart).isEqualTo(0x0214);
        assertThat(h.csumOffset).isEqualTo(0x0310);
    }

    @Test
    void encodesLittleEndianFields() {
        ByteBuf out = Unpooled.buffer(VirtioNetHdr.SIZE).writerIndex(VirtioNetHdr.SIZE);

        VirtioNetHdr.encode(out, 0, VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, 0x0134, 0x05a8, 0x0214, 0x0310);

        assertThat(bytes(out)).containsExactly(WIRE);
    }

    @Test
    void decodesTheFlagsAndTypesTheKernelSends() {
        byte[] valid = {2, (byte) (VirtioNetHdr.GSO_TCPV6 | VirtioNetHdr.GSO_ECN), 0, 0, 0, 0, 0, 0, 0, 0};
        VirtioNetHdr h = new VirtioNetHdr().decode(Unpooled.wrappedBuffer(valid), 0);

        assertThat(h.flags).isEqualTo(VirtioNetHdr.F_DATA_VALID);
        assertThat(h.packetGsoType()).as("ECN set aside").isEqualTo(Packet.GSO_TCPV6);
        assertThat(new VirtioNetHdr().decode(Unpooled.wrappedBuffer(new byte[10]), 0).packetGsoType())
                .isEqualTo(Packet.GSO_NONE);
        byte[] udp = {0, VirtioNetHdr.GSO_UDP_L4, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(new VirtioNetHdr().decode(Unpooled.wrappedBuffer(udp), 0).packetGsoType()).isEqualTo(-1);
    }

    @Test
    void aTsoPacketGetsItsTypeSizeHeadersAndPartialChecksum() {
        // IPv4 (20 bytes) + TCP with timestamps (32 bytes) + 3000 bytes of payload, headroom 16.
        ByteBuf buf = Unpooled.buffer(16 + 52 + 3000);
        buf.writerIndex(16 + 52 + 3000).readerIndex(16);
        buf.setByte(16, 0x45);
        buf.setByte(16 + 20 + 12, 8 << 4);
        Packet packet = new Packet(buf, null).checksumPartial(16 + 20, 16).gso(Packet.GSO_TCPV4, 1448);
        ByteBuf out = Unpooled.buffer(VirtioNetHdr.SIZE).writerIndex(VirtioNetHdr.SIZE);

        VirtioNetHdr.encode(packet, out, 0);

        // flags NEEDS_CSUM, TCPV4, hdr_len 52, gso_size 1448 (0x05a8), csum_start 20, csum_offset 16
        assertThat(bytes(out)).containsExactly(1, 1, 52, 0, (byte) 0xa8, 0x05, 20, 0, 16, 0);
        packet.release();
    }

    @Test
    void aChecksummedSegmentGetsAHeaderOfZeros() {
        ByteBuf buf = Unpooled.buffer(60).writerIndex(60);
        buf.setByte(0, 0x45);
        Packet packet = new Packet(buf, null);
        ByteBuf out = Unpooled.buffer(VirtioNetHdr.SIZE).writerIndex(VirtioNetHdr.SIZE);
        out.setByte(3, 0x7f);

        VirtioNetHdr.encode(packet, out, 0);

        assertThat(bytes(out)).containsOnly(0);
        packet.release();
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        return b;
    }
}
