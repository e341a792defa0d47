package net.tern.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of every view and representation: a representation emitted and parsed again is
 * the same value with a checksum that verifies, and a view's check on arbitrary bytes never
 * throws, and when it passes, parsing does not either.
 */
class WirePropertyTest {
    private static final int SOURCE = 0x0a000001;
    private static final int DESTINATION = 0xc0a80102;

    @Provide
    Arbitrary<TcpRepr.Options> tcpOptions() {
        Arbitrary<Integer> mss = Arbitraries.integers().between(-1, 0xffff);
        Arbitrary<Integer> wscale = Arbitraries.integers().between(-1, TcpOptions.MAX_WSCALE);
        Arbitrary<Boolean> sackOk = Arbitraries.of(true, false);
        Arbitrary<TcpRepr.Timestamp> ts = Combinators.combine(Arbitraries.integers(), Arbitraries.integers())
                .as(TcpRepr.Timestamp::new).injectNull(0.3);
        Arbitrary<List<TcpRepr.SackBlock>> sacks = Combinators.combine(Arbitraries.integers(), Arbitraries.integers())
                .as(TcpRepr.SackBlock::new).list().ofMaxSize(TcpOptions.MAX_SACK_BLOCKS);
        return Combinators.combine(mss, wscale, sackOk, ts, sacks).as(TcpRepr.Options::new);
    }

    @Property
    void tcpRoundTrips(@ForAll @IntRange(max = 0xffff) int sport, @ForAll @IntRange(max = 0xffff) int dport,
            @ForAll int seq, @ForAll int ack, @ForAll @IntRange(max = 0xff) int flags,
            @ForAll @IntRange(max = 0xffff) int window, @ForAll @IntRange(max = 0xffff) int urgent,
            @ForAll("tcpOptions") TcpRepr.Options options, @ForAll @IntRange(max = 300) int payloadLength) {
        TcpRepr repr = new TcpRepr(sport, dport, seq, ack, flags, window, urgent, options, payloadLength);
        int length = repr.headerLength() + payloadLength;
        ByteBuf buf = Unpooled.buffer(length);
        TcpPacket view = repr.emit(buf, 0, SOURCE, DESTINATION);
        assertThat(view.check(length)).isEqualTo(TcpPacket.Check.OK);
        assertThat(view.verifyChecksum(length, SOURCE, DESTINATION)).isTrue();
        TcpRepr parsed = TcpRepr.parse(view, length);
        // What a parse keeps of the options depends on the SYN flag, as on the wire: the
        // handshake's options only on a SYN, SACK blocks only off it; and blocks that do not
        // fit next to the others are not written.
        boolean syn = (flags & TcpPacket.SYN) != 0;
        TcpRepr.Options expected = new TcpRepr.Options(syn ? options.mss() : -1, syn ? options.windowScale() : -1,
                syn && options.sackPermitted(), options.timestamp(),
                syn ? List.of() : options.sackBlocks().subList(0, parsed.options().sackBlocks().size()));
        assertThat(parsed).isEqualTo(new TcpRepr(sport, dport, seq, ack, flags, window, urgent, expected, payloadLength));
        assertThat(parsed.options().sackBlocks().size()).isEqualTo(syn ? 0
                : Math.min(options.sackBlocks().size(), (40 - 4 - optionBytesBeforeSack(options)) / 8));
    }

    private static int optionBytesBeforeSack(TcpRepr.Options options) {
        return (options.mss() >= 0 ? 4 : 0) + (options.timestamp() != null ? 12 : options.sackPermitted() ? 4 : 0)
                + (options.windowScale() >= 0 ? 4 : 0);
    }

    @Property
    void udpRoundTrips(@ForAll @IntRange(max = 0xffff) int sport, @ForAll @IntRange(max = 0xffff) int dport,
            @ForAll @Size(max = 600) byte[] data) {
        UdpRepr repr = new UdpRepr(sport, dport, data.length);
        ByteBuf buf = Unpooled.buffer(repr.length());
        buf.setBytes(UdpPacket.HEADER_LENGTH, data);
        UdpPacket view = repr.emit(buf, 0, SOURCE, DESTINATION);
        assertThat(view.check(repr.length())).isEqualTo(UdpPacket.Check.OK);
        assertThat(view.checksum()).as("0 is never sent: it means no checksum").isNotZero();
        assertThat(view.verifyChecksum(SOURCE, DESTINATION)).isTrue();
        assertThat(UdpRepr.parse(view, repr.length())).isEqualTo(repr);
    }

    @Property
    void icmpRoundTrips(@ForAll @IntRange(max = 255) int type, @ForAll @IntRange(max = 255) int code,
            @ForAll int rest, @ForAll @Size(max = 600) byte[] data) {
        IcmpRepr repr = new IcmpRepr(type, code, rest, data.length);
        ByteBuf buf = Unpooled.buffer(repr.length());
        buf.setBytes(IcmpPacket.HEADER_LENGTH, data);
        IcmpPacket view = repr.emit(buf, 0);
        assertThat(view.check(repr.length())).isEqualTo(IcmpPacket.Check.OK);
        assertThat(IcmpRepr.parse(view, repr.length())).isEqualTo(repr);
    }

    @Property
    void ipv4RoundTrips(@ForAll int source, @ForAll int destination, @ForAll @IntRange(max = 255) int protocol,
            @ForAll @IntRange(max = 1000) int payloadLength, @ForAll @IntRange(max = 255) int ttl,
            @ForAll @IntRange(max = 255) int tos, @ForAll @IntRange(max = 0xffff) int id, @ForAll boolean df,
            @ForAll boolean mf, @ForAll @IntRange(max = Ipv4Packet.OFFSET_MASK) int fragmentUnits) {
        Ipv4Repr repr = new Ipv4Repr(source, destination, protocol, payloadLength, ttl, tos, id, df, mf,
                fragmentUnits * 8);
        ByteBuf buf = Unpooled.buffer(Ipv4Repr.LENGTH + payloadLength);
        buf.writerIndex(Ipv4Repr.LENGTH + payloadLength);
        Ipv4Packet view = repr.emit(buf, 0);
        assertThat(view.checkHeader(Ipv4Repr.LENGTH + payloadLength)).isEqualTo(Ipv4Packet.Check.OK);
        assertThat(Ipv4Repr.parse(view)).isEqualTo(repr);
    }

    @Property
    void checksOnArbitraryBytesNeverThrowAndWhatPassesParses(@ForAll @Size(max = 80) byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        int n = bytes.length;
        List<Object> parsed = new ArrayList<>();
        if (Ipv4Packet.at(buf, 0).checkHeader(n) == Ipv4Packet.Check.OK) {
            parsed.add(Ipv4Repr.parse(Ipv4Packet.at(buf, 0)));
        }
        if (IcmpPacket.at(buf, 0).check(n) == IcmpPacket.Check.OK) {
            parsed.add(IcmpRepr.parse(IcmpPacket.at(buf, 0), n));
        }
        if (UdpPacket.at(buf, 0).check(n) == UdpPacket.Check.OK) {
            parsed.add(UdpRepr.parse(UdpPacket.at(buf, 0), n));
        }
        TcpPacket tcp = TcpPacket.at(buf, 0);
        if (tcp.check(n) == TcpPacket.Check.OK) {
            tcp.parseOptions(new TcpOptions());
            parsed.add(TcpRepr.parse(tcp, n));
        }
        assertThat(parsed).doesNotContainNull();
    }
}
