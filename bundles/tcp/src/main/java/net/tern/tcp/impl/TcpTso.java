package net.tern.tcp.impl;

import net.tern.inet.route.Rtable;
import net.tern.spi.net.NetdevFeatures;
import net.tern.spi.net.Packet;

/**
 * The packets Linux hands a device that segments for it (TSO/GSO), and the PSH that comes
 * with them. {@code tcp_write_xmit} sends each skb of the write queue, or a first part of it
 * ({@code tso_fragment}), as one packet of up to {@code tcp_tso_segs} segments, bounded by the
 * congestion window's quota ({@code tcp_cwnd_test}: at most half the window, so that at least
 * two packets are in flight) and by the receiver's window ({@code tcp_mss_split_point}).
 * {@code __tcp_transmit_skb} sets PSH on every such packet of more than one segment ("to
 * expedite GRO flush at receiver"), and the device's segmentation leaves it on the packet's
 * last segment only ({@code tcp_gso_segment}). Tern sends segments, not packets: it puts PSH
 * on the last segment of each multi-segment packet Linux would have sent, so that its wire
 * carries the PSH bits a Linux sender's wire carries after segmentation. Where the route's
 * device segments itself ({@code NETIF_F_TSO}, {@code sk_can_gso}), the segments of each such
 * packet leave as the one packet Linux sends ({@link #endsPacket}, {@code TcpOutput}), marked
 * with the MSS as its segment size.
 *
 * <p>The number of segments a packet may hold follows the pacing rate
 * ({@code tcp_tso_autosize}): about a millisecond's worth at {@code sk_pacing_rate}, at least
 * {@code tcp_min_tso_segs}. The rate is Linux's {@code tcp_update_pacing_rate}, taken after
 * the handshake and after each ACK's congestion control: twice cwnd per smoothed RTT in slow
 * start ({@code tcp_pacing_ss_ratio}), 1.2 times after ({@code tcp_pacing_ca_ratio}). Linux
 * 6.18 sends the first data after a passive open's handshake in packets of this size (seen
 * with packetdrill: 2-segment packets at cwnd 10 and a 100 ms handshake RTT).
 *
 * <p>One per connection that sends, made at first use ({@link TcpSock#tso}); used under the
 * socket lock.
 */
final class TcpTso {
    /** {@code GSO_LEGACY_MAX_SIZE}: a device's {@code gso_max_size} by default (tun's too). */
    static final int GSO_MAX_SIZE = 65536;
    /** {@code GSO_MAX_SEGS}. */
    static final int GSO_MAX_SEGS = 65535;
    /** {@code sk_pacing_shift}'s default: a packet of up to about 1 ms at the pacing rate. */
    private static final int PACING_SHIFT = 10;
    /** {@code tcp_pacing_ss_ratio} (percent). */
    static final int PACING_SS_RATIO = 200;
    /** {@code tcp_pacing_ca_ratio} (percent). */
    static final int PACING_CA_RATIO = 120;
    /** {@code tcp_tso_rtt_log}: with a tiny RTT, packets grow towards 64 KiB. */
    private static final int TSO_RTT_LOG = 9;
    /** The most payload one packet of several segments carries: an IPv4 datagram's 65535 bytes less the largest headers. */
    static final int MAX_GSO_PAYLOAD = 65535 - 60 - 60;
    /** {@code tcp_min_tso_segs}'s default. */
    static final int MIN_TSO_SEGS = 2;

    /** {@code sk_pacing_rate} in bytes per second; {@link Long#MAX_VALUE} until the first ACK set it (~0UL). */
    private long pacingRate = Long.MAX_VALUE;
    /** The end of the packet being sent in this {@code tcp_write_xmit}. */
    private int packetEnd;
    /** That packet has more than one segment: its last carries PSH. */
    private boolean packetPush;
    private boolean inPacket;
    /** The last segment measured by {@link #segmentLength} starts a packet. */
    private boolean startsPacket;
    /** The packet being gathered for a device that segments: its first byte, length and flags. */
    private int gatheredSeq;
    private int gatheredLength;
    private int gatheredFlags;

