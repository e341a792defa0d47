package net.tern.tcp.impl;

import net.tern.tcp.cc.CaState;

/**
 * Loss recovery behind one interface, as gVisor's {@code recovery} (its {@code sackRecovery}
 * and {@code renoRecovery}) and Linux's {@code tcp_is_sack} branches of
 * {@code tcp_fastretrans_alert}: what duplicate and partial ACKs do, when recovery starts,
 * the window it ends with, and what may be sent when nothing else can.
 */
interface LossRecovery {
    /** A duplicate ACK in Open or Disorder (counted already); returns whether recovery starts and the head goes again now. */
    boolean dupAck(TcpCongestion ca, int ack);

    /** A duplicate ACK during recovery. */
    void dupAckInRecovery(TcpCongestion ca);

    /** After the ACK's SACK blocks were taken ({@code tcp_fastretrans_alert}); returns whether recovery starts and the head goes again now. */
    boolean alert(TcpCongestion ca, int ack);

    /** An ACK during recovery that left data below the recovery point, having acknowledged {@code ackedSegments}. */
    void partialAck(TcpCongestion ca, int ackedSegments);

    /** Whether such a partial ACK sends the next segment at once. */
    boolean partialAckRetransmitsHead();

    /** The window when recovery ends with an ACK of everything up to the recovery point. */
    int windowAtExit(TcpCongestion ca);

    /** Whether RFC 6675 NextSeg() rules 3 and 4 may resend something when no lost segment nor new data can go. */
    boolean lastResort(TcpCongestion ca);

    /** The counter of a recovery entered ({@code TCPSackRecovery}, {@code TCPRenoRecovery}). */
    TcpExtMib recoveryCounter();


    /** NewReno (RFC 6582, RFC 5681 3.2) for connections without SACK. */
    LossRecovery NEW_RENO = new NewReno();

    /** RFC 6675 for connections with SACK. */
    LossRecovery SACK = new Sack();

    /** RACK (RFC 8985) for connections with SACK, Linux's default. */
    LossRecovery RACK = new RackRecovery();

    final class NewReno implements LossRecovery {
        @Override
        public boolean dupAck(TcpCongestion ca, int ack) {
            if (ca.dupAcks() < TcpCongestion.DUPACK_THRESHOLD) {
                if (ca.caState() == CaState.OPEN) {
                    ca.setCaState(CaState.DISORDER);
                }
                return false;
            }
            // RFC 6582 4.1: only if the ACK covers more than the last recovery point.
            if (!Seq.after(ack, ca.highSeq())) {
                return false;
            }
            ca.enterRecovery();
            ca.setCwnd(ca.ssthresh() + TcpCongestion.DUPACK_THRESHOLD); // fast retransmit, RFC 6582 3.2 (2)
            return true;
        }

        @Override
        public void dupAckInRecovery(TcpCongestion ca) {
            ca.setCwnd(ca.cwnd() + 1); // window inflation, RFC 6582 3.2 (4)
        }

        @Override
        public boolean alert(TcpCongestion ca, int ack) {
            return false; // no scoreboard: the duplicate ACKs decide
        }

        @Override
        public void partialAck(TcpCongestion ca, int ackedSegments) {
            // RFC 6582 3.2 (5): deflate by what was acked, add back one.
            ca.setCwnd(Math.max(1, ca.cwnd() - ackedSegments + 1));
        }

        @Override
        public boolean partialAckRetransmitsHead() {
            return true; // RFC 6582 3.2 (5)
        }

        @Override
        public int windowAtExit(TcpCongestion ca) {
            return Math.min(ca.ssthresh(), ca.sock().packetsInFlight() + 1); // RFC 6582 3.2 (3)
        }

        @Override
        public boolean lastResort(TcpCongestion ca) {
            return false;
        }

        @Override
        public TcpExtMib recoveryCounter() {
            return TcpExtMib.TCPRenoRecovery;
        }
    }

    final class Sack implements LossRecovery {
        @Override
        public boolean dupAck(TcpCongestion ca, int ack) {
            // The scoreboard decides (alert); a duplicate ACK only leaves Open.
            if (ca.caState() == CaState.OPEN) {
                ca.setCaState(CaState.DISORDER);
            }
            return false;
        }

        @Override
        public void dupAckInRecovery(TcpCongestion ca) {
            // The pipe, not the window, grows with what the receiver holds (RFC 6675 5).
        }

        @Override
        public boolean alert(TcpCongestion ca, int ack) {
            return ca.sackAlert(ack);
        }

        @Override
        public void partialAck(TcpCongestion ca, int ackedSegments) {
            // The window stays at ssthresh; the pipe lets the next lost segments go (RFC 6675 5).
        }

        @Override
        public boolean partialAckRetransmitsHead() {
            return false;
        }

        @Override
        public int windowAtExit(TcpCongestion ca) {
            return ca.ssthresh(); // RFC 6675 5
        }

        @Override
        public boolean lastResort(TcpCongestion ca) {
            return ca.sock().rtx().sackedOut() > 0 && ca.caState() == CaState.RECOVERY;
        }

        @Override
        public TcpExtMib recoveryCounter() {
            return TcpExtMib.TCPSackRecovery;
        }
    }

    /**
     * RACK (RFC 8985 6) with SACK: losses are found by time ({@link TcpCongestion#rackAlert}); recovery, the
     * window and its exit are RFC 6675's, but without NextSeg() rules 3 and 4: Linux resends
     * only what RACK marked lost, and a lost tail is the tail loss probe's.
     */
    final class RackRecovery implements LossRecovery {
        @Override
        public boolean dupAck(TcpCongestion ca, int ack) {
            return SACK.dupAck(ca, ack);
        }

        @Override
        public void dupAckInRecovery(TcpCongestion ca) {
            SACK.dupAckInRecovery(ca);
        }

        @Override
        public boolean alert(TcpCongestion ca, int ack) {
            return ca.rackAlert();
        }

        @Override
        public void partialAck(TcpCongestion ca, int ackedSegments) {
            SACK.partialAck(ca, ackedSegments);
        }

        @Override
        public boolean partialAckRetransmitsHead() {
            return false;
        }

        @Override
        public int windowAtExit(TcpCongestion ca) {
            return SACK.windowAtExit(ca);
        }

        @Override
        public boolean lastResort(TcpCongestion ca) {
            return false;
        }

        @Override
        public TcpExtMib recoveryCounter() {
            return TcpExtMib.TCPSackRecovery;
        }
    }
}
