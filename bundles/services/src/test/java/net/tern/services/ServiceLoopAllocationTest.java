package net.tern.services;

import static org.assertj.core.api.Assertions.assertThat;

import net.tern.core.testing.AllocationMeter;
import org.junit.jupiter.api.Test;

/**
 * The services' loop takes readiness from the socket API's value calls: a round that finds
 * nothing ready allocates nothing, whatever the connections it watches, and so does a round
 * whose readable descriptors turn out to have nothing (would-block is a value, not an exception).
 */
class ServiceLoopAllocationTest {
    private static final int ROUNDS = 20_000;

    @Test
    void anIdleRoundAllocatesNothing() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(Service.ECHO, Service.DISCARD, Service.CHARGEN)) {
            for (int port : new int[] {7, 9}) {
                t.connect(port);
            }
            t.pump();
            long allocated = AllocationMeter.leastAllocated("runOnce(0)", ROUNDS, 0, () -> t.loop().runOnce(0));
            assertThat(allocated).as("bytes allocated by %d idle rounds of the loop", ROUNDS).isLessThanOrEqualTo(512);
        }
    }
}
