package net.tern.tcp.impl;

import net.tern.tcp.cc.CaEvent;
import net.tern.tcp.cc.CaState;
import net.tern.tcp.cc.CongestionControl;

/**
 * Where TCP calls the congestion control hooks ({@code tcp_cong.c}, the NewReno parts of
 * {@code tcp_input.c}): start of a connection, ACKs in Open/Disorder, entering Recovery on
 * three duplicate ACKs (RFC 6582), partial and full ACKs, timeouts, and switching algorithm.
 * Called under the socket lock.
 */
final class TcpCongestion {
    /** {@code tcp_reordering}: duplicate ACKs that mean a loss. */
    static final int DUPACK_THRESHOLD = 3;

    private TcpCongestion() {
    }

    /** {@code tcp_init_congestion_control}: the initial window (RFC 6928) and the socket's algorithm. */
    static void init(TcpSock sk) {
        sk.cwnd = sk.tcp.settings().initialCwnd();
        sk.ssthresh = Integer.MAX_VALUE;
        sk.cwndCount = 0;
        sk.caState = CaState.OPEN;
        CongestionControl algorithm = sk.ccName == null ? null : sk.tcp.congestion().find(sk.ccName);
        if (algorithm == null) {
            algorithm = sk.tcp.congestion().defaultAlgorithm();
        }
        sk.ccAlgorithm = algorithm;
        sk.cc = algorithm.create(sk);
    }

    /** {@code tcp_reinit_congestion_control}: a new algorithm from the current window. */
    static void switchTo(TcpSock sk, CongestionControl algorithm) {
        if (sk.cc != null) {
            sk.cc.release();
        }
        sk.ccAlgorithm = algorithm;
        sk.ccName = algorithm.name();
        sk.cc = sk.cwnd == 0 ? null : algorithm.create(sk);
    }

    static void release(TcpSock sk) {
        if (sk.cc != null) {
            sk.cc.release();
            sk.cc = null;
        }
    }

    static void setState(TcpSock sk, CaState state) {
        sk.caState = state;
        if (sk.cc != null) {
            sk.cc.setState(sk, state);
        }
    }

    /** New data acknowledged: {@code pkts_acked}, then {@code cong_avoid} (or NewReno's recovery). */
    static void onAck(TcpSock sk, int ackedSegments, long rttUs, boolean fullAck) {
        if (sk.cc == null) {
            return;
        }
        sk.cc.pktsAcked(sk, ackedSegments, rttUs);
        switch (sk.caState) {
            case RECOVERY -> {
                if (fullAck) {
                    // RFC 6582 3.2 (3): deflate to min(ssthresh, flight + 1 MSS) and leave recovery.
                    sk.cwnd(Math.min(sk.ssthresh, sk.packetsInFlight() + 1));
                    sk.dupAcks = 0;
                    setState(sk, CaState.OPEN);
                } else {
                    // Partial ACK (RFC 6582 3.2 (5)): deflate by what was acked, add back one.
                    sk.cwnd(Math.max(1, sk.cwnd - ackedSegments + 1));
                }
            }
            case LOSS -> {
                if (fullAck) {
                    setState(sk, CaState.OPEN);
                }
                sk.cc.congAvoid(sk, ackedSegments);
            }
            default -> {
                sk.dupAcks = 0;
                if (sk.caState == CaState.DISORDER) {
                    setState(sk, CaState.OPEN);
                }
                sk.cc.congAvoid(sk, ackedSegments);
            }
        }
    }

    /**
     * A duplicate ACK. Returns true when the head should be retransmitted now (the third in
     * Open/Disorder: fast retransmit, RFC 5681 3.2 / RFC 6582 3.2 (2)).
     */
    static boolean onDupAck(TcpSock sk, int ack) {
        if (sk.cc == null) {
            return false;
        }
        sk.dupAcks++;
        switch (sk.caState) {
            case RECOVERY -> {
                sk.cwnd(sk.cwnd + 1); // window inflation, RFC 6582 3.2 (4)
                return false;
            }
            case LOSS -> {
                return false;
            }
            default -> {
                if (sk.dupAcks < DUPACK_THRESHOLD) {
                    if (sk.caState == CaState.OPEN) {
                        setState(sk, CaState.DISORDER);
                    }
                    return false;
                }
                // RFC 6582 4.1: only if the ACK covers more than the last recovery point.
                if (!Seq.after(ack, sk.highSeq)) {
                    return false;
                }
                sk.priorCwnd = sk.cwnd;
                sk.ssthresh = sk.cc.ssthresh(sk);
                sk.highSeq = sk.sndMax;
                sk.cwnd(sk.ssthresh + DUPACK_THRESHOLD);
                setState(sk, CaState.RECOVERY);
                sk.tcp.counters().inc(sk.sackOk ? TcpExtMib.TCPSackRecovery : TcpExtMib.TCPRenoRecovery);
                return true;
            }
        }
    }

    /** A retransmission timeout ({@code tcp_enter_loss}). */
    static void onTimeout(TcpSock sk) {
        if (sk.cc == null) {
            return;
        }
        if (sk.caState != CaState.LOSS || sk.backoff == 0) {
            sk.priorCwnd = sk.cwnd;
            sk.ssthresh = sk.cc.ssthresh(sk);
        }
        sk.cwnd(1);
        sk.cwndCount = 0;
        sk.dupAcks = 0;
        sk.highSeq = sk.sndMax;
        setState(sk, CaState.LOSS);
        sk.cc.cwndEvent(sk, CaEvent.LOSS);
    }

    /** The first transmission with nothing in flight ({@code CA_EVENT_TX_START}). */
    static void onTxStart(TcpSock sk) {
        if (sk.cc != null) {
            sk.cc.cwndEvent(sk, CaEvent.TX_START);
        }
    }
}
