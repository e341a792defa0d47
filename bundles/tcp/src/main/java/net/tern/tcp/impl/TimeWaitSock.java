package net.tern.tcp.impl;

/**
 * A connection in TIME-WAIT ({@code struct tcp_timewait_sock}): the few fields needed to
 * re-ACK a retransmitted FIN, reject old duplicates and judge a new SYN for the same
 * 4-tuple, without the full socket. Lives 2 * MSL (or its socket's own length); input (on any
 * thread) and its timer touch it under its monitor. What the connection left is final; TS.Recent ({@code tw_ts_recent},
 * {@code tw_ts_recent_stamp}), the timer that ends it ({@code tw_timer}) and the
 * out-of-window ACK limit change through their methods.
 */
final class TimeWaitSock extends MiniSock implements PortOwner {
    final int rcvNxt;
    final int sndNxt;
    final int rcvWnd;
    final int rcvWscale;
    /** How long this entry lives, and lives again when restarted (2 * MSL, or the socket's own length). */
    final long lengthMillis;
    /** When the connection entered TIME-WAIT, on the stack's clock ({@code tw_entry_stamp}); a restart keeps it. */
    final long entryNanos;
    private int ownerSlot = NOT_LISTED;
    /**
     * {@code tw_family} of an IPv4 connection: AF_INET6 when its socket was a dual-stack
     * AF_INET6 one (the key is IPv4's; {@code inet_diag} names it by IPv4-mapped addresses).
     * Set before the entry is hashed, which publishes it.
     */
    private boolean dualStack;

    TimeWaitSock(ConnKey key, int rcvNxt, int sndNxt, int rcvWnd, int rcvWscale, boolean tsOk, int tsRecent,
            long tsRecentStampNanos, int tsOffset, long lengthMillis, long entryNanos) {
        super(key, tsOk, new TcpTimestamps(tsOffset, tsRecent, tsRecentStampNanos));
        this.rcvNxt = rcvNxt;
        this.sndNxt = sndNxt;
        this.rcvWnd = rcvWnd;
        this.rcvWscale = rcvWscale;
        this.lengthMillis = lengthMillis;
        this.entryNanos = entryNanos;
    }

    /** Takes {@code tw_family} from the socket ({@code inet_twsk_alloc}): see {@link #dualStack()}. */
    void inheritFamily(int skFamily) {
        dualStack = skFamily == net.tern.api.socket.SocketConstants.AF_INET6 && !key.isV6();
    }

    /** Whether this IPv4 connection's socket was AF_INET6 (dual-stack). */
    boolean dualStack() {
        return dualStack;
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
