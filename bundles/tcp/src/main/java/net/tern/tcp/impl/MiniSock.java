package net.tern.tcp.impl;

import net.tern.inet.sock.InetSock;
import net.tern.spi.net.Timeout;

/**
 * What a request and a TIME-WAIT entry share, the two light sockets of
 * {@code tcp_minisocks.c} that stand in the established hash without a full socket (Linux
 * gives both a {@code struct sock_common} first): the 4-tuple, whether timestamps are in use
 * with TS.Recent and the offset ({@link TcpTimestamps}), the one timer that ends or repeats
 * them ({@code rsk_timer}, {@code tw_timer}) and the out-of-window ACK limit
 * ({@code last_oow_ack_time}). The timer and the limit change through its methods.
 */
abstract class MiniSock {
    final ConnKey key;
    final boolean tsOk;
    private final TcpTimestamps ts;
    private final OowRateLimit oowRateLimit = new OowRateLimit();
    private Timeout timer;
    /** When {@link #timer} falls due, on the stack's clock ({@code rsk_timer.expires}, {@code tw_timer.expires}). */
    private volatile long timerDueNanos;
    /** {@code sk_cookie}: 0 until asked for or inherited. */
    private volatile long cookie;

    MiniSock(ConnKey key, boolean tsOk, TcpTimestamps ts) {
        this.key = key;
        this.tsOk = tsOk;
        this.ts = ts;
    }

    /** TS.Recent with its stamp, and the timestamp offset. */
    final TcpTimestamps ts() {
        return ts;
    }

    /** When an ACK last answered a segment out of turn ({@code last_oow_ack_time}). */
    final OowRateLimit oowRateLimit() {
        return oowRateLimit;
    }

    /** The timer armed now, or null before it is first armed. */
    final Timeout timer() {
        return timer;
    }

    /** {@code next} is the timer now, falling due at {@code dueNanos}. */
    final void setTimer(Timeout next, long dueNanos) {
        timer = next;
        timerDueNanos = dueNanos;
    }

    /** When the timer falls due. */
    final long timerDueNanos() {
        return timerDueNanos;
    }

    /** {@code sock_gen_cookie}: this entry's number, inherited or given at the first call. */
    final synchronized long cookie() {
        if (cookie == 0) {
            cookie = InetSock.nextCookie();
        }
        return cookie;
    }

    /** The entry carries on the socket's cookie {@code value} (0: none given yet). */
    final void inheritCookie(long value) {
        cookie = value;
    }

    /** Cancels the timer, if armed. */
    final void cancelTimer() {
        if (timer != null) {
            timer.cancel();
        }
    }
}
