package net.tern.tcp.impl;

import io.netty.buffer.ByteBuf;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.ip.InetConstants;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.ip.TxParams;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.wire.InetChecksum;
import net.tern.wire.Ipv6Address;
import net.tern.wire.TcpOptions;
import net.tern.wire.TcpPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segments TCP sends without a full socket ({@code tcp_ipv4.c}): the RST answering a
 * segment to no connection ({@code tcp_v4_send_reset}), a TIME-WAIT entry's ACK
 * ({@code tcp_v4_send_ack}), a request's ACK and SYN-ACK ({@code tcp_v4_reqsk_send_ack},
 * {@code tcp_v4_send_synack}). Sent on the network thread.
 */
final class TcpReplies {
    private static final Logger LOG = LoggerFactory.getLogger(TcpReplies.class);
    private static final int TCP_PROTOCOL = 6;

    private final Clock clock;
    private final TcpCounters counters;
    private final IpOutput ip;
    private final PacketAllocator allocator;
    private final TcpTrace trace;
    /** IPv6's output while it runs ({@code tcp_v6_send_response}'s sending), else null. */
    private volatile Ipv6Sender ipv6;
    /** IPv6's headroom ({@code Ip6Transport.HEADROOM}, named here without loading IPv6's classes). */
    static final int IPV6_HEADROOM = 128;

    void ipv6(Ipv6Sender send) {
        this.ipv6 = send;
    }

    TcpReplies(Clock clock, TcpCounters counters, IpOutput ip, PacketAllocator allocator, TcpTrace trace) {
        this.clock = clock;
        this.counters = counters;
        this.ip = ip;
        this.allocator = allocator;
        this.trace = trace;
    }

    /**
     * {@code tcp_v4_send_reset}: answers {@code seg} with a RST (RFC 9293 3.10.7.1): with the
     * segment's ACK as our sequence number if it had one, else sequence 0 and an ACK of
     * everything it occupied. Never answers a RST.
     */
    void v4SendReset(Segment seg) {
        if (seg.has(TcpPacket.RST)) {
            return;
        }
        trace.reset(seg);
        int seq;
        int ack;
        int flags;
        if (seg.has(TcpPacket.ACK)) {
            seq = seg.ack();
            ack = 0;
            flags = TcpPacket.RST;
        } else {
            seq = 0;
            ack = seg.endSeq();
            flags = TcpPacket.RST | TcpPacket.ACK;
        }
        reply(seg, seq, ack, flags, 0, null);
        counters.inc(TcpMib.OutRsts);
    }

    /** {@code tcp_v4_send_ack} for TIME-WAIT: our last sequence and ACK, window and timestamps. */
    void v4SendAck(TimeWaitSock tw, Segment seg) {
        reply(seg, tw.sndNxt, tw.rcvNxt, TcpPacket.ACK, tw.rcvWnd >> tw.rcvWscale,
                timestampOnly(tw.tsOk, tw.ts()));
    }

    /** The options of an ACK sent without a socket: the timestamps when they are in use, else none. */
    private TcpOptions timestampOnly(boolean tsOk, TcpTimestamps ts) {
        if (!tsOk) {
            return null;
        }
        TcpOptions options = new TcpOptions();
        options.timestamp = true;
        options.tsVal = ts.tsVal(TcpTimestamps.tsNow(clock));
        options.tsEcr = ts.tsRecent();
        return options;
    }

    /**
     * {@code tcp_v4_reqsk_send_ack}: a request answers an unacceptable segment with an ACK of
     * the SYN from its SYN-ACK's sequence, its window and timestamps.
     */
    void v4ReqskSendAck(RequestSock req, Segment seg) {
        int window = Math.min(req.rcvWnd >> (req.peerWscale >= 0 ? req.rcvWscale : 0), 65535);
        reply(seg, req.iss + 1, req.irs + 1, TcpPacket.ACK, window, timestampOnly(req.tsOk, req.ts()));
    }

