package net.tern.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The IPv6 header, its extension headers and options, and ICMPv6's checksum over the pseudo-header. */
class Ipv6PacketTest {
    static final Ipv6Address A = Ipv6Address.parse("fd00::1");
    static final Ipv6Address B = Ipv6Address.parse("fd00::2");

    @Test
    void headerRoundTripsThroughTheRepr() {
        ByteBuf buf = Unpooled.buffer(48);
        new Ipv6Repr(A, B, 58, 8, 64, 0xb8, 0x12345).emit(buf, 0);
        buf.writerIndex(48);
        Ipv6Packet p = Ipv6Packet.at(buf, 0);
        assertThat(p.checkHeader(48)).isEqualTo(Ipv6Packet.Check.OK);
        assertThat(Ipv6Repr.parse(p, 48)).isEqualTo(new Ipv6Repr(A, B, 58, 8, 64, 0xb8, 0x12345));
        assertThat(buf.getUnsignedByte(0) >>> 4).isEqualTo(6);
    }

    @Test
    void checkNamesEachDefect() {
        ByteBuf buf = Unpooled.buffer(48);
        Ipv6Packet.emitHeader(buf, 0, 0, 0, 8, 58, 64, A, B);
        assertThat(Ipv6Packet.at(buf, 0).checkHeader(39)).isEqualTo(Ipv6Packet.Check.TOO_SHORT);
        assertThat(Ipv6Packet.at(buf, 0).checkHeader(47)).isEqualTo(Ipv6Packet.Check.TRUNCATED);
        buf.setByte(0, 0x45);
        assertThat(Ipv6Packet.at(buf, 0).checkHeader(48)).isEqualTo(Ipv6Packet.Check.BAD_VERSION);
        assertThatThrownBy(() -> Ipv6Repr.parse(Ipv6Packet.at(buf, 0), 48)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void addressClassesAndPrefixes() {
        assertThat(Ipv6Address.parse("fe80::1").isLinkLocal()).isTrue();
        assertThat(Ipv6Address.parse("febf::1").isLinkLocal()).isTrue();
        assertThat(Ipv6Address.parse("fec0::1").isLinkLocal()).isFalse();
        assertThat(Ipv6Address.parse("ff02::1").multicastScope()).isEqualTo(2);
        assertThat(Ipv6Address.parse("2001:db8::abcd:1234").solicitedNode()).hasToString("ff02::1:ffcd:1234");
        assertThat(Ipv6Address.parse("2001:db8:1:2:3::").masked(48)).hasToString("2001:db8:1::");
        assertThat(Ipv6Address.parse("2001:db8::1").masked(127)).hasToString("2001:db8::");
        assertThat(Ipv6Address.parse("2001:db8::1").commonPrefixLength(Ipv6Address.parse("2001:db8::3"))).isEqualTo(126);
    }

    @Test
    void fragmentHeaderFields() {
        ByteBuf buf = Unpooled.buffer(8);
        Ipv6FragmentHeader f = Ipv6FragmentHeader.emit(buf, 0, 58, 1448, true, 0xdeadbeef);
        assertThat(f.nextHeader()).isEqualTo(58);
        assertThat(f.fragmentOffset()).isEqualTo(1448);
        assertThat(f.moreFragments()).isTrue();
        assertThat(f.identification()).isEqualTo(0xdeadbeef);
        assertThat(f.isAtomic()).isFalse();
        assertThatThrownBy(() -> Ipv6FragmentHeader.emit(buf, 0, 58, 5, false, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionsWalkFindsTheFirstUnknownOptionThatMayNotBeSkipped() {
        ByteBuf buf = Unpooled.buffer(16);
        // next header, length 1 (16 bytes): Pad1, PadN(2), unknown skippable 0x1e(2), unknown 0x9e(3), Pad1.
        buf.writeBytes(new byte[] {58, 1, 0, 1, 2, 0, 0, 0x1e, 2, 0, 0, (byte) 0x9e, 3, 0, 0, 0});
        assertThat(Ipv6Options.walk(buf, 0, 16, t -> false)).isEqualTo(11);
        assertThat(Ipv6Options.action(0x9e)).isEqualTo(Ipv6Options.ACTION_DISCARD_ICMP);
        assertThat(Ipv6Options.walk(buf, 0, 16, t -> t == 0x9e)).isEqualTo(Ipv6Options.OK);
        buf.setByte(12, 4);
        assertThat(Ipv6Options.walk(buf, 0, 16, t -> true)).isEqualTo(Ipv6Options.MALFORMED);
        ByteBuf padded = Unpooled.buffer(16);
        Ipv6ExtHeader.emitPaddedOptions(padded, 0, 6, 16);
        assertThat(Ipv6Options.walk(padded, 0, 16, t -> false)).isEqualTo(Ipv6Options.OK);
        assertThat(Ipv6ExtHeader.length(padded, 0, Ipv6ExtHeader.DESTINATION_OPTIONS)).isEqualTo(16);
    }

    @Test
    void icmpv6ChecksumCoversThePseudoHeader() {
        ByteBuf buf = Unpooled.buffer(16);
        buf.writerIndex(16);
        Icmpv6Repr.echoRequest(1, 2, 8).emit(buf, 0, A, B);
        Icmpv6Packet p = Icmpv6Packet.at(buf, 0);
        assertThat(p.check(16, A, B)).isEqualTo(Icmpv6Packet.Check.OK);
        assertThat(p.check(16, A, Ipv6Address.parse("fd00::3"))).isEqualTo(Icmpv6Packet.Check.BAD_CHECKSUM);
        assertThat(Icmpv6Repr.parse(p, 16, A, B)).isEqualTo(Icmpv6Repr.echoRequest(1, 2, 8));
        assertThat(p.check(7, A, B)).isEqualTo(Icmpv6Packet.Check.TOO_SHORT);
    }

    @Test
    void knownIcmpv6ChecksumVector() {
        // Echo request ::1 -> ::1, id 0, seq 0, no data: sum of the pseudo-header (2 + 8 + 58) and 0x8000.
        ByteBuf buf = Unpooled.buffer(8);
        buf.writerIndex(8);
        Icmpv6Repr.echoRequest(0, 0, 0).emit(buf, 0, Ipv6Address.LOOPBACK, Ipv6Address.LOOPBACK);
        assertThat(buf.getUnsignedShort(2)).isEqualTo(~(0x8000 + 1 + 1 + 8 + 58) & 0xffff);
    }
}
