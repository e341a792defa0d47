package net.tern.tcp.impl;

import net.tern.wire.TcpOptions;
import net.tern.wire.TcpPacket;

/**
 * The receive window to offer and the MSS ({@code tcp_output.c}: {@code tcp_receive_window},
 * {@code tcp_select_window}, {@code tcp_select_initial_window}, {@code tcp_advertise_mss},
 * {@code tcp_sync_mss}). {@link #selectWindow} runs under the socket lock as each segment is
 * built; the rest are functions of their arguments.
 */
final class TcpWindow {
    /** {@code IP_MAX_MTU}: a datagram's total length is 16 bits, whatever the link (lo has 65536). */
    private static final int IP_MAX_MTU = 65535;
    /** IPv4's {@code net_header_len}. */
    static final int IPV4_HEADER = 20;
    /** IPv6's: its fixed header. */
    static final int IPV6_HEADER = 40;

    private final TcpMemory memory;
    private final TcpCounters counters;

    TcpWindow(TcpMemory memory, TcpCounters counters) {
        this.memory = memory;
        this.counters = counters;
    }

    /** What is left of the window last advertised ({@code tcp_receive_window}). */
    static int receiveWindow(TcpSock sk) {
        return sk.rcv().receiveWindow();
    }

    /**
     * {@code tcp_select_window}: the window to advertise now, from the window share of the
     * receive buffer not taken by queued data ({@link TcpMemory#space}), within the
     * memory clamp ({@code rcv_ssthresh}, {@link TcpMemory}). Receiver-side silly window
     * avoidance (RFC 9293 3.8.6.2.2): with less than half the buffer and less than an MSS
     * free, offer nothing; otherwise move the edge only in whole MSS steps (with window scaling,
     * what is free aligned up to the scale's unit, as Linux does, or down when less than half
     * the buffer is free). The right edge never moves left (RFC 9293 3.8.6). Returns the field
     * value, scaled down.
     */
    int selectWindow(TcpSock sk) {
        int free = memory.space(sk);
        int mss = Math.max(1, sk.opts().advmss());
        int full = (int) Math.min(memory.fullSpace(sk), 65535L << sk.opts().rcvWscale());
        int current = receiveWindow(sk);
        if (free < full / 2 && memory.pool().underPressure()) {
            memory.adjustRcvSsthresh(sk); // tcp_adjust_rcv_ssthresh: no large windows under pressure
        }
        int window;
        int unit = 1 << sk.opts().rcvWscale();
        if (free < full / 2) {
            free &= -unit; // not more than is free once scaled
        }
        if (free < full / 2 && free < mss) {
            window = 0;
        } else {
            free = Math.min(free, sk.rcv().rcvSsthresh()); // the window's growth and memory clamp
            if (sk.opts().rcvWscale() > 0) {
                // Linux aligns up, so that scaling never takes the last bytes away.
                window = (int) Math.min(Integer.MAX_VALUE, ((long) free + unit - 1) & -unit);
            } else {
                window = sk.rcv().rcvWnd();
                if (window <= free - mss || window > free) {
                    window = (free / mss) * mss;
                }
            }
        }
        window = Math.min(window, full);
        if (window < current) {
            window = (current + unit - 1) & -unit;
        }
        window = (int) Math.min(window, 65535L << sk.opts().rcvWscale());
        sk.rcv().windowAdvertised(window);
        if (window == 0) {
            counters.inc(TcpExtMib.TCPWantZeroWindowAdv);
        }
        return window >> sk.opts().rcvWscale();
    }

    /**
     * The window offered on a SYN or SYN-ACK ({@code tcp_select_initial_window}): the window
     * share of the receive buffer ({@link TcpMemory#fullSpace}) in whole MSSes when it is more
     * than one, then at most 65535 (unscaled), as Linux rounds before it caps: a 262144-byte
     * buffer offers 65535, a 131072-byte one 64240 at MSS 1460.
     */
    static int selectInitialWindow(int space, int mss) {
        return Math.min(initialSpace(space, mss), 65535);
    }

    /**
     * {@code tcp_select_initial_window}'s {@code rcv_wnd} before the SYN's 16 bits cap it: the
     * window share of the buffer in whole MSSes when it is more than one. Where the window's
     * growth starts ({@code rcv_ssthresh}).
     */
    static int initialSpace(int space, int mss) {
        return mss > 0 && space > mss ? (space / mss) * mss : space;
    }

    /** {@link #advertiseMss(int, int, int)} over IPv4. */
    static int advertiseMss(int mtu, int userMss) {
        return advertiseMss(mtu, userMss, IPV4_HEADER);
    }

    /**
     * {@code tcp_advertise_mss}: the MSS offered on our SYN: route MTU (at most 65535) less the
     * network header ({@code net_header_len}: 20 for IPv4, 40 for IPv6) and TCP's, clamped by
     * TCP_MAXSEG: MTU - 40 over IPv4, MTU - 60 over IPv6.
     */
    static int advertiseMss(int mtu, int userMss, int netHeaderLength) {
        int mss = Math.min(mtu, IP_MAX_MTU) - netHeaderLength - TcpPacket.MIN_HEADER_LENGTH;
        if (userMss > 0) {
            mss = Math.min(mss, userMss);
        }
        return Math.max(mss, 88);
    }

    /**
     * {@code tcp_bound_to_half_wnd}: {@code size} bytes (a segment, a send's size goal) at
     * most half the peer's largest window (all of it when that is at most 536 bytes; no bound
     * before any window), never below 68 bytes less the TCP header.
     */
    static int boundToHalfWnd(int size, int maxWindow, boolean tsOk) {
        int cutoff = maxWindow > NegotiatedOptions.DEFAULT_MSS ? maxWindow >>> 1 : maxWindow;
        if (cutoff > 0 && size > cutoff) {
            return Math.max(cutoff, 68 - (tsOk ? 32 : 20));
        }
        return size;
    }

    /** {@code tcp_sync_mss}: the payload per segment: the peer's MSS and our route's, less the timestamp option. */
    static int syncMss(int peerMss, int mtu, int userMss, boolean tsOk) {
        return syncMss(peerMss, mtu, userMss, tsOk, IPV4_HEADER);
    }

    /** {@link #syncMss(int, int, int, boolean)} under a network header of {@code netHeaderLength} bytes. */
    static int syncMss(int peerMss, int mtu, int userMss, boolean tsOk, int netHeaderLength) {
        int mss = Math.min(peerMss, Math.min(mtu, IP_MAX_MTU) - netHeaderLength - TcpPacket.MIN_HEADER_LENGTH);
        if (userMss > 0) {
            mss = Math.min(mss, userMss);
        }
        if (tsOk) {
            mss -= TcpOptions.TIMESTAMP_ALIGNED_LENGTH;
        }
        return Math.max(mss, 48);
    }
}
