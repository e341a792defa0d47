package net.tern.tcp.impl;

import java.util.concurrent.TimeUnit;
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
 * <p>Used under the socket lock. When a timer fires it takes the lock and calls
 * {@link TcpTimers} ({@code tcp_timer.c}) only if it was not re-armed or cleared since: each
 * arming and clearing bumps a generation, so a timer that fired while its socket re-armed it
 * does nothing.
 */
final class SockTimers {
    /**
     * What the retransmission slot is armed for ({@code ICSK_TIME_RETRANS}, {@code ICSK_TIME_PROBE0},
     * RACK's {@code ICSK_TIME_REO_TIMEOUT}, the tail loss probe's {@code ICSK_TIME_LOSS_PROBE}).
     */
    enum Pending { NONE, RETRANS, PROBE, REO_TIMEOUT, LOSS_PROBE }

    private final TcpSock sk;
    private final TimerService service;
    private final TcpTimers handlers;

    private Timeout xmitTimer;
    private int xmitGeneration;
    private Pending pending = Pending.NONE;
    private Timeout delackTimer;
    private int delackGeneration;
    private Timeout keepaliveTimer;
    private int keepaliveGeneration;

    SockTimers(TcpSock sk, TimerService service, TcpTimers handlers) {
        this.sk = sk;
        this.service = service;
        this.handlers = handlers;
    }

    // ---- the retransmission slot

    /** What the retransmission slot is armed for ({@code icsk_pending}). */
    Pending pending() {
        return pending;
    }

    /** Whether the retransmission slot holds a timeout not cancelled. */
    boolean xmitTimerArmed() {
        return xmitTimer != null && !xmitTimer.isCancelled();
    }

    /** {@code inet_csk_reset_xmit_timer}: the slot armed for {@code what} in {@code delayUs}, at most the maximum RTO. */
    void resetXmitTimer(Pending what, long delayUs) {
        clearXmitTimer();
        pending = what;
        int generation = ++xmitGeneration;
        long delay = Math.min(delayUs, handlers.rtoMaxMicros());
        xmitTimer = service.schedule(delay, TimeUnit.MICROSECONDS, () -> fireXmit(generation));
    }

    /** {@code tcp_reset_xmit_timer(ICSK_TIME_PROBE0)}: the next zero-window probe in min(rto << backoff, max). */
    void resetProbeTimer() {
        resetXmitTimer(Pending.PROBE, handlers.clampProbe0ToUserTimeout(sk,
                sk.rtt().rtoUs() << Math.min(sk.retries().backoff(), 20)));
    }

    /** {@code inet_csk_clear_xmit_timer}. */
    void clearXmitTimer() {
        if (xmitTimer != null) {
            xmitTimer.cancel();
            xmitTimer = null;
        }
        pending = Pending.NONE;
        xmitGeneration++;
    }

    private void fireXmit(int generation) {
        sk.lock();
        try {
            if (generation != xmitGeneration || pending == Pending.NONE) {
                return;
            }
            Pending what = pending;
            pending = Pending.NONE;
            xmitTimer = null;
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
        if (delackTimer != null) {
            return;
        }
        int generation = ++delackGeneration;
        delackTimer = service.schedule(atoMillis, TimeUnit.MILLISECONDS, () -> {
            sk.lock();
            try {
                if (generation == delackGeneration) {
                    delackTimer = null;
                    handlers.delackTimer(sk);
                }
            } finally {
                sk.unlock();
            }
        });
    }

    /** Whether a delayed-ACK timeout is scheduled and not cancelled. */
    boolean delackArmed() {
        return delackTimer != null && !delackTimer.isCancelled();
    }

    /** Whether a delayed ACK is scheduled. */
    boolean delackScheduled() {
        return delackTimer != null;
    }

    /** {@code inet_csk_clear_xmit_timer(ICSK_TIME_DACK)}. */
    void clearDelack() {
        if (delackTimer != null) {
            delackTimer.cancel();
            delackTimer = null;
        }
        delackGeneration++;
    }

    // ---- keepalive and FIN-WAIT-2

    /** {@code inet_csk_reset_keepalive_timer}. */
    void resetKeepaliveTimer(long delayMillis) {
        deleteKeepaliveTimer();
        int generation = ++keepaliveGeneration;
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

    /** Cancels every timer ({@code inet_csk_clear_xmit_timers}, {@code sk_stop_timer} of keepalive). */
    void clearAll() {
        clearXmitTimer();
        clearDelack();
        deleteKeepaliveTimer();
    }
}
