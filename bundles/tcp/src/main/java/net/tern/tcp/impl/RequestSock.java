package net.tern.tcp.impl;

import net.tern.inet.route.Rtable;
import net.tern.spi.net.Timeout;

/**
 * A half-open connection in a listener's SYN queue ({@code struct tcp_request_sock}, hashed
 * as {@code TCP_NEW_SYN_RECV}): what the SYN said and what the SYN-ACK answered, without a
 * full socket. Touched only on the network thread under the listener's lock.
 */
final class RequestSock {
    final TcpSock listener;
    final ConnKey key;
    final int iss;
    final int irs;
    final int peerMss;
    final int peerWscale;
    final boolean sackOk;
    final boolean tsOk;
    final int tsRecent;
    /** When the SYN gave {@link #tsRecent}, for PAWS. */
    long tsRecentStampNanos;
    final int tsOffset;
    final int rcvWscale;
    final int advmss;
    final int rcvWnd;
    final Rtable route;
    int retransmits;
    /** When the first SYN-ACK left, for the RTT sample its ACK gives ({@code snt_synack}). */
    long synAckSentNanos;
    Timeout timer;
    /** When the SYN-ACK last answered a segment out of turn ({@code last_oow_ack_time}). */
    final long[] lastOowAckNanos = {Long.MIN_VALUE};
    /**
     * A SYN cookie's SYN-ACK carries a TSval encoding the options: {@code cookieTs}, a value
     * of the timestamp clock ({@code cookie_init_timestamp}), plus {@link #tsOffset}.
     */
    boolean cookieTimestamp;
    int cookieTs;

    RequestSock(TcpSock listener, ConnKey key, int iss, int irs, int peerMss, int peerWscale, boolean sackOk,
            boolean tsOk, int tsRecent, int tsOffset, int rcvWscale, int advmss, int rcvWnd, Rtable route) {
        this.listener = listener;
        this.key = key;
        this.iss = iss;
        this.irs = irs;
        this.peerMss = peerMss;
        this.peerWscale = peerWscale;
        this.sackOk = sackOk;
        this.tsOk = tsOk;
        this.tsRecent = tsRecent;
        this.tsOffset = tsOffset;
        this.rcvWscale = rcvWscale;
        this.advmss = advmss;
        this.rcvWnd = rcvWnd;
        this.route = route;
    }

    @Override
    public String toString() {
        return "request[" + key + "]";
    }
}
