package net.tern.tcp.impl;

import java.util.concurrent.TimeUnit;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Timeout;

/**
 * TCP's timers ({@code tcp_timer.c}), on the stack's {@link net.tern.spi.net.TimerService}:
 * <ul>
 * <li>retransmission ({@code tcp_retransmit_timer}), with the zero-window probe sharing its
 *     slot as {@code icsk_pending} does ({@code tcp_probe_timer});</li>
 * <li>delayed ACK ({@code tcp_delack_timer});</li>
 * <li>keepalive, which also ends an orphaned FIN-WAIT-2 ({@code tcp_keepalive_timer});</li>
 * <li>the SYN-ACK timer of a request and the TIME-WAIT timer (in {@link TcpLifecycle}).</li>
 * </ul>
 * Timers run on the network thread and take the socket lock; each arming bumps a
 * generation, so a timer that fired while its socket re-armed it does nothing.
 */
final class TcpTimers {
    /** Linux's {@code tcp_orphan_retries} default, 0: see {@link #orphanRetries}. */
    private static final int ORPHAN_RETRIES = 0;

    /** What the retransmission slot is armed for ({@code ICSK_TIME_RETRANS}, {@code ICSK_TIME_PROBE0}). */
    enum Pending { NONE, RETRANS, PROBE }

    private final Tcp tcp;

    TcpTimers(Tcp tcp) {
        this.tcp = tcp;
    }

    // ---- the retransmission slot

    /** {@code inet_csk_reset_xmit_timer}. */
    void resetXmitTimer(TcpSock sk, Pending what, long delayUs) {
        clearXmitTimer(sk);
        sk.pending = what;
        int generation = ++sk.rtxGeneration;
        long delay = Math.min(delayUs, tcp.settings().rtoMaxMillis() * 1000);
        sk.rtxTimer = tcp.timers().schedule(delay, TimeUnit.MICROSECONDS, () -> writeTimer(sk, generation));
    }

    /** Arms the retransmission timer unless it runs already (RFC 6298 5.1). */
    void armRetransmit(TcpSock sk) {
        if (sk.pending != Pending.RETRANS) {
            resetXmitTimer(sk, Pending.RETRANS, sk.rtoUs);
        }
    }

    /** {@code inet_csk_clear_xmit_timer}. */
    void clearXmitTimer(TcpSock sk) {
        if (sk.rtxTimer != null) {
            sk.rtxTimer.cancel();
            sk.rtxTimer = null;
        }
        sk.pending = Pending.NONE;
        sk.rtxGeneration++;
    }

    /** {@code tcp_write_timer}: the retransmission slot fired, for a retransmission or a probe. */
    private void writeTimer(TcpSock sk, int generation) {
        sk.lock();
        try {
            if (generation != sk.rtxGeneration || sk.pending == Pending.NONE) {
                return;
            }
            Pending what = sk.pending;
            sk.pending = Pending.NONE;
            sk.rtxTimer = null;
            if (what == Pending.RETRANS) {
                retransmitTimer(sk);
            } else {
                probeTimer(sk);
            }
        } finally {
            sk.unlock();
        }
    }

    /**
     * {@code retransmits_timed_out}: whether the time since the first retransmission's
     * original send exceeds what {@code boundary} retransmissions with exponential backoff
     * from {@code rtoBaseMillis} (capped at the maximum RTO) would take. Linux bounds by time,
     * not by count, so a changing RTO does not change the budget.
     */
    boolean retransmitsTimedOut(TcpSock sk, int boundary, long rtoBaseMillis) {
        if (sk.retransmits == 0) {
            return false;
        }
        long rtoMax = tcp.settings().rtoMaxMillis();
        int threshold = 63 - Long.numberOfLeadingZeros(Math.max(1, rtoMax / rtoBaseMillis));
        long timeoutMillis = boundary <= threshold ? ((2L << boundary) - 1) * rtoBaseMillis
                : ((2L << threshold) - 1) * rtoBaseMillis + (long) (boundary - threshold) * rtoMax;
        long elapsedMillis = (tcp.clock().nanoTime() - sk.retransStampNanos) / 1_000_000;
        return elapsedMillis >= timeoutMillis;
    }

