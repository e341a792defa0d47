package net.tern.tcp.impl;

import java.util.concurrent.TimeUnit;
import net.tern.spi.diag.InetDiagMsg;
import net.tern.spi.net.Clock;
import net.tern.spi.net.TimerService;
import net.tern.spi.net.Timeout;

/**
 * A connection's timers ({@code inet_connection_sock}'s {@code icsk_retransmit_timer} with
 * {@code icsk_pending}, {@code icsk_delack_timer}, and {@code sk_timer} for keepalive and the
 * orphaned FIN-WAIT-2): the retransmission slot, shared by the retransmission timeout, the
 * zero-window probe, RACK's reorder timer and the tail loss probe; the delayed ACK; keepalive. Arming and clearing are its methods, and
 * the state behind them (the pending timeouts, what the slot is armed for, the generations)
 * is its own.
 *
 * <p>Arming sets when the timer is due ({@code icsk_timeout}, {@code icsk_ack.timeout}) and
 * clearing says nothing is pending; the timer on the wheel is left where it is while it falls
 * due no later than needed, as Linux leaves its timers armed ({@code inet_csk_clear_xmit_timer}
 * stops none unless {@code INET_CSK_CLEAR_TIMERS}) and lets the handler find it early
 * ({@code tcp_write_timer_handler} and {@code tcp_delack_timer_handler} re-arm for
 * {@code icsk_timeout} when it is still ahead, and return when nothing is pending). So the
 * ACK that re-arms the retransmission timeout, or the segment that schedules a delayed ACK
 * after the last one went out, changes two fields and allocates nothing; a timer is put on
 * the wheel only when none is there early enough. {@link #clearAll} takes them off.
 *
 * <p>Used under the socket lock. When a timer fires it takes the lock and calls
 * {@link TcpTimers} ({@code tcp_timer.c}) only if what it was put on the wheel for is still
 * the timer there (a generation, bumped whenever another replaces it) and its work is pending
 * and due.
 */
final class SockTimers {
    /**
     * What the retransmission slot is armed for ({@code ICSK_TIME_RETRANS}, {@code ICSK_TIME_PROBE0},
     * RACK's {@code ICSK_TIME_REO_TIMEOUT}, the tail loss probe's {@code ICSK_TIME_LOSS_PROBE}).
     */
    enum Pending { NONE, RETRANS, PROBE, REO_TIMEOUT, LOSS_PROBE }

    private final TcpSock sk;
    private final Clock clock;
    /** The stack's timers, of which {@link #service} is this connection's flow's share. */
    private final TimerService stackTimers;
    /** Where this connection's timers run: its flow's network thread once it has a 4-tuple. */
    private TimerService service;
    private final TcpTimers handlers;

    /** The retransmission slot's timer on the wheel, falling due at {@link #xmitWheelNanos}; null when none is. */
    private Timeout xmitTimer;
    private long xmitWheelNanos;
    private int xmitGeneration;
    private Pending pending = Pending.NONE;
    /** RACK armed the reorder timer while the ACK being processed was: that ACK leaves the slot alone ({@code ~FLAG_SET_XMIT_TIMER}). */
    private boolean reoArmedByAck;
    /** When the slot's work falls due ({@code icsk_timeout}); meaningful while something is pending. */
    private long xmitDueNanos;
    private Timeout delackTimer;
    private long delackWheelNanos;
    private int delackGeneration;
    /** Whether a delayed ACK is scheduled ({@code ICSK_ACK_TIMER}), due at {@link #delackDueNanos}. */
    private boolean delackPending;
    private long delackDueNanos;
    private Timeout keepaliveTimer;
    private int keepaliveGeneration;
    /** When {@link #keepaliveTimer} falls due ({@code sk_timer.expires}). */
    private long keepaliveDueNanos;

    SockTimers(TcpSock sk, Clock clock, TimerService service, TcpTimers handlers) {
        this.sk = sk;
        this.clock = clock;
        this.stackTimers = service;
        this.service = service;
        this.handlers = handlers;
    }

