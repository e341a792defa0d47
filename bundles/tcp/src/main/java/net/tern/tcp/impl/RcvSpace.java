package net.tern.tcp.impl;

/**
 * What receive-buffer autotuning measures ({@code tcp_sock}'s {@code rcv_rtt_est} and
 * {@code rcvq_space}): the receiver's estimate of the round trip, from the timestamps the
 * sender echoes or from how long a window of data takes to arrive (Dynamic Right-Sizing), and
 * how many bytes the reader took in the last round trip. {@link TcpBufferTuning} acts on it.
 * Made when the connection is established ({@code tcp_init_buffer_space}) or, for a socket
 * that never receives, never.
 *
 * <p>Used under the socket lock.
 */
final class RcvSpace {
    /** {@code rcv_rtt_est.rtt_us}: the estimate in µs, times 8; 0 before any sample. */
    private long rttUs8;
    /** {@code rcv_rtt_est.seq}: the window-based sample ends when {@code rcv_nxt} reaches it. */
    private int rttSeq;
    /** {@code rcv_rtt_est.time}: when that window-based sample began; {@link Long#MIN_VALUE} before one. */
    private long rttStartNanos = Long.MIN_VALUE;
    /** {@code rcv_rtt_last_tsecr}: the echo of the last timestamp sample, which is not taken twice. */
    private int lastTsecr;
    /** {@code rcvq_space.space}: the bytes the reader took in a round trip, at most (grows only). */
    private int space;
    /** {@code rcvq_space.seq}: the stream offset read up to when this round's count began. */
    private long copiedAt;
    /** {@code rcvq_space.time}: when it began. */
    private long startNanos;

    /** {@code tcp_init_buffer_space}'s part: the first space, counted from {@code copied} at {@code nowNanos}. */
    RcvSpace(int space, long copied, long nowNanos) {
        this.space = space;
        this.copiedAt = copied;
        this.startNanos = nowNanos;
    }

    /** {@code rcv_rtt_est.rtt_us >> 3}: the receiver's RTT estimate in µs, 0 before any sample ({@code tcpi_rcv_rtt}). */
    int rttUs() {
        return (int) Math.min(Integer.MAX_VALUE, rttUs8 >> 3);
    }

    /** {@code tcpi_rcv_space}. */
    int space() {
        return space;
    }

    /**
     * {@code tcp_rcv_rtt_update}: a sample of {@code sampleUs}. A smaller one is taken at once
     * (the estimate tracks the least: a reader that falls behind must not inflate it, and with
     * it the buffer); a larger one is ignored when it came from the window ({@code windowBased})
     * or while data wait for the reader, and otherwise averaged in with weight 1/8.
     */
    void rcvRttUpdate(long sampleUs, boolean windowBased, boolean queueEmpty) {
        long m = sampleUs << 3;
        if (rttUs8 == 0 || m < rttUs8) {
            rttUs8 = m;
        } else if (!windowBased && queueEmpty) {
            rttUs8 = rttUs8 - (rttUs8 >> 3) + sampleUs;
        }
    }

    /**
     * {@code tcp_rcv_rtt_measure}: without timestamps, a round trip is how long the data of one
     * window take to arrive: from when the window was {@code rcvWnd} beyond {@code rcvNxt}
     * until {@code rcv_nxt} passes its end. Called for each segment of in-order data.
     */
    void rttMeasure(int rcvNxt, int rcvWnd, boolean queueEmpty, long nowNanos) {
        if (rttStartNanos != Long.MIN_VALUE) {
            if (Seq.before(rcvNxt, rttSeq)) {
                return;
            }
            rcvRttUpdate(Math.max(1, (nowNanos - rttStartNanos) / 1000), true, queueEmpty);
        }
        rttSeq = rcvNxt + rcvWnd;
        rttStartNanos = nowNanos;
    }

    /**
     * {@code tcp_rcv_rtt_measure_ts}: a segment of at least {@code rcvMss} bytes echoing
     * {@code tsecr}, {@code deltaMs} ms old by the timestamp clock, is a sample (an echo is
     * taken once; a sample of 0 ms is none, the clock being too coarse).
     */
    void rttMeasureTs(int tsecr, int deltaMs, int length, int rcvMss, boolean queueEmpty) {
        if (tsecr == lastTsecr) {
            return;
        }
        lastTsecr = tsecr;
        if (length >= rcvMss && deltaMs > 0) {
            rcvRttUpdate(deltaMs * 1000L, false, queueEmpty);
        }
    }

    /**
     * {@code tcp_rcv_space_adjust}'s measure: once a receiver round trip has passed since the
     * count began, the bytes the reader took in it (less what still waits in the queue); the new
     * space when that is more than the space so far (the count starting again either way), else
     * -1.
     */
    int roundRead(long copied, int queued, long nowNanos) {
        if (rttUs8 == 0 || (nowNanos - startNanos) / 1000 < (rttUs8 >> 3)) {
            return -1;
        }
        long read = copied - copiedAt - queued;
        copiedAt = copied;
        startNanos = nowNanos;
        return read > space ? (int) Math.min(Integer.MAX_VALUE, read) : -1;
    }

    /** {@code tcp_rcvbuf_grow}'s bookkeeping: the space is now {@code value}; returns the one before. */
    int space(int value) {
        int old = space;
        space = value;
        return old;
    }
}
