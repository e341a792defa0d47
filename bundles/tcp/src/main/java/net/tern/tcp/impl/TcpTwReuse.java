package net.tern.tcp.impl;

import java.util.function.Supplier;
import net.tern.spi.net.Clock;
import net.tern.wire.Ipv4Address;

/**
 * A {@code connect()} taking over a 4-tuple that one of this stack's connections left in
 * TIME-WAIT ({@code tcp_twsk_unique}, {@code tcp_tw_reuse}): without it, a client that opens
 * and closes connections to one server faster than the ephemeral ports free up (60 s of
 * TIME-WAIT each) runs out of ports and connect fails with EADDRNOTAVAIL.
 *
 * <p>The take-over is safe when the old connection used timestamps: the new connection's
 * TSvals are newer, so PAWS (RFC 7323 5) at the peer and here tells the old connection's
 * stray segments apart, and the new ISN starts a full window beyond where the old one
 * stopped ({@code tw_snd_nxt + 65535 + 2}), so the peer's TIME-WAIT, if any, takes the SYN.
 * As Linux 6.13+ judges it (checked on 6.18 in a namespace: two connects from a one-port
 * range after a TIME-WAIT, with each {@code tcp_tw_reuse}):
 * <ul>
 * <li>the ephemeral port search ({@code inet_hash_connect}) takes an entry over only when
 *     {@code tcp_tw_reuse} allows it (2: a loopback address on either end), and only once
 *     {@code tcp_tw_reuse_delay} has passed since the entry began ({@code tw_entry_stamp});</li>
 * <li>a socket bound to its port by {@code bind()} takes over any timestamped entry at once,
 *     whatever {@code tcp_tw_reuse} says ({@code __inet_check_established} with no
 *     {@code twp});</li>
 * <li>the entry goes ({@code inet_twsk_deschedule_put}), counted as {@code TWRecycled}.</li>
 * </ul>
 */
final class TcpTwReuse {
    /** How far beyond the old connection's last sequence number the new ISN starts: the largest unscaled window, plus 2. */
    private static final int ISN_GAP = 65535 + 2;

    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpLifecycle lifecycle;
    private final TcpCounters counters;

    TcpTwReuse(Clock clock, Supplier<TcpSettings> settings, TcpLifecycle lifecycle, TcpCounters counters) {
        this.clock = clock;
        this.settings = settings;
        this.lifecycle = lifecycle;
        this.counters = counters;
    }

    /**
     * {@code tcp_twsk_unique}: whether a new connection may take {@code tw}'s 4-tuple;
     * {@code portSearch} when the port is being chosen by connect() (Linux's {@code twp} given),
     * false for a port bound by bind().
     */
    boolean twskUnique(TimeWaitSock tw, boolean portSearch) {
        if (!tw.tsOk) {
            return false; // tw_ts_recent_stamp is 0: nothing to tell the two connections apart
        }
        if (!portSearch) {
            return true;
        }
        TcpSettings.TwReuse reuse = settings.get().twReuse();
        int mode = reuse.mode();
        if (mode == 2 && !loopback(tw.key)) {
            mode = 0;
        }
        // time_after32(tcp_clock_ms(), tw_entry_stamp + tcp_tw_reuse_delay), in milliseconds.
        long sinceEntryMillis = clock.nanoTime() / 1_000_000 - tw.entryNanos / 1_000_000;
        return mode != 0 && sinceEntryMillis > reuse.delayMillis();
    }

    /** Whether either end of {@code key} is a loopback address (127/8, ::1). */
    private static boolean loopback(ConnKey key) {
        if (key.isV6()) {
            return key.local6().isLoopback() || key.remote6().isLoopback();
        }
        return Ipv4Address.isLoopback(key.localAddress()) || Ipv4Address.isLoopback(key.remoteAddress());
    }

    /**
     * {@code sk} has taken {@code tw}'s place in the established hash: the entry ends and is
     * counted; returns the ISN {@code sk}'s SYN takes ({@code write_seq}, never 0), and
     * {@code sk} keeps the entry's TS.Recent, which its SYN echoes as Linux's does.
     */
    int takeOver(TcpSock sk, TimeWaitSock tw) {
        lifecycle.twskKill(tw);
        counters.inc(TcpExtMib.TWRecycled);
        sk.ts().storeTsRecent(tw.ts().tsRecent(), tw.ts().tsRecentStampNanos());
        int isn = tw.sndNxt + ISN_GAP;
        return isn == 0 ? 1 : isn;
    }
}
