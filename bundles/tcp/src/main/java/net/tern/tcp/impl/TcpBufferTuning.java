package net.tern.tcp.impl;

import java.util.function.Supplier;
import net.tern.spi.net.Clock;
import net.tern.wire.TcpOptions;

/**
 * Buffer autotuning as Linux does it ({@code tcp_input.c}: {@code tcp_init_buffer_space},
 * {@code tcp_rcv_rtt_measure}, {@code tcp_rcv_rtt_measure_ts}, {@code tcp_rcv_space_adjust},
 * {@code tcp_rcvbuf_grow}, {@code tcp_sndbuf_expand}, {@code tcp_should_expand_sndbuf},
 * {@code tcp_new_space}; Linux 6.18).
 *
 * <ul>
 * <li>Receive: the receiver estimates the round trip ({@link RcvSpace}) and, after each read,
 * counts what the reader took in the last one; when that passes the most so far, the buffer
 * becomes what offers a window of twice it ({@code tcp_space_from_win}; data one round trip
 * late, and a sender in slow start doubles), plus what the out-of-order queue spans, at most
 * {@code tcp_rmem[2]} ({@code tcpRmemMax}). The window follows as {@code rcv_ssthresh} grows
 * with the data that arrive ({@link TcpMemory#growWindow}).</li>
 * <li>Send: at establishment and whenever an ACK frees room for a writer that found the socket
 * full while the congestion window is not ({@code tcp_new_space}), the buffer becomes twice
 * the congestion window (at least 10 segments, and the reordering degree) in Linux's memory per
 * segment, at most {@code tcp_wmem[2]} ({@code tcpWmemMax}).</li>
 * </ul>
 * Neither buffer is touched once the application set it ({@code SO_RCVBUF}, {@code SO_SNDBUF}:
 * {@code SOCK_RCVBUF_LOCK}, {@code SOCK_SNDBUF_LOCK}), neither grows under memory pressure or
 * (the send buffer, and the receive buffer's growth when the socket hits its budget) above
 * {@code tcp_mem}'s min; {@code tcpModerateRcvbuf} 0 turns the receive side off. Every
 * growth is a new budget only: memory is still charged as it is used ({@link TcpMemory}).
 *
 * <p>Runs under the socket lock.
 */
final class TcpBufferTuning {
    /**
     * Linux's memory for one segment of {@code mss} bytes when each is its own skb with its head
     * in a power-of-two allocation (the worst case {@code tcp_sndbuf_expand} assumes): the data
     * with {@code MAX_TCP_HEADER} (256) and {@code skb_shared_info} (320), rounded up to a power
     * of two, and the {@code sk_buff} (256). 2304 bytes for an MSS of 1460.
     */
    static int perSegmentMemory(int mss) {
        int head = mss + MAX_TCP_HEADER + SKB_SHARED_INFO;
        return Integer.highestOneBit(head - 1) * 2 + SKB_SIZE;
    }

    private static final int MAX_TCP_HEADER = 256;
    private static final int SKB_SHARED_INFO = 320;
    private static final int SKB_SIZE = 256;
    /** {@code TCP_INIT_CWND}. */
    private static final int INIT_CWND = 10;

    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpMemory memory;

    TcpBufferTuning(Clock clock, Supplier<TcpSettings> settings, TcpMemory memory) {
        this.clock = clock;
        this.settings = settings;
        this.memory = memory;
    }

    // ---- establishment

    /**
     * {@code tcp_init_buffer_space}: the send buffer fits the initial window
     * ({@link #sndbufExpand}) unless the application set it, the window offered is at most the
     * buffer's window in whole segments ({@code rcv_ssthresh} from {@code rcv_wnd}, which the
     * SYN's 16 bits did not cap), and the reader's round starts with at most ten segments' worth.
     */
    void initBufferSpace(TcpSock sk) {
        if (!sk.sndbufLocked()) {
            sndbufExpand(sk);
        }
        sk.rcv().adjustRcvSsthresh(TcpWindow.initialSpace(memory.fullSpace(sk), sk.opts().advmss()));
        // Ten segments as the peer sends them: without the timestamp option's 12 bytes, as Linux
        // 6.18 counts (tcpi_rcv_space 14480 at MTU 1500 with timestamps, data/rcvbuf-growth.pkt).
        int segment = sk.opts().advmss() - (sk.opts().tsOk() ? TcpOptions.TIMESTAMP_ALIGNED_LENGTH : 0);
        int space = (int) Math.min(Math.min(sk.rcv().rcvSsthresh(), sk.rcv().rcvWnd()), (long) INIT_CWND * segment);
        sk.rcv().initRcvSpace(space, copiedSeq(sk), clock.nanoTime());
    }

    // ---- receive

    /** {@code copied_seq}: the stream offset the reader has taken data up to. */
    static long copiedSeq(TcpSock sk) {
        return sk.rcv().offset() - sk.rcv().queued();
    }

    /** {@code tcp_rcv_rtt_measure}, for a segment of in-order data ({@code tcp_event_data_recv}). */
    void rcvRttMeasure(TcpSock sk) {
        RcvSpace space = sk.rcv().rcvSpace();
        if (space != null) {
            space.rttMeasure(sk.rcv().rcvNxt(), sk.rcv().rcvWnd(), sk.rcv().queueEmpty(), clock.nanoTime());
        }
    }

