package net.tern.tcp.impl;

import java.util.function.Supplier;
import net.tern.spi.net.Clock;
import net.tern.tcp.cc.CaEvent;
import net.tern.tcp.cc.CaState;
import net.tern.tcp.cc.CongestionControl;
import net.tern.tcp.cc.CongestionController;
import net.tern.tcp.impl.RtxQueue.TxSegment;

/**
 * Where TCP calls the congestion control hooks ({@code tcp_cong.c}, the recovery parts of
 * {@code tcp_input.c}): start of a connection, ACKs in Open/Disorder, entering Recovery on
 * three duplicate ACKs (NewReno, RFC 6582) or on the SACK scoreboard (RFC 6675), partial and
 * full ACKs, timeouts, undo of needless reductions, and switching algorithm.
 *
 * <p>One per connection: it owns the connection's congestion state ({@code snd_cwnd},
 * {@code snd_ssthresh}, {@code icsk_ca_state}, {@code high_seq}, the duplicate ACKs, the undo
 * marks, the controller), which changes only through its methods; the controller sees it as
 * the socket's {@link net.tern.tcp.cc.CongestionState}. Called under the socket lock.
 */
final class TcpCongestion {
    /** {@code tcp_reordering}: duplicate ACKs that mean a loss. */
    static final int DUPACK_THRESHOLD = 3;

    private final TcpSock sk;
    private final Supplier<TcpSettings> settings;
    private final CongestionRegistry registry;
    private final TcpCounters counters;
    private final Clock clock;

    private CongestionControl ccAlgorithm;
    /** The algorithm's controller for this connection, once congestion control started. */
    private CongestionController cc;
    /** The algorithm asked for by {@code TCP_CONGESTION} (or inherited from the listener), or null for the default. */
    private String ccName;
    private int cwnd;
    private int ssthresh = Integer.MAX_VALUE;
    private int cwndCount;
    private int priorCwnd;
    private int cwndClamp = Integer.MAX_VALUE;
    /** Read without the lock by {@code tcp_info} dumps. */
    private volatile CaState caState = CaState.OPEN;
    /** The recovery point ({@code high_seq}, RFC 6582's "recover"). */
    private int highSeq;
    private int dupAcks;
    /** A reduction may still be undone ({@code undo_marker} set); retransmissions from {@link #undoMarker} count. */
    private boolean undoMarking;
    private int undoMarker;
    /** Retransmissions since the reduction not yet reported needless by D-SACK; -1 before the first ({@code undo_retrans}). */
    private int undoRetrans;
    /** ssthresh before the reduction ({@code prior_ssthresh}). */
    private int priorSsthresh;
    /** The TSval of the first retransmission since the reduction ({@code retrans_stamp}), for Eifel detection. */
    private int retransTsVal;
    private boolean retransTsSet;
    /** The last transmission attempt was held back by cwnd ({@code is_cwnd_limited}). */
    private boolean cwndLimited;
    /** RACK armed the reorder timer while this ACK was processed: the ACK leaves the timer alone ({@code ~FLAG_SET_XMIT_TIMER}). */
    private boolean reoTimerArmed;

    TcpCongestion(TcpSock sk, Supplier<TcpSettings> settings, CongestionRegistry registry, TcpCounters counters,
            Clock clock) {
        this.sk = sk;
        this.settings = settings;
        this.registry = registry;
        this.counters = counters;
        this.clock = clock;
    }

    // ---- what others read (and the controller's CongestionState, through TcpSock)

    /** Duplicate ACKs in a row ({@code sacked_out} without SACK). */
    int dupAcks() {
        return dupAcks;
    }

    /** The connection this is the congestion state of. */
    TcpSock sock() {
        return sk;
    }

    int cwnd() {
        return cwnd;
    }

    /** The controller sets the window: at least 1, at most the clamp. */
    void setCwnd(int segments) {
        cwnd = Math.max(1, Math.min(segments, cwndClamp));
    }

    int ssthresh() {
        return ssthresh;
    }

    /** The controller sets ssthresh: at least 2. */
    void setSsthresh(int segments) {
        ssthresh = Math.max(2, segments);
    }

    int cwndCount() {
        return cwndCount;
    }

    void setCwndCount(int count) {
        cwndCount = count;
    }

    int cwndClamp() {
        return cwndClamp;
    }

    int priorCwnd() {
        return priorCwnd;
    }

    CaState caState() {
        return caState;
    }

    /** The recovery point ({@code high_seq}). */
    int highSeq() {
        return highSeq;
    }