    /**
     * The connection has its 4-tuple: its timers from now on go on its flow's network thread,
     * the one that receives its segments ({@link TimerService#forFlow}). A timer already on
     * another wheel stays there and is handled as any timer found early or late.
     */
    void onFlow(int flowHash) {
        service = stackTimers.forFlow(flowHash);
    }

    // ---- the retransmission slot

    /** What the retransmission slot is armed for ({@code icsk_pending}). */
    Pending pending() {
        return pending;
    }

    /** Whether the retransmission slot is armed. */
    boolean xmitTimerArmed() {
        return pending != Pending.NONE;
    }

    /** An ACK's processing starts: no reorder timer armed by it yet. */
    void startAck() {
        reoArmedByAck = false;
    }

    /** RACK's reorder timer, armed while an ACK is processed ({@link #reoArmedByAck}). */
    void armReoTimeoutDuringAck(long delayUs) {
        resetXmitTimer(Pending.REO_TIMEOUT, delayUs);
        reoArmedByAck = true;
    }

    /** Whether RACK armed the reorder timer during this ACK, so the probe or retransmission timer does not replace it. */
    boolean reoArmedByAck() {
        return reoArmedByAck;
    }

    /** {@code inet_csk_reset_xmit_timer}: the slot armed for {@code what} in {@code delayUs}, at most the maximum RTO. */
    void resetXmitTimer(Pending what, long delayUs) {
        pending = what;
        long delayNanos = TimeUnit.MICROSECONDS.toNanos(Math.min(delayUs, handlers.rtoMaxMicros()));
        xmitDueNanos = clock.nanoTime() + Math.max(0, delayNanos);
        if (xmitTimer == null || xmitWheelNanos - xmitDueNanos > 0) {
            putXmitOnWheel();
        }
    }

    private void putXmitOnWheel() {
        if (xmitTimer != null) {
            xmitTimer.cancel();
        }
        int generation = ++xmitGeneration;
        xmitWheelNanos = xmitDueNanos;
        xmitTimer = service.schedule(xmitDueNanos - clock.nanoTime(), TimeUnit.NANOSECONDS, () -> fireXmit(generation));
    }

    /** {@code tcp_reset_xmit_timer(ICSK_TIME_PROBE0)}: the next zero-window probe in min(rto << backoff, max). */
    void resetProbeTimer() {
        resetXmitTimer(Pending.PROBE, handlers.clampProbe0ToUserTimeout(sk,
                sk.rtt().rtoUs() << Math.min(sk.retries().backoff(), 20)));
    }

    /** {@code inet_csk_clear_xmit_timer}: nothing pending; the timer on the wheel, if any, finds that when it fires. */
    void clearXmitTimer() {
        pending = Pending.NONE;
    }

    /** {@code tcp_write_timer}: re-armed for the slot's time if that is still ahead ({@code tcp_write_timer_handler}). */
    private void fireXmit(int generation) {
        sk.lock();
        try {
            if (generation != xmitGeneration) {
                return;
            }
            xmitTimer = null;
            if (pending == Pending.NONE) {
                return;
            }
            if (xmitDueNanos - clock.nanoTime() > 0) {
                putXmitOnWheel();
                return;
            }
            Pending what = pending;
            pending = Pending.NONE;
            handlers.writeTimer(sk, what);
        } finally {
            sk.unlock();
        }
    }

    // ---- delayed ACK

    /** {@code tcp_send_delayed_ack}: an ACK goes out within the delayed-ACK timeout, unless one is due already. */
    void sendDelayedAck() {
        sendDelayedAck(handlers.delackMillis());
    }

