package net.tern.tcp.impl;

/**
 * Where a connection's sending time goes, as Linux's chronographs count it for
 * {@code TCP_INFO} ({@code tcp_chrono_start}, {@code tcp_chrono_stop}, {@code tcp_chrono_set},
 * {@code tcp_get_info_chrono_stats}): busy while data wait in the send or retransmission queue,
 * and within that, limited by the receiver's window ({@code tcp_write_xmit} found a segment
 * beyond it) or by the send buffer (the application waits for room while all it wrote is out
 * and the window is not what holds it back). One runs at a time; the more telling one
 * (send buffer, then receiver's window, then busy) takes over from a lesser one, and when it
 * stops, busy resumes if anything is still queued.
 *
 * <p>One per connection; used under the socket lock. Times from the stack's clock in
 * nanoseconds, reported in microseconds.
 */
final class TcpChrono {
    /** Nothing queued ({@code TCP_CHRONO_UNSPEC}). */
    static final int UNSPEC = 0;
    /** Data queued ({@code TCP_CHRONO_BUSY}). */
    static final int BUSY = 1;
    /** Held back by the receiver's window ({@code TCP_CHRONO_RWND_LIMITED}). */
    static final int RWND_LIMITED = 2;
    /** Held back by the send buffer ({@code TCP_CHRONO_SNDBUF_LIMITED}). */
    static final int SNDBUF_LIMITED = 3;

    private int type;
    private long startNanos;
    private long busyNanos;
    private long rwndLimitedNanos;
    private long sndbufLimitedNanos;

    /** {@code tcp_chrono_set}: the running chronograph is charged up to now, and {@code next} runs from now. */
    private void chronoSet(int next, long nowNanos) {
        long elapsed = nowNanos - startNanos;
        switch (type) {
            case BUSY -> busyNanos += elapsed;
            case RWND_LIMITED -> rwndLimitedNanos += elapsed;
            case SNDBUF_LIMITED -> sndbufLimitedNanos += elapsed;
            default -> { }
        }
        startNanos = nowNanos;
        type = next;
    }

    /** {@code tcp_chrono_start}: {@code kind} runs from now unless a more telling one runs. */
    void chronoStart(int kind, long nowNanos) {
        if (kind > type) {
            chronoSet(kind, nowNanos);
        }
    }

    /**
     * {@code tcp_chrono_stop}: with both queues empty nothing runs any more; otherwise, if
     * {@code kind} was the one running, busy takes over.
     */
    void chronoStop(int kind, boolean queuesEmpty, long nowNanos) {
        if (queuesEmpty) {
            chronoSet(UNSPEC, nowNanos);
        } else if (kind == type) {
            chronoSet(BUSY, nowNanos);
        }
    }

    /** {@code tcp_write_xmit}'s: the receiver's window held a segment back ({@code limited}) or not. */
    void rwndLimited(boolean limited, boolean queuesEmpty, long nowNanos) {
        if (limited) {
            chronoStart(RWND_LIMITED, nowNanos);
        } else {
            chronoStop(RWND_LIMITED, queuesEmpty, nowNanos);
        }
    }

    /** {@code tcpi_busy_time} ({@code tcp_get_info_chrono_stats}): all three, in microseconds. */
    long busyTimeUs(long nowNanos) {
        return (busyNanos + rwndLimitedNanos + sndbufLimitedNanos + running(BUSY, nowNanos)
                + running(RWND_LIMITED, nowNanos) + running(SNDBUF_LIMITED, nowNanos)) / 1000;
    }

    /** {@code tcpi_rwnd_limited}, in microseconds. */
    long rwndLimitedUs(long nowNanos) {
        return (rwndLimitedNanos + running(RWND_LIMITED, nowNanos)) / 1000;
    }

    /** {@code tcpi_sndbuf_limited}, in microseconds. */
    long sndbufLimitedUs(long nowNanos) {
        return (sndbufLimitedNanos + running(SNDBUF_LIMITED, nowNanos)) / 1000;
    }

    private long running(int kind, long nowNanos) {
        return type == kind ? nowNanos - startNanos : 0;
    }
}