    boolean cwndLimited() {
        return cwndLimited;
    }

    /** Whether the last transmission was held back by cwnd ({@code tcp_cwnd_validate}'s input). */
    void cwndLimited(boolean limited) {
        cwndLimited = limited;
    }

    /** Whether congestion control started (the connection is synchronized). */
    boolean started() {
        return cc != null;
    }

    /** The algorithm in use, or null before congestion control starts. */
    CongestionControl algorithm() {
        return ccAlgorithm;
    }

    /** The algorithm asked for, or null for the stack's default. */
    String requestedName() {
        return ccName;
    }

    /** {@code TCP_CONGESTION}, or the listener's choice passed to its child. */
    void requestName(String name) {
        ccName = name;
    }

    /** A connection opens from {@code iss}: RFC 6582 3.2's "recover" starts there, so a first-segment loss is recoverable. */
    void recoveryPointAt(int iss) {
        highSeq = iss;
    }

    /** A disconnect: the controller released, the state Open. */
    void reset() {
        cleanupCongestionControl();
        caState = CaState.OPEN;
    }

    /** {@code tcp_init_congestion_control}: the initial window (RFC 6928) and the socket's algorithm. */
    void initCongestionControl() {
        cwnd = settings.get().initialCwnd();
        ssthresh = Integer.MAX_VALUE;
        cwndCount = 0;
        caState = CaState.OPEN;
        CongestionControl algorithm = ccName == null ? null : registry.find(ccName);
        if (algorithm == null) {
            algorithm = registry.defaultAlgorithm();
        }
        ccAlgorithm = algorithm;
        cc = algorithm.create(sk);
    }

    /** {@code tcp_reinit_congestion_control}: a new algorithm from the current window. */
    void reinitCongestionControl(CongestionControl algorithm) {
        if (cc != null) {
            cc.release();
        }
        ccAlgorithm = algorithm;
        ccName = algorithm.name();
        cc = cwnd == 0 ? null : algorithm.create(sk);
    }

    /** {@code tcp_cleanup_congestion_control}: the controller is released. */
    void cleanupCongestionControl() {
        if (cc != null) {
            cc.release();
            cc = null;
        }
    }

    /** {@code tcp_set_ca_state}. */
    void setCaState(CaState state) {
        TcpTrace.congStateSet(sk, caState, state);
        caState = state;
        if (cc != null) {
            cc.setState(sk, state);
        }
    }

    /**
     * {@code tcp_cong_avoid} and what precedes it for newly acknowledged data: {@code pkts_acked},
     * the end of a recovery or a loss (with undo), then {@code cong_avoid}.
     */
    void congAvoid(int ackedSegments, long rttUs, boolean fullAck, int tsEcr) {
        if (cc == null) {
            return;
        }
        cc.pktsAcked(sk, ackedSegments, rttUs);
        switch (caState) {
            case RECOVERY -> {
                if (fullAck) {
                    // tcp_try_undo_recovery, else tcp_end_cwnd_reduction: with SACK the window
                    // is ssthresh (RFC 6675 5); NewReno deflates to min(ssthresh, flight + 1)
                    // (RFC 6582 3.2 (3)). Not after a D-SACK undo during the recovery: the
                    // window was given back already.
                    if (!mayUndo(tsEcr, TcpExtMib.TCPFullUndo)) {
                        sk.rtx().rack().recoveryEnded();
                        if (undoMarking) {
                            setCwnd(recovery().windowAtExit(this));
                        }
                    }
                    dupAcks = 0;
                    setCaState(CaState.OPEN);
                } else {
                    recovery().partialAck(this, ackedSegments);
                }
            }
            case LOSS -> {
                // tcp_try_undo_loss: the ACK echoes the original transmission, the timeout was spurious.
                if (mayUndo(tsEcr, TcpExtMib.TCPLossUndo)) {
                    sk.rtx().clearLost();
                    dupAcks = 0;
                    setCaState(CaState.OPEN);
                    return;
                }
                if (fullAck) {
                    setCaState(CaState.OPEN);
                }
                cc.congAvoid(sk, ackedSegments);
            }
            default -> {
                dupAcks = 0;
                if (caState == CaState.DISORDER && sk.rtx().sackedOut() == 0) {
                    setCaState(CaState.OPEN);
                }
                cc.congAvoid(sk, ackedSegments);
            }
        }
    }

