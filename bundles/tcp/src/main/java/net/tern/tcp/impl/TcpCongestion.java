package net.tern.tcp.impl;

import java.util.function.Supplier;
import net.tern.spi.net.Clock;
import net.tern.tcp.cc.CaEvent;
import net.tern.tcp.cc.CaState;
import net.tern.tcp.cc.CongestionControl;

/**
 * Where TCP calls the congestion control hooks ({@code tcp_cong.c}, the recovery parts of
 * {@code tcp_input.c}): start of a connection, ACKs in Open/Disorder, entering Recovery on
 * three duplicate ACKs (NewReno, RFC 6582) or on the SACK scoreboard (RFC 6675), partial and
 * full ACKs, timeouts, undo of needless reductions, and switching algorithm.
 * Called under the socket lock.
 */
final class TcpCongestion {
    /** {@code tcp_reordering}: duplicate ACKs that mean a loss. */
    static final int DUPACK_THRESHOLD = 3;

    private final Supplier<TcpSettings> settings;
    private final CongestionRegistry registry;
    private final TcpCounters counters;
    private final Clock clock;

    TcpCongestion(Supplier<TcpSettings> settings, CongestionRegistry registry, TcpCounters counters, Clock clock) {
        this.settings = settings;
        this.registry = registry;
        this.counters = counters;
        this.clock = clock;
    }

    /** {@code tcp_init_congestion_control}: the initial window (RFC 6928) and the socket's algorithm. */
    void initCongestionControl(TcpSock sk) {
        sk.cwnd = settings.get().initialCwnd();
        sk.ssthresh = Integer.MAX_VALUE;
        sk.cwndCount = 0;
        sk.caState = CaState.OPEN;
        CongestionControl algorithm = sk.ccName == null ? null : registry.find(sk.ccName);
        if (algorithm == null) {
            algorithm = registry.defaultAlgorithm();
        }
        sk.ccAlgorithm = algorithm;
        sk.cc = algorithm.create(sk);
    }

    /** {@code tcp_reinit_congestion_control}: a new algorithm from the current window. */
    static void reinitCongestionControl(TcpSock sk, CongestionControl algorithm) {
        if (sk.cc != null) {
            sk.cc.release();
        }
        sk.ccAlgorithm = algorithm;
        sk.ccName = algorithm.name();
        sk.cc = sk.cwnd == 0 ? null : algorithm.create(sk);
    }

    /** {@code tcp_cleanup_congestion_control}: the controller is released. */
    static void cleanupCongestionControl(TcpSock sk) {
        if (sk.cc != null) {
            sk.cc.release();
            sk.cc = null;
        }
    }

    /** {@code tcp_set_ca_state}. */
    void setCaState(TcpSock sk, CaState state) {
        sk.caState = state;
        if (sk.cc != null) {
            sk.cc.setState(sk, state);
        }
    }

    /**
     * {@code tcp_cong_avoid} and what precedes it for newly acknowledged data: {@code pkts_acked},
     * the end of a recovery or a loss (with undo), then {@code cong_avoid}.
     */
    void congAvoid(TcpSock sk, int ackedSegments, long rttUs, boolean fullAck, int tsEcr) {
        if (sk.cc == null) {
            return;
        }
        sk.cc.pktsAcked(sk, ackedSegments, rttUs);
        switch (sk.caState) {
            case RECOVERY -> {
                if (fullAck) {
                    // tcp_try_undo_recovery, else tcp_end_cwnd_reduction: with SACK the window
                    // is ssthresh (RFC 6675 5); NewReno deflates to min(ssthresh, flight + 1)
                    // (RFC 6582 3.2 (3)). Not after a D-SACK undo during the recovery: the
                    // window was given back already.
                    if (!mayUndo(sk, tsEcr, TcpExtMib.TCPFullUndo) && sk.undoMarking) {
                        sk.cwnd(sk.sackOk ? sk.ssthresh : Math.min(sk.ssthresh, sk.packetsInFlight() + 1));
                    }
                    sk.dupAcks = 0;
                    setCaState(sk, CaState.OPEN);
                } else if (!sk.sackOk) {
                    // Partial ACK (RFC 6582 3.2 (5)): deflate by what was acked, add back one.
                    sk.cwnd(Math.max(1, sk.cwnd - ackedSegments + 1));
                }
            }
            case LOSS -> {
                // tcp_try_undo_loss: the ACK echoes the original transmission, the timeout was spurious.
                if (mayUndo(sk, tsEcr, TcpExtMib.TCPLossUndo)) {
                    sk.rtx().clearLost();
                    sk.dupAcks = 0;
                    setCaState(sk, CaState.OPEN);
                    return;
                }
                if (fullAck) {
                    setCaState(sk, CaState.OPEN);
                }
                sk.cc.congAvoid(sk, ackedSegments);
            }
            default -> {
                sk.dupAcks = 0;
                if (sk.caState == CaState.DISORDER && sk.rtx().sackedOut() == 0) {
                    setCaState(sk, CaState.OPEN);
                }
                sk.cc.congAvoid(sk, ackedSegments);
            }
        }
    }

