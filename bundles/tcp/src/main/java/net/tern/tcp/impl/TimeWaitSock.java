package net.tern.tcp.impl;

import net.tern.spi.net.Timeout;

/**
 * A connection in TIME-WAIT ({@code struct tcp_timewait_sock}): the few fields needed to
 * re-ACK a retransmitted FIN, reject old duplicates and judge a new SYN for the same
 * 4-tuple, without the full socket. Lives 2 * MSL (or its socket's own length); touched only
 * on the network thread. What the connection left is final; TS.Recent, the timer and the
 * out-of-window ACK limit change through their methods.
 */
final class TimeWaitSock implements PortOwner {
    final ConnKey key;
    final int rcvNxt;
    final int sndNxt;
    final int rcvWnd;
    final int rcvWscale;
    final boolean tsOk;
    /** How long this entry lives, and lives again when restarted (2 * MSL, or the socket's own length). */
    final long lengthMillis;
    /** The peer's last TSval taken ({@code tw_ts_recent}, {@code tw_ts_recent_stamp}), and the timestamp offset. */
    private final TcpTimestamps ts;
    private Timeout timer;
    /** When an ACK last answered an out-of-window segment ({@code tw_last_oow_ack_time}). */
    private final OowRateLimit oowRateLimit = new OowRateLimit();
    private int ownerSlot = NOT_LISTED;

    TimeWaitSock(ConnKey key, int rcvNxt, int sndNxt, int rcvWnd, int rcvWscale, boolean tsOk, int tsRecent,
            long tsRecentStampNanos, int tsOffset, long lengthMillis) {
        this.key = key;
        this.rcvNxt = rcvNxt;
        this.sndNxt = sndNxt;
        this.rcvWnd = rcvWnd;
        this.rcvWscale = rcvWscale;
        this.tsOk = tsOk;
        this.ts = new TcpTimestamps(tsOffset, tsRecent, tsRecentStampNanos);
        this.lengthMillis = lengthMillis;
    }

    /** TS.Recent with its stamp, and the timestamp offset. */
    TcpTimestamps ts() {
        return ts;
    }

    /** The timer that ends the entry, or null before it is first armed. */
    Timeout timer() {
        return timer;
    }

    /** {@code next} is the timer that ends the entry now. */
    void setTimer(Timeout next) {
        timer = next;
    }

    /** Cancels the timer, if armed. */
    void cancelTimer() {
        if (timer != null) {
            timer.cancel();
        }
    }

    /** When an ACK last answered a segment out of turn ({@code tw_last_oow_ack_time}). */
    OowRateLimit oowRateLimit() {
        return oowRateLimit;
    }

    @Override
    public int ownerSlot() {
        return ownerSlot;
    }

    @Override
    public void ownerSlot(int slot) {
        ownerSlot = slot;
    }

    @Override
    public String toString() {
        return "time-wait[" + key + "]";
    }
}