    /**
     * A duplicate ACK. Returns true when the head should be retransmitted now: NewReno's fast
     * retransmit on the third in Open/Disorder (RFC 5681 3.2, RFC 6582 3.2 (2)). With SACK
     * the decision is {@link #fastretransAlert}'s, on the scoreboard.
     */
    boolean onDupAck(int ack) {
        if (cc == null) {
            return false;
        }
        dupAcks++;
        switch (caState) {
            case RECOVERY -> {
                recovery().dupAckInRecovery(this);
                return false;
            }
            case LOSS -> {
                return false;
            }
            default -> {
                return recovery().dupAck(this, ack);
            }
        }
    }

    /**
     * {@code tcp_fastretrans_alert} for a SACK connection, after the scoreboard took the
     * ACK: marks losses (RFC 6675 IsLost), and in Open/Disorder enters loss recovery when the
     * head is lost or DupThresh duplicate ACKs came (RFC 6675 5), but not before the
     * cumulative ACK reached the last recovery point (5.1). Entering retransmits the head at
     * once (RFC 6675 5 (4.3)) and sets cwnd to ssthresh; the rest goes out as the pipe allows.
     * Returns whether the head is to be retransmitted now.
     */
    boolean fastretransAlert(int ack) {
        if (cc == null) {
            return false;
        }
        return recovery().alert(this, ack);
    }

    /** RFC 6675's part of {@code tcp_fastretrans_alert}, {@link Sack#alert}. */
    boolean sackAlert(int ack) {
        int lostRetransmits = sk.rtx().markHeadLost(sk.opts().mssCache());
        if (lostRetransmits > 0) {
            counters.add(TcpExtMib.TCPLostRetransmit, lostRetransmits);
        }
        CaState state = caState;
        if (state != CaState.OPEN && state != CaState.DISORDER) {
            return false;
        }
        if (sk.rtx().sackedOut() > 0 && state == CaState.OPEN) {
            setCaState(CaState.DISORDER);
        }
        if ((sk.rtx().lostOut() > 0 || dupAcks >= DUPACK_THRESHOLD) && !Seq.before(ack, highSeq)) {
            enterRecovery();
            setCwnd(ssthresh);
            return true;
        }
        return false;
    }

    /**
     * RACK's part of {@code tcp_fastretrans_alert} ({@code tcp_identify_packet_loss} with
     * {@code tcp_rack_mark_lost}, then {@code tcp_time_to_recover}): segments RACK finds lost
     * are marked (RFC 8985 6.2), and in Open or Disorder a loss so proven starts recovery
     * (RFC 8985 6.3: fast recovery starts on the first loss RACK detects, not on a count of
     * duplicate ACKs). Lost segments go out as the window allows; returns whether the head is
     * among them, to go at once.
     */
    boolean rackAlert() {
        RtxQueue rtx = sk.rtx();
        if (caState == CaState.OPEN && rtx.sackedOut() == 0 && rtx.lostOut() == 0) {
            // Not dubious (tcp_ack_is_dubious): in Open with nothing SACKed no segment can be
            // found lost, and the walk of the queue is spared on every cumulative ACK.
            return false;
        }
        rackMarkLost();
        CaState state = caState;
        if (state != CaState.OPEN && state != CaState.DISORDER) {
            return false;
        }
        if (rtx.lostOut() == 0) {
            if (rtx.sackedOut() > 0 && state == CaState.OPEN) {
                setCaState(CaState.DISORDER);
            }
            return false;
        }
        enterRecovery();
        setCwnd(ssthresh);
        TxSegment head = rtx.head();
        return head != null && head.lost() && !head.retransInFlight();
    }

    /**
     * {@code tcp_rack_mark_lost}: when a segment was delivered since the last look, marks what
     * RACK finds lost, and arms the reorder timer ({@code ICSK_TIME_REO_TIMEOUT}) for the
     * segments still inside their window: when the longest of them would be lost, plus 2 ms,
     * at most an RTO away.
     */
    private void rackMarkLost() {
        Rack rack = sk.rtx().rack();
        if (!rack.takeAdvanced()) {
            return;
        }
        RtxQueue.RackLoss loss = detectLoss();
        if (loss.reoTimeoutUs() > 0) {
            long delayUs = loss.reoTimeoutUs() + Rack.TIMEOUT_MIN_US;
            sk.timers().resetXmitTimer(SockTimers.Pending.REO_TIMEOUT, Math.min(delayUs, sk.rtt().rtoUs()));
            reoTimerArmed = true;
        }
    }

