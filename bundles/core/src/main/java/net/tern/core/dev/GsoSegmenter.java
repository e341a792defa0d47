package net.tern.core.dev;

import io.netty.buffer.ByteBuf;
import java.util.function.ToIntFunction;
import net.tern.spi.net.NetXmit;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.wire.InetChecksum;

/**
 * Software segmentation ({@code skb_gso_segment} with {@code tcp_gso_segment}): cuts a packet
 * that stands for several TCP segments ({@link Packet#isGso()}) into the segments a wire
 * carries, for a device that cannot do it ({@code NETIF_F_TSO} missing) and for whatever must
 * see wire segments on the way (taps, the impairment).
 *
 * <p>Each segment gets the packet's IP and TCP headers with its own IP length (and, for IPv4,
 * identification: the packet's plus the segment's number, and the header checksum), its
 * sequence number, FIN and PSH only on the last segment and CWR only on the first; its TCP
 * checksum is left partial ({@code CHECKSUM_PARTIAL} over its own pseudo-header), which the
 * link completes unless the device does.
 */
final class GsoSegmenter {
    private static final int IPV6_HEADER_LENGTH = 40;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_SEQ = 4;
    private static final int TCP_FLAGS = 13;
    private static final int TCP_CHECKSUM = 16;
    private static final int FIN = 0x01;
    private static final int PSH = 0x08;
    private static final int CWR = 0x80;

    private GsoSegmenter() {
    }

    /**
     * The length of the packet's IP and TCP headers ({@code skb_gso_network_seglen} less the
     * segment), or -1 when the packet is not TCP over IPv4 or IPv6 without extension headers.
     * Data start at the IP header.
     */
    static int headerLength(Packet packet) {
        ByteBuf buf = packet.buf();
        int ip = buf.readerIndex();
        if (packet.length() < 1) {
            return -1;
        }
        int first = buf.getUnsignedByte(ip);
        int ipLength;
        int protocol;
        if (first >>> 4 == 4) {
            ipLength = (first & 0x0f) << 2;
            protocol = packet.length() > 9 ? buf.getUnsignedByte(ip + 9) : -1;
        } else if (first >>> 4 == 6) {
            ipLength = IPV6_HEADER_LENGTH;
            protocol = packet.length() > 6 ? buf.getUnsignedByte(ip + 6) : -1;
        } else {
            return -1;
        }
        if (protocol != IPPROTO_TCP || packet.length() < ipLength + 20) {
            return -1;
        }
        int tcpLength = (buf.getUnsignedByte(ip + ipLength + 12) >>> 4) << 2;
        if (tcpLength < 20 || packet.length() < ipLength + tcpLength) {
            return -1;
        }
        return ipLength + tcpLength;
    }

    /** What {@link #segment} answers for a packet it cannot cut. */
    static final int NOT_SEGMENTABLE = Integer.MIN_VALUE;

    /**
     * Cuts {@code gso} into segments of at most {@link Packet#gsoSize()} payload bytes, hands
     * each to {@code out} in order, and releases {@code gso}. Returns what {@code out} answered
     * for the first segment ({@link NetXmit}: the qdisc that takes a GSO packet whole answers
     * once), or {@link #NOT_SEGMENTABLE} when the packet is not one this can cut (it is
     * released then too).
     */
    static int segment(Packet gso, PacketAllocator allocator, ToIntFunction<Packet> out) {
        int segments = 0;
        int status = NetXmit.SUCCESS;
        try {
            int headers = headerLength(gso);
            int mss = gso.gsoSize();
            if (headers < 0 || mss <= 0) {
                return NOT_SEGMENTABLE;
            }
            ByteBuf buf = gso.buf();
            int ip = buf.readerIndex();
            boolean v4 = buf.getUnsignedByte(ip) >>> 4 == 4;
            int ipLength = v4 ? (buf.getUnsignedByte(ip) & 0x0f) << 2 : IPV6_HEADER_LENGTH;
            int tcpLength = headers - ipLength;
            int payload = gso.length() - headers;
            int seq = buf.getInt(ip + ipLength + TCP_SEQ);
            int flags = buf.getUnsignedByte(ip + ipLength + TCP_FLAGS);
            int id = v4 ? buf.getUnsignedShort(ip + 4) : 0;
            for (int offset = 0; offset < payload || (payload == 0 && segments == 0); offset += mss) {
                int length = Math.min(mss, payload - offset);
                boolean last = offset + length >= payload;
                Packet segment = allocator.allocate(gso.headroom(), headers + length);
                ByteBuf b = segment.buf();
                int s = b.writerIndex();
                b.writeBytes(buf, ip, headers);
                b.writeBytes(buf, ip + headers + offset, length);
                int tcp = s + ipLength;
                int segmentFlags = flags & ~(last ? 0 : FIN | PSH) & ~(offset == 0 ? 0 : CWR);
                b.setInt(tcp + TCP_SEQ, seq + offset);
                b.setByte(tcp + TCP_FLAGS, segmentFlags);
                int pseudo;
                if (v4) {
                    b.setShort(s + 2, headers + length);
                    b.setShort(s + 4, id + segments);
                    b.setShort(s + 10, 0);
                    b.setShort(s + 10, InetChecksum.checksum(b, s, ipLength));
                    pseudo = InetChecksum.pseudoHeaderSum(b.getInt(s + 12), b.getInt(s + 16), IPPROTO_TCP,
                            tcpLength + length);
                } else {
                    b.setShort(s + 4, tcpLength + length);
                    // RFC 8200 8.1: both addresses, the TCP length, the next header.
                    pseudo = InetChecksum.add(InetChecksum.sum(b, s + 8, 32),
                            InetChecksum.fold((long) tcpLength + length + IPPROTO_TCP));
                }
                b.setShort(tcp + TCP_CHECKSUM, pseudo);
                segment.checksumPartial(tcp, TCP_CHECKSUM);
                segment.protocol(gso.protocol()).device(gso.device()).timestampNanos(gso.timestampNanos());
                segment.resetNetworkHeader();
                int answer = out.applyAsInt(segment);
                if (segments++ == 0) {
                    status = answer;
                }
            }
            return status;
        } finally {
            gso.release();
        }
    }
}
