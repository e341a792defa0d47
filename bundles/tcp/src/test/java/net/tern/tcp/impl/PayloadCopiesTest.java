package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import net.tern.api.socket.ErrnoException;
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
            int[] pair = connectedPair(lo);
            assertThat(copiesPerByte(lo, pair, new CopyingReader(lo.api(), pair[1])))
                    .isLessThanOrEqualTo(3.0 + SMALL_SEGMENT_SHARE);
        }
    }

    /**
     * The same transfer read with {@code sysRecvBuffers}: the segments kept in the receive
     * queue are handed to the reader as they are, so the reader's side copies nothing and a
     * byte is copied twice (into the send queue, into its segment), besides the small
     * segments, which go through the ring and are copied out of it once. Every buffer handed
     * over is released by the reader; the leak check finds none left.
     */
    @Test
    void aLoopbackBulkTransferReadIntoHandedOverBuffersCopiesEachByteTwiceBesidesSmallSegments() throws Exception {
        try (LoopbackHost lo = new LoopbackHost()) {
            int[] pair = connectedPair(lo);
            HandedOverReader handedOver = new HandedOverReader(lo.api(), pair[1]);
            assertThat(copiesPerByte(lo, pair, handedOver)).isLessThanOrEqualTo(2.0 + SMALL_SEGMENT_SHARE);
            assertThat(handedOver.buffers).as("most bytes came in the packets' own buffers, several per call")
                    .isGreaterThan(TOTAL / WRITE);
        }
    }

    /**
     * A connected pair whose receiver offers a window beyond twice the loopback MSS, so that
     * segments are full-sized ({@code tcp_bound_to_half_wnd} bounds them by half the largest
     * window offered).
     */
    private static int[] connectedPair(LoopbackHost lo) throws ErrnoException {
        int listener = lo.listen(8080, 8);
        lo.api().setsockopt(listener, SOL_SOCKET, SO_RCVBUF, 1 << 20);
        return lo.connectPair(listener, 8080);
    }

    /**
     * A counted transfer of {@link #TOTAL} bytes read by {@code reader}: the bytes copied per
     * byte received. A megabyte first, uncounted: the queues' arrays are made and grown outside
     * the count.
     */
    private static double copiesPerByte(LoopbackHost lo, int[] pair, Reader reader) {
        ByteBuffer out = ByteBuffer.allocate(WRITE);
        transfer(lo, lo.api(), pair, out, reader, 16 * WRITE);
        PayloadCopies.start();
        long copied;
        long received;
        try {
            received = transfer(lo, lo.api(), pair, out, reader, TOTAL);
        } finally {
            copied = PayloadCopies.stop();
        }
        assertThat(received).isEqualTo(TOTAL);
        double perByte = (double) copied / received;
        System.out.printf("copies per byte: %.4f (%d bytes copied for %d received)%n", perByte, copied, received);
        return perByte;
    }

    /** One non-blocking receive at the reader: the bytes read, each passed to {@code check}, or a negative errno. */
    private interface Reader {
        long read(ByteChecker check);
    }

    @FunctionalInterface
    private interface ByteChecker {
        void check(byte value);
    }

    /** {@code sysRecv} into one array: the reader's copy. */
    private static final class CopyingReader implements Reader {
        private final SocketApi api;
        private final int fd;
        private final ByteBuffer in = ByteBuffer.allocate(WRITE);

        CopyingReader(SocketApi api, int fd) {
            this.api = api;
            this.fd = fd;
        }

        @Override
        public long read(ByteChecker check) {
            in.clear();
            long n = api.sysRecv(fd, in, 0, null);
            for (int i = 0; i < n; i++) {
                check.check(in.get(i));
            }
            return n;
        }
    }

    /** {@code sysRecvBuffers}: the buffers handed over are read in place and released. */
    private static final class HandedOverReader implements Reader {
        private final SocketApi api;
        private final int fd;
        private final ByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        private final ArrayDeque<ByteBuf> arrived = new ArrayDeque<>();
        long buffers;

        HandedOverReader(SocketApi api, int fd) {
            this.api = api;
            this.fd = fd;
        }

        @Override
        public long read(ByteChecker check) {
            long n = api.sysRecvBuffers(fd, alloc, WRITE, 0, arrived::addLast);
            long seen = 0;
            ByteBuf buf;
            while ((buf = arrived.pollFirst()) != null) {
                buffers++;
                try {
                    for (int i = buf.readerIndex(); i < buf.writerIndex(); i++) {
                        check.check(buf.getByte(i));
                        seen++;
                    }
                } finally {
                    buf.release();
                }
            }
            if (n > 0 && seen != n) {
                throw new AssertionError(n + " bytes reported, " + seen + " handed over");
            }
            return n;
        }
    }

    /** Sends {@code total} bytes from {@code pair[0]} and reads them at {@code pair[1]} with {@code reader}, checking each; returns the bytes read. */
    private static long transfer(LoopbackHost lo, SocketApi api, int[] pair, ByteBuffer out, Reader reader, long total) {
        long sent = 0;
        long[] read = {0};
        ByteChecker check = value -> {
            if (value != pattern(read[0])) {
                throw new AssertionError("byte " + read[0] + " differs");
            }
            read[0]++;
        };
        for (int spins = 0; read[0] < total; spins++) {
            if (spins > 10_000_000) {
                throw new AssertionError("stuck at " + read[0] + " of " + total + " bytes read");
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
            if (reader.read(check) <= 0) {
                // Nothing arrived: a small segment may wait for the delayed ACK (Nagle), so let time run.
                lo.advance(1, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            lo.runUntilIdle();
        }
        return read[0];
    }

    private static byte pattern(long offset) {
        return (byte) (offset * 31 + offset / 251);
    }
}