    /** {@code tcp_rack_detect_loss} with the window {@code tcp_rack_reo_wnd} gives now; lost retransmissions counted. */
    private RtxQueue.RackLoss detectLoss() {
        RtxQueue rtx = sk.rtx();
        long reoWndUs = rtx.rack().rackReoWnd(caState, rtx.sackedOut(), sk.rtt().minRttUs(), sk.rtt().srttUs());
        RtxQueue.RackLoss loss = rtx.rackDetectLoss(clock.nanoTime(), reoWndUs);
        if (loss.lostRetransmits() > 0) {
            counters.add(TcpExtMib.TCPLostRetransmit, loss.lostRetransmits());
        }
        return loss;
    }

    /** What the reorder timer found ({@link #rackReoTimeout}). */
    enum ReoOutcome {
        /** Nothing more is lost. */
        NOTHING,
        /** Segments are newly lost; recovery was on already. */
        LOST,
        /** Segments are newly lost and recovery started now, with the head lost and not yet resent: it goes at once. */
        RECOVERY_STARTED
    }

    /**
     * {@code tcp_rack_reo_timeout} (RFC 8985 6.3): the reorder timer fired; the segments whose
     * window passed are lost, and if any was, recovery starts (when not in it already) with
     * its window reduction. The caller sends what is lost: the head at once when recovery
     * started, as a fast retransmit (Linux's PRR lets at least that one go).
     */
    ReoOutcome rackReoTimeout() {
        if (cc == null) {
            return ReoOutcome.NOTHING;
        }
        RtxQueue.RackLoss loss = detectLoss();
        if (loss.marked() == 0) {
            return ReoOutcome.NOTHING;
        }
        if (caState == CaState.RECOVERY) {
            return ReoOutcome.LOST;
        }
        enterRecovery();
        setCwnd(ssthresh);
        TxSegment head = sk.rtx().head();
        return head != null && head.lost() && !head.retransInFlight() ? ReoOutcome.RECOVERY_STARTED : ReoOutcome.LOST;
    }

    /** An ACK's processing starts. */
    void startAck() {
        reoTimerArmed = false;
    }

    /** Whether RACK armed the reorder timer during this ACK, so it is not to be replaced by the probe or retransmission timer. */
    boolean reoTimerArmed() {
        return reoTimerArmed;
    }

    // ---- the tail loss probe (RFC 8985 7)

    /**
     * A tail loss probe repaired a loss ({@link TcpAck#processTlpAck}): the window is reduced
     * once, as {@code tcp_init_cwnd_reduction}, CWR and {@code tcp_end_cwnd_reduction} do.
     */
    void reduceAfterLossProbe() {
        if (cc != null) {
            initCwndReduction();
            setCaState(CaState.CWR);
            setCwnd(ssthresh);
            tryKeepOpen();
        }
    }

    /** {@code tcp_init_cwnd_reduction}: the recovery point, and ssthresh from the controller. */
    private void initCwndReduction() {
        highSeq = sk.snd().sndNxt();
        sk.rtx().rack().probeDone();
        cwndCount = 0;
        priorCwnd = cwnd;
        ssthresh = cc.ssthresh(sk);
    }

    /**
     * {@code tcp_try_keep_open}: Open, or Disorder while segments are SACKed or lost or a
     * retransmission is outstanding (the head was ever retransmitted).
     */
    private void tryKeepOpen() {
        RtxQueue rtx = sk.rtx();
        TxSegment head = rtx.head();
        boolean anyRetrans = rtx.retransOut() > 0 || (head != null && head.retransmitted());
        CaState state = rtx.sackedOut() + rtx.lostOut() > 0 || anyRetrans ? CaState.DISORDER : CaState.OPEN;
        if (caState != state) {
            setCaState(state);
            highSeq = sk.snd().sndNxt();
        }
    }

    /** {@code tcp_enter_recovery}: the window reduction and the recovery point, with undo noted. */
    void enterRecovery() {
        sk.rtx().rack().probeDone();
        initUndo();
        ssthresh = cc.ssthresh(sk);
        highSeq = sk.snd().sndMax();
        setCaState(CaState.RECOVERY);
        counters.inc(recovery().recoveryCounter());
    }

    /** A retransmission timeout ({@code tcp_enter_loss}); the scoreboard was marked by {@link RtxQueue#markAllLost}. */
    void enterLoss() {
        if (cc == null) {
            return;
        }
        if (caState != CaState.LOSS || sk.retries().backoff() == 0) {
            initUndo();
            ssthresh = cc.ssthresh(sk);
        }
        setCwnd(1);
        cwndCount = 0;
        dupAcks = 0;
        highSeq = sk.snd().sndMax();
        sk.rtx().rack().probeDone();
        setCaState(CaState.LOSS);
        caEvent(CaEvent.LOSS);
    }

