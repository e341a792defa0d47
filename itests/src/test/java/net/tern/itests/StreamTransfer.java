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
 * every byte arrived intact.
 */
final class StreamTransfer {
    private final byte[] data;
    private final MessageDigest digest;
    private final AtomicLong received = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
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
                int n;
                while ((n = sockets.recv(receiver, in, 0)) > 0) {
                    digest.update(in.array(), 0, n);
                    received.addAndGet(n);
                    in.clear();
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

    StreamTransfer start() {
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
