package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import net.tern.inet.testing.InetTestBed;
import net.tern.wire.Ipv4Address;
import net.tern.wire.Ipv4Repr;
import net.tern.wire.TcpPacket;
import net.tern.wire.TcpRepr;
import net.tern.wire.UdpRepr;
import org.junit.jupiter.api.Test;

class PacketSummaryTest {
    private static final String A = "10.0.0.1";
    private static final String B = "10.0.0.2";

    private static byte[] tcp(TcpRepr repr) {
        ByteBuf buf = Unpooled.buffer(repr.headerLength() + repr.payloadLength());
        repr.emit(buf, 0, Ipv4Address.parse(A), Ipv4Address.parse(B));
        byte[] segment = new byte[repr.headerLength() + repr.payloadLength()];
        buf.getBytes(0, segment);
        return InetTestBed.datagram(A, B, 6, segment);
    }

    private static byte[] udp(int sourcePort, int destinationPort, int dataLength) {
        UdpRepr repr = new UdpRepr(sourcePort, destinationPort, dataLength);
        ByteBuf buf = Unpooled.buffer(repr.length());
        repr.emit(buf, 0, Ipv4Address.parse(A), Ipv4Address.parse(B));
        byte[] datagram = new byte[repr.length()];
        buf.getBytes(0, datagram);
        return InetTestBed.datagram(A, B, 17, datagram);
    }

    @Test
    void aSynAckReadsAsTcpdumpPrintsIt() {
        TcpRepr synAck = new TcpRepr(80, 40000, 0xfffffff0, 7, TcpPacket.SYN | TcpPacket.ACK, 65535, 0,
                new TcpRepr.Options(1460, 7, true, null, List.of()), 0);
        byte[] packet = tcp(synAck);
        assertThat(PacketSummary.describe(packet, packet.length)).isEqualTo(
                "IP 10.0.0.1.80 > 10.0.0.2.40000: Flags [S.], seq 4294967280, ack 7, win 65535, length 0");
    }

    @Test
    void dataLengthLeavesOutTheOptionsAndNoAckLeavesOutTheAckNumber() {
        TcpRepr data = new TcpRepr(40000, 80, 1, 0, TcpPacket.PSH, 512, 0,
                new TcpRepr.Options(-1, -1, false, new TcpRepr.Timestamp(1, 2), List.of()), 100);
        byte[] packet = tcp(data);
        assertThat(PacketSummary.describe(packet, packet.length)).isEqualTo(
                "IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [P], seq 1, win 512, length 100");
    }

    @Test
    void udpAndIcmp() {
        byte[] datagram = udp(5000, 53, 12);
        assertThat(PacketSummary.describe(datagram, datagram.length))
                .isEqualTo("IP 10.0.0.1.5000 > 10.0.0.2.53: UDP, length 12");
        byte[] echo = InetTestBed.datagram(A, B, 1, InetTestBed.icmpMessage(8, 0, 0x00070001, new byte[56]));
        assertThat(PacketSummary.describe(echo, echo.length))
                .isEqualTo("IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64");
    }

    @Test
    void aCaptureCutShortOfTheTransportHeaderSaysSo() {
        byte[] segment = tcp(new TcpRepr(1, 2, 3, 4, TcpPacket.ACK, 5, 0, TcpRepr.Options.NONE, 0));
        byte[] head = Arrays.copyOf(segment, 20 + 19);
        assertThat(PacketSummary.describe(head, segment.length)).isEqualTo("IP 10.0.0.1 > 10.0.0.2: tcp, truncated");
        byte[] datagram = udp(5000, 53, 12);
        assertThat(PacketSummary.describe(Arrays.copyOf(datagram, 27), datagram.length))
                .isEqualTo("IP 10.0.0.1 > 10.0.0.2: UDP, truncated");
        assertThat(PacketSummary.describe(Arrays.copyOf(datagram, 19), datagram.length))
                .isEqualTo("truncated or unknown packet, length 40");
    }

    @Test
    void aLaterFragmentHasNoTransportHeader() {
        byte[] fragment = InetTestBed.datagram(Ipv4Repr.builder().source(Ipv4Address.parse(A))
                .destination(Ipv4Address.parse(B)).protocol(17).payloadLength(16).fragmentOffset(1480).build(),
                new byte[16]);
        assertThat(PacketSummary.describe(fragment, fragment.length))
                .isEqualTo("IP 10.0.0.1 > 10.0.0.2: ip-proto-17 (fragment), length 16");
    }
}