    /**
     * {@code tcp_rcv_rtt_measure_ts}: a segment of {@code length} bytes echoing {@code tsecr}
     * (0: none) on an established connection.
     */
    void rcvRttMeasureTs(TcpSock sk, int tsecr, int length) {
        RcvSpace space = sk.rcv().rcvSpace();
        if (space == null || tsecr == 0 || !sk.opts().tsOk()) {
            return;
        }
        int deltaMs = sk.ts().tsVal(TcpTimestamps.tsNow(clock)) - tsecr;
        if (deltaMs >= 0) {
            space.rttMeasureTs(tsecr, deltaMs, length, sk.opts().rcvMss(), sk.rcv().queueEmpty());
        }
    }

    /**
     * {@code tcp_rcv_space_adjust}, after the reader took data: once per receiver round trip,
     * the bytes it took in it less what is still queued; more than ever before, the buffer
     * grows for them ({@link #rcvbufGrow}). Linux runs it after each skb a read copies, and the
     * first of a read decides (it starts the count again, or finds the round not over, for the
     * rest): {@code firstChunk} is the bytes of the read's first packet or ring run, and the
     * count is taken as the read stood after them.
     */
    void rcvSpaceAdjust(TcpSock sk, int read, int firstChunk) {
        RcvSpace space = sk.rcv().rcvSpace();
        if (space == null || read <= 0) {
            return;
        }
        int rest = read - Math.min(read, Math.max(1, firstChunk));
        int grown = space.roundRead(copiedSeq(sk) - rest, sk.rcv().queued() + rest, clock.nanoTime());
        if (grown > 0) {
            space.space(grown);
            rcvbufGrow(sk);
        }
    }

    /**
     * {@code tcp_rcvbuf_grow}: unless the application set {@code SO_RCVBUF} or
     * {@code tcpModerateRcvbuf} is 0, the buffer becomes what offers twice the reader's round
     * (it is a round trip late, and a sender in slow start doubles each round) plus what the
     * out-of-order queue spans, at most {@code tcp_rmem[2]}; it never shrinks. Also after data
     * join the out-of-order queue, so a sender repairing a loss is not held by the buffer.
     */
    void rcvbufGrow(TcpSock sk) {
        RcvSpace space = sk.rcv().rcvSpace();
        TcpSettings s = settings.get();
        if (space == null || !s.memory().moderateRcvbuf() || sk.rcvbufLocked()) {
            return;
        }
        long window = 2L * space.space();
        long highest = sk.rcv().outOfOrder().highestEnd();
        if (highest >= 0) {
            window += highest - sk.rcv().offset();
        }
        long rcvbuf = Math.min(s.memory().spaceFromWin(window), s.rmemMax());
        if (rcvbuf > sk.rcvbuf()) {
            sk.rcvbuf((int) rcvbuf);
        }
    }

    // ---- send

    /**
     * {@code tcp_sndbuf_expand}: the send buffer holds twice the congestion window (at least the
     * initial window and the reordering degree plus one), in {@link #perSegmentMemory} of the
     * largest segment the peer takes ({@code max(mss_clamp, mss_cache)}): enough for fast
     * recovery (CUBIC's 0.7 factor rounded up, and room for an application slow to answer
     * EPOLLOUT); never smaller than it is, at most {@code tcp_wmem[2]}.
     */
    void sndbufExpand(TcpSock sk) {
        int perSegment = perSegmentMemory(Math.max(sk.opts().mssClamp(), sk.opts().mssCache()));
        Rack rack = sk.rtx().rackIfMade();
        int reordering = rack != null ? rack.reordering() : TcpCongestion.DUPACK_THRESHOLD;
        int cwnd = sk.ca().started() ? sk.ca().cwnd() : settings.get().initialCwnd();
        long segments = Math.max(Math.max(INIT_CWND, cwnd), reordering + 1);
        long sndmem = 2 * segments * perSegment;
        if (sk.sndbuf() < sndmem) {
            sk.sndbuf((int) Math.min(sndmem, settings.get().memory().wmemMax()));
        }
    }

    /**
     * {@code tcp_should_expand_sndbuf}: not once the application set {@code SO_SNDBUF}, under
     * memory pressure or above {@code tcp_mem}'s min, nor while the congestion window is full.
     * (Under pressure Linux also cuts the buffer to the memory reserved with
     * {@code SO_RESERVE_MEM}, which Tern does not have: none.)
     */
    boolean shouldExpandSndbuf(TcpSock sk) {
        if (sk.sndbufLocked() || memory.pool().underPressure()
                || memory.pool().allocatedPages() >= memory.pool().limits().min()) {
            return false;
        }
        return sk.packetsInFlight() < sk.ca().cwnd();
    }

    /** {@code tcp_new_space}'s growth, before writers are woken: room freed for a writer may mean a larger buffer. */
    void newSpace(TcpSock sk) {
        if (shouldExpandSndbuf(sk)) {
            sndbufExpand(sk);
        }
    }
}
