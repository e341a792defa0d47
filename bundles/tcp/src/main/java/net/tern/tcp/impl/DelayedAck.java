package net.tern.tcp.impl;

/**
 * A connection's ACK mode ({@code inet_connection_sock}'s {@code icsk_ack}): whether an ACK is
 * owed, the quick ACKs left ({@code icsk_ack.quick}), interactive mode
 * ({@code icsk_ack.pingpong}), the full segments received since the last ACK, and whether the
 * delayed-ACK engine has seen data ({@code icsk_ack.ato} set). Its state changes only through
 * its methods; the delayed-ACK timeout itself is the connection's {@link SockTimers}.
 *
 * <p>Used under the socket lock.
 */
final class DelayedAck {
    /** {@code TCP_MAX_QUICKACKS}. */
    private static final int MAX_QUICKACKS = 16;

    private boolean pending;
    private int quick;
    private boolean pingpong;
    private int unackedFullSegments;
    private boolean atoInitialised;

    /** An ACK is owed and waits for the delayed-ACK timeout ({@code ICSK_ACK_SCHED}). */
    boolean pending() {
        return pending;
    }

    /** Interactive mode: ACKs wait to ride on replies, even in quick-ack mode. */
    boolean pingpong() {
        return pingpong;
    }

    /** Whether the delayed-ACK engine has seen data. */
    boolean atoInitialised() {
        return atoInitialised;
    }

    /** Enters ({@code true}) or leaves interactive mode ({@code TCP_QUICKACK}, a listener's mode passed to its child). */
    void pingpong(boolean interactive) {
        pingpong = interactive;
    }

    /**
     * The first data of the connection ({@code tcp_event_data_recv} with {@code tcp_incr_quickack}):
     * quick ACKs for about half the window offered, {@code rcvWnd} bytes in segments of
     * {@code rcvMss}, between 2 and 16.
     */
    void firstData(int rcvWnd, int rcvMss) {
        if (!atoInitialised) {
            atoInitialised = true;
            quick = Math.min(MAX_QUICKACKS, Math.max(2, rcvWnd / (2 * Math.max(1, rcvMss))));
        }
    }

    /** A full-sized segment was received in order. */
    void fullSegmentReceived() {
        unackedFullSegments++;
    }

    /**
     * Whether the ACK for in-order data goes now: in quick-ack mode outside interactive mode
     * ({@code tcp_in_quickack_mode}), or after two full segments (RFC 5681 4.2).
     */
    boolean ackNow() {
        return (quick > 0 && !pingpong) || unackedFullSegments >= 2;
    }

    /** The ACK waits for the delayed-ACK timeout. */
    void schedule() {
        pending = true;
    }

    /** {@code tcp_event_ack_sent}: nothing owed; one quick ACK used. */
    void ackSent() {
        pending = false;
        unackedFullSegments = 0;
        if (quick > 0) {
            quick--;
        }
    }

    /** The delayed ACK went out because the reply it waited for did not come ({@code tcp_delack_timer_handler}). */
    void replyMissed() {
        pingpong = false;
    }

    /** The receive buffer was clamped: no more quick ACKs ({@code tcp_clamp_window}). */
    void stopQuickAcks() {
        quick = 0;
    }

    /** The window grew back: the peer is to hear of it at once ({@code icsk_ack.quick |= 1}). */
    void quickAckOnce() {
        if (quick == 0) {
            quick = 1;
        }
    }

    /** The timers were cleared: no ACK is owed (inet_csk_clear_xmit_timers clears {@code icsk_ack.pending}). */
    void clearPending() {
        pending = false;
    }

    /** A disconnect: the engine starts over with the next connection's data. */
    void reset() {
        atoInitialised = false;
    }
}
