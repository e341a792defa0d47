package net.tern.tcp.impl;

/**
 * The timestamp option's state (RFC 7323) of a connection, a request or a TIME-WAIT entry:
 * TS.Recent, the peer's TSval to echo, with when it was taken ({@code rx_opt.ts_recent},
 * {@code ts_recent_stamp}), which PAWS judges new segments against, and this end's offset
 * added to its own clock in the TSvals it sends ({@code tsoffset}, RFC 7323 5.4). TS.Recent
 * changes only through {@link #storeTsRecent}.
 *
 * <p>Used under the socket lock (a connection), the listener's lock (a request) or on the
 * network thread (a TIME-WAIT entry).
 */
final class TcpTimestamps {
    private int tsOffset;
    private int tsRecent;
    private long tsRecentStampNanos;

    /** A new socket: no offset chosen, nothing received. */
    TcpTimestamps() {
    }

    /** A request or TIME-WAIT entry, from what its SYN or its connection held. */
    TcpTimestamps(int tsOffset, int tsRecent, long tsRecentStampNanos) {
        this.tsOffset = tsOffset;
        this.tsRecent = tsRecent;
        this.tsRecentStampNanos = tsRecentStampNanos;
    }

    /** The offset this connection adds to its clock ({@code tp->tsoffset}), chosen once per 4-tuple. */
    void initTsOffset(int offset) {
        tsOffset = offset;
    }

    int tsOffset() {
        return tsOffset;
    }

    /** The TSval to send when the timestamp clock reads {@code tsNow} (ms). */
    int tsVal(int tsNow) {
        return tsNow + tsOffset;
    }

    /** TS.Recent: the TSval to echo. */
    int tsRecent() {
        return tsRecent;
    }

    /** When TS.Recent was taken. */
    long tsRecentStampNanos() {
        return tsRecentStampNanos;
    }

    /** {@code tcp_store_ts_recent}: {@code tsVal} becomes TS.Recent, taken at {@code nowNanos}. */
    void storeTsRecent(int tsVal, long nowNanos) {
        tsRecent = tsVal;
        tsRecentStampNanos = nowNanos;
    }

    /** {@code tcp_paws_check} against TS.Recent ({@link TcpPaws#pawsCheck}). */
    boolean pawsCheck(int tsVal, int window, long nowNanos) {
        return TcpPaws.pawsCheck(tsRecent, tsRecentStampNanos, tsVal, window, nowNanos);
    }

    /** {@code tcp_paws_reject} against TS.Recent ({@link TcpPaws#pawsReject}). */
    boolean pawsReject(int tsVal, boolean rst, long nowNanos) {
        return TcpPaws.pawsReject(tsRecent, tsRecentStampNanos, tsVal, rst, nowNanos);
    }

    /** The TCP timestamp clock: 1 ms ticks ({@code tcp_time_stamp_ts}). */
    static int tsNow(net.tern.spi.net.Clock clock) {
        return (int) (clock.nanoTime() / 1_000_000);
    }
}