    /** {@code tcp_retransmit_timer}. */
    private void retransmitTimer(TcpSock sk) {
        TcpSettings s = tcp.settings();
        SkState state = sk.state();
        if (state == SkState.SYN_SENT || state == SkState.SYN_RECV) {
            if (retransmitsTimedOut(sk, s.synRetries(), s.rtoInitialMillis())) {
                tcp.lifecycle().timedOut(sk);
                return;
            }
            if (sk.retransmits == 0) {
                tcp.counters().inc(TcpExtMib.TCPTimeouts);
            }
            tcp.output().retransmitSyn(sk);
            backoff(sk);
            return;
        }
        if (sk.rtxQueue.isEmpty()) {
            return;
        }
        int retryUntil = s.retries2();
        if (sk.orphan) {
            retryUntil = orphanRetries(sk, sk.rtoUs < s.rtoMaxMillis() * 1000);
        }
        if (retransmitsTimedOut(sk, retryUntil, s.rtoMinMillis())) {
            tcp.lifecycle().timedOut(sk);
            return;
        }
        if (sk.retransmits == 0) {
            tcp.counters().inc(TcpExtMib.TCPTimeouts);
            TxSegment head = sk.rtxQueue.peekFirst();
            sk.retransStampNanos = head != null ? head.sentNanos : tcp.clock().nanoTime();
        }
        // tcp_enter_loss: everything not SACKed is presumed lost and goes again, from the
        // head, as the window reopens (RFC 6675 5.1; RFC 5681 3.1 for peers without SACK).
        TcpSack.markAllLost(sk);
        TcpCongestion.enterLoss(sk);
        tcp.output().retransmitHead(sk);
        backoff(sk);
    }

    /**
     * {@code tcp_orphan_retries}: the retransmission (or probe) budget of a connection its
     * application has closed. Linux's {@code tcp_orphan_retries} is 0, which means 8 (over
     * 100 s from a 200 ms RTO) while the RTO is below its maximum ({@code alive}), and none once
     * it has reached it after an ICMP error said the path is broken.
     */
    static int orphanRetries(TcpSock sk, boolean alive) {
        int retries = ORPHAN_RETRIES;
        if (sk.softError() != null && !alive) {
            retries = 0;
        }
        if (retries == 0 && alive) {
            retries = 8;
        }
        return retries;
    }

    /** Doubles the RTO (RFC 6298 5.5) and re-arms (5.6). */
    private void backoff(TcpSock sk) {
        sk.retransmits++;
        sk.backoff++;
        sk.rtoUs = Math.min(sk.rtoUs * 2, tcp.settings().rtoMaxMillis() * 1000);
        resetXmitTimer(sk, Pending.RETRANS, sk.rtoUs);
    }

    /**
     * {@code tcp_probe_timer}: probes a zero window, backing off; gives up after
     * {@code tcp_retries2} unanswered probes, an orphan after {@link #orphanRetries} (and at
     * once once its backed-off RTO has reached the maximum and that many backoffs passed).
     */
    private void probeTimer(TcpSock sk) {
        int unsent = sk.sendQueued() - (sk.sndNxt - sk.sndUna);
        if (!sk.rtxQueue.isEmpty() || (unsent <= 0 && !sk.finQueued)) {
            sk.probesOut = 0;
            return;
        }
        int maxProbes = tcp.settings().retries2();
        if (sk.orphan) {
            long rtoMaxUs = tcp.settings().rtoMaxMillis() * 1000;
            boolean alive = Math.min(sk.rtoUs << Math.min(sk.backoff, 20), rtoMaxUs) < rtoMaxUs;
            maxProbes = orphanRetries(sk, alive);
            if (!alive && sk.backoff >= maxProbes) {
                tcp.lifecycle().timedOut(sk);
                return;
            }
        }
        if (sk.probesOut >= maxProbes) {
            tcp.lifecycle().timedOut(sk);
            return;
        }
        tcp.output().writeWakeup(sk);
        tcp.counters().inc(TcpExtMib.TCPWinProbe);
        sk.probesOut++;
        sk.backoff++;
        armProbe(sk);
    }

    /** {@code tcp_check_probe_timer} / {@code tcp_send_probe0}'s re-arm: min(rto << backoff, max). */
    void armProbe(TcpSock sk) {
        long delay = sk.rtoUs << Math.min(sk.backoff, 20);
        resetXmitTimer(sk, Pending.PROBE, delay);
    }

    // ---- delayed ACK

    /** {@code inet_csk_reset_xmit_timer(ICSK_TIME_DACK)}: an ACK goes out within the delayed-ACK timeout. */
    void sendDelayedAck(TcpSock sk) {
        if (sk.delackTimer != null) {
            return;
        }
        int generation = ++sk.delackGeneration;
        sk.delackTimer = tcp.timers().schedule(tcp.settings().delackMinMillis(), TimeUnit.MILLISECONDS, () -> {
            sk.lock();
            try {
                if (generation == sk.delackGeneration) {
                    sk.delackTimer = null;
                    delackTimer(sk);
                }
            } finally {
                sk.unlock();
            }
        });
    }

    /** {@code tcp_delack_timer}: the ACK that waited goes now. */
    private void delackTimer(TcpSock sk) {
        if (sk.ackPending && sk.state() != SkState.CLOSE) {
            sk.pingpong = false; // tcp_delack_timer_handler: the reply it waited for did not come
            tcp.counters().inc(TcpExtMib.DelayedACKs);
            tcp.output().sendAck(sk);
        }
    }

