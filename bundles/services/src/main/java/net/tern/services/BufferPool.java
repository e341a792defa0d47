package net.tern.services;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Buffers of one size for bytes in flight. A connection takes one when it has bytes to hold
 * (an echo not yet sent back, a request head not yet complete) and gives it back as soon as
 * it holds none, so an idle connection holds no buffer at all: what a crowd of idle clients
 * costs is the stack's state and a small connection object each, not a buffer each. Up to
 * {@code keep} free buffers wait here for the next taker; more are dropped for the collector,
 * so the pool's own memory is bounded whatever the number of connections.
 *
 * <p>Used from the loop's thread only, like everything a {@link ServiceLoop} handler touches,
 * so it takes no locks.
 */
final class BufferPool {
    private final int size;
    private final int keep;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private int taken;

    BufferPool(int size, int keep) {
        if (size < 1 || keep < 0) {
            throw new IllegalArgumentException("buffer size " + size + ", keep " + keep);
        }
        this.size = size;
        this.keep = keep;
    }

    int bufferSize() {
        return size;
    }

    /** An empty buffer of {@link #bufferSize()} bytes (position 0, limit its capacity). */
    ByteBuffer take() {
        ByteBuffer b = free.pollLast();
        taken++;
        return b != null ? b : ByteBuffer.allocate(size);
    }

    /** Returns a buffer from {@link #take()}; its content is forgotten. */
    void give(ByteBuffer b) {
        taken--;
        if (free.size() < keep) {
            free.addLast(b.clear());
        }
    }

    /** Buffers out now: held by connections with bytes in flight. */
    int taken() {
        return taken;
    }

    /** Buffers waiting for the next taker. */
    int free() {
        return free.size();
    }
}
