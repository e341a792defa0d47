package net.tern.tcp.impl;

import static net.tern.wire.TcpPacket.ACK;

/**
 * PAWS, protection against wrapped sequence numbers (RFC 7323 5), as Linux's
 * {@code tcp_paws_check} and {@code tcp_paws_reject} ({@code include/net/tcp.h}) judge it for
 * connections, requests and TIME-WAIT entries alike.
 */
final class TcpPaws {
    /** RFC 7323 5.5: a TS.Recent older than 24 days is not trusted for PAWS ({@code TCP_PAWS_24DAYS}). */
    private static final long PAWS_24DAYS_NANOS = 24L * 24 * 3600 * 1_000_000_000L;
    /**
     * {@code TCP_PAWS_MSL}: once TS.Recent of a TIME-WAIT entry is this old, a RST is judged by
     * its sequence number alone, so a peer whose clock went back (a reboot) can still end it.
     */
    private static final long PAWS_MSL_NANOS = 60L * 1_000_000_000L;
    /** {@code TCP_PAWS_WINDOW}: a connection takes a TSval this many ticks behind TS.Recent. */
    static final int PAWS_WINDOW = 1;

    private TcpPaws() {
    }

    /**
     * {@code tcp_paws_check}: whether {@code tsVal} passes PAWS against {@code tsRecent}, taken
     * at {@code stampNanos}: it is at most {@code window} ticks behind, or TS.Recent is not to be
     * trusted, being older than 24 days (RFC 7323 5.5) or 0 (some stacks send TSval 0 in their
     * SYN and real values after).
     */
    static boolean pawsCheck(int tsRecent, long stampNanos, int tsVal, int window, long nowNanos) {
        return tsRecent - tsVal <= window || nowNanos - stampNanos >= PAWS_24DAYS_NANOS || tsRecent == 0;
    }

    /**
     * {@code tcp_paws_reject}: PAWS for a TIME-WAIT entry or a request takes no TSval behind
     * TS.Recent; a RST is judged by its sequence number alone once TS.Recent is older than
     * {@code TCP_PAWS_MSL}.
     */
    static boolean pawsReject(int tsRecent, long stampNanos, int tsVal, boolean rst, long nowNanos) {
        if (pawsCheck(tsRecent, stampNanos, tsVal, 0, nowNanos)) {
            return false;
        }
        return !(rst && nowNanos - stampNanos >= PAWS_MSL_NANOS);
    }

    /** What a segment failing PAWS turns out to be ({@code tcp_disordered_ack_check}). */
    enum PawsFailure {
        /** A duplicate ACK reordered behind newer segments: processed as if it had passed. */
        DISORDERED_ACK,
        /** A pure ACK below {@code rcv_nxt}: dropped silently ({@code PAWSOldAck}), old ACKs being common. */
        OLD_ACK,
        /** Anything else: dropped and answered with a duplicate ACK ({@code PAWSEstab}). */
        REJECTED
    }

    /**
     * {@code tcp_disordered_ack_check}: a pure duplicate ACK at {@code rcv_nxt} that changes no
     * window and is behind TS.Recent by less than the replay window (RTO ticks times 1.2, as
     * Linux's {@code tcp_tsval_replay} allows for peers with a 1200 Hz clock) only came late;
     * RFC 7323 5.3 lets it through, as dropping it would lose its information.
     */
    static PawsFailure disorderedAckCheck(TcpSock sk, Segment seg) {
        if (!seg.has(ACK) || seg.length() != 0) {
            return PawsFailure.REJECTED;
        }
        if (seg.seq() != sk.rcv().rcvNxt()) {
            return Seq.before(seg.seq(), sk.rcv().rcvNxt()) ? PawsFailure.OLD_ACK : PawsFailure.REJECTED;
        }
        if (seg.ack() != sk.snd().sndUna()) {
            return PawsFailure.REJECTED;
        }
        int window = seg.window() << sk.opts().sndWscale();
        if (Seq.after(seg.seq(), sk.snd().sndWl1()) || (seg.seq() == sk.snd().sndWl1() && (window > sk.snd().sndWnd() || window == 0))) {
            return PawsFailure.REJECTED; // tcp_may_update_window: it may carry a window update
        }
        long replayTicks = sk.rtt().rtoUs() * 12 / 10_000;
        return sk.ts().tsRecent() - seg.options().tsVal > replayTicks ? PawsFailure.REJECTED : PawsFailure.DISORDERED_ACK;
    }
}
