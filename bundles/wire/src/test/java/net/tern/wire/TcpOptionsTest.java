package net.tern.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class TcpOptionsTest {

    private static byte[] written(TcpOptions options) {
        ByteBuf buf = Unpooled.buffer(40);
        int n = options.write(buf, 0);
        assertThat(n).isEqualTo(options.length());
        byte[] out = new byte[n];
        buf.getBytes(0, out);
        return out;
    }

    @Test
    void synOptionsAreLaidOutInLinuxOrder() {
        TcpOptions o = new TcpOptions();
        o.mss = 1460;
        o.sackPermitted = true;
        o.timestamp = true;
        o.tsVal = 0x01020304;
        o.tsEcr = 0;
        o.wscale = 7;
        // <mss 1460,sackOK,TS val 16909060 ecr 0,nop,wscale 7>, 20 bytes, as Linux's tcp_options_write.
        assertThat(written(o)).containsExactly(
                2, 4, 0x05, (byte) 0xb4,
                4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0,
                1, 3, 3, 7);
    }

    @Test
    void sackPermittedWithoutTimestampsIsPaddedWithTwoNops() {
        TcpOptions o = new TcpOptions();
        o.mss = 1460;
        o.sackPermitted = true;
        o.wscale = 8;
        assertThat(written(o)).containsExactly(2, 4, 0x05, (byte) 0xb4, 1, 1, 4, 2, 1, 3, 3, 8);
    }

    @Test
    void timestampAloneIsPrecededByTwoNops() {
        TcpOptions o = new TcpOptions();
        o.timestamp = true;
        o.tsVal = 5;
        o.tsEcr = 6;
        assertThat(written(o)).containsExactly(1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 6);
    }

    @Test
    void sackBlocksFollowTheTimestampUpToThree() {
        TcpOptions o = new TcpOptions();
        o.timestamp = true;
        for (int i = 0; i < 4; i++) {
            o.addSackBlock(100 * i, 100 * i + 50);
        }
        byte[] bytes = written(o);
        assertThat(bytes).hasSize(12 + 4 + 3 * 8);
        assertThat(bytes[12]).isEqualTo((byte) 1);
        assertThat(bytes[14]).isEqualTo((byte) 5);
        assertThat(bytes[15]).isEqualTo((byte) (2 + 3 * 8));
    }

    @Test
    void parsingReadsBackWhatWasWritten() {
        TcpOptions o = new TcpOptions();
        o.mss = 1400;
        o.sackPermitted = true;
        o.timestamp = true;
        o.tsVal = -5;
        o.tsEcr = 77;
        o.wscale = 14;
        ByteBuf buf = Unpooled.buffer(64);
        int n = o.write(buf, 0);
        TcpOptions parsed = new TcpOptions();
        assertThat(parsed.parse(buf, 0, n, true)).isEqualTo(TcpPacket.Check.OK);
        assertThat(parsed.mss).isEqualTo(1400);
        assertThat(parsed.sackPermitted).isTrue();
        assertThat(parsed.timestamp).isTrue();
        assertThat(parsed.tsVal).isEqualTo(-5);
        assertThat(parsed.tsEcr).isEqualTo(77);
        assertThat(parsed.wscale).isEqualTo(14);
    }

    @Test
    void synOnlyOptionsAreIgnoredOnOtherSegmentsAndLargeShiftsAreCapped() {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {2, 4, 0x05, (byte) 0xb4, 1, 3, 3, 20});
        TcpOptions parsed = new TcpOptions();
        assertThat(parsed.parse(buf, 0, 8, false)).isEqualTo(TcpPacket.Check.OK);
        assertThat(parsed.mss).isEqualTo(-1);
        assertThat(parsed.wscale).isEqualTo(-1);
        assertThat(parsed.parse(buf, 0, 8, true)).isEqualTo(TcpPacket.Check.OK);
        assertThat(parsed.wscale).isEqualTo(14);
    }

    @Test
    void malformedListsEndTheParseWithTheDefectKeepingWhatCameBefore() {
        TcpOptions parsed = new TcpOptions();
        assertThat(parsed.parse(Unpooled.wrappedBuffer(new byte[] {2, 1, 0, 0}), 0, 4, true))
                .isEqualTo(TcpPacket.Check.BAD_OPTION_LENGTH);
        assertThat(parsed.parse(Unpooled.wrappedBuffer(new byte[] {8, 12, 0, 0}), 0, 4, false))
                .isEqualTo(TcpPacket.Check.OPTION_PAST_END);
        assertThat(parsed.parse(Unpooled.wrappedBuffer(new byte[] {1, 1, 1, 8}), 0, 4, false))
                .as("a kind with no length byte left").isEqualTo(TcpPacket.Check.OPTION_PAST_END);
        assertThat(parsed.parse(Unpooled.wrappedBuffer(new byte[] {0, 99, 99, 99}), 0, 4, false))
                .as("nothing is read after the end-of-list option").isEqualTo(TcpPacket.Check.OK);

        assertThat(parsed.parse(Unpooled.wrappedBuffer(new byte[] {2, 4, 0x05, (byte) 0xb4, 3, 0, 1, 1}), 0, 8, true))
                .isEqualTo(TcpPacket.Check.BAD_OPTION_LENGTH);
        assertThat(parsed.mss).as("the MSS before the defect").isEqualTo(1460);
    }

    @Test
    void unknownOptionsAreSkippedByTheirLength() {
        // An experimental option (kind 254, RFC 6994) of 6 bytes, then MSS: Linux's
        // tcp_parse_options steps over kinds it does not know by their length byte.
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {(byte) 254, 6, 1, 2, 3, 4, 2, 4, 0x05, (byte) 0xb4});
        TcpOptions parsed = new TcpOptions();
        assertThat(parsed.parse(buf, 0, 10, true)).isEqualTo(TcpPacket.Check.OK);
        assertThat(parsed.mss).isEqualTo(1460);
    }
}
