package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.tcp.testing.LoopbackHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How many times a TCP byte is copied on loopback, counted: every copy of payload bytes goes
 * through {@link PayloadCopies}, and a transfer's bytes copied are divided by the bytes the
 * reader got. In virtual time; nothing is timed.
 */
@ExtendWith(PacketLeakCheck.class)
class PayloadCopiesTest {
    private static final int TOTAL = 8 << 20;
    private static final int WRITE = 64 << 10;
    /** The copies per byte that small segments may add: 3.0008 measured. */
    private static final double SMALL_SEGMENT_SHARE = 0.01;

    /**
     * A bulk transfer with a reader that keeps up: the writer's bytes are copied into the
     * send queue, from it into each segment, and from the segments kept in the receive queue
     * to the reader; they are not copied into a receive ring on the way. Only a segment that
     * fills less than half its buffer (here the 53 bytes each 64 KiB write leaves after a
     * 65,483-byte segment) is copied into the ring instead, as Linux copies a small skb into
     * the one before it ({@code tcp_try_coalesce}); that is the {@value #SMALL_SEGMENT_SHARE}.
     */
    @Test
    void aLoopbackBulkTransferCopiesEachByteThreeTimesBesidesSmallSegments() throws Exception {
        try (LoopbackHost lo = new LoopbackHost()) {
            SocketApi api = lo.api();
            int listener = lo.listen(8080, 8);
            // A window beyond twice the loopback MSS, so that segments are full-sized
            // (tcp_bound_to_half_wnd bounds them by half the largest window offered).
            api.setsockopt(listener, SOL_SOCKET, SO_RCVBUF, 1 << 20);
            int[] pair = lo.connectPair(listener, 8080);
            ByteBuffer out = ByteBuffer.allocate(WRITE);
            ByteBuffer in = ByteBuffer.allocate(WRITE);
            // A megabyte first: the queues' arrays are made and grown outside the count.
            long received = transfer(lo, api, pair, out, in, 16 * WRITE);
            PayloadCopies.start();
            long copied;
            try {
                received = transfer(lo, api, pair, out, in, TOTAL);
            } finally {
                copied = PayloadCopies.stop();
            }
            assertThat(received).isEqualTo(TOTAL);
            assertThat((double) copied / received).as("copies per byte (%d bytes copied for %d received)", copied,
                    received).isLessThanOrEqualTo(3.0 + SMALL_SEGMENT_SHARE);
        }
    }

    /** Sends {@code total} bytes from {@code pair[0]} and reads them at {@code pair[1]}, checking each; returns the bytes read. */
    private static long transfer(LoopbackHost lo, SocketApi api, int[] pair, ByteBuffer out, ByteBuffer in, long total) {
        long sent = 0;
        long read = 0;
        for (int spins = 0; read < total; spins++) {
            if (spins > 10_000_000) {
                throw new AssertionError("stuck at " + read + " of " + total + " bytes read");
            }
            if (sent < total) {
                out.clear().limit((int) Math.min(WRITE, total - sent));
                for (int i = 0; i < out.limit(); i++) {
                    out.put(i, pattern(sent + i));
                }
                long n = api.sysSend(pair[0], out, 0, null);
                if (n > 0) {
                    sent += n;
                }
            }
            lo.runUntilIdle();
            in.clear();
            long n = api.sysRecv(pair[1], in, 0, null);
            if (n > 0) {
                for (int i = 0; i < n; i++) {
                    if (in.get(i) != pattern(read + i)) {
                        throw new AssertionError("byte " + (read + i) + " differs");
                    }
                }
                read += n;
            } else {
                // Nothing arrived: a small segment may wait for the delayed ACK (Nagle), so let time run.
                lo.advance(1, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            lo.runUntilIdle();
        }
        return read;
    }

    private static byte pattern(long offset) {
        return (byte) (offset * 31 + offset / 251);
    }
}