    /** {@code tcp_send_delayed_ack} with the connection's ACK timeout ({@code icsk_ack.ato}) given. */
    void sendDelayedAck(long atoMillis) {
        if (delackPending) {
            return;
        }
        delackPending = true;
        delackDueNanos = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, atoMillis));
        if (delackTimer == null || delackWheelNanos - delackDueNanos > 0) {
            putDelackOnWheel();
        }
    }

    private void putDelackOnWheel() {
        if (delackTimer != null) {
            delackTimer.cancel();
        }
        int generation = ++delackGeneration;
        delackWheelNanos = delackDueNanos;
        delackTimer = service.schedule(delackDueNanos - clock.nanoTime(), TimeUnit.NANOSECONDS,
                () -> fireDelack(generation));
    }

    /** {@code tcp_delack_timer}: re-armed for the ACK's time if that is still ahead ({@code tcp_delack_timer_handler}). */
    private void fireDelack(int generation) {
        sk.lock();
        try {
            if (generation != delackGeneration) {
                return;
            }
            delackTimer = null;
            if (!delackPending) {
                return;
            }
            if (delackDueNanos - clock.nanoTime() > 0) {
                putDelackOnWheel();
                return;
            }
            delackPending = false;
            handlers.delackTimer(sk);
        } finally {
            sk.unlock();
        }
    }

    /** Whether a delayed ACK is scheduled. */
    boolean delackArmed() {
        return delackPending;
    }

    /** Whether a delayed ACK is scheduled. */
    boolean delackScheduled() {
        return delackPending;
    }

    /** {@code inet_csk_clear_xmit_timer(ICSK_TIME_DACK)}: no delayed ACK pending; the timer, if any, finds that. */
    void clearDelack() {
        delackPending = false;
    }

    // ---- keepalive and FIN-WAIT-2

    /** {@code inet_csk_reset_keepalive_timer}. */
    void resetKeepaliveTimer(long delayMillis) {
        deleteKeepaliveTimer();
        int generation = ++keepaliveGeneration;
        keepaliveDueNanos = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, delayMillis));
        keepaliveTimer = service.schedule(Math.max(1, delayMillis), TimeUnit.MILLISECONDS, () -> {
            sk.lock();
            try {
                if (generation == keepaliveGeneration) {
                    keepaliveTimer = null;
                    handlers.keepaliveTimer(sk);
                }
            } finally {
                sk.unlock();
            }
        });
    }

    /** {@code inet_csk_delete_keepalive_timer}. */
    void deleteKeepaliveTimer() {
        if (keepaliveTimer != null) {
            keepaliveTimer.cancel();
            keepaliveTimer = null;
        }
        keepaliveGeneration++;
    }

    /**
     * {@code inet_sk_diag_fill}'s timer fields for {@code m}: the retransmission slot armed for a
     * retransmission, RACK's reorder timer or a tail loss probe is {@code on} with the timeouts
     * in a row; for a zero-window probe {@code persist} with the probes unanswered; else a
     * pending keepalive (or orphan FIN-WAIT-2) timer, with the keepalive probes unanswered. The
     * delayed ACK is not reported, as Linux reports none.
     */
    InetDiagMsg diag(InetDiagMsg m) {
        long now = clock.nanoTime();
        return switch (pending) {
            case RETRANS, REO_TIMEOUT, LOSS_PROBE -> m.withTimer(InetDiagMsg.TIMER_ON, sk.retries().retransmits(),
                    millisUntil(xmitDueNanos, now));
            case PROBE -> m.withTimer(InetDiagMsg.TIMER_PERSIST, sk.retries().probesOut(), millisUntil(xmitDueNanos, now));
            case NONE -> keepaliveTimer != null
                    ? m.withTimer(InetDiagMsg.TIMER_KEEPALIVE, sk.retries().keepaliveProbes(),
                            millisUntil(keepaliveDueNanos, now))
                    : m;
        };
    }

    /** {@code jiffies_delta_to_msecs(expires - jiffies)}: whole milliseconds left, rounded up, 0 once due. */
    static int millisUntil(long dueNanos, long nowNanos) {
        long left = dueNanos - nowNanos;
        return left <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
    }

    /**
     * Cancels every timer and takes it off the wheel ({@code inet_csk_clear_xmit_timers},
     * {@code sk_stop_timer} of keepalive): the connection is done with them.
     */
    void clearAll() {
        clearXmitTimer();
        if (xmitTimer != null) {
            xmitTimer.cancel();
            xmitTimer = null;
        }
        xmitGeneration++;
        clearDelack();
        if (delackTimer != null) {
            delackTimer.cancel();
            delackTimer = null;
        }
        delackGeneration++;
        deleteKeepaliveTimer();
    }
}
