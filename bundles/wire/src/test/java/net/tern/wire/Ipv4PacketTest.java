package net.tern.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class Ipv4PacketTest {
    private static ByteBuf emitted(Ipv4Repr header, int extra) {
        ByteBuf buf = Unpooled.buffer(Ipv4Repr.LENGTH + header.payloadLength() + extra);
        buf.writerIndex(Ipv4Repr.LENGTH + header.payloadLength() + extra);
        header.emit(buf, 0);
        return buf;
    }

    private static Ipv4Repr sample() {
        return Ipv4Repr.builder().source(Ipv4Address.parse("10.0.0.1")).destination(Ipv4Address.parse("10.0.0.2"))
                .protocol(17).payloadLength(100).ttl(33).tos(0x10).identification(0xbeef).moreFragments(true)
                .fragmentOffset(1480).build();
    }

    @Test
    void emitThenParseGivesTheSameHeader() {
        ByteBuf buf = emitted(sample(), 0);
        Ipv4Packet view = Ipv4Packet.at(buf, 0);

        assertThat(view.version()).isEqualTo(4);
        assertThat(view.headerLength()).isEqualTo(20);
        assertThat(view.totalLength()).isEqualTo(120);
        assertThat(view.isFragment()).isTrue();
        assertThat(view.verifyChecksum()).isTrue();
        assertThat(view.checkHeader(120)).isEqualTo(Ipv4Packet.Check.OK);
        assertThat(Ipv4Repr.parse(view)).isEqualTo(sample());
    }

    @Test
    void checkHeaderNamesEachDefect() {
        assertThat(Ipv4Packet.at(emitted(sample(), 0), 0).checkHeader(19)).isEqualTo(Ipv4Packet.Check.TOO_SHORT);

        ByteBuf badVersion = emitted(sample(), 0);
        badVersion.setByte(0, 0x65);
        assertThat(Ipv4Packet.at(badVersion, 0).checkHeader(120)).isEqualTo(Ipv4Packet.Check.BAD_VERSION);

        ByteBuf badIhl = emitted(sample(), 0);
        badIhl.setByte(0, 0x44);
        assertThat(Ipv4Packet.at(badIhl, 0).checkHeader(120)).isEqualTo(Ipv4Packet.Check.BAD_IHL);

        ByteBuf longHeader = emitted(sample(), 0);
        longHeader.setByte(0, 0x4f); // 60-byte header in a 30-byte packet
        assertThat(Ipv4Packet.at(longHeader, 0).checkHeader(30)).isEqualTo(Ipv4Packet.Check.HEADER_TRUNCATED);

        ByteBuf badSum = emitted(sample(), 0);
        badSum.setByte(8, 1);
        assertThat(Ipv4Packet.at(badSum, 0).checkHeader(120)).isEqualTo(Ipv4Packet.Check.BAD_CHECKSUM);

        assertThat(Ipv4Packet.at(emitted(sample(), 0), 0).checkHeader(119)).isEqualTo(Ipv4Packet.Check.TRUNCATED);

        ByteBuf below = emitted(sample(), 0);
        Ipv4Packet.at(below, 0).setTotalLength(19).fillChecksum();
        assertThat(Ipv4Packet.at(below, 0).checkHeader(120)).isEqualTo(Ipv4Packet.Check.TOTAL_LENGTH_BELOW_HEADER);
    }

    @Test
    void extraBytesAfterTheTotalLengthAreAllowed() {
        assertThat(Ipv4Packet.at(emitted(sample(), 6), 0).checkHeader(126)).isEqualTo(Ipv4Packet.Check.OK);
    }

    @Test
    void fragmentFieldsRoundTripAndOffsetsMustBeMultiplesOf8() {
        ByteBuf buf = emitted(sample(), 0);
        Ipv4Packet view = Ipv4Packet.at(buf, 0).setFragment(true, false, 64).fillChecksum();
        assertThat(view.dontFragment()).isTrue();
        assertThat(view.moreFragments()).isFalse();
        assertThat(view.fragmentOffset()).isEqualTo(64);
        assertThat(view.verifyChecksum()).isTrue();
        assertThatThrownBy(() -> view.setFragment(false, false, 12)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ipv4Repr.builder().fragmentOffset(3).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void addressClasses() {
        assertThat(Ipv4Address.isMulticast(Ipv4Address.parse("224.0.0.1"))).isTrue();
        assertThat(Ipv4Address.isMulticast(Ipv4Address.parse("223.255.255.255"))).isFalse();
        assertThat(Ipv4Address.isLoopback(Ipv4Address.parse("127.3.4.5"))).isTrue();
        assertThat(Ipv4Address.isZeroNet(Ipv4Address.parse("0.1.2.3"))).isTrue();
        assertThat(Ipv4Address.isLimitedBroadcast(-1)).isTrue();
        assertThat(Ipv4Address.isReserved(Ipv4Address.parse("240.0.0.1"))).isTrue();
        assertThat(Ipv4Address.netmask(24)).isEqualTo(0xffffff00);
        assertThat(Ipv4Address.netmask(0)).isZero();
    }
}
