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
    static final long SERVICE_BYTES_PER_CONNECTION = 512;
    private static final int BARE_PORT = 5007;
    /** The length of the service's 404 response. */
    private static final int NOT_FOUND_LENGTH = 145;
    private static final byte[] HELLO = "hello, idle echo\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void anIdleEchoConnectionCostsLittleMoreThanTheStacksOwnState() throws Exception {
        // Once each untimed first: the shared packet allocator's arenas, class initialisation and
        // the like are paid there, not by whichever measured run would come first.
        bareConnections(WARM_UP, HELLO, HELLO.length);
        serviceConnections(WARM_UP, Service.ECHO, HELLO, HELLO.length);
        long stackBytes = bareConnections(CONNECTIONS, HELLO, HELLO.length);
        long serviceBytes = serviceConnections(CONNECTIONS, Service.ECHO, HELLO, HELLO.length);
        assertServiceCostBounded("echo", stackBytes, serviceBytes);
    }

    /** The same for HTTP: each connection kept alive after one request (answered 404, a short response). */
    @Test
    void anIdleKeptAliveHttpConnectionCostsLittleMoreThanTheStacksOwnState() throws Exception {
        byte[] request = "GET /nowhere HTTP/1.1\r\nHost: tern\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        bareConnections(WARM_UP, request, NOT_FOUND_LENGTH);
        serviceConnections(WARM_UP, Service.HTTP, request, NOT_FOUND_LENGTH);
        long stackBytes = bareConnections(CONNECTIONS, request, NOT_FOUND_LENGTH);
        long serviceBytes = serviceConnections(CONNECTIONS, Service.HTTP, request, NOT_FOUND_LENGTH);
        assertServiceCostBounded("http", stackBytes, serviceBytes);
    }

    private static void assertServiceCostBounded(String service, long stackBytes, long serviceBytes) {
        double stackPer = (double) stackBytes / CONNECTIONS;
        double servicePer = (double) (serviceBytes - stackBytes) / CONNECTIONS;
        System.out.printf("IdleConnectionMemoryTest: %d connections over loopback; the stack's own state %.0f bytes"
                + " per connection (both ends); the %s service adds %.0f bytes per idle connection%n", CONNECTIONS,
                stackPer, service, servicePer);
        assertThat(servicePer).as("the %s service's heap per idle connection, beyond the stack's", service)
                .isLessThan(SERVICE_BYTES_PER_CONNECTION);
    }

    /**
     * The heap that {@code n} connections cost when a bare listener accepts them, keeps their
     * descriptors and, on each, reads {@code request} and answers {@code answerLength} bytes
     * by hand: the stack's own state after the exchange the service's clients make.
     */
    private static long bareConnections(int n, byte[] request, int answerLength) throws ErrnoException {
        try (ServicesTestBed t = new ServicesTestBed(2 * n)) {
            int listener = bareListener(t);
            int[] clients = new int[n];
            int[] accepted = new int[n];
            ByteBuffer buf = ByteBuffer.allocate(1024);
            byte[] answer = new byte[answerLength];
            long before = heapAfterGc();
            for (int i = 0; i < n; i += BATCH) {
                System.arraycopy(t.connectMany(BARE_PORT, BATCH), 0, clients, i, BATCH);
                System.arraycopy(acceptAll(t, listener, BATCH), 0, accepted, i, BATCH);
                for (int k = i; k < i + BATCH; k++) {
                    t.api().send(clients[k], ByteBuffer.wrap(request), 0);
                }
                t.pump();
                for (int k = i; k < i + BATCH; k++) {
                    buf.clear();
                    assertThat(t.api().recv(accepted[k], buf, 0)).isEqualTo(request.length);
                    t.api().send(accepted[k], ByteBuffer.wrap(answer), 0);
                }
                t.pump();
                for (int k = i; k < i + BATCH; k++) {
                    buf.clear();
                    assertThat(t.api().recv(clients[k], buf, 0)).isEqualTo(answerLength);
                }
            }
            return heapAfterGc() - before;
        }
    }

    /**
     * The heap that {@code n} idle connections to {@code service} cost, each after one
     * {@code request} answered with {@code answerLength} bytes.
     */
    private static long serviceConnections(int n, Service service, byte[] request, int answerLength)
            throws ErrnoException {
        try (ServicesTestBed t = new ServicesTestBed(2 * n, service)) {
            int[] clients = new int[n];
            ByteBuffer buf = ByteBuffer.allocate(1024);
            long before = heapAfterGc();
            for (int i = 0; i < n; i += BATCH) {
                System.arraycopy(t.connectMany(service.port, BATCH), 0, clients, i, BATCH);
                for (int k = i; k < i + BATCH; k++) {
                    t.api().send(clients[k], ByteBuffer.wrap(request), 0);
                }
                t.pump();
                for (int k = i; k < i + BATCH; k++) {
                    buf.clear();
                    assertThat(t.api().recv(clients[k], buf, 0)).as("answer on fd %d", clients[k])
                            .isEqualTo(answerLength);
                }
            }
            assertThat(t.sockets()).as("the service's connections").filteredOn(r -> r.state().equals("ESTAB"))
                    .hasSize(n);
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
