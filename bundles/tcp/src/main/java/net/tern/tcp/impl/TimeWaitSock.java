package net.tern.tcp.impl;

import net.tern.spi.net.Timeout;

/**
 * A connection in TIME-WAIT ({@code struct tcp_timewait_sock}): the few fields needed to
 * re-ACK a retransmitted FIN, reject old duplicates and judge a new SYN for the same
 * 4-tuple, without the full socket. Lives 2 * MSL; touched only on the network thread.
 */
final class TimeWaitSock implements PortOwner {
    final ConnKey key;
    final int rcvNxt;
    final int sndNxt;
    final int rcvWnd;
    final int rcvWscale;
    final boolean tsOk;
    /** The peer's last TSval taken ({@code tw_ts_recent}), and when ({@code tw_ts_recent_stamp}). */
    int tsRecent;
    long tsRecentStampNanos;
    final int tsOffset;
    Timeout timer;
    /** How long this entry lives, and lives again when restarted (2 * MSL, or the socket's own length). */
    long lengthMillis;
    /** When an ACK last answered an out-of-window segment ({@code tw_last_oow_ack_time}). */
    final long[] lastOowAckNanos = {Long.MIN_VALUE};
    private int ownerSlot = NOT_LISTED;

    TimeWaitSock(ConnKey key, int rcvNxt, int sndNxt, int rcvWnd, int rcvWscale, boolean tsOk, int tsRecent,
            long tsRecentStampNanos, int tsOffset) {
        this.key = key;
        this.rcvNxt = rcvNxt;
        this.sndNxt = sndNxt;
        this.rcvWnd = rcvWnd;
        this.rcvWscale = rcvWscale;
        this.tsOk = tsOk;
        this.tsRecent = tsRecent;
        this.tsRecentStampNanos = tsRecentStampNanos;
        this.tsOffset = tsOffset;
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
