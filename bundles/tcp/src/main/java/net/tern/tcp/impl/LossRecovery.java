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
     * RACK (RFC 8985 6) with SACK: losses are found by time ({@code tcp_rack_mark_lost}, as in
     * Linux's {@code tcp_recovery.c}) and recovery starts on the first (RFC 8985 6.3: on the
     * first loss RACK detects, not on a count of duplicate ACKs); without NextSeg() rules 3 and
     * 4: Linux resends only what RACK marked lost, and a lost tail is the tail loss probe's.
     */
    final class RackRecovery implements LossRecovery {
        @Override
        public boolean timeToRecover(TcpCongestion ca, int ack) {
            identifyLoss(ca, false);
            return ca.sock().rtx().lostOut() > 0;
        }

        /** RACK's part of {@code tcp_fastretrans_alert} ({@code tcp_identify_packet_loss}). */
        @Override
        public void identifyLoss(TcpCongestion ca, boolean advanced) {
            RtxQueue rtx = ca.sock().rtx();
            if (ca.caState() == CaState.OPEN && rtx.sackedOut() == 0 && rtx.lostOut() == 0) {
                // Not dubious (tcp_ack_is_dubious): in Open with nothing SACKed no segment can be
                // found lost, and the walk of the queue is spared on every cumulative ACK.
                return;
            }
            rackMarkLost(ca);
        }

        /**
         * {@code tcp_rack_mark_lost}: when a segment was delivered since the last look, marks what
         * RACK finds lost (RFC 8985 6.2), and arms the reorder timer ({@code ICSK_TIME_REO_TIMEOUT})
         * for the segments still inside their window: when the longest of them would be lost, plus
         * 2 ms, at most an RTO away.
         */
        private static void rackMarkLost(TcpCongestion ca) {
            TcpSock sk = ca.sock();
            if (!sk.rtx().rack().takeAdvanced()) {
                return;
            }
            RtxQueue.RackLoss loss = detectLoss(ca);
            if (loss.reoTimeoutUs() > 0) {
                long delayUs = loss.reoTimeoutUs() + Rack.TIMEOUT_MIN_US;
                sk.timers().armReoTimeoutDuringAck(Math.min(delayUs, sk.rtt().rtoUs()));
            }
        }

        /** {@code tcp_rack_detect_loss} with the window {@code tcp_rack_reo_wnd} gives now; lost retransmissions counted. */
        static RtxQueue.RackLoss detectLoss(TcpCongestion ca) {
            TcpSock sk = ca.sock();
            RtxQueue rtx = sk.rtx();
            long reoWndUs = rtx.rack().rackReoWnd(ca.caState(), rtx.sackedOut(), sk.rtt().minRttUs(), sk.rtt().srttUs());
            RtxQueue.RackLoss loss = rtx.rackDetectLoss(ca.nowNanos(), reoWndUs);
            ca.countLostRetransmits(loss.lostRetransmits());
            return loss;
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