    void clearDelack(TcpSock sk) {
        if (sk.delackTimer != null) {
            sk.delackTimer.cancel();
            sk.delackTimer = null;
        }
        sk.delackGeneration++;
    }

    // ---- keepalive and FIN-WAIT-2

    /** {@code inet_csk_reset_keepalive_timer}. */
    void resetKeepaliveTimer(TcpSock sk, long delayMillis) {
        deleteKeepaliveTimer(sk);
        int generation = ++sk.keepaliveGeneration;
        sk.keepaliveTimer = tcp.timers().schedule(Math.max(1, delayMillis), TimeUnit.MILLISECONDS, () -> {
            sk.lock();
            try {
                if (generation == sk.keepaliveGeneration) {
                    sk.keepaliveTimer = null;
                    keepaliveTimer(sk);
                }
            } finally {
                sk.unlock();
            }
        });
    }

    /** {@code inet_csk_delete_keepalive_timer}. */
    void deleteKeepaliveTimer(TcpSock sk) {
        if (sk.keepaliveTimer != null) {
            sk.keepaliveTimer.cancel();
            sk.keepaliveTimer = null;
        }
        sk.keepaliveGeneration++;
    }

    long keepIdleMillis(TcpSock sk) {
        return sk.keepIdleSeconds > 0 ? sk.keepIdleSeconds * 1000L : tcp.settings().keepaliveTimeMillis();
    }

    long keepIntvlMillis(TcpSock sk) {
        return sk.keepIntvlSeconds > 0 ? sk.keepIntvlSeconds * 1000L : tcp.settings().keepaliveIntvlMillis();
    }

    int keepCnt(TcpSock sk) {
        return sk.keepCnt > 0 ? sk.keepCnt : tcp.settings().keepaliveProbes();
    }

    /** Arms keepalive for an established connection with SO_KEEPALIVE ({@code tcp_set_keepalive}). */
    void setKeepalive(TcpSock sk) {
        if (sk.keepAlive() && (sk.state() == SkState.ESTABLISHED || sk.state() == SkState.CLOSE_WAIT)) {
            resetKeepaliveTimer(sk, keepIdleMillis(sk));
        } else if (sk.state() != SkState.FIN_WAIT2) {
            deleteKeepaliveTimer(sk);
        }
    }

    /** The orphaned FIN-WAIT-2 wait ({@code tcp_fin_timeout}) on the keepalive slot, as Linux does. */
    void startFinWait2(TcpSock sk) {
        resetKeepaliveTimer(sk, tcp.settings().finTimeoutMillis());
    }

    /** {@code tcp_keepalive_timer}. */
    private void keepaliveTimer(TcpSock sk) {
        SkState state = sk.state();
        if (state == SkState.FIN_WAIT2 && sk.orphan) {
            // The peer never sent its FIN: give the connection up silently, as tcp_fin_timeout does.
            tcp.lifecycle().done(sk);
            return;
        }
        if (!sk.keepAlive() || state == SkState.CLOSE || state == SkState.SYN_SENT || state == SkState.LISTEN) {
            return;
        }
        long idleMillis = keepIdleMillis(sk);
        if (!sk.rtxQueue.isEmpty() || sk.sendQueued() > 0) {
            resetKeepaliveTimer(sk, idleMillis);
            return;
        }
        long elapsed = (tcp.clock().nanoTime() - sk.lastReceivedNanos) / 1_000_000;
        if (elapsed >= idleMillis) {
            if (sk.keepaliveProbes >= keepCnt(sk)) {
                tcp.output().sendActiveReset(sk);
                tcp.lifecycle().timedOut(sk);
                return;
            }
            tcp.output().writeWakeup(sk);
            tcp.counters().inc(TcpExtMib.TCPKeepAlive);
            sk.keepaliveProbes++;
            resetKeepaliveTimer(sk, keepIntvlMillis(sk));
        } else {
            resetKeepaliveTimer(sk, idleMillis - elapsed);
        }
    }

    /** Cancels every timer of {@code sk} ({@code tcp_clear_xmit_timers}, keepalive). */
    void clearXmitTimers(TcpSock sk) {
        clearXmitTimer(sk);
        clearDelack(sk);
        // inet_csk_clear_xmit_timers clears icsk_ack.pending with the timer: a closed socket
        // owes no ACK, and a stale mark would send one on the next connection of this socket.
        sk.ackPending = false;
        deleteKeepaliveTimer(sk);
    }

    Timeout schedule(long delayMillis, Runnable task) {
        return tcp.timers().schedule(delayMillis, TimeUnit.MILLISECONDS, task);
    }
}