    /** A SYN-ACK for a request ({@code tcp_v4_send_synack}), or for a SYN cookie when {@code req} is not queued. */
    void v4SendSynack(RequestSock req) {
        TcpOptions options = new TcpOptions();
        options.mss = req.advmss;
        if (req.tsOk) {
            options.timestamp = true;
            options.tsVal = req.synAckTsVal(TcpTimestamps.tsNow(clock));
            options.tsEcr = req.ts().tsRecent();
        }
        options.sackPermitted = req.sackOk;
        if (req.peerWscale >= 0) {
            options.wscale = req.rcvWscale;
        }
        ConnKey key = req.key;
        trace.synack(key, req.iss, req.irs + 1, Math.min(req.rcvWnd, 65535));
        if (key.isV6()) {
            // tcp_v6_send_synack
            send6(buildBare(key.localPort(), key.remotePort(), req.iss, req.irs + 1, TcpPacket.SYN | TcpPacket.ACK,
                    Math.min(req.rcvWnd, 65535), options), key.local6(), key.remote6());
            return;
        }
        Packet packet = buildBare(key.localPort(), key.remotePort(), req.iss, req.irs + 1,
                TcpPacket.SYN | TcpPacket.ACK, Math.min(req.rcvWnd, 65535), options);
        checksum(packet, key.localAddress(), key.remoteAddress());
        try {
            ip.queueXmit(packet, req.route, new TxParams(TCP_PROTOCOL, -1, 0, true));
        } catch (ErrnoException e) {
            LOG.debug("{}: SYN-ACK not sent: {}", req, e.getMessage());
        }
        counters.inc(TcpMib.OutSegs);
    }

    /** {@code tcp_v6_send_response}'s sending: with its IPv6 checksum, while IPv6 runs. */
    private void send6(Packet packet, Ipv6Address source, Ipv6Address destination) {
        Ipv6Sender send = ipv6;
        if (send == null) {
            packet.release();
            return;
        }
        ByteBuf buf = packet.buf();
        int start = buf.readerIndex();
        buf.setShort(start + TcpPacket.CHECKSUM_OFFSET, 0);
        buf.setShort(start + TcpPacket.CHECKSUM_OFFSET, InetChecksum.transportChecksum6(buf, start, packet.length(),
                source, destination, TCP_PROTOCOL));
        send.send(packet, source, destination);
        counters.inc(TcpMib.OutSegs);
    }

    private void reply(Segment seg, int seq, int ack, int flags, int window, TcpOptions options) {
        Packet packet = buildBare(seg.dport(), seg.sport(), seq, ack, flags, window, options);
        if (seg.isV6()) {
            send6(packet, seg.daddr6(), seg.saddr6());
            return;
        }
        checksum(packet, seg.daddr(), seg.saddr());
        try {
            ip.send(packet, seg.daddr(), seg.saddr(), TxParams.of(TCP_PROTOCOL));
        } catch (ErrnoException e) {
            LOG.debug("reply to {} not sent: {}", seg, e.getMessage());
        }
        counters.inc(TcpMib.OutSegs);
    }

    /** A segment without data, its checksum not filled; with room for either family's headers. */
    private Packet buildBare(int sport, int dport, int seq, int ack, int flags, int window, TcpOptions options) {
        int headerLength = TcpPacket.headerLength(options);
        Packet packet = allocator.allocate(Math.max(InetConstants.MAX_IP_HEADROOM, IPV6_HEADROOM), headerLength);
        ByteBuf buf = packet.buf();
        int start = buf.writerIndex();
        buf.writerIndex(start + headerLength);
        TcpPacket.emitHeader(buf, start, sport, dport, seq, ack, flags, window, options);
        return packet;
    }

    private static void checksum(Packet packet, int source, int destination) {
        TcpPacket.fillChecksum(packet.buf(), packet.buf().readerIndex(), packet.length(), source, destination);
    }
}
