package net.tern.tcp.impl;

import java.util.function.Supplier;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;

/**
 * TCP's timers ({@code tcp_timer.c}), on the stack's {@link net.tern.spi.net.TimerService}:
 * <ul>
 * <li>retransmission ({@code tcp_retransmit_timer}), with the zero-window probe sharing its
 *     slot as {@code icsk_pending} does ({@code tcp_probe_timer});</li>
 * <li>delayed ACK ({@code tcp_delack_timer});</li>
 * <li>keepalive, which also ends an orphaned FIN-WAIT-2 ({@code tcp_keepalive_timer});</li>
 * <li>the SYN-ACK timer of a request ({@link TcpMinisocks}) and the TIME-WAIT timer
 *     ({@link TcpLifecycle}).</li>
 * </ul>
 * What each timer does when it fires; a connection's own {@link SockTimers} arms them and
 * calls here on the network thread, with the socket locked.
 */
final class TcpTimers {
    /** Linux's {@code tcp_orphan_retries} default, 0: see {@link #orphanRetries}. */
    private static final int ORPHAN_RETRIES = 0;
    /**
     * {@code TCP_RESOURCE_PROBE_INTERVAL} (HZ/2): how soon a probe or retransmission that the
     * link's queue dropped is tried again, without backing off (senders take turns for local
     * resources).
     */
    static final long RESOURCE_PROBE_INTERVAL_US = 500_000;
    /** {@code TCP_TIMEOUT_MIN}: 2 jiffies, 2 ms. */
    private static final long TIMEOUT_MIN_MILLIS = 2;

    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpCounters counters;
    private final TcpOutput output;
    private final TcpLifecycle lifecycle;

