package net.tern.tcp.impl;

import net.tern.inet.route.Rtable;

/**
 * A half-open connection in a listener's SYN queue ({@code struct tcp_request_sock}, hashed
 * as {@code TCP_NEW_SYN_RECV}): what the SYN said and what the SYN-ACK answered, without a
 * full socket. Touched only on the network thread under the listener's lock. What the
 * handshake settled is final; what changes (the SYN-ACK's retransmissions and timer, the
 * out-of-window ACK limit) changes through its methods. Its timer is the SYN-ACK's
 * ({@code rsk_timer}); TS.Recent is the SYN's TSval.
 */
final class RequestSock extends MiniSock {
    final TcpSock listener;
    final int iss;
    final int irs;
    final int peerMss;
    final int peerWscale;
    final boolean sackOk;
    final int rcvWscale;
    final int advmss;
    final int rcvWnd;
    final Rtable route;
    /** SYN-ACKs sent again ({@code num_retrans}). */
    private int retransmits;
    /** When the first SYN-ACK left, for the RTT sample its ACK gives ({@code snt_synack}). */
    private long synAckSentNanos;
    /**
     * A SYN cookie's SYN-ACK carries a TSval encoding the options: {@code cookieTs}, a value
     * of the timestamp clock ({@code cookie_init_timestamp}), plus the timestamp offset.
     */
    private boolean cookieTimestamp;
    private int cookieTs;

    RequestSock(TcpSock listener, ConnKey key, int iss, int irs, int peerMss, int peerWscale, boolean sackOk,
            boolean tsOk, int tsRecent, long tsRecentStampNanos, int tsOffset, int rcvWscale, int advmss, int rcvWnd,
            Rtable route) {
        super(key, tsOk, new TcpTimestamps(tsOffset, tsRecent, tsRecentStampNanos));
        this.listener = listener;
        this.iss = iss;
        this.irs = irs;
        this.peerMss = peerMss;
        this.peerWscale = peerWscale;
        this.sackOk = sackOk;
        this.rcvWscale = rcvWscale;
        this.advmss = advmss;
        this.rcvWnd = rcvWnd;
        this.route = route;
    }

    /** SYN-ACKs sent again. */
    int retransmits() {
        return retransmits;
    }

    /** {@code reqsk_timer_handler}: the SYN-ACK goes again ({@code num_retrans++}). */
    void onSynAckRetransmit() {
        retransmits++;
    }

    /** When the first SYN-ACK left. */
    long synAckSentNanos() {
        return synAckSentNanos;
    }

    /** The first SYN-ACK left at {@code nowNanos} ({@code snt_synack}). */
    void synAckSent(long nowNanos) {
        synAckSentNanos = nowNanos;
    }

    /** A SYN cookie's SYN-ACK sends {@code ts} (plus the offset) as its TSval ({@code cookie_init_timestamp}). */
    void cookieTimestamp(int ts) {
        cookieTimestamp = true;
        cookieTs = ts;
    }

    /** The SYN-ACK's TSval when the timestamp clock reads {@code tsNow}: the cookie's, else the clock's, plus the offset. */
    int synAckTsVal(int tsNow) {
        return ts().tsVal(cookieTimestamp ? cookieTs : tsNow);
    }

    @Override
    public String toString() {
        return "request[" + key + "]";
    }
}
