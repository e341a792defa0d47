package net.tern.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class UdpPacketTest {
    private static final int SOURCE = Ipv4Address.parse("10.0.0.1");
    private static final int DESTINATION = Ipv4Address.parse("10.0.0.2");

    /** A datagram of {@code repr} at index 4 of a buffer, its data bytes 1, 2, 3, ... */
    private static ByteBuf emitted(UdpRepr repr) {
        ByteBuf buf = Unpooled.buffer(4 + repr.length());
        buf.writerIndex(4 + repr.length());
        for (int i = 0; i < repr.payloadLength(); i++) {
            buf.setByte(4 + UdpPacket.HEADER_LENGTH + i, i + 1);
        }
        repr.emit(buf, 4, SOURCE, DESTINATION);
        return buf;
    }

    @Test
    void emitThenParseGivesTheSameDatagram() {
        UdpRepr repr = new UdpRepr(5000, 53, 11);
        ByteBuf buf = emitted(repr);
        UdpPacket view = UdpPacket.at(buf, 4);

        assertThat(view.check(repr.length())).isEqualTo(UdpPacket.Check.OK);
        assertThat(view.length()).isEqualTo(19);
        assertThat(view.payloadOffset()).isEqualTo(12);
        assertThat(view.verifyChecksum(SOURCE, DESTINATION)).isTrue();
        assertThat(UdpRepr.parse(view, repr.length())).isEqualTo(repr);
    }

    @Test
    void theChecksumCoversThePseudoHeaderAndTheData() {
        ByteBuf buf = emitted(new UdpRepr(5000, 53, 11));
        UdpPacket view = UdpPacket.at(buf, 4);
        assertThat(view.verifyChecksum(SOURCE, DESTINATION + 1)).as("another destination").isFalse();
        buf.setByte(4 + 8 + 10, 0x7f);
        assertThat(view.verifyChecksum(SOURCE, DESTINATION)).as("a changed data byte").isFalse();
    }

    @Test
    void aZeroChecksumMeansNoneAndAComputedZeroIsSentAsAllOnes() {
        ByteBuf buf = emitted(new UdpRepr(1, 2, 0));
        buf.setShort(4 + UdpPacket.CHECKSUM_OFFSET, 0);
        buf.setByte(4 + 2, 0x55);
        assertThat(UdpPacket.at(buf, 4).verifyChecksum(SOURCE, DESTINATION)).isTrue();

        // Pick the destination port so that the sum of everything else is all ones: the
        // computed checksum is then 0, which must go out as 0xffff (RFC 768). The header's
        // words other than that port sum to 1 + 8 (source port 1, length 8, checksum 0).
        int others = InetChecksum.add(InetChecksum.pseudoHeaderSum(SOURCE, DESTINATION, 17, 8), 1 + 8);
        int port = 0xffff - others;
        ByteBuf zero = emitted(new UdpRepr(1, port, 0));
        assertThat(zero.getUnsignedShort(4 + UdpPacket.CHECKSUM_OFFSET)).isEqualTo(0xffff);
        assertThat(UdpPacket.at(zero, 4).verifyChecksum(SOURCE, DESTINATION)).isTrue();
    }

    @Test
    void checkNamesEachDefect() {
        ByteBuf buf = emitted(new UdpRepr(5000, 53, 11));
        UdpPacket view = UdpPacket.at(buf, 4);
        assertThat(view.check(7)).isEqualTo(UdpPacket.Check.TOO_SHORT);
        assertThat(view.check(18)).as("length field past what IP delivered").isEqualTo(UdpPacket.Check.TRUNCATED);
        assertThat(view.check(25)).as("padding after the datagram").isEqualTo(UdpPacket.Check.OK);
        buf.setShort(4 + 4, 7);
        assertThat(view.check(19)).isEqualTo(UdpPacket.Check.LENGTH_BELOW_HEADER);
        assertThatThrownBy(() -> UdpRepr.parse(view, 19)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LENGTH_BELOW_HEADER");
    }

    @Test
    void aReusedViewReadsEachDatagramItIsPointedAt() {
        ByteBuf first = emitted(new UdpRepr(1000, 2000, 0));
        ByteBuf second = emitted(new UdpRepr(3000, 4000, 5));
        UdpPacket view = new UdpPacket();
        assertThat(view.wrap(first, 4).sourcePort()).isEqualTo(1000);
        assertThat(view.wrap(second, 4).sourcePort()).isEqualTo(3000);
        assertThat(view.payloadLength()).isEqualTo(5);
    }

    @Test
    void representationsRefuseFieldsOutOfRange() {
        assertThatThrownBy(() -> new UdpRepr(65536, 1, 0)).hasMessageContaining("source port");
        assertThatThrownBy(() -> new UdpRepr(1, -1, 0)).hasMessageContaining("destination port");
        assertThatThrownBy(() -> new UdpRepr(1, 1, 65528)).hasMessageContaining("payload length");
    }
}
