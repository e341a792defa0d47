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
    int saddr;
    int daddr;
    int sport;
    int dport;
    int seq;
    int ack;
    int flags;
    int window;
    final TcpOptions options = new TcpOptions();
    ByteBuf buf;
    int dataIndex;
    int dataLength;

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
