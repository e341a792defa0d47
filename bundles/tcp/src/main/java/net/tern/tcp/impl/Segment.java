package net.tern.tcp.impl;

import io.netty.buffer.ByteBuf;
import net.tern.api.socket.InetSockAddr;
import net.tern.wire.TcpOptions;
import net.tern.wire.TcpPacket;

/**
 * A received segment, decoded once by {@code tcp_v4_rcv} ({@code struct tcp_skb_cb}): the
 * addresses and ports, sequence and ACK numbers, flags, window field, options, and where
 * its payload lies in the packet's buffer.
 */
final class Segment {
    final int saddr;
    final int daddr;
    final int sport;
    final int dport;
    final int seq;
    final int ack;
    final int flags;
    final int window;
    /** The options ({@code tcp_parse_options}), parsed once here. */
    final TcpOptions options = new TcpOptions();
    final ByteBuf buf;
    final int dataIndex;
    final int dataLength;

    /**
     * The segment of {@code th} (its options parsed) from {@code saddr} to {@code daddr}, its
     * payload at {@code dataIndex} of {@code buf}.
     */
    Segment(int saddr, int daddr, TcpPacket th, ByteBuf buf, int dataIndex, int dataLength) {
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
