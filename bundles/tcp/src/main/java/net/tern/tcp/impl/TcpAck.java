package net.tern.tcp.impl;

import static net.tern.wire.TcpPacket.FIN;

import java.util.function.Supplier;
import net.tern.spi.net.Clock;
import net.tern.wire.TcpOptions;

/**
 * The ACK of an incoming segment ({@code tcp_input.c}: {@code tcp_ack},
 * {@code tcp_ack_update_window}, {@code tcp_snd_una_update}, {@code tcp_clean_rtx_queue},
 * {@code tcp_replace_ts_recent}, {@code tcp_rtt_estimator}): what the sender learns from the
 * receiver. Runs on the network thread with the socket locked, from {@link TcpInput}.
 */
final class TcpAck {
    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpCounters counters;
    private final TcpMemory memory;
    private final TcpOutput output;
    private final TcpChallengeAck challengeAck;
    private final TcpSack sack;
    private final TcpTrace trace;

    TcpAck(Clock clock, Supplier<TcpSettings> settings, TcpCounters counters, TcpMemory memory, TcpOutput output,
            TcpChallengeAck challengeAck, TcpSack sack, TcpTrace trace) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        this.memory = memory;
        this.output = output;
        this.challengeAck = challengeAck;
        this.sack = sack;
        this.trace = trace;
    }

    /**
     * {@code tcp_ack}: the ACK field of a segment that passed validation. An ACK of data not
     * sent, or too old to be valid, draws a challenge ACK and the segment is dropped (returns
     * false); an old one is ignored. Otherwise: TS.Recent, the send window
     * ({@code tcp_ack_update_window}), the SACK scoreboard, then newly acknowledged data
     * ({@link #cleanRtxQueue}) or a duplicate ACK, loss recovery ({@code tcp_fastretrans_alert}),
     * and what the window lets go now ({@code tcp_write_xmit}).
     */
    boolean ack(TcpSock sk, Segment seg) {
        TcpOutput out = output;
        int ack = seg.ack();
        int priorUna = sk.snd().sndUna();
        // RFC 5961 5.2: an ACK of data not sent yet, or older than the peer could have seen
        // (snd_una - max_window, where the window is at most what was acknowledged so far, as
        // no ACK below the first byte can be valid), draws a challenge ACK and is dropped.
        if (Seq.after(ack, sk.snd().sndMax())
                || Seq.before(ack, priorUna - (int) Math.min(sk.snd().maxWindow(), sk.snd().bytesAcked()))) {
            challengeAck.sendChallengeAck(sk);
            return false;
        }
        if (Seq.before(ack, priorUna)) {
            oldAck(sk, seg);
            return true; // the data may still count
        }
        replaceTsRecent(sk, seg);
        sk.retries().onAckIn();
        sk.softError(null); // something got through: forget the ICMP error (tcp_ack)
        sk.stats().onAckIn(clock.nanoTime());
        boolean windowChanged = ackUpdateWindow(sk, seg);
        // RACK's state is read, not made, here: an ACK that delivers nothing leaves an idle connection without it.
        sk.rtx().rackStartAck();
        sk.timers().startAck();
        boolean priorPackets = !sk.rtx().isEmpty();
        int priorDelivered = sk.rtx().delivered();
        int priorLost = sk.rtx().lostTotal();
        int priorFack = sk.rtx().highestSackSeq(priorUna);
        int sackFlags = sk.opts().sackOk() ? sack.sacktagWriteQueue(sk, seg.options(), ack) : 0;
        boolean advanced = Seq.after(ack, priorUna);
        int dataAcked = 0;
        // The probe episode first: its window reduction comes before this ACK's growth, as
        // Linux's tcp_cong_control follows tcp_process_tlp_ack.
        processTlpAck(sk, ack, advanced, advanced || seg.dataLength() > 0 || windowChanged, sackFlags);
        if (advanced) {
            dataAcked = sndUnaUpdate(sk, ack, priorUna);
            cleanRtxQueue(sk, seg, ack, dataAcked);
            long reordLow = sk.rtx().takeReordLow();
            if (reordLow >= 0 && Seq.before((int) reordLow, priorFack)) {
                sack.checkSackReordering(sk, reordLow); // a hole below SACKed data filled by its original
            }
        }
        // A duplicate ACK: RFC 5681 2, or one that SACKs new data (RFC 6675 2), which may
        // ride on data.
        boolean dupAck = !advanced && ((seg.dataLength() == 0 && !windowChanged && !seg.has(FIN) && !sk.rtx().isEmpty())
                || (sackFlags & TcpSack.NEW_SACKED) != 0);
        if (sk.opts().sackOk()) {
            sk.rtx().rackUpdateReoWnd();
        }
        boolean reneged = sk.opts().sackOk() && sack.checkSackReneging(sk);
        if (!reneged) {
            int tsEcr = sk.opts().tsOk() && seg.options().timestamp ? seg.options().tsEcr : 0;
            sk.ca().fastretransAlert(ack, advanced, dupAck, tsEcr);
        }
        // tcp_cong_control: the window from what this ACK delivered; then what is lost goes
        // again as it lets (tcp_xmit_recovery), before new data.
        sk.ca().congControl(sk.rtx().delivered() - priorDelivered, sk.rtx().lostTotal() - priorLost, advanced,
                dataAcked > 0, (sackFlags & TcpSack.NEW_SACKED) != 0);
        if (priorPackets) { // tcp_cong_control ends with tcp_update_pacing_rate (tcp_ack's no_queue skips both)
            sk.tso().updatePacingRate(sk);
        }
        // The timer for what is in flight now, unless reneging or RACK's reorder timer set it.
        if (advanced && !reneged && !sk.timers().reoArmedByAck() && sk.timers().pending() != SockTimers.Pending.PROBE) {
            out.setXmitTimer(sk); // a probe timeout, else the retransmission timer (RFC 6298 5.2, 5.3)
        }
        if (sk.timers().pending() == SockTimers.Pending.PROBE && sk.snd().sndWnd() > 0) {
            sk.timers().clearXmitTimer();
            sk.retries().clearBackoff();
        }
        trace.ack(sk, priorUna);
        if (sk.noSpace()) {
            // tcp_new_space's growth with the flight this ACK left, before the data it lets go:
            // Linux 6.18 is seen to size the buffer so (data/sndbuf-growth.pkt).
            memory.tuning().newSpace(sk);
        }
        out.writeXmit(sk);
        memory.checkSpace(sk); // tcp_data_snd_check: push, then tcp_check_space
        return true;
    }

    /**
     * {@code tcp_ack}'s {@code old_ack}: an ACK below SND.UNA (reordered on the way) says
     * nothing of the cumulative point, but its SACK blocks still count: tagged, seen by loss
     * recovery, and what they free of the pipe goes at once (lost segments, then new data).
     */
    private void oldAck(TcpSock sk, Segment seg) {
        if (!sk.opts().sackOk() || seg.options().sackBlockCount == 0) {
            return;
        }
        sk.rtx().rackStartAck();
        sk.timers().startAck();
        sack.sacktagWriteQueue(sk, seg.options(), seg.ack());
        sk.rtx().rackUpdateReoWnd();
        int tsEcr = sk.opts().tsOk() && seg.options().timestamp ? seg.options().tsEcr : 0;
        sk.ca().fastretransAlert(seg.ack(), false, false, tsEcr);
        output.writeXmit(sk);
    }

    /**
     * {@code tcp_ack_update_window} (RFC 9293 3.10.7.4, fifth): the send window from a segment
     * newer than the last update (SND.WL1, SND.WL2). Returns whether the window changed.
     */
    private boolean ackUpdateWindow(TcpSock sk, Segment seg) {
        int maxWindow = sk.snd().maxWindow();
        boolean changed = sk.snd().ackUpdateWindow(seg.window() << sk.opts().sndWscale(), seg.seq(), seg.ack());
        if (sk.snd().maxWindow() > maxWindow) {
            sk.opts().boundToHalfWindow(sk.snd().maxWindow()); // tcp_sync_mss
        }
        if (changed && sk.snd().notSent() > 0) {
            // A window that changes under unsent data may let it go after idle: restart the window first.
            TcpCwndUsage.slowStartAfterIdleCheck(sk, settings.get(), clock.nanoTime());
        }
        return changed;
    }

    /**
     * {@code tcp_snd_una_update}: SND.UNA moves to {@code ack}; the acknowledged bytes leave
     * the send queue, and an acknowledged FIN is noted. Returns the data bytes acknowledged.
     */
    private static int sndUnaUpdate(TcpSock sk, int ack, int priorUna) {
        return sk.snd().sndUnaUpdate(ack);
    }

    /**
     * {@code tcp_clean_rtx_queue}: segments wholly acknowledged leave the retransmission queue
     * (with their scoreboard marks), a partly acknowledged head is trimmed; the RTT is sampled
     * (RFC 6298 with Karn's rule, RFC 7323 RTTM), the congestion window grows
     * ({@code pkts_acked}, {@code tcp_cong_avoid}), and the memory the acknowledged data held is free again.
     */
    private void cleanRtxQueue(TcpSock sk, Segment seg, int ack, int dataAcked) {
        long now = clock.nanoTime();
        int tsEcr = sk.opts().tsOk() && seg.options().timestamp ? seg.options().tsEcr : 0;
        int ackedSegments = sk.rtx().cleanAcked(ack, now, sk.rtt().minRttUs(), tsEcr, sk.ts().tsOffset(),
                sk.opts().sackOk());
        boolean retransmittedAcked = sk.rtx().ackedRetransmitted();
        long oldestSent = sk.rtx().ackedOldestSentNanos();
        // RTT (RFC 6298 with Karn's rule; RFC 7323 RTTM when a retransmission was acked).
        long rttUs = -1;
        if (!retransmittedAcked && oldestSent >= 0) {
            rttUs = Math.max(1, (now - oldestSent) / 1000);
        } else if (sk.opts().tsOk() && seg.options().timestamp && seg.options().tsEcr != 0) {
            long ms = (long) (sk.ts().tsVal(TcpTimestamps.tsNow(clock)) - seg.options().tsEcr);
            if (ms >= 0) {
                rttUs = Math.max(1, ms * 1000);
            }
        }
        if (rttUs > 0) {
            rttEstimator(sk, rttUs);
        }
        sk.retries().clearRetransmits();
        // pkts_acked's sample is the RTT of the newest segment ACKed (ca_rtt_us), which HyStart
        // reads: the oldest one's includes the time the segment waited behind the others.
        long newestSent = sk.rtx().ackedNewestSentNanos();
        long caRttUs = !retransmittedAcked && newestSent >= 0 ? Math.max(1, (now - newestSent) / 1000) : rttUs;
        if (!sk.opts().sackOk()) {
            RtxQueue rtx = sk.rtx(); // tcp_remove_reno_sacks: one filled the hole
            rtx.rack().countDelivered(rtx.renoSacks().removeRenoSacks(ackedSegments, rtx.size(), rtx.lostOut()));
        }
        sk.ca().pktsAcked(Math.max(1, ackedSegments), caRttUs);
        if (sk.rtx().isEmpty()) {
            sk.chronoStop(TcpChrono.BUSY, now);
        }
        // The memory acknowledged data held is free again: the sender may queue more.
        sk.snd().memoryLimited(false);
        memory.settleSend(sk);
        memory.reclaimIdle(sk);
        sk.publishQueues();
    }

    /** {@code tcp_rtt_estimator} and {@code tcp_set_rto} (RFC 6298 2), with Linux's floor on the variance term. */
    void rttEstimator(TcpSock sk, long rttUs) {
        TcpSettings s = settings.get();
        sk.rtt().sample(rttUs, s.rtoMinMillis() * 1000, s.rtoMaxMillis() * 1000);
    }

    /**
     * {@code tcp_replace_ts_recent} (RFC 7323 4.3): TS.Recent from a segment at or before the
     * last ACK sent, once its ACK has been found valid, and never back (a TSval inside the
     * PAWS window but behind TS.Recent passes the check without becoming TS.Recent).
     */
    private void replaceTsRecent(TcpSock sk, Segment seg) {
        TcpOptions o = seg.options();
        if (sk.opts().tsOk() && o.timestamp && !Seq.after(seg.seq(), sk.rcv().rcvWup())
                && sk.ts().pawsCheck(o.tsVal, 0, clock.nanoTime())) {
            sk.ts().storeTsRecent(o.tsVal, clock.nanoTime());
        }
    }

    /**
     * {@code tcp_process_tlp_ack} (RFC 8985 7.4): how an ACK at or above the point the probe
     * left ends a probe episode. A probe of new data, a D-SACK of the probe, or a pure
     * duplicate ACK (the probe and the original both arrived) end it: nothing was lost. An ACK
     * beyond it, for a retransmitted probe, means the probe repaired a loss: the window is
     * reduced once ({@code tcp_init_cwnd_reduction}, CWR, {@code tcp_end_cwnd_reduction}),
     * counted as {@code TCPLossProbeRecovery}.
     *
     * @param advanced   the ACK moved snd_una
     * @param notDuplicate the segment carried data or a window update, or acknowledged something ({@code FLAG_NOT_DUP})
     * @param sackFlags  what {@link TcpSack#sacktagWriteQueue} reported
     */
    void processTlpAck(TcpSock sk, int ack, boolean advanced, boolean notDuplicate, int sackFlags) {
        Rack rack = sk.rtx().rackIfMade();
        if (rack == null || !rack.tlpOut() || Seq.before(ack, rack.tlpHighSeq())) {
            return;
        }
        if (!rack.tlpRetrans() || (sackFlags & TcpSack.DSACK_TLP) != 0) {
            rack.probeDone();
        } else if (Seq.after(ack, rack.tlpHighSeq())) {
            rack.probeDone();
            sk.ca().reduceAfterLossProbe();
            counters.inc(TcpExtMib.TCPLossProbeRecovery);
        } else if (!advanced && !notDuplicate && (sackFlags & TcpSack.NEW_SACKED) == 0) {
            rack.probeDone();
        }
    }
}
