package net.tern.shell;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.tern.api.socket.SocketConstants;
import net.tern.wire.IcmpPacket;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.TcpPacket;
import net.tern.wire.UdpPacket;

/**
 * A captured IPv4 packet read through the wire library's views, bounded by what was
 * captured: a capture keeps only the head of a packet (its snap length), so a transport
 * header is offered only when all of it was captured.
 */
final class CapturedIpv4 {
    private final ByteBuf buf;
    private final Ipv4Packet ip;
    private final int captured;

    private CapturedIpv4(ByteBuf buf, int captured) {
        this.buf = buf;
        this.ip = Ipv4Packet.at(buf, 0);
        this.captured = captured;
    }

    /**
     * The packet, or null when the bytes are not a whole IPv4 header. A header whose
     * checksum fails or whose datagram was cut short by the snap length is still read, as
     * tcpdump reads it.
     */
    static CapturedIpv4 of(byte[] data, int length) {
        int captured = Math.min(length, data.length);
        CapturedIpv4 packet = new CapturedIpv4(Unpooled.wrappedBuffer(data, 0, captured), captured);
        return switch (packet.ip.checkHeader(captured)) {
            case OK, BAD_CHECKSUM, TRUNCATED, TOTAL_LENGTH_BELOW_HEADER -> packet;
            case TOO_SHORT, BAD_VERSION, BAD_IHL, HEADER_TRUNCATED -> null;
        };
    }

    Ipv4Packet ip() {
        return ip;
    }

    /** Whether this is a later fragment: its payload does not start with a transport header. */
    boolean isLaterFragment() {
        return ip.fragmentOffset() != 0;
    }

    /** The payload length the header claims, never negative. */
    int payloadLength() {
        return Math.max(0, ip.payloadLength());
    }

    /** The ICMP header, or null when it was not captured whole or this is not ICMP. */
    IcmpPacket icmp() {
        return carries(SocketConstants.IPPROTO_ICMP, IcmpPacket.HEADER_LENGTH) ? IcmpPacket.at(buf, ip.headerLength())
                : null;
    }

    /** The UDP header, or null when it was not captured whole or this is not UDP. */
    UdpPacket udp() {
        return carries(SocketConstants.IPPROTO_UDP, UdpPacket.HEADER_LENGTH) ? UdpPacket.at(buf, ip.headerLength())
                : null;
    }

    /** The TCP header without options, or null when it was not captured whole or this is not TCP. */
    TcpPacket tcp() {
        return carries(SocketConstants.IPPROTO_TCP, TcpPacket.MIN_HEADER_LENGTH)
                ? TcpPacket.at(buf, ip.headerLength()) : null;
    }

    private boolean carries(int protocol, int headerLength) {
        return ip.protocol() == protocol && !isLaterFragment() && captured >= ip.headerLength() + headerLength;
    }

    /**
     * Whether this is a TCP or UDP datagram's first (or only) fragment with both ports
     * captured: they are the first 4 bytes of either header.
     */
    boolean hasPorts() {
        int protocol = ip.protocol();
        return (protocol == SocketConstants.IPPROTO_TCP || protocol == SocketConstants.IPPROTO_UDP)
                && !isLaterFragment() && captured >= ip.headerLength() + 4;
    }

    /** The source port; only when {@link #hasPorts()}. */
    int sourcePort() {
        return UdpPacket.at(buf, ip.headerLength()).sourcePort();
    }

    /** The destination port; only when {@link #hasPorts()}. */
    int destinationPort() {
        return UdpPacket.at(buf, ip.headerLength()).destinationPort();
    }
}