    /**
     * {@code sk_can_gso}: the connection's route goes out of a device that segments TCP over
     * IPv4 itself ({@code NETIF_F_TSO}).
     */
    static boolean canGso(TcpSock sk) {
        Rtable rt = sk.route();
        return rt != null && (rt.link().features() & NetdevFeatures.NETIF_F_TSO) != 0;
    }

    /**
     * Marks a packet of {@code length} bytes of data as several TCP segments of {@code gsoSize}
     * bytes when it holds more than one ({@code tcp_set_skb_tso_segs}); returns how many
     * segments it stands for ({@code tcp_skb_pcount}).
     */
    static int markGso(Packet packet, int length, int gsoSize) {
        if (gsoSize <= 0 || length <= gsoSize) {
            return 1;
        }
        packet.gso(Packet.GSO_TCPV4, gsoSize);
        return (length + gsoSize - 1) / gsoSize;
    }

    /** {@code tcp_write_xmit} starts: the next segment starts a packet. */
    void startXmit() {
        inPacket = false;
    }

    /**
     * A segment of up to {@code length} bytes is to go from {@code seq}: when it starts a new
     * packet, that packet is measured ({@link #packetLength}, with the skb's end, the window's
     * quota, the pacing rate's segments and the receiver's window of now); the segment is
     * cut at the packet's end. Returns its length.
     */
    int segmentLength(TcpSock sk, int seq, int length, int nonagle, int minTsoSegs) {
        if (length <= 0) {
            return length;
        }
        startsPacket = !inPacket || !Seq.before(seq, packetEnd);
        if (startsPacket) {
            TcpSender snd = sk.snd();
            int mss = Math.max(1, sk.opts().mssCache());
            int skbEnd = snd.nextSkbEnd(seq);
            int quota = cwndQuota(sk.ca().cwnd(), sk.packetsInFlight());
            int maxSegs = Math.min(quota, tsoSegs(mss, sk.rtt().minRttUs(), minTsoSegs));
            boolean nagleHolds = TcpNagle.holdsPartial(sk, nonagle);
            int packet = packetLength(skbEnd - seq, skbEnd == snd.writeSeq(), mss, Math.max(1, maxSegs),
                    snd.sndUna() + snd.sndWnd() - seq, nagleHolds);
            if (packet <= 0) {
                inPacket = false; // the window or Nagle holds even one segment: as the caller decides
                return Math.min(length, skbEnd - seq);
            }
            packetEnd = seq + packet;
            packetPush = packet > mss;
            inPacket = true;
        }
        return Math.min(length, packetEnd - seq);
    }

    /**
     * Whether the segment last measured by {@link #segmentLength} starts a packet: an skb of
     * its own in Linux's retransmission queue ({@code tso_fragment} cut it off the write queue's).
     */
    boolean startsPacket() {
        return startsPacket;
    }

    /** Whether a segment ending at {@code endSeq} is the last of a packet of several segments (PSH). */
    boolean pushAt(int endSeq) {
        return inPacket && packetPush && endSeq == packetEnd;
    }

    /**
     * Adds a segment just sent ({@code length} bytes at {@code seq}, with the wire's
     * {@code flags}) to the packet gathered for a device that segments; true when that packet
     * is complete and goes now ({@link #endsPacket}, or it holds the most an IPv4 datagram
     * can: {@link #MAX_GSO_PAYLOAD}).
     */
    boolean gather(int seq, int length, int flags, int gsoSize) {
        if (gatheredLength == 0) {
            gatheredSeq = seq;
            gatheredFlags = 0;
        }
        gatheredLength += length;
        gatheredFlags |= flags;
        return endsPacket(seq + length) || gatheredLength + gsoSize > MAX_GSO_PAYLOAD;
    }

    int gatheredSeq() {
        return gatheredSeq;
    }

    /** The bytes gathered and not yet sent; 0 for none. */
    int gatheredLength() {
        return gatheredLength;
    }

    /** The flags of the gathered segments together (FIN and PSH of the last). */
    int gatheredFlags() {
        return gatheredFlags;
    }

    void gatheredSent() {
        gatheredLength = 0;
    }

