package net.tern.tcp.impl;

import net.tern.api.socket.ErrnoException;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.Rtable;

/**
 * SYN cookies ({@code net/ipv4/syncookies.c}), used when a listener's SYN queue is full:
 * the SYN-ACK's ISN carries what the request would have held, so nothing is stored until
 * the ACK proves the peer real. As in Linux, the cookie is
 * {@code H(4-tuple) + peer ISN + (minute << 24) + ((H(4-tuple, minute) + mss index) mod 2^24)};
 * it is valid for two minutes. The MSS is one of four values; with timestamps the low six
 * bits of TSval carry the peer's window scale and SACK-permitted, returned in the ACK's TSecr.
 */
final class SynCookies {
    private static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    private static final int COOKIE_BITS = 24;
    private static final int COOKIE_MASK = (1 << COOKIE_BITS) - 1;
    private static final int MAX_AGE_MINUTES = 2;
    private static final int TS_OPTION_BITS = 0x3f;
    private static final int WSCALE_NONE = 0xf;
    private static final int SACK_BIT = 0x10;

    private SynCookies() {
    }

    private static int minute(Tcp tcp) {
        return (int) (tcp.clock().nanoTime() / 60_000_000_000L);
    }

    static int make(Tcp tcp, ConnKey k, int peerIsn, int mssIndex) {
        int count = minute(tcp);
        Secrets s = tcp.secrets();
        int h1 = s.cookieHash(k.localAddress(), k.remoteAddress(), k.localPort(), k.remotePort(), 0, 0);
        int h2 = s.cookieHash(k.localAddress(), k.remoteAddress(), k.localPort(), k.remotePort(), count, 1);
        return h1 + peerIsn + (count << COOKIE_BITS) + ((h2 + mssIndex) & COOKIE_MASK);
    }

    /** The MSS index a cookie carries, or -1 when it is not one of ours or too old. */
    static int verify(Tcp tcp, ConnKey k, int peerIsn, int cookie) {
        Secrets s = tcp.secrets();
        int h1 = s.cookieHash(k.localAddress(), k.remoteAddress(), k.localPort(), k.remotePort(), 0, 0);
        int rest = cookie - h1 - peerIsn;
        int now = minute(tcp);
        int diff = (now - (rest >>> COOKIE_BITS)) & 0xff;
        if (diff >= MAX_AGE_MINUTES) {
            return -1;
        }
        int count = now - diff;
        int h2 = s.cookieHash(k.localAddress(), k.remoteAddress(), k.localPort(), k.remotePort(), count, 1);
        int data = (rest - h2) & COOKIE_MASK;
        return data < MSS_TABLE.length ? data : -1;
    }

    /** {@code cookie_v4_init_sequence} and the SYN-ACK, with no state kept. */
    static void sendCookie(Tcp tcp, TcpSock listener, Segment seg, ConnKey key, Rtable route, int advmss, int peerMss,
            boolean tsOk, boolean sackOk, int peerWscale, int rcvWscale, int tsOffset, int rcvWnd) {
        int index = MSS_TABLE.length - 1;
        while (index > 0 && peerMss < MSS_TABLE[index]) {
            index--;
        }
        int iss = make(tcp, key, seg.seq, index);
        // Without timestamps the cookie cannot carry window scale or SACK: offer neither.
        RequestSock req = new RequestSock(listener, key, iss, seg.seq, MSS_TABLE[index], tsOk ? peerWscale : -1,
                tsOk && sackOk, tsOk, seg.options.tsVal, tsOffset, rcvWscale, advmss, rcvWnd, route);
        if (tsOk) {
            int options = (peerWscale >= 0 ? peerWscale & 0xf : WSCALE_NONE) | (sackOk ? SACK_BIT : 0);
            req.cookieTimestamp = true;
            req.cookieTsVal = ((tcp.output().tsNow() + tsOffset) & ~TS_OPTION_BITS) | options;
        }
        tcp.counters().inc(TcpExtMib.SyncookiesSent);
        tcp.output().sendSynAck(req);
    }

    /**
     * {@code cookie_v4_check}: an ACK to a listener that may answer one of our cookies. On
     * success the connection is made and queued for accept; returns whether the ACK was a
     * valid cookie (then it is consumed, even if the accept queue had no room).
     */
    static boolean check(Tcp tcp, TcpSock listener, Segment seg) {
        ConnKey key = new ConnKey(seg.daddr, seg.dport, seg.saddr, seg.sport);
        int peerIsn = seg.seq - 1;
        int iss = seg.ack - 1;
        int index = verify(tcp, key, peerIsn, iss);
        if (index < 0) {
            tcp.counters().inc(TcpExtMib.SyncookiesFailed);
            return false;
        }
        tcp.counters().inc(TcpExtMib.SyncookiesRecv);
        if (listener.acceptQueue.size() > listener.maxBacklog) {
            tcp.counters().inc(TcpExtMib.ListenOverflows);
            tcp.counters().inc(TcpExtMib.ListenDrops);
            return true;
        }
        Rtable route;
        try {
            route = tcp.ip().routeOutput(Flowi4.of(seg.daddr, seg.saddr, 6));
        } catch (ErrnoException e) {
            tcp.counters().inc(TcpExtMib.ListenDrops);
            return true;
        }
        TcpSettings s = tcp.settings();
        boolean tsOk = s.timestamps() && seg.options.timestamp;
        int peerWscale = -1;
        boolean sackOk = false;
        int rcvWscale = 0;
        if (tsOk) {
            int bits = seg.options.tsEcr & TS_OPTION_BITS;
            if ((bits & 0xf) != WSCALE_NONE && s.windowScaling()) {
                peerWscale = bits & 0xf;
                rcvWscale = Math.max(0, s.windowShift());
            }
            sackOk = s.sack() && (bits & SACK_BIT) != 0;
        }
        int advmss = TcpInput.advertisedMss(route.mtu(), listener.userMss);
        int rcvWnd = TcpOutput.initialWindow(listener.rcvbuf(), advmss);
        TcpSock child = tcp.input().createChild(listener, key, route, iss, peerIsn, MSS_TABLE[index], peerWscale,
                rcvWscale, sackOk, tsOk, tcp.secrets().tsOffset(seg.daddr, seg.saddr), advmss, rcvWnd, seg, -1);
        if (!tcp.tables().insertEstablished(key, child)) {
            child.orphan = true;
            tcp.lifecycle().done(child);
            return true;
        }
        child.key = key;
        tcp.input().accepted(listener, child, seg);
        return true;
    }
}
