package net.tern.tcp.impl;

import net.tern.tcp.cc.CaState;

/**
 * Loss recovery behind one interface, as gVisor's {@code recovery} (its {@code sackRecovery}
 * and {@code renoRecovery}) and Linux's {@code tcp_is_sack} branches of
 * {@code tcp_fastretrans_alert}: what duplicate and partial ACKs do, when recovery starts,
 * the window it ends with, and what may be sent when nothing else can.
 */
interface LossRecovery {
    /**
     * Loss detection in Open or Disorder ({@code tcp_identify_packet_loss}), then whether
     * recovery starts now ({@code tcp_time_to_recover}).
     */
    boolean timeToRecover(TcpCongestion ca, int ack);

    /** Loss detection during Recovery or Loss; {@code advanced}: the ACK moved SND.UNA (a partial ACK). */
    void identifyLoss(TcpCongestion ca, boolean advanced);

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

    /**
     * Without SACK, as Linux: duplicate ACKs count as segments held by the receiver
     * ({@link RtxQueue#addRenoSack}); at DupThresh of them the head is lost and recovery
     * starts (RFC 5681 3.2); in recovery each partial ACK marks the new head lost (RFC 6582
     * 3.2 (5), {@code tcp_newreno_mark_lost}). The retransmissions go as PRR lets them.
     */
    final class NewReno implements LossRecovery {
        @Override
        public boolean timeToRecover(TcpCongestion ca, int ack) {
            RtxQueue rtx = ca.sock().rtx();
            if (rtx.sackedOut() >= TcpCongestion.DUPACK_THRESHOLD) {
                rtx.markSkbLost();
            }
            return rtx.lostOut() > 0;
        }

        @Override
        public void identifyLoss(TcpCongestion ca, boolean advanced) {
            if (advanced && ca.caState() == CaState.RECOVERY) {
                ca.sock().rtx().markSkbLost();
            }
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

    /**
     * RFC 6675 with SACK ({@code tcp_recovery} 0): a segment is lost once DupThresh segments
     * above it are SACKed; recovery starts on a loss or on DupThresh duplicate ACKs (RFC 6675
     * 5), but not before the cumulative ACK reached the last recovery point (5.1).
     */
    final class Sack implements LossRecovery {
        @Override
        public boolean timeToRecover(TcpCongestion ca, int ack) {
            ca.sackMarkLost();
            return (ca.sock().rtx().lostOut() > 0 || ca.dupAcks() >= TcpCongestion.DUPACK_THRESHOLD)
                    && !Seq.before(ack, ca.highSeq());
        }

        @Override
        public void identifyLoss(TcpCongestion ca, boolean advanced) {
            ca.sackMarkLost();
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
     * RACK (RFC 8985 6) with SACK: losses are found by time ({@link TcpCongestion#rackIdentifyLoss})
     * and recovery starts on the first; without NextSeg() rules 3 and 4: Linux resends only
     * what RACK marked lost, and a lost tail is the tail loss probe's.
     */
    final class RackRecovery implements LossRecovery {
        @Override
        public boolean timeToRecover(TcpCongestion ca, int ack) {
            ca.rackIdentifyLoss();
            return ca.sock().rtx().lostOut() > 0;
        }

        @Override
        public void identifyLoss(TcpCongestion ca, boolean advanced) {
            ca.rackIdentifyLoss();
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
