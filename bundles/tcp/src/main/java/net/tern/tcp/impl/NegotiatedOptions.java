package net.tern.tcp.impl;

import net.tern.wire.TcpOptions;

/**
 * What a connection's handshake settled (Linux's {@code rx_opt}, {@code struct
 * tcp_options_received}, with {@code mss_cache}, {@code advmss} and {@code icsk_ack.rcv_mss}):
 * whether window scaling, timestamps and SACK are on and the two scale shifts, the MSS this
 * end advertised, the payload a segment of ours carries, the peer's segment size as seen,
 * and the user's {@code TCP_MAXSEG} limit. Set by {@code tcp_connect_init} and the handshake
 * ({@link #synsentNegotiate}, {@link #openreqInit}); afterwards only an ICMP "fragmentation
 * needed" lowers the MSS ({@link #reduceMss}).
 *
 * <p>Used under the socket lock.
 */
final class NegotiatedOptions {
    /** The MSS before a route is known (RFC 9293 3.7.1's default). */
    static final int DEFAULT_MSS = 536;

    /** {@code TCP_MAXSEG}: a cap on the MSS, or 0 for none ({@code rx_opt.user_mss}). */
    private int userMss;
    /** {@code icsk_af_ops->net_header_len}: 20 over IPv4, 40 over IPv6, which the MSS leaves out of the MTU. */
    private int netHeaderLength = TcpWindow.IPV4_HEADER;
    /** The MSS our SYN (or SYN-ACK) advertised ({@code advmss}). */
    private int advmss = DEFAULT_MSS;
    /** The payload of a full-sized segment we send, options taken off ({@code mss_cache}). */
    private int mssCache = DEFAULT_MSS;
    /** The payload the path and the peer's MSS allow, before the half-window bound ({@code tcp_mtu_to_mss}). */
    private int pathMss = DEFAULT_MSS;
    /** The peer's segment size as we guess it ({@code icsk_ack.rcv_mss}), for delayed ACKs. */
    private int rcvMss = DEFAULT_MSS;
    private boolean wscaleOk;
    private int sndWscale;
    private int rcvWscale;
    private boolean tsOk;
    private boolean sackOk;

    // ---- what others read

    int userMss() {
        return userMss;
    }

    int advmss() {
        return advmss;
    }

    /** {@code mss_cache}: the payload per segment sent, the path's MSS within half the peer's largest window. */
    int mssCache() {
        return mssCache;
    }

    int rcvMss() {
        return rcvMss;
    }

    /**
     * {@code rx_opt.mss_clamp} as far as it bounds a segment: the path's MSS before the
     * timestamp option takes its share, and not bounded by the peer's window.
     */
    int mssClamp() {
        return pathMss + (tsOk ? TcpOptions.TIMESTAMP_ALIGNED_LENGTH : 0);
    }

    boolean wscaleOk() {
        return wscaleOk;
    }

    /** The peer's window shift: its window fields are scaled by it. */
    int sndWscale() {
        return sndWscale;
    }

    /** Our window shift: the windows we send are scaled by it. */
    int rcvWscale() {
        return rcvWscale;
    }

    boolean tsOk() {
        return tsOk;
    }

    boolean sackOk() {
        return sackOk;
    }

    // ---- changes

    /** {@code setsockopt(TCP_MAXSEG)}, already checked; a child takes its listener's. */
    void setUserMss(int mss) {
        userMss = mss;
    }

    void netHeaderLength(int value) {
        this.netHeaderLength = value;
    }

    /**
     * {@code tcp_connect_init}: our SYN advertises the route's MSS (capped by
     * {@code TCP_MAXSEG}) and offers {@code rcvWscale}; until the SYN-ACK says more, we send
     * segments of that size and expect 536 bytes.
     */
    void connectInit(int mtu, int rcvWscale) {
        advmss = TcpWindow.advertiseMss(mtu, userMss, netHeaderLength);
        mssCache = advmss;
        pathMss = advmss;
        rcvMss = Math.min(advmss, DEFAULT_MSS);
        this.rcvWscale = rcvWscale;
    }

    /**
     * The SYN-ACK's options as {@code tcp_rcv_synsent_state_process} takes them: each
     * option on when both ends offered it (the peer's shift {@code peerWscale}, -1 when it
     * sent none; without scaling ours is 0 too), and the MSS from the peer's and the route's.
     */
    void synsentNegotiate(boolean wscaleOk, int peerWscale, boolean tsOk, boolean sackOk, int peerMss, int mtu) {
        this.wscaleOk = wscaleOk;
        this.sndWscale = wscaleOk ? peerWscale : 0;
        if (!wscaleOk) {
            this.rcvWscale = 0;
        }
        this.tsOk = tsOk;
        this.sackOk = sackOk;
        this.pathMss = TcpWindow.syncMss(peerMss, mtu, userMss, tsOk, netHeaderLength);
        this.mssCache = pathMss;
        this.rcvMss = Math.min(advmss, peerMss);
    }

    /**
     * {@code tcp_create_openreq_child}: what the request negotiated ({@code peerWscale} -1
     * when the SYN had no window scale).
     */
    void openreqInit(int peerWscale, int rcvWscale, boolean sackOk, boolean tsOk, int advmss, int peerMss, int mtu) {
        this.wscaleOk = peerWscale >= 0;
        this.sndWscale = wscaleOk ? peerWscale : 0;
        this.rcvWscale = wscaleOk ? rcvWscale : 0;
        this.sackOk = sackOk;
        this.tsOk = tsOk;
        this.advmss = advmss;
        this.rcvMss = Math.min(advmss, peerMss);
        this.pathMss = TcpWindow.syncMss(peerMss, mtu, userMss, tsOk, netHeaderLength);
        this.mssCache = pathMss;
    }

    /**
     * {@code tcp_sync_mss} for a smaller path MTU ({@code tcp_v4_mtu_reduced}): the MSS the
     * new MTU allows, taken when lower, within half of {@code maxWindow}. True when it was.
     */
    boolean reduceMss(int mtu, int maxWindow) {
        int mss = TcpWindow.syncMss(pathMss + (tsOk ? TcpOptions.TIMESTAMP_ALIGNED_LENGTH : 0), mtu, userMss, tsOk,
                netHeaderLength);
        if (mss < pathMss) {
            pathMss = mss;
            int before = mssCache;
            boundToHalfWindow(maxWindow);
            return mssCache < before;
        }
        return false;
    }

    /**
     * {@code tcp_sync_mss}'s {@code tcp_bound_to_half_wnd}, again whenever the peer's largest
     * window grows ({@code tcp_ack_update_window}): segments of at most half of
     * {@code maxWindow}, so a peer with a tiny window still gets two in flight.
     */
    void boundToHalfWindow(int maxWindow) {
        mssCache = TcpWindow.boundToHalfWnd(pathMss, maxWindow, tsOk);
    }

    /** {@code tcp_disconnect}: no option is negotiated until the next handshake. */
    void clearNegotiated() {
        tsOk = false;
        sackOk = false;
        wscaleOk = false;
    }
}
