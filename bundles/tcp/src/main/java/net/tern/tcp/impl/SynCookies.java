package net.tern.tcp.impl;

import java.util.function.Supplier;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.Rtable;
import net.tern.spi.net.Clock;

/**
 * SYN cookies ({@code net/ipv4/syncookies.c}), used when a listener's SYN queue is full:
 * the SYN-ACK's ISN carries what the request would have held, so nothing is stored until
 * the ACK proves the peer real. As in Linux, the cookie is
 * {@code H(4-tuple) + peer ISN + (minute << 24) + ((H(4-tuple, minute) + mss index) mod 2^24)};
 * it is valid for two minutes. The MSS is one of four values.
 *
 * <p>With timestamps, the low six bits of the SYN-ACK's TSval carry the peer's window scale
 * and SACK-permitted ({@code cookie_init_timestamp}), returned in the ACK's TSecr. They are
 * set in the timestamp clock's value before the connection's offset is added, and the
 * result is never ahead of the clock: when the bits would put it ahead, it goes back 64 ms.
 * The connection made from the cookie keeps the same offset ({@code tcp_get_cookie_sock}),
 * so every TSval it sends is at least the SYN-ACK's and the peer's PAWS check (RFC 7323
 * 5.3) accepts them; a TSval ahead of the clock would make the next segments look older
 * than the SYN-ACK, and the peer would drop them until the clock caught up.
 */
final class SynCookies {
    private static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    private static final int COOKIE_BITS = 24;
    private static final int COOKIE_MASK = (1 << COOKIE_BITS) - 1;
    private static final int MAX_AGE_MINUTES = 2;
    /** {@code TCP_SYNCOOKIE_VALID}: how long after the last cookie sent an ACK may redeem one. */
    static final long VALID_NANOS = MAX_AGE_MINUTES * 60_000_000_000L;
    /** {@code TSBITS}: the low bits of TSval that carry the options. */
    private static final int TS_BITS = 6;
    private static final int TS_OPTION_MASK = (1 << TS_BITS) - 1;
    private static final int WSCALE_NONE = 0xf;
    private static final int SACK_BIT = 0x10;

    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpCounters counters;
    private final Secrets secrets;
    private final IpOutput ipOutput;
    private final TcpMemory memory;
    private final TcpHashTables tables;
    private final TcpReplies replies;
    private final TcpMinisocks minisocks;
    private final TcpLifecycle lifecycle;

