package net.tern.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;

/**
 * A one-way transfer of seeded random bytes between two connected blocking stream sockets,
 * on two threads of its own (a writer that sends in chunks and then shuts down, a reader
 * that digests until EOF), so that a test can change the stack under it and then check that
 * every byte arrived intact. A test that must know the transfer is still under way at some
 * point, however fast or slow the machine, holds the reader back ({@link #readUpTo}): the
 * rest then waits in the sockets' buffers and the writer.
 */
final class StreamTransfer {
    private final byte[] data;
    private final MessageDigest digest;
    private final AtomicLong received = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** The most bytes the reader may take so far; it waits at this mark until it moves. */
    private final Object readLimitMoved = new Object();
    private long readLimit = Long.MAX_VALUE;
    private final Thread reader;
    private final Thread writer;

    /**
     * @param chunk the most bytes handed to one {@code send}, so the writer keeps coming back
     */
    StreamTransfer(SocketApi sockets, int sender, int receiver, int size, long seed, int chunk, String name)
            throws NoSuchAlgorithmException {
        this.data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        this.digest = MessageDigest.getInstance("SHA-256");
        this.reader = new Thread(() -> {
            try {
                ByteBuffer in = ByteBuffer.allocate(64 * 1024);
                while (true) {
                    long allowed = awaitReadAllowance();
                    in.clear().limit((int) Math.min(in.capacity(), allowed));
                    int n = sockets.recv(receiver, in, 0);
                    if (n <= 0) {
                        break;
                    }
                    digest.update(in.array(), 0, n);
                    received.addAndGet(n);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name + "-reader");
        this.writer = new Thread(() -> {
            try {
                ByteBuffer out = ByteBuffer.wrap(data);
                while (out.hasRemaining()) {
                    out.limit(Math.min(size, out.position() + chunk));
                    sockets.send(sender, out, 0);
                    out.limit(size);
                }
                sockets.shutdown(sender, SocketConstants.SHUT_WR);
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name + "-writer");
    }

    /** Lets the reader take at most {@code bytes} in all (until moved again); before {@link #start}, none to begin with. */
    StreamTransfer readUpTo(long bytes) {
        synchronized (readLimitMoved) {
            readLimit = bytes;
            readLimitMoved.notifyAll();
        }
        return this;
    }

    /** Waits until the reader may take more; returns how much more. */
    private long awaitReadAllowance() throws InterruptedException {
        synchronized (readLimitMoved) {
            while (readLimit - received.get() <= 0) {
                readLimitMoved.wait();
            }
            return readLimit - received.get();
        }
    }

    StreamTransfer start() {
        // A failed test must not leave the container waiting for a reader held back for ever.
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
        return this;
    }

    int size() {
        return data.length;
    }

    long received() {
        return received.get();
    }

    /** Whether a send or receive failed (the transfer is then over). */
    boolean failed() {
        return failure.get() != null;
    }

    /** Waits at most {@code millis} for both threads, then asserts every byte arrived, in order and intact. */
    void assertDeliveredIntact(long millis) throws Exception {
        writer.join(millis);
        reader.join(millis);
        assertNull("the transfer's send and receive calls", failure.get());
        assertEquals("bytes delivered", data.length, received.get());
        assertArrayEquals("every byte delivered intact", MessageDigest.getInstance("SHA-256").digest(data),
                digest.digest());
    }
}