    /**
     * {@code tcp_simple_retransmit}: the path MTU fell, so every segment longer than the MSS
     * now is lost (it was dropped on the way); they go again, split, without a window
     * reduction (this is not congestion) and without undo.
     */
    void simpleRetransmit() {
        sk.rtx().markOversizedLost(sk.opts().mssCache());
        if (caState != CaState.LOSS) {
            highSeq = sk.snd().sndMax();
            undoMarking = false;
            setCaState(CaState.LOSS);
        }
    }

    // ---- undo (tcp_init_undo, tcp_may_undo, tcp_undo_cwnd_reduction)

    /**
     * {@code tcp_init_undo}: before a reduction, remember the window and ssthresh, and from
     * where retransmissions count, so a reduction that proves needless can be taken back.
     */
    private void initUndo() {
        priorCwnd = cwnd;
        priorSsthresh = ssthresh;
        undoMarking = true;
        undoMarker = sk.snd().sndUna();
        undoRetrans = sk.rtx().retransOut() > 0 ? sk.rtx().retransOut() : -1;
        retransTsVal = 0;
        retransTsSet = false;
    }

    /** A retransmission went out: one more to be proven needless before an undo ({@code undo_retrans}). */
    void onRetransmit() {
        if (undoMarking) {
            undoRetrans = Math.max(undoRetrans, 0) + 1;
        }
        if (!retransTsSet && sk.opts().tsOk()) {
            // retrans_stamp: the TSval of the first retransmission, for Eifel detection (RFC 3522).
            retransTsVal = sk.ts().tsVal(TcpTimestamps.tsNow(clock));
            retransTsSet = true;
        }
    }

    /**
     * A D-SACK (RFC 2883) for {@code [start, end)}: when it reports a retransmission since the
     * reduction arriving twice, that retransmission was needless ({@code tcp_check_dsack}).
     * When all were, recovery is undone at once ({@code tcp_try_undo_dsack}, RFC 3708).
     */
    void tryUndoDsack(int start, int end) {
        if (!undoMarking || undoRetrans <= 0 || !Seq.after(end, undoMarker)) {
            return;
        }
        undoRetrans--;
        if (undoRetrans == 0 && caState == CaState.RECOVERY && cc != null) {
            sk.rtx().rack().recoveryUndone();
            undoCwndReduction(TcpExtMib.TCPDSACKUndo);
        }
    }

    /**
     * {@code tcp_may_undo} then {@code tcp_undo_cwnd_reduction}: the reduction was needless
     * when every retransmission since it was reported a duplicate by D-SACK, or when the ACK
     * echoes a timestamp older than the first retransmission (Eifel, RFC 3522: the original
     * arrived). Returns whether it undid.
     */
    private boolean mayUndo(int tsEcr, TcpExtMib counter) {
        if (!undoMarking) {
            return false;
        }
        boolean allDuplicates = undoRetrans == 0;
        boolean delayed = retransTsSet && tsEcr != 0 && tsEcr - retransTsVal < 0;
        if (!allDuplicates && !delayed) {
            return false;
        }
        undoCwndReduction(counter);
        return true;
    }

    /** {@code tcp_undo_cwnd_reduction}: the window and ssthresh from before the reduction. */
    private void undoCwndReduction(TcpExtMib counter) {
        setCwnd(cc.undoCwnd(sk));
        if (priorSsthresh > ssthresh) {
            ssthresh = priorSsthresh;
        }
        undoMarking = false;
        counters.inc(counter);
    }

    /**
     * {@code tcp_ca_event}: an event for the controller, such as the first transmission with
     * nothing in flight ({@code CA_EVENT_TX_START}) or a timeout ({@code CA_EVENT_LOSS}).
     */
    void caEvent(CaEvent event) {
        if (cc != null) {
            cc.cwndEvent(sk, event);
        }
    }

    // ---- loss recovery: NewReno without SACK, RFC 6675 with

    /**
     * The loss recovery of this connection: with SACK, RACK (RFC 8985) or, with
     * {@code tcp_recovery} 0, the RFC 6675 duplicate ACK rule; NewReno without SACK (Linux's
     * RACK needs SACK too).
     */
    LossRecovery recovery() {
        if (!sk.opts().sackOk()) {
            return LossRecovery.NEW_RENO;
        }
        return settings.get().lossDetection().rack() ? LossRecovery.RACK : LossRecovery.SACK;
    }
}
