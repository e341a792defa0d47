package net.tern.tcp.impl;

import java.util.function.Supplier;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;
import net.tern.tcp.cc.CaEvent;
import net.tern.tcp.cc.CaState;
import net.tern.tcp.cc.CongestionControl;
import net.tern.tcp.cc.CongestionController;

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
    /**
     * What undoing the last reduction needs; made at the first reduction ({@link #initUndo}), so
     * a connection that never reduced its window holds none (nothing to undo, as when not marking).
     */
    private TcpUndo undo;
    /**
     * How much of the window the sender used ({@code is_cwnd_limited}, {@code max_packets_out});
     * made when data first goes, so an idle connection holds none (nothing used: not limited).
     */
    private TcpCwndUsage usage;
    /** Proportional Rate Reduction's counts while in CWR or Recovery; made at the first reduction. */
    private TcpCwndReduction prr;

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

    /** {@code tcp_is_cwnd_limited}: whether the window limits sending, so that it may grow. */
    boolean isCwndLimited() {
        return usage != null && usage.isCwndLimited(cwnd, ssthresh);
    }

    /**
     * The end of {@code tcp_write_xmit}: the receiver's-window chronograph; when new data went
     * or the window held sending back ({@code limited}), {@code tcp_cwnd_validate}: the window's
     * use is judged, and the send-buffer chronograph starts if the window is not what limits
     * while the application waits for room with all it wrote sent ({@code SOCK_NOSPACE}).
     */
    void writeXmitDone(boolean sent, boolean limited, boolean rwndLimited) {
        long now = clock.nanoTime();
        if (rwndLimited || sk.chronoIfStarted() != null) { // a stop before any start has nothing to stop
            sk.chrono().rwndLimited(rwndLimited, sk.queuesEmpty(), now);
        }
        if (sent || limited) {
            if (usage == null) {
                usage = new TcpCwndUsage();
            }
            usage.cwndValidate(limited, sk.snd().sndUna(), sk.snd().sndNxt(), sk.rtx().size());
            if (!isCwndLimited() && sk.snd().notSent() == 0 && sk.noSpace()
                    && (sk.state() == SkState.ESTABLISHED || sk.state() == SkState.CLOSE_WAIT)) {
                sk.chrono().chronoStart(TcpChrono.SNDBUF_LIMITED, now);
            }
        }
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

    /** {@code pkts_acked}: {@code ackedSegments} cumulatively acknowledged, with the RTT sample (-1 for none). */
    void pktsAcked(int ackedSegments, long rttUs) {
        if (cc != null) {
            cc.pktsAcked(sk, ackedSegments, rttUs);
        }
    }

    /**
     * {@code tcp_fastretrans_alert}, after the ACK's SACK blocks and cumulative part were taken:
     * whether the ACK ends CWR or Recovery (undone if needless, else {@code tcp_end_cwnd_reduction};
     * without SACK Recovery holds until an ACK goes beyond the recovery point, RFC 6582 4.1) or
     * Loss ({@code tcp_process_loss}); then loss detection ({@link LossRecovery}), which in Open
     * or Disorder may start Recovery. Without SACK a duplicate ACK counts a segment the
     * receiver holds ({@code tcp_add_reno_sack}).
     *
     * @param advanced the ACK moved SND.UNA
     * @param dupAck   a pure duplicate ACK ({@code num_dupack} = 1)
     */
    void fastretransAlert(int ack, boolean advanced, boolean dupAck, int tsEcr) {
        if (cc == null) {
            return;
        }
        RtxQueue rtx = sk.rtx();
        boolean reno = !sk.opts().sackOk();
        int sndUna = sk.snd().sndUna();
        if (advanced && (caState == CaState.CWR || caState == CaState.RECOVERY) && !Seq.before(sndUna, highSeq)) {
            if (caState == CaState.CWR) {
                if (sndUna != highSeq) { // the CWR mark must have reached the receiver
                    endCwndReduction();
                    setCaState(CaState.OPEN);
                }
            } else {
                if (reno) {
                    rtx.resetRenoSacks();
                }
                boolean undone = mayUndo(tsEcr, TcpExtMib.TCPFullUndo);
                if (!undone) {
                    rtx.rack().recoveryEnded();
                }
                if (reno && sndUna == highSeq) {
                    return; // tcp_try_undo_recovery holds Recovery for Reno
                }
                dupAcks = 0;
                setCaState(CaState.OPEN);
                endCwndReduction();
            }
        }
        if (dupAck) {
            dupAcks++;
        }
        switch (caState) {
            case RECOVERY -> {
                if (reno && dupAck) {
                    rtx.rack().countDelivered(rtx.renoSacks().addRenoSack(1, rtx.size(), rtx.lostOut()));
                }
                recovery().identifyLoss(this, advanced);
            }
            case LOSS -> {
                // tcp_try_undo_loss: the ACK echoes the original transmission, the timeout was spurious.
                if (advanced && mayUndo(tsEcr, TcpExtMib.TCPLossUndo)) {
                    rtx.clearLost();
                    dupAcks = 0;
                    setCaState(CaState.OPEN);
                } else if (advanced && !Seq.before(sndUna, highSeq)) {
                    setCaState(CaState.OPEN);
                } else if (!reno) {
                    recovery().identifyLoss(this, advanced);
                }
            }
            default -> {
                if (reno) {
                    if (advanced) {
                        rtx.resetRenoSacks();
                    }
                    if (dupAck) {
                        rtx.rack().countDelivered(rtx.renoSacks().addRenoSack(1, rtx.size(), rtx.lostOut()));
                    }
                }
                if (advanced && !dupAck) {
                    dupAcks = 0;
                }
                if (recovery().timeToRecover(this, ack)) {
                    enterRecovery();
                } else if (caState == CaState.OPEN && (rtx.sackedOut() > 0 || dupAck)) {
                    setCaState(CaState.DISORDER);
                } else if (caState == CaState.DISORDER && advanced && rtx.sackedOut() == 0 && rtx.lostOut() == 0) {
                    setCaState(CaState.OPEN);
                }
            }
        }
    }

    /**
     * {@code tcp_cong_control} for the congestion-avoidance hooks ({@code tcp_cong_avoid}):
     * in CWR or Recovery the window follows PRR ({@link TcpCwndReduction}); otherwise an ACK
     * that acknowledged data lets the controller grow it ({@code tcp_may_raise_cwnd}) by the
     * segments it reported delivered, SACKed ones included ({@code acked_sacked}); on a path
     * that reorders more than the duplicate-ACK threshold, an ACK that only SACKs new data too.
     *
     * @param delivered   segments this ACK newly acknowledged or SACKed ({@code tcp_newly_delivered})
     * @param newlyLost   segments this ACK's processing marked lost
     * @param dataAcked   the ACK acknowledged data ({@code FLAG_DATA_ACKED})
     * @param newlySacked the ACK SACKed data not SACKed before ({@code FLAG_DATA_SACKED})
     */
    void congControl(int delivered, int newlyLost, boolean advanced, boolean dataAcked, boolean newlySacked) {
        if (cc == null) {
            return;
        }
        if (inCwndReduction()) {
            cwndReduction(delivered, newlyLost, advanced);
        } else if (dataAcked || newlySacked && sk.rtx().reordering() > DUPACK_THRESHOLD) {
            cc.congAvoid(sk, delivered);
        }
    }

    /** {@code tcp_in_cwnd_reduction}: CWR or Recovery. */
    boolean inCwndReduction() {
        return caState == CaState.CWR || caState == CaState.RECOVERY;
    }

    /** {@code tcp_cwnd_reduction}: the window PRR allows after {@code delivered} segments reached the receiver. */
    private void cwndReduction(int delivered, int newlyLost, boolean advanced) {
        if (delivered <= 0 || priorCwnd == 0 || prr == null) {
            return;
        }
        setCwnd(prr.cwndReduction(ssthresh, priorCwnd, sk.packetsInFlight(), delivered, newlyLost, advanced));
    }

    /** Segments went out (retransmitted or new, {@code tcp_xmit_retransmit_queue}, {@code tcp_write_xmit}): PRR's {@code prr_out}. */
    void onSent(int segments) {
        if (inCwndReduction() && prr != null) {
            prr.sent(segments);
        }
    }

    /** {@code tcp_end_cwnd_reduction}: CWR or Recovery is over; the window is ssthresh unless undone. */
    private void endCwndReduction() {
        if (ssthresh < Integer.MAX_VALUE && (caState == CaState.CWR || undoMarking())) {
            setCwnd(ssthresh);
        }
        caEvent(CaEvent.COMPLETE_CWR);
    }

    /** The RFC 6675 loss marking ({@code tcp_mark_head_lost}), lost retransmissions counted. */
    void sackMarkLost() {
        countLostRetransmits(sk.rtx().markHeadLost(sk.opts().mssCache()));
    }

    /** Retransmissions a loss marking found lost again ({@code TCPLostRetransmit}). */
    void countLostRetransmits(int lostRetransmits) {
        if (lostRetransmits > 0) {
            counters.add(TcpExtMib.TCPLostRetransmit, lostRetransmits);
        }
    }

    /** The stack's clock, for RACK's timing. */
    long nowNanos() {
        return clock.nanoTime();
    }

    /**
     * {@code tcp_rack_reo_timeout} (RFC 8985 6.3): the segments whose window passed are lost; recovery
     * starts if it had not, with PRR's step for one segment delivered. Returns whether any was lost.
     */
    boolean rackReoTimeout() {
        if (cc == null) {
            return false;
        }
        int priorLost = sk.rtx().lostTotal();
        RtxQueue.RackLoss loss = LossRecovery.RackRecovery.detectLoss(this);
        if (loss.marked() == 0) {
            return false;
        }
        if (caState != CaState.RECOVERY) {
            enterRecovery();
            cwndReduction(1, sk.rtx().lostTotal() - priorLost, false);
        }
        return true;
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
            endCwndReduction();
            tryKeepOpen();
        }
    }

    /**
     * {@code tcp_enter_cwr}: local congestion (the link's queue had no room for a segment): no
     * undo, and unless a reduction is on already, one begins, PRR carrying the window down.
     */
    void enterCwr() {
        if (undo != null) {
            undo.noUndo(caState.ordinal() < CaState.CWR.ordinal());
        }
        if (cc != null && caState.ordinal() < CaState.CWR.ordinal()) {
            initCwndReduction();
            setCaState(CaState.CWR);
        }
    }

    /** {@code tcp_init_cwnd_reduction}: the recovery point, PRR's counts, and ssthresh from the controller. */
    private void initCwndReduction() {
        highSeq = sk.snd().sndNxt();
        sk.rtx().rack().probeDone();
        cwndCount = 0;
        priorCwnd = cwnd;
        if (prr == null) {
            prr = new TcpCwndReduction();
        }
        prr.start();
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

    /**
     * {@code tcp_enter_recovery}: undo noted, and unless a reduction is on already (CWR), a
     * new one ({@code tcp_init_cwnd_reduction}) up to the recovery point.
     */
    void enterRecovery() {
        sk.rtx().rack().probeDone();
        initUndo();
        if (!inCwndReduction()) {
            initCwndReduction();
        }
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
            if (undo != null) {
                undo.stopMarking();
            }
            setCaState(CaState.LOSS);
        }
    }

    // ---- undo (tcp_init_undo, tcp_may_undo, tcp_undo_cwnd_reduction)

    /** {@code tcp_init_undo}: before a reduction, what it may have to go back to. */
    private void initUndo() {
        priorCwnd = cwnd;
        if (undo == null) {
            undo = new TcpUndo();
        }
        undo.initUndo(ssthresh, sk.snd().sndUna(), sk.rtx().retransOut());
    }

    /** Whether a reduction may still be undone ({@code tp->undo_marker != 0}). */
    private boolean undoMarking() {
        return undo != null && undo.marking();
    }

    /** A retransmission went out: one more to be proven needless before an undo ({@code undo_retrans}). */
    void onRetransmit() {
        if (undo == null) {
            return; // no reduction yet: the next one's tcp_init_undo forgets the stamp anyway
        }
        undo.onRetransmit();
        if (!undo.retransStamped() && sk.opts().tsOk()) {
            // retrans_stamp: the TSval of the first retransmission, for Eifel detection (RFC 3522).
            undo.retransStamp(sk.ts().tsVal(TcpTimestamps.tsNow(clock)));
        }
    }

    /**
     * A D-SACK (RFC 2883) for {@code [start, end)}: when every retransmission since the
     * reduction was reported needless so, recovery is undone at once ({@code tcp_try_undo_dsack},
     * RFC 3708) and left ({@code tcp_try_to_open}).
     */
    void tryUndoDsack(int start, int end) {
        if (undo != null && undo.dsack(end) && caState == CaState.RECOVERY && cc != null) {
            sk.rtx().rack().recoveryUndone();
            undoCwndReduction(TcpExtMib.TCPDSACKUndo);
            tryKeepOpen();
        }
    }

    /** {@code tcp_may_undo} then {@code tcp_undo_cwnd_reduction}; returns whether it undid. */
    private boolean mayUndo(int tsEcr, TcpExtMib counter) {
        if (undo == null || !undo.mayUndo(tsEcr)) {
            return false;
        }
        undoCwndReduction(counter);
        return true;
    }

    /** {@code tcp_undo_cwnd_reduction}: the window and ssthresh from before the reduction. */
    private void undoCwndReduction(TcpExtMib counter) {
        setCwnd(cc.undoCwnd(sk));
        if (undo.priorSsthresh() > ssthresh) {
            ssthresh = undo.priorSsthresh();
        }
        undo.stopMarking();
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
