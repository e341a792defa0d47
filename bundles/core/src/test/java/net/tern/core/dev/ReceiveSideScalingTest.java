package net.tern.core.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.softirq.NetworkLoop;
import net.tern.core.testing.FakeDevice;
import net.tern.core.time.HashedTimerWheel;
import net.tern.core.time.SystemClock;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.FlowHash;
import net.tern.spi.net.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Receive-side scaling over real network threads: a device's packets go to the network thread
 * of their flow (the 4-tuple's {@link FlowHash}), each flow's in order on one thread, the one
 * its timers run on ({@link NetworkLoop#forFlow}).
 */
class ReceiveSideScalingTest {
    private static final int THREADS = 4;
    private static final int FLOWS = 32;
    private static final int PER_FLOW = 50;

    private final SystemClock clock = new SystemClock();
    private final NetworkLoop loop =
            new NetworkLoop(clock, HashedTimerWheel.DEFAULT_TICK_NANOS, HashedTimerWheel.DEFAULT_WHEEL_SIZE, THREADS);
    private final ReceiveDispatcher dispatcher = new ReceiveDispatcher();
    private final PooledPacketAllocator allocator = new PooledPacketAllocator();
    private final DeviceRegistry registry = new DeviceRegistry(loop, loop, clock, allocator, dispatcher);

    @AfterEach
    void stop() {
        registry.close();
        loop.stop();
    }

    /** A TCP segment's IPv4 and TCP headers from 10.0.0.2:{@code port} to 10.0.0.1:80, its sequence number {@code seq}. */
    private Packet segment(int port, int seq) {
        Packet packet = allocator.allocate(64, 40);
        packet.buf().writeBytes(new byte[] {0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1});
        packet.buf().writeShort(port).writeShort(80).writeInt(seq).writeZero(12);
        return packet.protocol(EtherType.IPV4);
    }

    @Test
    @Timeout(30)
    void eachFlowIsReceivedInOrderOnTheThreadItsTimersRunOn() throws Exception {
        loop.start();
        FakeDevice tun = new FakeDevice("tun0");
        registry.register(tun);
        Map<Integer, List<Integer>> seqs = new ConcurrentHashMap<>();
        Map<Integer, List<String>> threads = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(FLOWS * PER_FLOW);
        dispatcher.addHandler(packet -> {
            int port = packet.buf().getUnsignedShort(packet.buf().readerIndex() + 20);
            seqs.computeIfAbsent(port, p -> new ArrayList<>()).add(packet.buf().getInt(packet.buf().readerIndex() + 24));
            threads.computeIfAbsent(port, p -> new ArrayList<>()).add(Thread.currentThread().getName());
            packet.release();
            all.countDown();
        }, EtherType.IPV4, 0, 1);

        for (int seq = 0; seq < PER_FLOW; seq++) {
            for (int flow = 0; flow < FLOWS; flow++) {
                tun.inject(segment(40_000 + flow, seq));
            }
        }
        assertThat(all.await(20, TimeUnit.SECONDS)).isTrue();

        List<String> used = new ArrayList<>();
        for (int flow = 0; flow < FLOWS; flow++) {
            int port = 40_000 + flow;
            assertThat(seqs.get(port)).as("flow %d in order", flow).isSorted().hasSize(PER_FLOW);
            assertThat(threads.get(port)).as("flow %d on one thread", flow).containsOnly(threads.get(port).get(0));
            String timerThread = timerThreadOf(FlowHash.of(0x0a000001, 80, 0x0a000002, port));
            assertThat(threads.get(port).get(0)).as("flow %d where its timers run", flow).isEqualTo(timerThread);
            used.add(threads.get(port).get(0));
        }
        assertThat(used).as("flows spread over the threads").hasSizeGreaterThan(1)
                .satisfies(names -> assertThat(names.stream().distinct().count()).isGreaterThan(1));
    }

    private String timerThreadOf(int flowHash) throws InterruptedException {
        String[] name = new String[1];
        CountDownLatch ran = new CountDownLatch(1);
        loop.forFlow(flowHash).schedule(0, TimeUnit.MILLISECONDS, () -> {
            name[0] = Thread.currentThread().getName();
            ran.countDown();
        });
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        return name[0];
    }
}