    /**
     * Whether a segment ending at {@code endSeq} ends the packet it belongs to: the last of a
     * packet of several segments, or one sent outside any (the window or Nagle decided its
     * length). On a device that segments ({@code sk_can_gso}), the segments up to here leave
     * as one packet.
     */
    boolean endsPacket(int endSeq) {
        return !inPacket || endSeq == packetEnd;
    }

    long pacingRate() {
        return pacingRate;
    }

    /** {@link #updatePacingRate(int, int, int, int, long)} with the connection's values of now. */
    void updatePacingRate(TcpSock sk) {
        updatePacingRate(sk.opts().mssCache(), sk.ca().cwnd(), sk.ca().ssthresh(), sk.rtx().size(), sk.rtt().srttUs());
    }

    /**
     * {@code tcp_update_pacing_rate}: {@code mss * max(cwnd, packets_out) / srtt}, times
     * {@link #PACING_SS_RATIO} while cwnd is below half of ssthresh, else
     * {@link #PACING_CA_RATIO}; without an RTT sample, not divided (as Linux).
     */
    void updatePacingRate(int mss, int cwnd, int ssthresh, int packetsOut, long srttUs) {
        int ratio = cwnd < ssthresh / 2 ? PACING_SS_RATIO : PACING_CA_RATIO;
        // Linux: mss * (USEC_PER_SEC / 100) << 3 * ratio * segments / (srtt_us << 3)
        long rate = (long) mss * 10_000L * ratio * Math.max(cwnd, packetsOut);
        pacingRate = srttUs > 0 ? rate / srttUs : rate;
    }

    /**
     * {@code tcp_tso_segs} with {@code tcp_tso_autosize}: the segments one packet may hold, the
     * pacing rate's share of a {@code 2^-sk_pacing_shift} s (plus a part of 64 KiB when the least
     * RTT is under {@code 2^tcp_tso_rtt_log} µs times 32), at most 64 KiB, at least
     * {@code minTsoSegs}.
     */
    int tsoSegs(int mss, long minRttUs, int minTsoSegs) {
        long bytes = pacingRate >>> PACING_SHIFT;
        long r = minRttUs >> TSO_RTT_LOG;
        if (r < Integer.SIZE) {
            bytes += GSO_MAX_SIZE >>> r;
        }
        bytes = Math.min(bytes, GSO_MAX_SIZE);
        long segs = Math.max(bytes / Math.max(1, mss), minTsoSegs);
        return (int) Math.min(segs, GSO_MAX_SEGS);
    }

    /**
     * {@code tcp_cwnd_test}: how many segments the congestion window lets one packet take: what
     * it has free, but at most half of it (at least one), so that two packets are in flight.
     */
    static int cwndQuota(int cwnd, int inFlight) {
        if (inFlight >= cwnd) {
            return 0;
        }
        return Math.min(Math.max(cwnd >>> 1, 1), cwnd - inFlight);
    }

    /**
     * The length of the packet {@code tcp_write_xmit} sends from {@code seq}, the start of an
     * unsent skb of {@code skbLength} bytes: the whole skb when it is one segment, else at most
     * {@code maxSegs} segments ({@code tcp_mss_split_point}): of an skb that is not the last,
     * whole segments when the receiver's window ({@code window} bytes from {@code seq}) takes
     * them; of the last skb or against the window, what both allow, less a partial last segment
     * that Nagle holds ({@code tcp_nagle_check}: {@code nagleHolds}).
     */
    static int packetLength(int skbLength, boolean lastSkb, int mss, int maxSegs, int window, boolean nagleHolds) {
        if (skbLength <= mss) {
            return skbLength;
        }
        long maxLen = (long) mss * maxSegs;
        int limit;
        if (maxLen <= window && !lastSkb) {
            limit = (int) maxLen;
        } else {
            int needed = Math.min(skbLength, window);
            if (maxLen <= needed) {
                limit = (int) maxLen;
            } else {
                int partial = needed % mss;
                limit = partial != 0 && nagleHolds ? needed - partial : needed;
            }
        }
        return Math.max(0, Math.min(skbLength, limit));
    }
}