    SynCookies(Clock clock, Supplier<TcpSettings> settings, TcpCounters counters, Secrets secrets, IpOutput ipOutput,
            TcpMemory memory, TcpHashTables tables, TcpReplies replies, TcpMinisocks minisocks,
            TcpLifecycle lifecycle) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        this.secrets = secrets;
        this.ipOutput = ipOutput;
        this.memory = memory;
        this.tables = tables;
        this.replies = replies;
        this.minisocks = minisocks;
        this.lifecycle = lifecycle;
    }

    private static int minute(Clock clock) {
        return (int) (clock.nanoTime() / 60_000_000_000L);
    }

    static int make(Secrets s, Clock clock, ConnKey k, int peerIsn, int mssIndex) {
        int count = minute(clock);
        int h1 = s.cookieHash(k.localAddress(), k.remoteAddress(), k.localPort(), k.remotePort(), 0, 0);
        int h2 = s.cookieHash(k.localAddress(), k.remoteAddress(), k.localPort(), k.remotePort(), count, 1);
        return h1 + peerIsn + (count << COOKIE_BITS) + ((h2 + mssIndex) & COOKIE_MASK);
    }

    /** The MSS index a cookie carries, or -1 when it is not one of ours or too old. */
    static int verify(Secrets s, Clock clock, ConnKey k, int peerIsn, int cookie) {
        int h1 = s.cookieHash(k.localAddress(), k.remoteAddress(), k.localPort(), k.remotePort(), 0, 0);
        int rest = cookie - h1 - peerIsn;
        int now = minute(clock);
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
    void cookieV4InitSequence(TcpSock listener, Segment seg, ConnKey key, Rtable route, int advmss, int peerMss,
            boolean tsOk, boolean sackOk, int peerWscale, int rcvWscale, int tsOffset, int rcvWnd) {
        int index = MSS_TABLE.length - 1;
        while (index > 0 && peerMss < MSS_TABLE[index]) {
            index--;
        }
        int iss = make(secrets, clock, key, seg.seq(), index);
        // Without timestamps the cookie cannot carry window scale or SACK: offer neither.
        RequestSock req = new RequestSock(listener, key, iss, seg.seq(), MSS_TABLE[index], tsOk ? peerWscale : -1,
                tsOk && sackOk, tsOk, seg.options().tsVal, 0, tsOffset, rcvWscale, advmss, rcvWnd, route);
        if (tsOk) {
            int options = (peerWscale >= 0 ? peerWscale & 0xf : WSCALE_NONE) | (sackOk ? SACK_BIT : 0);
            req.cookieTimestamp(cookieInitTimestamp(TcpTimestamps.tsNow(clock), options));
        }
        // cookie_init_sequence: the listener is under a SYN flood from now on, for the cookies' lifetime.
        listener.acceptQueue().synqOverflow(clock.nanoTime());
        counters.inc(TcpExtMib.SyncookiesSent);
        replies.v4SendSynack(req);
    }

    /**
     * {@code cookie_init_timestamp}: the timestamp clock's value {@code now} with its low
     * bits replaced by {@code options}, taken back 64 ms when that would put it ahead of
     * {@code now}. The SYN-ACK sends it plus the connection's offset.
     */
    static int cookieInitTimestamp(int now, int options) {
        int ts = (now & ~TS_OPTION_MASK) | options;
        if (ts - now > 0) {
            ts -= 1 << TS_BITS;
        }
        return ts;
    }

    /** {@code tcp_synq_no_recent_overflow}: no cookie went out from {@code listener} within the cookies' lifetime. */
    boolean synqNoRecentOverflow(TcpSock listener) {
        long last = listener.acceptQueue().synqOverflowNanos();
        return last == Long.MIN_VALUE || clock.nanoTime() - last > VALID_NANOS;
    }

    /**
     * {@code cookie_v4_check}: an ACK to a listener that may answer one of our cookies: only
     * while the listener sends cookies (within their lifetime of the last one), as Linux
     * looks at no cookie otherwise. On success the connection is made and queued for accept;
     * returns whether the ACK was consumed: a valid cookie, even if the accept queue had no
     * room. Otherwise the listener answers it with a RST.
     */
    boolean cookieV4Check(TcpSock listener, Segment seg) {
        if (synqNoRecentOverflow(listener)) {
            return false;
        }
        ConnKey key = new ConnKey(seg.daddr(), seg.dport(), seg.saddr(), seg.sport());
        int peerIsn = seg.seq() - 1;
        int iss = seg.ack() - 1;
        int index = verify(secrets, clock, key, peerIsn, iss);
        if (index < 0) {
            counters.inc(TcpExtMib.SyncookiesFailed);
            return false;
        }
        counters.inc(TcpExtMib.SyncookiesRecv);
        TcpSettings s = settings.get();
        // cookie_timestamp_decode: the options come back in TSecr, less the offset the SYN-ACK added.
        boolean tsOk = seg.options().timestamp;
        int tsOffset = 0;
        int peerWscale = -1;
        boolean sackOk = false;
        if (tsOk) {
            if (seg.options().tsEcr != 0) {
                tsOffset = secrets.tsOffset(seg.daddr(), seg.saddr());
            }
            int bits = (seg.options().tsEcr - tsOffset) & TS_OPTION_MASK;
            sackOk = (bits & SACK_BIT) != 0;
            if ((bits & 0xf) != WSCALE_NONE) {
                peerWscale = bits & 0xf;
            }
            // An option this host does not offer cannot have been in our SYN-ACK: not our cookie.
            if (!s.timestamps() || (sackOk && !s.sack()) || (peerWscale >= 0 && !s.windowScaling())) {
                return false;
            }
        }
        if (listener.acceptQueue().acceptqIsFull()) {
            counters.inc(TcpExtMib.ListenOverflows);
            counters.inc(TcpExtMib.ListenDrops);
            return true;
        }
        Rtable route;
        try {
            route = ipOutput.routeOutput(Flowi4.of(seg.daddr(), seg.saddr(), 6));
        } catch (ErrnoException e) {
            counters.inc(TcpExtMib.ListenDrops);
            return true;
        }
        int rcvWscale = peerWscale >= 0 ? Math.max(0, s.windowShift()) : 0;
        int advmss = TcpWindow.advertiseMss(route.mtu(), listener.opts().userMss());
        int rcvWnd = TcpWindow.selectInitialWindow(memory.fullSpace(listener), advmss);
        TcpSock child = minisocks.createOpenreqChild(listener, key, route, iss, peerIsn, MSS_TABLE[index], peerWscale,
                rcvWscale, sackOk, tsOk, tsOffset, advmss, rcvWnd, seg, -1);
        if (!tables.insertEstablished(key, child)) {
            child.setOrphan();
            lifecycle.done(child);
            return true;
        }
        child.setKey(key);
        minisocks.childProcess(listener, child, seg);
        return true;
    }
}
