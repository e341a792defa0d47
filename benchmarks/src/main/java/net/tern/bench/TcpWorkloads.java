package net.tern.bench;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/** The TCP workloads, each one round on one stack. */
final class TcpWorkloads {
    /** Size of each write in the bulk test. */
    static final int WRITE_SIZE = 64 * 1024;

    private TcpWorkloads() {
    }

    /**
     * Bulk throughput: {@code streams} connections, a writer thread each sending 64 KiB writes
     * and a reader thread each draining them, for {@code millis}. Returns {Gbit/s} counted at
     * the readers, between two snapshots once every stream runs, the process's CPU
     * microseconds per MiB received between them and the bytes its threads allocated per MiB.
     */
    static double[] bulk(Net net, int streams, long millis) throws Exception {
        Net.Conn[] clients = new Net.Conn[streams];
        Net.Conn[] servers = new Net.Conn[streams];
        try (Net.Listener listener = net.listen(streams)) {
            int port = listener.port();
            for (int i = 0; i < streams; i++) {
                clients[i] = net.connect(port);
                servers[i] = listener.accept();
            }
        }
        LongAdder received = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        Workers workers = new Workers();
        for (int i = 0; i < streams; i++) {
            Net.Conn client = clients[i];
            Net.Conn server = servers[i];
            workers.start("bulk-writer-" + i, () -> {
                ByteBuffer chunk = ByteBuffer.allocateDirect(WRITE_SIZE);
                while (!stop.get()) {
                    chunk.clear();
                    client.writeFully(chunk);
                }
                client.shutdownOutput();
            });
            workers.start("bulk-reader-" + i, () -> {
                ByteBuffer buffer = ByteBuffer.allocateDirect(WRITE_SIZE);
                int n;
                while ((n = server.read(buffer.clear())) >= 0) {
                    received.add(n);
                }
            });
        }
        try {
            Thread.sleep(Math.min(200, millis / 5)); // connections ramp up (slow start)
            long startBytes = received.sum();
            long start = System.nanoTime();
            WorkCost cost = WorkCost.start();
            Thread.sleep(millis);
            long bytes = received.sum() - startBytes;
            long elapsed = System.nanoTime() - start;
            WorkCost.Sample spent = cost.stop();
            stop.set(true);
            workers.join(10_000);
            double mib = bytes / 1048576.0;
            return new double[] {bytes * 8.0 / elapsed, spent.cpuNanos() / 1e3 / mib, spent.allocatedBytes() / mib};
        } finally {
            stop.set(true);
            closeAll(clients);
            closeAll(servers);
        }
    }

    /**
     * Request/response: one connection with TCP_NODELAY, 1 byte to the server and 1 byte back,
     * as fast as one client thread can, for {@code millis}. Returns {round trips/s, p50 us, p99 us,
     * the process's CPU us per round trip, the client thread's CPU us per round trip, the bytes
     * the process's threads allocated per round trip}.
     */
    static double[] requestResponse(Net net, long millis) throws Exception {
        Net.Conn client;
        Net.Conn server;
        try (Net.Listener listener = net.listen(1)) {
            client = net.connect(listener.port());
            server = listener.accept();
        }
        try {
            client.noDelay();
            server.noDelay();
            Workers workers = new Workers();
            workers.start("rr-server", () -> {
                ByteBuffer one = ByteBuffer.allocateDirect(1);
                while (server.read(one.clear()) > 0) {
                    one.flip();
                    server.writeFully(one);
                }
            });
            ByteBuffer request = ByteBuffer.allocateDirect(1);
            ByteBuffer response = ByteBuffer.allocateDirect(1);
            long[] latencies = new long[1 << 22];
            int count = 0;
            WorkCost cost = WorkCost.start();
            long startThreadCpu = ProcessCpu.threadNanos();
            long start = System.nanoTime();
            long deadline = start + millis * 1_000_000;
            long now = start;
            while (now < deadline && count < latencies.length) {
                request.clear().put((byte) count).flip();
                client.writeFully(request);
                if (!client.readFully(response.clear())) {
                    throw new IllegalStateException("request/response: the server closed");
                }
                long after = System.nanoTime();
                latencies[count++] = after - now;
                now = after;
            }
            long threadCpu = ProcessCpu.threadNanos() - startThreadCpu;
            WorkCost.Sample spent = cost.stop();
            long cpu = spent.cpuNanos();
            client.shutdownOutput();
            workers.join(10_000);
            long[] sorted = Arrays.copyOf(latencies, count);
            Arrays.sort(sorted);
            return new double[] {count * 1e9 / (now - start), percentile(sorted, 50) / 1e3,
                    percentile(sorted, 99) / 1e3, cpu / 1e3 / count, threadCpu / 1e3 / count,
                    (double) spent.allocatedBytes() / count};
        } finally {
            client.close();
            server.close();
        }
    }

    /**
     * Connection rate: connect, accept, 1 byte each way, close (the client first, as a
     * client does; the server on end of stream), one connection after another, for
     * {@code millis}. Connections rotate over {@code listeners} listening ports so the
     * clients' TIME-WAIT entries never use up the ephemeral ports of one destination.
     * Returns {connections/s, the process's CPU us per connection, the bytes its threads allocated per connection}.
     */
    static double[] connectRate(Net net, long millis, int listenerCount) throws Exception {
        Net.Listener[] listeners = new Net.Listener[listenerCount];
        int[] ports = new int[listenerCount];
        try {
            for (int i = 0; i < listenerCount; i++) {
                listeners[i] = net.listen(128);
                ports[i] = listeners[i].port();
            }
            Workers workers = new Workers();
            workers.start("cps-server", () -> {
                ByteBuffer one = ByteBuffer.allocateDirect(1);
                for (int i = 0; ; i++) {
                    Net.Conn conn = listeners[i % listenerCount].accept();
                    try {
                        if (conn.read(one.clear()) < 0) {
                            return; // the client's "done" connection
                        }
                        one.flip();
                        conn.writeFully(one);
                        while (conn.read(one.clear()) >= 0) {
                            // until the client's FIN
                        }
                    } finally {
                        conn.close();
                    }
                }
            });
            ByteBuffer one = ByteBuffer.allocateDirect(1);
            WorkCost.Sample spent = null;
            long count = 0;
            WorkCost cost = WorkCost.start();
            long start = System.nanoTime();
            long deadline = start + millis * 1_000_000;
            long now = start;
            try {
                while (now < deadline) {
                    Net.Conn conn = net.connect(ports[(int) (count % listenerCount)]);
                    try {
                        one.clear().put((byte) 1).flip();
                        conn.writeFully(one);
                        if (!conn.readFully(one.clear())) {
                            throw new IllegalStateException("connection rate: the server closed early");
                        }
                    } finally {
                        conn.close();
                    }
                    count++;
                    now = System.nanoTime();
                }
                spent = cost.stop();
            } finally {
                // Tell the server to stop: a connection that sends nothing.
                net.connect(ports[(int) (count % listenerCount)]).close();
            }
            workers.join(10_000);
            return new double[] {count * 1e9 / (now - start), spent.cpuNanos() / 1e3 / count,
                    (double) spent.allocatedBytes() / count};
        } finally {
            for (Net.Listener listener : listeners) {
                if (listener != null) {
                    listener.close();
                }
            }
        }
    }

    static double percentile(long[] sorted, int percent) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(percent / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)];
    }

    static void closeAll(Net.Conn[] conns) {
        for (Net.Conn conn : conns) {
            if (conn != null) {
                try {
                    conn.close();
                } catch (Exception e) {
                    // already closed by the round, or the stack is going away
                }
            }
        }
    }
}
