package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * TCP_INFO's chronographs ({@link TcpChrono}, Linux's {@code tcp_chrono_start/stop}): one runs
 * at a time, a more telling one takes over, busy resumes when it stops with data queued, and
 * {@code tcpi_busy_time} is the sum of all three.
 */
class TcpChronoTest {
    private static final long MS = 1_000_000;

    @Test
    void busyCountsWhileDataAreQueuedAndStopsWhenTheQueuesEmpty() {
        TcpChrono c = new TcpChrono();
        assertThat(c.busyTimeUs(5 * MS)).isZero();
        c.chronoStart(TcpChrono.BUSY, 10 * MS);
        assertThat(c.busyTimeUs(30 * MS)).isEqualTo(20_000);
        c.chronoStop(TcpChrono.BUSY, true, 40 * MS);
        assertThat(c.busyTimeUs(100 * MS)).isEqualTo(30_000);
    }

    @Test
    void theReceiversWindowTakesOverFromBusyAndHandsBack() {
        TcpChrono c = new TcpChrono();
        c.chronoStart(TcpChrono.BUSY, 0);
        c.rwndLimited(true, false, 10 * MS);
        c.rwndLimited(true, false, 20 * MS); // still limited: the same chronograph runs on
        assertThat(c.rwndLimitedUs(60 * MS)).isEqualTo(50_000);
        c.rwndLimited(false, false, 60 * MS);
        assertThat(c.rwndLimitedUs(90 * MS)).isEqualTo(50_000);
        assertThat(c.busyTimeUs(90 * MS)).isEqualTo(90_000);
        // A lesser one does not take over from the running one.
        c.chronoStart(TcpChrono.SNDBUF_LIMITED, 90 * MS);
        c.chronoStart(TcpChrono.RWND_LIMITED, 95 * MS);
        c.chronoStart(TcpChrono.BUSY, 96 * MS);
        assertThat(c.sndbufLimitedUs(100 * MS)).isEqualTo(10_000);
        assertThat(c.rwndLimitedUs(100 * MS)).isEqualTo(50_000);
        // Stopping another than the running one changes nothing; the running one hands back to busy.
        c.chronoStop(TcpChrono.RWND_LIMITED, false, 100 * MS);
        assertThat(c.sndbufLimitedUs(110 * MS)).isEqualTo(20_000);
        c.chronoStop(TcpChrono.SNDBUF_LIMITED, false, 110 * MS);
        assertThat(c.sndbufLimitedUs(200 * MS)).isEqualTo(20_000);
        assertThat(c.busyTimeUs(200 * MS)).isEqualTo(200_000);
    }
}
