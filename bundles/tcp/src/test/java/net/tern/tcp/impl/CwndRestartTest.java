package net.tern.tcp.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The window's restart after idle (tcp_cwnd_restart) and the settings that govern sending. */
class CwndRestartTest {
    private static final long RTO = 300_000;

    @Test
    void oneRtoBeyondTheFirstHalvesTheWindowOnce() {
        assertEquals(20, TcpCwndUsage.restartCwnd(40, 10, 500_000, RTO));
    }

    @Test
    void aLongIdleFallsToTheInitialWindowAndNoLower() {
        assertEquals(10, TcpCwndUsage.restartCwnd(40, 10, 1_100_000, RTO));
        assertEquals(10, TcpCwndUsage.restartCwnd(36, 10, 2_000_000, RTO)); // 36 -> 18 -> 9, then 10
        assertEquals(10, TcpCwndUsage.restartCwnd(1000, 10, 3_600_000_000L, RTO));
    }

    @Test
    void aWindowBelowTheInitialOneStays() {
        assertEquals(4, TcpCwndUsage.restartCwnd(4, 10, 10_000_000, RTO));
    }

    @Test
    void idleOfOneRtoHalvesNothing() {
        assertEquals(40, TcpCwndUsage.restartCwnd(40, 10, RTO, RTO));
    }

    @Test
    void sysctlsMapOntoTheSendingSettings() {
        TcpSettings s = new SysctlSettings().set("net.ipv4.tcp_slow_start_after_idle", "0")
                .set("net.ipv4.tcp_min_tso_segs", "10").settings();
        assertFalse(s.sending().slowStartAfterIdle());
        assertEquals(10, s.sending().minTsoSegs());
        TcpSettings linux = TcpSettings.defaults();
        assertTrue(linux.sending().slowStartAfterIdle());
        assertEquals(2, linux.sending().minTsoSegs());
        assertThrows(IllegalArgumentException.class, () -> new TcpSettings.Sending(true, 0));
    }
}
