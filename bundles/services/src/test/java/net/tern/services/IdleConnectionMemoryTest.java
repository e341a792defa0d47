package net.tern.services;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import org.junit.jupiter.api.Test;

/**
 * What an idle service connection costs on the heap, beyond what the stack itself needs for
 * it. Two runs of {@value #CONNECTIONS} connections over loopback, each on a fresh stack:
 * one accepted by a bare listener that only keeps the descriptors and echoes one short line
 * on each by hand (the stack's own cost, both ends of each connection on one heap), one
 * served by the echo service after the same line on each (so every connection has had data
 * in flight once and is now idle). The heap is read
 * after full collections ({@link MemoryMXBean}); the difference per connection is the
 * service's own cost. Bounded in bytes only; the figures are printed.
 */
class IdleConnectionMemoryTest {
    static final int CONNECTIONS = 5000;
    private static final int WARM_UP = 1000;
    /**
     * Connections opened (and lines sent) between pumps: the listen backlog holds them, and
     * loopback, as Linux's, queues at most {@code netdev_max_backlog} (1000) packets.
     */
    private static final int BATCH = 100;
    /** The service's own heap per idle connection, at most. */
    static final long SERVICE_BYTES_PER_CONNECTION = 1024;
    private static final int BARE_PORT = 5007;
    private static final byte[] HELLO = "hello, idle echo\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void anIdleEchoConnectionCostsLittleMoreThanTheStacksOwnState() throws Exception {
        // Once each untimed first: the shared packet allocator's arenas, class initialisation and
        // the like are paid there, not by whichever measured run would come first.
        bareConnections(WARM_UP);
        echoConnections(WARM_UP);
        long stackBytes = bareConnections(CONNECTIONS);
        long serviceBytes = echoConnections(CONNECTIONS);
        double stackPer = (double) stackBytes / CONNECTIONS;
        double servicePer = (double) (serviceBytes - stackBytes) / CONNECTIONS;
        System.out.printf("IdleConnectionMemoryTest: %d connections over loopback; the stack's own state %.0f bytes"
                + " per connection (both ends); the echo service adds %.0f bytes per idle connection%n", CONNECTIONS,
                stackPer, servicePer);
        assertThat(servicePer).as("the echo service's heap per idle connection, beyond the stack's")
                .isLessThan(SERVICE_BYTES_PER_CONNECTION);
    }

    /**
     * The heap that {@code n} connections cost when a bare listener accepts them, keeps their
     * descriptors and echoes one line on each by hand: the stack's own state after one exchange.
     */
    private static long bareConnections(int n) throws ErrnoException {
        try (ServicesTestBed t = new ServicesTestBed(2 * n)) {
            int listener = bareListener(t);
            int[] clients = new int[n];
            int[] accepted = new int[n];
            ByteBuffer buf = ByteBuffer.allocate(64);
            long before = heapAfterGc();
            for (int i = 0; i < n; i += BATCH) {
                System.arraycopy(t.connectMany(BARE_PORT, BATCH), 0, clients, i, BATCH);
                System.arraycopy(acceptAll(t, listener, BATCH), 0, accepted, i, BATCH);
                for (int k = i; k < i + BATCH; k++) {
                    t.api().send(clients[k], ByteBuffer.wrap(HELLO), 0);
                }
                t.pump();
                for (int k = i; k < i + BATCH; k++) {
                    buf.clear();
                    assertThat(t.api().recv(accepted[k], buf, 0)).isEqualTo(HELLO.length);
                    t.api().send(accepted[k], buf.flip(), 0);
                }
                t.pump();
                for (int k = i; k < i + BATCH; k++) {
                    buf.clear();
                    assertThat(t.api().recv(clients[k], buf, 0)).isEqualTo(HELLO.length);
                }
            }
            return heapAfterGc() - before;
        }
    }

    /** The heap that {@code n} idle connections to the echo service cost, each after one echoed line. */
    private static long echoConnections(int n) throws ErrnoException {
        try (ServicesTestBed t = new ServicesTestBed(2 * n, Service.ECHO)) {
            int[] clients = new int[n];
            ByteBuffer buf = ByteBuffer.allocate(64);
            long before = heapAfterGc();
            for (int i = 0; i < n; i += BATCH) {
                System.arraycopy(t.connectMany(7, BATCH), 0, clients, i, BATCH);
                for (int k = i; k < i + BATCH; k++) {
                    t.api().send(clients[k], ByteBuffer.wrap(HELLO), 0);
                }
                t.pump();
                for (int k = i; k < i + BATCH; k++) {
                    buf.clear();
                    assertThat(t.api().recv(clients[k], buf, 0)).as("echo on fd %d", clients[k])
                            .isEqualTo(HELLO.length);
                }
            }
            assertThat(t.loop().size()).as("listener, UDP socket and connections in the loop").isEqualTo(n + 2);
            return heapAfterGc() - before;
        }
    }

    private static int bareListener(ServicesTestBed t) throws ErrnoException {
        int fd = t.api().socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        t.api().bind(fd, new InetSockAddr(ServicesTestBed.LOOPBACK, BARE_PORT));
        t.api().listen(fd, 4096);
        return fd;
    }

    /** Accepts {@code count} connections from {@code listener}, pumping while the queue is empty (bounded). */
    private static int[] acceptAll(ServicesTestBed t, int listener, int count) throws ErrnoException {
        int[] fds = new int[count];
        int n = 0;
        for (int round = 0; round < count + 100 && n < count; round++) {
            try {
                fds[n] = t.api().accept(listener, SOCK_NONBLOCK).fd();
                n++;
                continue;
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
            }
            t.pump();
        }
        if (n < count) {
            throw new AssertionError("accepted " + n + " of " + count);
        }
        return fds;
    }

    /**
     * Heap in use after full collections: collects until two readings agree within 64 KiB, at
     * most 8 times.
     */
    static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 8; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(previous - now) < 64 * 1024) {
                return Math.min(previous, now);
            }
            previous = now;
        }
        return previous;
    }
}
