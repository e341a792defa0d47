package net.tern.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** UDP: one sender thread blasting 64-byte datagrams at one receiver thread. */
final class UdpWorkload {
    static final int DATAGRAM_SIZE = 64;
    /** The receiver stops this long after the sender stopped and nothing more came. */
    private static final int IDLE_MILLIS = 200;

    private UdpWorkload() {
    }

    /**
     * The sender sends for {@code millis}; the receiver counts what arrives until it has been
     * idle {@value #IDLE_MILLIS} ms after the sender stopped. Returns {datagrams received per
     * second (from the first send to the last receipt), loss in percent, bytes the process's
     * threads allocated per datagram received while the sender sent}.
     */
    static double[] run(Net net, long millis) throws Exception {
        try (Net.Datagrams receiver = net.udp(IDLE_MILLIS); Net.Datagrams sender = net.udp(IDLE_MILLIS)) {
            int port = receiver.port();
            AtomicBoolean senderDone = new AtomicBoolean();
            AtomicLong lastReceipt = new AtomicLong();
            long[] received = new long[1];
            Workers workers = new Workers();
            workers.start("udp-receiver", () -> {
                ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
                while (true) {
                    int n = receiver.receive(buffer.clear());
                    if (n >= 0) {
                        received[0]++;
                        lastReceipt.set(System.nanoTime());
                    } else if (senderDone.get()) {
                        return;
                    }
                }
            });
            ByteBuffer datagram = ByteBuffer.allocateDirect(DATAGRAM_SIZE);
            long sent = 0;
            WorkCost cost = WorkCost.start();
            long start = System.nanoTime();
            long deadline = start + millis * 1_000_000;
            try {
                while ((sent & 63) != 0 || System.nanoTime() < deadline) {
                    sender.send(datagram.clear(), port);
                    sent++;
                }
            } finally {
                senderDone.set(true);
            }
            WorkCost.Sample spent = cost.stop();
            long receivedWhileSending = Math.max(1, received[0]);
            workers.join(30_000);
            long end = Math.max(lastReceipt.get(), start + 1);
            return new double[] {received[0] * 1e9 / (end - start), 100.0 * (sent - received[0]) / sent,
                    (double) spent.allocatedBytes() / receivedWhileSending};
        }
    }
}