    TcpTimers(Clock clock, Supplier<TcpSettings> settings, TcpCounters counters, TcpOutput output,
            TcpLifecycle lifecycle) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        this.output = output;
        this.lifecycle = lifecycle;
    }

    /** The longest the retransmission slot waits ({@code TCP_RTO_MAX}, {@code tcp_rto_max_ms}). */
    long rtoMaxMicros() {
        return settings.get().rtoMaxMillis() * 1000;
    }

    /** The delayed-ACK timeout ({@code TCP_DELACK_MIN}). */
    long delackMillis() {
        return settings.get().delackMinMillis();
    }

    /**
     * {@code tcp_write_timer_handler}: the retransmission slot fired, for a retransmission, a
     * zero-window probe, RACK's reorder timer or a tail loss probe.
     */
    void writeTimer(TcpSock sk, SockTimers.Pending what) {
        switch (what) {
            case RETRANS -> retransmitTimer(sk);
            case PROBE -> probeTimer(sk);
            case REO_TIMEOUT -> reoTimeout(sk);
            case LOSS_PROBE -> output.sendLossProbe(sk);
            case NONE -> { }
        }
    }

    /**
     * {@code tcp_rack_reo_timeout} (RFC 8985 6.3): the segments whose reordering window passed
     * are lost and go again (recovery starts if it had not); the retransmission timer is armed
     * again, from the head's transmission.
     */
    private void reoTimeout(TcpSock sk) {
        if (sk.rtx().isEmpty()) {
            return;
        }
        if (sk.ca().rackReoTimeout()) {
            output.xmitRetransmitQueue(sk);
        }
        if (sk.timers().pending() != SockTimers.Pending.RETRANS) {
            output.rearmRto(sk, true);
        }
    }

    /**
     * {@code retransmits_timed_out}: whether the time since the first retransmission exceeds
     * {@code TCP_USER_TIMEOUT} when set, else what {@code boundary} retransmissions with
     * exponential backoff from {@code rtoBaseMillis} (capped at the maximum RTO) would take.
     * Linux bounds by time, not by count, so a changing RTO does not change the budget.
     */
    boolean retransmitsTimedOut(TcpSock sk, int boundary, long rtoBaseMillis) {
        if (sk.retries().retransmits() == 0) {
            return false;
        }
        long timeoutMillis = sk.userOptions().userTimeoutMillis();
        if (timeoutMillis == 0) {
            long rtoMax = settings.get().rtoMaxMillis();
            int threshold = 63 - Long.numberOfLeadingZeros(Math.max(1, rtoMax / rtoBaseMillis));
            timeoutMillis = boundary <= threshold ? ((2L << boundary) - 1) * rtoBaseMillis
                    : ((2L << threshold) - 1) * rtoBaseMillis + (long) (boundary - threshold) * rtoMax;
        }
        long elapsedMillis = (clock.nanoTime() - sk.retries().retransStampNanos()) / 1_000_000;
        return elapsedMillis >= timeoutMillis;
    }

    /** {@code tcp_retransmit_timer}. */
    private void retransmitTimer(TcpSock sk) {
        TcpSettings s = settings.get();
        SkState state = sk.state();
        if (state == SkState.SYN_SENT || state == SkState.SYN_RECV) {
            if (retransmitsTimedOut(sk, s.synRetries(), s.rtoInitialMillis())) {
                lifecycle.timedOut(sk);
                return;
            }
            if (sk.retries().retransmits() == 0) {
                counters.inc(TcpExtMib.TCPTimeouts);
            }
            output.retransmitSyn(sk);
            backoff(sk);
            return;
        }
        if (sk.rtx().isEmpty()) {
            return;
        }
        int retryUntil = s.retries2();
        if (sk.orphaned()) {
            retryUntil = orphanRetries(sk, sk.rtt().rtoUs() < s.rtoMaxMillis() * 1000);
        }
        if (retransmitsTimedOut(sk, retryUntil, s.rtoMinMillis())) {
            lifecycle.timedOut(sk);
            return;
        }
        sk.rtx().rack().probeDone(); // tlp_high_seq = 0: the timeout takes over
        if (sk.retries().retransmits() == 0) {
            counters.inc(TcpExtMib.TCPTimeouts);
            // retrans_stamp: the first retransmission, which goes now (tcp_retransmit_skb);
            // TCP_USER_TIMEOUT counts from it on Linux 6.18 (user-timeout/retransmit-limit.pkt).
            sk.retries().retransStamp(clock.nanoTime());
        }
        // tcp_enter_loss: everything not SACKed is presumed lost and goes again, from the
        // head, as the window reopens (RFC 6675 5.1; RFC 5681 3.1 for peers without SACK).
        sk.rtx().markAllLost();
        sk.ca().enterLoss();
        if (!output.retransmitHead(sk)) {
            // The link's queue had no room: counted as a timeout, tried again soon, without
            // backing off (senders take turns for local resources).
            sk.retries().onTimeoutRetransmitDropped();
            sk.timers().resetXmitTimer(SockTimers.Pending.RETRANS, RESOURCE_PROBE_INTERVAL_US);
            return;
        }
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

    /** Doubles the RTO (RFC 6298 5.5) and re-arms (5.6), no later than the user timeout's end. */
    private void backoff(TcpSock sk) {
        sk.retries().onRetransmitTimeout();
        sk.rtt().backoff(rtoMaxMicros());
        sk.timers().resetXmitTimer(SockTimers.Pending.RETRANS, clampRtoToUserTimeout(sk));
    }

    /**
     * {@code tcp_clamp_rto_to_user_timeout}: the RTO, or what is left of {@code TCP_USER_TIMEOUT}
     * since the first retransmission if that is less (1 ms once it has passed), so the
     * connection is given up when the user timeout ends, not at the next backed-off RTO.
     */
    private long clampRtoToUserTimeout(TcpSock sk) {
        long rtoUs = sk.rtt().rtoUs();
        long userTimeoutMillis = sk.userOptions().userTimeoutMillis();
        if (userTimeoutMillis == 0) {
            return rtoUs;
        }
        long elapsedMillis = (clock.nanoTime() - sk.retries().retransStampNanos()) / 1_000_000;
        if (elapsedMillis >= userTimeoutMillis) {
            return 1000;
        }
        return Math.min(rtoUs, (userTimeoutMillis - elapsedMillis) * 1000);
    }

    /**
     * {@code tcp_clamp_probe0_to_user_timeout}: the next zero-window probe waits no longer
     * than what is left of {@code TCP_USER_TIMEOUT} since the first probe (at least
     * {@code TCP_TIMEOUT_MIN}, 2 ms).
     */
    long clampProbe0ToUserTimeout(TcpSock sk, long whenUs) {
        long userTimeoutMillis = sk.userOptions().userTimeoutMillis();
        if (userTimeoutMillis == 0 || !sk.retries().probesStamped()) {
            return whenUs;
        }
        long elapsedMillis = Math.max(0, (clock.nanoTime() - sk.retries().probesStampNanos()) / 1_000_000);
        long remainingMillis = Math.max(userTimeoutMillis - elapsedMillis, TIMEOUT_MIN_MILLIS);
        return Math.min(whenUs, remainingMillis * 1000);
    }

    /**
     * {@code tcp_probe_timer}: nothing is in flight and data wait. If the window lets some
     * go (they were corked, or held by silly window avoidance), they go now with PSH
     * ({@code tcp_write_wakeup}) and the retransmission timer takes over; else a zero window
     * is probed, backing off ({@code tcp_send_probe0}); gives up after {@code tcp_retries2}
     * unanswered probes, an orphan after {@link #orphanRetries} (and at once once its
     * backed-off RTO has reached the maximum and that many backoffs passed).
     */
    private void probeTimer(TcpSock sk) {
        int unsent = sk.snd().notSent();
        if (!sk.rtx().isEmpty() || (unsent <= 0 && !sk.snd().finQueued())) {
            sk.retries().clearProbes();
            return;
        }
        // RFC 1122 4.2.2.17 lets probes go on while the peer answers them; TCP_USER_TIMEOUT
        // bounds the series by time from its first probe (icsk_probes_tstamp).
        if (!sk.retries().probesStamped()) {
            sk.retries().probesStamp(clock.nanoTime());
        } else {
            long userTimeoutMillis = sk.userOptions().userTimeoutMillis();
            if (userTimeoutMillis > 0 && clock.nanoTime() - sk.retries().probesStampNanos() >= userTimeoutMillis * 1_000_000) {
                lifecycle.timedOut(sk);
                return;
            }
        }
        int maxProbes = settings.get().retries2();
        if (sk.orphaned()) {
            long rtoMaxUs = settings.get().rtoMaxMillis() * 1000;
            boolean alive = Math.min(sk.rtt().rtoUs() << Math.min(sk.retries().backoff(), 20), rtoMaxUs) < rtoMaxUs;
            maxProbes = orphanRetries(sk, alive);
            if (!alive && sk.retries().backoff() >= maxProbes) {
                lifecycle.timedOut(sk);
                return;
            }
        }
        if (sk.retries().probesOut() >= maxProbes) {
            lifecycle.timedOut(sk);
            return;
        }
        int err = output.writeWakeup(sk);
        if (!sk.rtx().isEmpty()) {
            // Data went (tcp_send_probe0 with packets out): the probing is over.
            sk.retries().clearProbes();
            sk.retries().clearBackoff();
            return;
        }
        if (err == 0) {
            counters.inc(TcpExtMib.TCPWinProbe);
            sk.retries().onProbeSent();
            sk.timers().resetProbeTimer();
            return;
        }
        // The link's queue had no room (local congestion): counted as a probe, tried again after
        // TCP_RESOURCE_PROBE_INTERVAL without backing off, within what TCP_USER_TIMEOUT leaves.
        sk.retries().onProbeDropped();
        sk.timers().resetXmitTimer(SockTimers.Pending.PROBE,
                clampProbe0ToUserTimeout(sk, RESOURCE_PROBE_INTERVAL_US));
    }

    /** {@code tcp_delack_timer}: the ACK that waited goes now. */
    void delackTimer(TcpSock sk) {
        if (sk.ackMode().pending() && sk.state() != SkState.CLOSE) {
            sk.ackMode().replyMissed();
            counters.inc(TcpExtMib.DelayedACKs);
            output.sendAck(sk);
        }
    }

    // ---- keepalive and FIN-WAIT-2

    long keepIdleMillis(TcpSock sk) {
        int own = sk.userOptions().keepIdleSeconds();
        return own > 0 ? own * 1000L : settings.get().keepaliveTimeMillis();
    }

    long keepIntvlMillis(TcpSock sk) {
        int own = sk.userOptions().keepIntvlSeconds();
        return own > 0 ? own * 1000L : settings.get().keepaliveIntvlMillis();
    }

    int keepCnt(TcpSock sk) {
        int own = sk.userOptions().keepCnt();
        return own > 0 ? own : settings.get().keepaliveProbes();
    }

    /** Arms keepalive for an established connection with SO_KEEPALIVE ({@code tcp_set_keepalive}). */
    void setKeepalive(TcpSock sk) {
        if (sk.keepAlive() && (sk.state() == SkState.ESTABLISHED || sk.state() == SkState.CLOSE_WAIT)) {
            sk.timers().resetKeepaliveTimer(keepIdleMillis(sk));
        } else if (sk.state() != SkState.FIN_WAIT2) {
            sk.timers().deleteKeepaliveTimer();
        }
    }

    /** The orphaned FIN-WAIT-2 wait ({@code tcp_fin_timeout}) on the keepalive slot, as Linux does. */
    void startFinWait2(TcpSock sk) {
        sk.timers().resetKeepaliveTimer(settings.get().finTimeoutMillis());
    }

    /** {@code tcp_keepalive_timer}. */
    void keepaliveTimer(TcpSock sk) {
        SkState state = sk.state();
        if (state == SkState.FIN_WAIT2 && sk.orphaned()) {
            // The peer never sent its FIN: give the connection up silently, as tcp_fin_timeout does.
            lifecycle.done(sk);
            return;
        }
        if (!sk.keepAlive() || state == SkState.CLOSE || state == SkState.SYN_SENT || state == SkState.LISTEN) {
            return;
        }
        long idleMillis = keepIdleMillis(sk);
        if (!sk.rtx().isEmpty() || sk.sendQueued() > 0) {
            sk.timers().resetKeepaliveTimer(idleMillis);
            return;
        }
        long elapsed = (clock.nanoTime() - sk.stats().lastReceivedNanos()) / 1_000_000;
        if (elapsed >= idleMillis) {
            // With TCP_USER_TIMEOUT the time since the peer was last heard decides, once a
            // probe is out; without it, the probe count.
            long userTimeoutMillis = sk.userOptions().userTimeoutMillis();
            boolean expired = userTimeoutMillis > 0
                    ? elapsed >= userTimeoutMillis && sk.retries().keepaliveProbes() > 0
                    : sk.retries().keepaliveProbes() >= keepCnt(sk);
            if (expired) {
                output.sendActiveReset(sk);
                lifecycle.timedOut(sk);
                return;
            }
            output.writeWakeup(sk);
            counters.inc(TcpExtMib.TCPKeepAlive);
            sk.retries().onKeepaliveProbe();
            sk.timers().resetKeepaliveTimer(keepIntvlMillis(sk));
        } else {
            sk.timers().resetKeepaliveTimer(idleMillis - elapsed);
        }
    }
}