    /**
     * A duplicate ACK. Returns true when the head should be retransmitted now: NewReno's fast
     * retransmit on the third in Open/Disorder (RFC 5681 3.2, RFC 6582 3.2 (2)). With SACK
     * the decision is {@link #fastretransAlert}'s, on the scoreboard.
     */
    boolean onDupAck(TcpSock sk, int ack) {
        if (sk.cc == null) {
            return false;
        }
        sk.dupAcks++;
        switch (sk.caState) {
            case RECOVERY -> {
                if (!sk.sackOk) {
                    sk.cwnd(sk.cwnd + 1); // window inflation, RFC 6582 3.2 (4)
                }
                return false;
            }
            case LOSS -> {
                return false;
            }
            default -> {
                if (sk.sackOk || sk.dupAcks < DUPACK_THRESHOLD) {
                    if (sk.caState == CaState.OPEN) {
                        setCaState(sk, CaState.DISORDER);
                    }
                    return false;
                }
                // RFC 6582 4.1: only if the ACK covers more than the last recovery point.
                if (!Seq.after(ack, sk.highSeq)) {
                    return false;
                }
                enterRecovery(sk);
                sk.cwnd(sk.ssthresh + DUPACK_THRESHOLD);
                return true;
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
    boolean fastretransAlert(TcpSock sk, int ack) {
        if (sk.cc == null) {
            return false;
        }
        int lostRetransmits = sk.rtx().markHeadLost(sk.mssCache);
        if (lostRetransmits > 0) {
            counters.add(TcpExtMib.TCPLostRetransmit, lostRetransmits);
        }
        CaState state = sk.caState;
        if (state != CaState.OPEN && state != CaState.DISORDER) {
            return false;
        }
        if (sk.rtx().sackedOut() > 0 && state == CaState.OPEN) {
            setCaState(sk, CaState.DISORDER);
        }
        if ((sk.rtx().lostOut() > 0 || sk.dupAcks >= DUPACK_THRESHOLD) && !Seq.before(ack, sk.highSeq)) {
            enterRecovery(sk);
            sk.cwnd(sk.ssthresh);
            return true;
        }
        return false;
    }

    /** {@code tcp_enter_recovery}: the window reduction and the recovery point, with undo noted. */
    private void enterRecovery(TcpSock sk) {
        initUndo(sk);
        sk.ssthresh = sk.cc.ssthresh(sk);
        sk.highSeq = sk.snd().sndMax();
        setCaState(sk, CaState.RECOVERY);
        counters.inc(sk.sackOk ? TcpExtMib.TCPSackRecovery : TcpExtMib.TCPRenoRecovery);
    }

    /** A retransmission timeout ({@code tcp_enter_loss}); the scoreboard was marked by {@link RtxQueue#markAllLost}. */
    void enterLoss(TcpSock sk) {
        if (sk.cc == null) {
            return;
        }
        if (sk.caState != CaState.LOSS || sk.backoff == 0) {
            initUndo(sk);
            sk.ssthresh = sk.cc.ssthresh(sk);
        }
        sk.cwnd(1);
        sk.cwndCount = 0;
        sk.dupAcks = 0;
        sk.highSeq = sk.snd().sndMax();
        setCaState(sk, CaState.LOSS);
        caEvent(sk, CaEvent.LOSS);
    }

    /**
     * {@code tcp_simple_retransmit}: the path MTU fell, so every segment longer than the MSS
     * now is lost (it was dropped on the way); they go again, split, without a window
     * reduction (this is not congestion) and without undo.
     */
    void simpleRetransmit(TcpSock sk) {
        sk.rtx().markOversizedLost(sk.mssCache);
        if (sk.caState != CaState.LOSS) {
            sk.highSeq = sk.snd().sndMax();
            sk.undoMarking = false;
            setCaState(sk, CaState.LOSS);
        }
    }

    // ---- undo (tcp_init_undo, tcp_may_undo, tcp_undo_cwnd_reduction)

    /**
     * {@code tcp_init_undo}: before a reduction, remember the window and ssthresh, and from
     * where retransmissions count, so a reduction that proves needless can be taken back.
     */
    private void initUndo(TcpSock sk) {
        sk.priorCwnd = sk.cwnd;
        sk.priorSsthresh = sk.ssthresh;
        sk.undoMarking = true;
        sk.undoMarker = sk.snd().sndUna();
        sk.undoRetrans = sk.rtx().retransOut() > 0 ? sk.rtx().retransOut() : -1;
        sk.retransTsVal = 0;
        sk.retransTsSet = false;
    }

    /** A retransmission went out: one more to be proven needless before an undo ({@code undo_retrans}). */
    void onRetransmit(TcpSock sk) {
        if (sk.undoMarking) {
            sk.undoRetrans = Math.max(sk.undoRetrans, 0) + 1;
        }
        if (!sk.retransTsSet && sk.tsOk) {
            // retrans_stamp: the TSval of the first retransmission, for Eifel detection (RFC 3522).
            sk.retransTsVal = TcpOutput.tsNow(clock) + sk.tsOffset;
            sk.retransTsSet = true;
        }
    }

    /**
     * A D-SACK (RFC 2883) for {@code [start, end)}: when it reports a retransmission since the
     * reduction arriving twice, that retransmission was needless ({@code tcp_check_dsack}).
     * When all were, recovery is undone at once ({@code tcp_try_undo_dsack}, RFC 3708).
     */
    void tryUndoDsack(TcpSock sk, int start, int end) {
        if (!sk.undoMarking || sk.undoRetrans <= 0 || !Seq.after(end, sk.undoMarker)) {
            return;
        }
        sk.undoRetrans--;
        if (sk.undoRetrans == 0 && sk.caState == CaState.RECOVERY && sk.cc != null) {
            undoCwndReduction(sk, TcpExtMib.TCPDSACKUndo);
        }
    }

    /**
     * {@code tcp_may_undo} then {@code tcp_undo_cwnd_reduction}: the reduction was needless
     * when every retransmission since it was reported a duplicate by D-SACK, or when the ACK
     * echoes a timestamp older than the first retransmission (Eifel, RFC 3522: the original
     * arrived). Returns whether it undid.
     */
    private boolean mayUndo(TcpSock sk, int tsEcr, TcpExtMib counter) {
        if (!sk.undoMarking) {
            return false;
        }
        boolean allDuplicates = sk.undoRetrans == 0;
        boolean delayed = sk.retransTsSet && tsEcr != 0 && tsEcr - sk.retransTsVal < 0;
        if (!allDuplicates && !delayed) {
            return false;
        }
        undoCwndReduction(sk, counter);
        return true;
    }

    /** {@code tcp_undo_cwnd_reduction}: the window and ssthresh from before the reduction. */
    private void undoCwndReduction(TcpSock sk, TcpExtMib counter) {
        sk.cwnd(sk.cc.undoCwnd(sk));
        if (sk.priorSsthresh > sk.ssthresh) {
            sk.ssthresh = sk.priorSsthresh;
        }
        sk.undoMarking = false;
        counters.inc(counter);
    }

    /**
     * {@code tcp_ca_event}: an event for the controller, such as the first transmission with
     * nothing in flight ({@code CA_EVENT_TX_START}) or a timeout ({@code CA_EVENT_LOSS}).
     */
    void caEvent(TcpSock sk, CaEvent event) {
        if (sk.cc != null) {
            sk.cc.cwndEvent(sk, event);
        }
    }
}
