package net.tern.tcp.impl;

import io.netty.buffer.ByteBuf;
import net.tern.api.socket.InetSockAddr;
import net.tern.wire.Ipv6Address;
import net.tern.wire.TcpOptions;
import net.tern.wire.TcpPacket;

/**
 * A received segment, decoded once by {@code tcp_v4_rcv} ({@code struct tcp_skb_cb}): the
 * addresses and ports, sequence and ACK numbers, flags, window field, options, and where
 * its payload lies in the packet's buffer.
 *
 * <p>Valid while {@code tcp_v4_rcv} handles it: the input path decodes segment after segment
 * into the same instance ({@link #decode}), one per thread that runs input, so receiving
 * allocates nothing. Whoever needs a value later copies it; nothing keeps a segment.
 */
final class Segment {
    private int saddr;
    private int daddr;
    /** An IPv6 segment's addresses (then {@link #saddr} and {@link #daddr} are them folded, {@link ConnKey#fold}); null for IPv4. */
    private Ipv6Address saddr6;
    private Ipv6Address daddr6;
    private int sport;
    private int dport;
    private int seq;
    private int ack;
    private int flags;
    private int window;
    /** The options ({@code tcp_parse_options}), parsed once here. */
    private final TcpOptions options = new TcpOptions();
    private ByteBuf buf;
    private int dataIndex;
    private int dataLength;

    /**
     * Becomes the segment of {@code th} (its options parsed) from {@code saddr} to
     * {@code daddr}, its payload at {@code dataIndex} of {@code buf}.
     */
    Segment decode(int saddr, int daddr, TcpPacket th, ByteBuf buf, int dataIndex, int dataLength) {
        this.saddr6 = null;
        this.daddr6 = null;
        this.saddr = saddr;
        this.daddr = daddr;
        this.sport = th.sourcePort();
        this.dport = th.destinationPort();
        this.seq = th.seq();
        this.ack = th.ack();
        this.flags = th.flags();
        this.window = th.window();
        this.buf = buf;
        this.dataIndex = dataIndex;
        this.dataLength = dataLength;
        th.parseOptions(options);
        return this;
    }

    /** {@link #decode} of a segment that came over IPv6 ({@code tcp_v6_rcv}). */
    Segment decode6(Ipv6Address saddr, Ipv6Address daddr, TcpPacket th, ByteBuf buf, int dataIndex, int dataLength) {
        decode(ConnKey.fold(saddr), ConnKey.fold(daddr), th, buf, dataIndex, dataLength);
        this.saddr6 = saddr;
        this.daddr6 = daddr;
        return this;
    }

    /** Whether it came over IPv6. */
    boolean isV6() {
        return saddr6 != null;
    }

    Ipv6Address saddr6() {
        return saddr6;
    }

    Ipv6Address daddr6() {
        return daddr6;
    }

    /** The 4-tuple from this host's side, of the segment's family. */
    ConnKey key() {
        return saddr6 != null ? ConnKey.of6(daddr6, dport, saddr6, sport) : new ConnKey(daddr, dport, saddr, sport);
    }

    /** Forgets the packet's buffer once the segment is handled. */
    void clear() {
        buf = null;
    }

    int saddr() {
        return saddr;
    }

    int daddr() {
        return daddr;
    }

    int sport() {
        return sport;
    }

    int dport() {
        return dport;
    }

    int seq() {
        return seq;
    }

    int ack() {
        return ack;
    }

    int flags() {
        return flags;
    }

    /** The window field as sent (unscaled). */
    int window() {
        return window;
    }

    TcpOptions options() {
        return options;
    }

    ByteBuf buf() {
        return buf;
    }

    int dataIndex() {
        return dataIndex;
    }

    int dataLength() {
        return dataLength;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space the segment occupies: data, plus one each for SYN and FIN. */
    int length() {
        return dataLength + (has(TcpPacket.SYN) ? 1 : 0) + (has(TcpPacket.FIN) ? 1 : 0);
    }

    int endSeq() {
        return seq + length();
    }

    @Override
    public String toString() {
        return InetSockAddr.formatAddress(saddr) + ":" + sport + " > " + InetSockAddr.formatAddress(daddr) + ":"
                + dport + " " + TcpPacket.flagsToString(flags) + " seq " + Integer.toUnsignedString(seq) + " ack "
                + Integer.toUnsignedString(ack) + " win " + window + " len " + dataLength;
    }
}
