package net.tern.core.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PacketLeakCheck.class)
class BacklogTest {
    private final TestStack stack = new TestStack();
    private final FakeDevice dev = new FakeDevice("tun0");
    private final List<Integer> seen = new ArrayList<>();
    private Link link;

    @BeforeEach
    void register() throws Exception {
        link = stack.register(dev);
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            seen.add(packet.buf().getInt(packet.buf().readerIndex()));
            packet.release();
        });
    }

    @AfterEach
    void close() {
        stack.close();
    }

    private void inject(int sequence) {
        dev.inject(stack.packet(EtherType.IPV4, (byte) (sequence >>> 24), (byte) (sequence >>> 16),
                (byte) (sequence >>> 8), (byte) sequence));
    }

    @Test
    void aBurstLargerThanOneDrainBudgetIsDeliveredWholeAndInOrder() {
        int burst = Backlog.BUDGET * 3 + 5;
        for (int i = 0; i < burst; i++) {
            inject(i);
        }
        assertThat(seen).as("nothing before the network thread runs").isEmpty();

        stack.runUntilIdle();

        assertThat(seen).hasSize(burst);
        for (int i = 0; i < burst; i++) {
            assertThat(seen.get(i)).isEqualTo(i);
        }
        assertThat(link.stats().rxDropped.sum()).isZero();
    }

    @Test
    void aFullBacklogDropsAndCountsWhatDoesNotFit() {
        int extra = 7;
        for (int i = 0; i < Backlog.DEFAULT_LIMIT + extra; i++) {
            inject(i);
        }

        stack.runUntilIdle();

        assertThat(seen).hasSize(Backlog.DEFAULT_LIMIT);
        assertThat(seen.get(Backlog.DEFAULT_LIMIT - 1)).isEqualTo(Backlog.DEFAULT_LIMIT - 1);
        assertThat(link.stats().rxDropped.sum()).isEqualTo(extra);
        assertThat(stack.dispatcher().backlogDrops()).isEqualTo(extra);

        inject(-1);
        stack.runUntilIdle();
        assertThat(seen).as("room again once drained").endsWith(-1);
    }
}
