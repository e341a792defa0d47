package net.tern.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class IcmpPacketTest {
    private static ByteBuf emitted(IcmpRepr repr) {
        ByteBuf buf = Unpooled.buffer(repr.length());
        buf.writerIndex(repr.length());
        for (int i = 0; i < repr.dataLength(); i++) {
            buf.setByte(IcmpPacket.HEADER_LENGTH + i, 0xa0 + i);
        }
        repr.emit(buf, 0);
        return buf;
    }

    @Test
    void echoRequestRoundTrips() {
        IcmpRepr repr = IcmpRepr.echoRequest(0x1234, 7, 5);
        ByteBuf buf = emitted(repr);
        IcmpPacket view = IcmpPacket.at(buf, 0);

        assertThat(view.check(13)).isEqualTo(IcmpPacket.Check.OK);
        assertThat(view.type()).isEqualTo(IcmpTypes.ECHO);
        assertThat(view.identifier()).isEqualTo(0x1234);
        assertThat(view.sequence()).isEqualTo(7);
        IcmpRepr parsed = IcmpRepr.parse(view, 13);
        assertThat(parsed).isEqualTo(repr);
        assertThat(parsed.identifier()).isEqualTo(0x1234);
        assertThat(parsed.sequence()).isEqualTo(7);
        assertThat(parsed.isError()).isFalse();
    }

    @Test
    void fragmentationNeededCarriesTheNextHopMtu() {
        IcmpRepr repr = IcmpRepr.destinationUnreachable(IcmpTypes.FRAG_NEEDED, 1400, 28);
        IcmpPacket view = IcmpPacket.at(emitted(repr), 0);
        assertThat(view.nextHopMtu()).isEqualTo(1400);
        assertThat(IcmpRepr.parse(view, 36)).isEqualTo(repr);
        assertThat(repr.isError()).isTrue();
        assertThat(IcmpRepr.parse(IcmpPacket.at(emitted(IcmpRepr.timeExceeded(IcmpTypes.EXC_TTL, 28)), 0), 36).type())
                .isEqualTo(IcmpTypes.TIME_EXCEEDED);
    }

    @Test
    void checkNamesEachDefect() {
        ByteBuf buf = emitted(IcmpRepr.echoReply(1, 2, 4));
        IcmpPacket view = IcmpPacket.at(buf, 0);
        assertThat(view.check(7)).isEqualTo(IcmpPacket.Check.TOO_SHORT);
        assertThat(view.check(11)).as("checksum over fewer bytes than were summed").isEqualTo(IcmpPacket.Check.BAD_CHECKSUM);
        buf.setByte(10, 0);
        assertThat(view.check(12)).isEqualTo(IcmpPacket.Check.BAD_CHECKSUM);
        assertThatThrownBy(() -> IcmpRepr.parse(view, 12)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BAD_CHECKSUM");
    }

    @Test
    void representationsRefuseFieldsOutOfRange() {
        assertThatThrownBy(() -> new IcmpRepr(256, 0, 0, 0)).hasMessageContaining("type");
        assertThatThrownBy(() -> new IcmpRepr(0, -1, 0, 0)).hasMessageContaining("code");
        assertThatThrownBy(() -> IcmpRepr.echoRequest(65536, 0, 0)).hasMessageContaining("identifier");
    }
}
