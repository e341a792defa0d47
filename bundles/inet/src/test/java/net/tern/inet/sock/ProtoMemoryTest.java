package net.tern.inet.sock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.core.testing.VirtualTime;
import org.junit.jupiter.api.Test;

class ProtoMemoryTest {
    private final VirtualTime time = new VirtualTime();
    private final List<String> events = new ArrayList<>();
    private final ProtoMemory.PressureListener listener = new ProtoMemory.PressureListener() {
        @Override
        public void entered() {
            events.add("enter");
        }

        @Override
        public void left(long millis) {
            events.add("leave " + millis);
        }
    };

    private ProtoMemory pool(long min, long pressure, long max) {
        return new ProtoMemory("TEST", time, new ProtoMemory.Limits(min, pressure, max), 4096, 4096, listener);
    }

    @Test
    void chargesInWholePagesAndGivesThemBackWhenFreed() {
        ProtoMemory pool = pool(100, 200, 300);
        SockMemory sk = new SockMemory(pool);
        assertThat(sk.rmemSchedule(100)).isTrue();
        sk.chargeRecv(100);
        assertThat(pool.allocatedPages()).isEqualTo(1);
        assertThat(sk.forwardAlloc()).isEqualTo(4096 - 100);
        // The page taken ahead covers the next charge: the pool does not move.
        assertThat(sk.rmemSchedule(3000)).isTrue();
        sk.chargeRecv(3000);
        assertThat(pool.allocatedPages()).isEqualTo(1);
        assertThat(sk.rmemSchedule(5000)).isTrue();
        sk.chargeRecv(5000);
        assertThat(sk.rmemAlloc()).isEqualTo(8100);
        assertThat(pool.allocatedPages()).isEqualTo(2); // 996 bytes were ahead: 4004 more take one page
        sk.unchargeRecv(8100);
        assertThat(sk.rmemAlloc()).isZero();
        assertThat(sk.forwardAlloc()).isZero();
        assertThat(pool.allocatedPages()).isZero();
    }

    /**
     * Without a pressure state (udp_prot has no memory_pressure), a socket past min gets pages
     * only while under its guaranteed minimum, pressure never starts, and max still refuses
     * everyone (__sk_mem_raise_allocated).
     */
    @Test
    void withoutAPressureStateMinIsWhereQueuesStopGrowing() {
        ProtoMemory pool = ProtoMemory.withoutPressure("UDP", new ProtoMemory.Limits(2, 3, 4), 4096, 4096);
        SockMemory full = new SockMemory(pool);
        assertThat(full.rmemSchedule(2 * 4096)).isTrue();
        full.chargeRecv(2 * 4096);
        assertThat(pool.allocatedPages()).isEqualTo(2);
        assertThat(full.rmemSchedule(4096 + 1)).as("past min, holding more than its minimum").isFalse();
        assertThat(pool.allocatedPages()).isEqualTo(2);

        SockMemory small = new SockMemory(pool);
        pool.socketOpened();
        pool.socketOpened();
        assertThat(small.rmemSchedule(2 * 4096)).as("past min, holding nothing yet").isTrue();
        small.chargeRecv(2 * 4096);
        assertThat(pool.allocatedPages()).isEqualTo(4);
        assertThat(pool.underPressure()).as("past pressure, but UDP has no pressure state").isFalse();
        SockMemory third = new SockMemory(pool);
        assertThat(third.rmemSchedule(1)).as("past max, whatever it holds").isFalse();
        assertThat(pool.allocatedPages()).isEqualTo(4);

        full.unchargeRecv(2 * 4096);
        small.unchargeRecv(2 * 4096);
        assertThat(pool.allocatedPages()).isZero();
    }

    @Test
    void refusesOverMaxAndTakesTheRefusedPagesBack() {
        ProtoMemory pool = pool(1, 2, 3);
        SockMemory sk = new SockMemory(pool);
        assertThat(sk.rmemSchedule(3 * 4096)).isTrue();
        sk.chargeRecv(3 * 4096);
        assertThat(pool.allocatedPages()).isEqualTo(3);
        assertThat(sk.rmemSchedule(1)).isFalse();
        assertThat(pool.allocatedPages()).isEqualTo(3);
        assertThat(sk.forwardAlloc()).isZero();
        // Forced charges pass the limit (the one buffer a socket needs to make progress).
        sk.forceSchedule(10);
        assertThat(pool.allocatedPages()).isEqualTo(4);
        sk.releaseAll();
        assertThat(pool.allocatedPages()).isZero();
    }

    @Test
    void pressureStartsOverThePressureMarkAndEndsUnderMinCountingItsLength() {
        ProtoMemory pool = pool(2, 4, 100);
        SockMemory sk = new SockMemory(pool);
        assertThat(sk.rmemSchedule(4 * 4096)).isTrue();
        sk.chargeRecv(4 * 4096);
        assertThat(pool.underPressure()).isFalse(); // at the mark, not over it
        assertThat(sk.rmemSchedule(1)).isTrue(); // a fifth page: over the mark, and this socket's share is fair
        sk.chargeRecv(1);
        assertThat(pool.underPressure()).isTrue();
        assertThat(events).containsExactly("enter");
        time.advance(250, TimeUnit.MILLISECONDS);
        sk.unchargeRecv(4 * 4096 + 1 - 2 * 4096); // back to 2 pages: not under min yet
        assertThat(pool.underPressure()).isTrue();
        sk.unchargeRecv(4096); // 1 page < min 2
        assertThat(pool.underPressure()).isFalse();
        assertThat(events).containsExactly("enter", "leave 250");
    }

    @Test
    void underPressureASocketBelowItsMinimumOrItsFairShareIsStillServed() {
        ProtoMemory pool = pool(1, 1, 10);
        SockMemory big = new SockMemory(pool);
        SockMemory small = new SockMemory(pool);
        pool.socketOpened();
        pool.socketOpened();
        assertThat(big.rmemSchedule(5 * 4096)).isTrue(); // enters pressure; granted: it held nothing
        big.chargeRecv(5 * 4096);
        assertThat(pool.underPressure()).isTrue();
        // A sixth page: 2 sockets * 6 pages >= max 10, and it holds its minimum already: refused.
        assertThat(big.rmemSchedule(1)).isFalse();
        assertThat(pool.allocatedPages()).isEqualTo(5);
        // A socket under tcp_rmem[0] gets its minimum.
        assertThat(small.rmemSchedule(4096)).isTrue();
    }

    @Test
    void limitsParseAsSysctlWritesThemAndScaleAsLinuxDoes() {
        assertThat(ProtoMemory.Limits.parse(" 10 20  30 ")).isEqualTo(new ProtoMemory.Limits(10, 20, 30));
        assertThat(ProtoMemory.Limits.parse("10 20 30").toString()).isEqualTo("10 20 30");
        assertThatThrownBy(() -> ProtoMemory.Limits.parse("10 20")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProtoMemory.Limits.parse("30 20 10")).isInstanceOf(IllegalArgumentException.class);
        // tcp_init_mem on 16 GiB: limit = 4 Mi pages / 16 = 262144 pages.
        assertThat(ProtoMemory.Limits.share(16L << 30, 16)).isEqualTo(new ProtoMemory.Limits(196608, 262144, 393216));
        assertThat(ProtoMemory.Limits.share(0, 16)).isEqualTo(new ProtoMemory.Limits(96, 128, 192));
    }
}
