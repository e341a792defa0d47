package net.tern.tcp.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The TSO packets Linux's tcp_write_xmit would send, which place the PSH Tern puts on its segments. */
class TcpTsoTest {
    @Test
    void cwndQuotaIsAtMostHalfTheWindowSoThatTwoPacketsAreInFlight() {
        assertEquals(5, TcpTso.cwndQuota(10, 0));
        assertEquals(2, TcpTso.cwndQuota(11, 9));
        assertEquals(1, TcpTso.cwndQuota(2, 0)); // cwnd 2: single segments, no PSH
        assertEquals(1, TcpTso.cwndQuota(3, 1));
        assertEquals(2, TcpTso.cwndQuota(4, 2));
        assertEquals(0, TcpTso.cwndQuota(4, 4));
        assertEquals(1, TcpTso.cwndQuota(1, 0));
    }

    @Test
    void pacingRateIsTwiceCwndPerSrttInSlowStartAndOnePointTwoAfter() {
        TcpTso tso = new TcpTso();
        assertEquals(Long.MAX_VALUE, tso.pacingRate()); // a new socket: unlimited
        tso.updatePacingRate(1000, 10, Integer.MAX_VALUE, 0, 100_000);
        assertEquals(200_000, tso.pacingRate()); // 10 x 1000 B per 100 ms, times 2
        tso.updatePacingRate(1000, 10, 20, 12, 100_000); // cwnd not below ssthresh / 2; 12 out
        assertEquals(144_000, tso.pacingRate());
    }

    @Test
    void tsoSegsFollowTheRateWithAFloorAndGrowBelowAMillisecond() {
        TcpTso tso = new TcpTso();
        tso.updatePacingRate(1000, 10, Integer.MAX_VALUE, 0, 100_000);
        assertEquals(2, tso.tsoSegs(1000, 100_000, TcpTso.MIN_TSO_SEGS)); // 195 bytes a ms: the floor
        assertEquals(10, tso.tsoSegs(1000, 100_000, 10)); // tcp_min_tso_segs=10
        tso.updatePacingRate(1000, 10, Integer.MAX_VALUE, 0, 1000);
        // 20 MB/s: 19531 bytes a ms, plus 64 KiB >> (1000 us >> 9 = 1)
        assertEquals((19_531 + 32_768) / 1000, tso.tsoSegs(1000, 1000, TcpTso.MIN_TSO_SEGS));
        assertEquals(65, new TcpTso().tsoSegs(1000, 0, 2)); // unlimited: 64 KiB
    }

    @Test
    void packetLengthFollowsMssSplitPoint() {
        // One segment's skb goes whole.
        assertEquals(700, TcpTso.packetLength(700, true, 1000, 5, 65535, false));
        // An skb in the middle: maxSegs whole segments when the window takes them.
        assertEquals(5000, TcpTso.packetLength(16000, false, 1000, 5, 65535, false));
        assertEquals(3000, TcpTso.packetLength(3000, false, 1000, 5, 65535, false));
        // The last skb: what the window allows, less a partial segment Nagle holds.
        assertEquals(3100, TcpTso.packetLength(3100, true, 1000, 5, 65535, false));
        assertEquals(3000, TcpTso.packetLength(3100, true, 1000, 5, 65535, true));
        assertEquals(2000, TcpTso.packetLength(3100, true, 1000, 2, 65535, true));
        // Against the receiver's window.
        assertEquals(2500, TcpTso.packetLength(16000, false, 1000, 5, 2500, false));
        assertEquals(2000, TcpTso.packetLength(16000, false, 1000, 5, 2500, true));
    }
}
