package net.tern.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpPacketTest {
    private static final int SOURCE = Ipv4Address.parse("192.168.0.1");
    private static final int DESTINATION = Ipv4Address.parse("192.168.0.2");

    private static final TcpRepr SYN = new TcpRepr(40000, 80, 0xfffffff0, 0, TcpPacket.SYN, 65535, 0,
            new TcpRepr.Options(1460, 7, true, new TcpRepr.Timestamp(123456, 0), List.of()), 0);

    private static final TcpRepr DATA_WITH_SACK = new TcpRepr(80, 40000, 1001, 0x80000000,
            TcpPacket.ACK | TcpPacket.PSH, 501, 0,
            new TcpRepr.Options(-1, -1, false, new TcpRepr.Timestamp(-1, 99),
                    List.of(new TcpRepr.SackBlock(2000, 3000), new TcpRepr.SackBlock(4000, 4500))), 9);

    /** The segment of {@code repr} at index 2 of a buffer, its data bytes 1, 2, 3, ... */
    private static ByteBuf emitted(TcpRepr repr) {
        int length = repr.headerLength() + repr.payloadLength();
        ByteBuf buf = Unpooled.buffer(2 + length);
        buf.writerIndex(2 + length);
        for (int i = 0; i < repr.payloadLength(); i++) {
            buf.setByte(2 + repr.headerLength() + i, i + 1);
        }
        repr.emit(buf, 2, SOURCE, DESTINATION);
        return buf;
    }

    @Test
    void aSynWithEveryHandshakeOptionRoundTrips() {
        ByteBuf buf = emitted(SYN);
        TcpPacket view = TcpPacket.at(buf, 2);
        assertThat(SYN.headerLength()).isEqualTo(40);
        assertThat(view.check(40)).isEqualTo(TcpPacket.Check.OK);
        assertThat(view.verifyChecksum(40, SOURCE, DESTINATION)).isTrue();
        assertThat(TcpRepr.parse(view, 40)).isEqualTo(SYN);
    }

    @Test
    void dataWithTimestampAndSackBlocksRoundTrips() {
        ByteBuf buf = emitted(DATA_WITH_SACK);
        TcpPacket view = TcpPacket.at(buf, 2);
        int length = DATA_WITH_SACK.headerLength() + 9;
        assertThat(view.check(length)).isEqualTo(TcpPacket.Check.OK);
        assertThat(view.payloadOffset()).isEqualTo(2 + DATA_WITH_SACK.headerLength());
        assertThat(view.verifyChecksum(length, SOURCE, DESTINATION)).isTrue();
        assertThat(TcpRepr.parse(view, length)).isEqualTo(DATA_WITH_SACK);
    }

    @Test
    void theUrgentPointerIsEmittedAndParsed() {
        TcpRepr urgent = new TcpRepr(1, 2, 3, 4, TcpPacket.ACK | TcpPacket.URG, 5, 6, TcpRepr.Options.NONE, 0);
        assertThat(TcpRepr.parse(TcpPacket.at(emitted(urgent), 2), 20)).isEqualTo(urgent);
    }

    @Test
    void theChecksumCoversThePseudoHeaderHeaderAndData() {
        ByteBuf buf = emitted(DATA_WITH_SACK);
        TcpPacket view = TcpPacket.at(buf, 2);
        int length = DATA_WITH_SACK.headerLength() + 9;
        assertThat(view.verifyChecksum(length, DESTINATION, SOURCE)).as("addresses swapped").isTrue();
        assertThat(view.verifyChecksum(length, SOURCE, DESTINATION + 1)).as("another destination").isFalse();
        buf.setByte(2 + length - 1, 0x33);
        assertThat(view.verifyChecksum(length, SOURCE, DESTINATION)).as("a changed data byte").isFalse();
    }

    @Test
    void checkNamesEachDefect() {
        ByteBuf buf = emitted(SYN);
        TcpPacket view = TcpPacket.at(buf, 2);
        assertThat(view.check(19)).isEqualTo(TcpPacket.Check.TOO_SHORT);
        assertThat(view.check(39)).as("options past the end").isEqualTo(TcpPacket.Check.HEADER_TRUNCATED);
        buf.setByte(2 + 12, 4 << 4);
        assertThat(view.check(40)).isEqualTo(TcpPacket.Check.BAD_DATA_OFFSET);
        assertThatThrownBy(() -> TcpRepr.parse(view, 40)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BAD_DATA_OFFSET");
    }

    @Test
    void anOptionPastTheHeaderIsNamedAndTheSegmentStillParses() {
        // MSS, then a timestamp whose length (10) runs past the 28-byte header's end.
        ByteBuf buf = Unpooled.buffer(28);
        buf.writerIndex(28);
        TcpPacket.emitHeader(buf, 0, 1, 2, 3, 4, TcpPacket.SYN, 100, null);
        buf.setByte(12, 7 << 4);
        buf.setBytes(20, new byte[] {2, 4, 0x05, (byte) 0xb4, 8, 10, 0, 0});
        TcpPacket view = TcpPacket.at(buf, 0);
        assertThat(view.check(28)).isEqualTo(TcpPacket.Check.OK);
        TcpOptions options = new TcpOptions();
        assertThat(view.parseOptions(options)).isEqualTo(TcpPacket.Check.OPTION_PAST_END);
        assertThat(options.mss).isEqualTo(1460);
        assertThat(options.timestamp).isFalse();
        assertThat(TcpRepr.parse(view, 28).options().mss()).isEqualTo(1460);
    }

    @Test
    void aReusedViewAndOptionsReadEachSegmentTheyArePointedAt() {
        ByteBuf first = emitted(SYN);
        ByteBuf second = emitted(DATA_WITH_SACK);
        TcpPacket view = new TcpPacket();
        TcpOptions options = new TcpOptions();
        view.wrap(first, 2).parseOptions(options);
        assertThat(options.mss).isEqualTo(1460);
        view.wrap(second, 2).parseOptions(options);
        assertThat(options.mss).as("cleared for the next segment").isEqualTo(-1);
        assertThat(options.sackBlockCount).isEqualTo(2);
        assertThat(view.seq()).isEqualTo(1001);
    }

    @Test
    void flagsPrintAsTcpdumpPrintsThem() {
        assertThat(TcpPacket.flagsToString(TcpPacket.SYN | TcpPacket.ACK)).isEqualTo("S.");
        assertThat(TcpPacket.flagsToString(TcpPacket.FIN | TcpPacket.PSH | TcpPacket.ACK)).isEqualTo("FP.");
        assertThat(TcpPacket.flagsToString(TcpPacket.SYN | TcpPacket.ECE | TcpPacket.CWR)).isEqualTo("SEW");
        assertThat(TcpPacket.flagsToString(TcpPacket.ACK | TcpPacket.URG)).isEqualTo(".U");
        assertThat(TcpPacket.flagsToString(0)).isEqualTo("none");
    }

    @Test
    void representationsRefuseFieldsOutOfRange() {
        assertThatThrownBy(() -> new TcpRepr(1, 2, 3, 4, 0x100, 0, 0, TcpRepr.Options.NONE, 0))
                .hasMessageContaining("flags");
        assertThatThrownBy(() -> new TcpRepr(1, 2, 3, 4, 0, 65536, 0, TcpRepr.Options.NONE, 0))
                .hasMessageContaining("window");
        assertThatThrownBy(() -> new TcpRepr.Options(-1, 15, false, null, List.of()))
                .hasMessageContaining("window scale");
    }
}
