package net.tern.testfamily.impl;

import java.nio.ByteBuffer;

/**
 * One direction of a stream connection: a bounded ring of bytes from a writer to a reader.
 * The bound is the reader's SO_RCVBUF. The ring grows on demand up to the bound, so idle
 * connections cost little. Guarded by the namespace lock.
 */
final class Pipe {
    private static final int INITIAL = 4096;

    private byte[] ring = new byte[0];
    private int head;
    private int size;
    private int limit;
    /** The writer shut down its side or went away: the reader sees end-of-stream once drained. */
    boolean writerDone;
    /** The reader shut down its side or went away: writes fail with EPIPE. */
    boolean readerDone;

    Pipe(int limit) {
        this.limit = limit;
    }

    int size() {
        return size;
    }

    int space() {
        return Math.max(0, limit - size);
    }

    void limit(int limit) {
        this.limit = limit;
    }

    /** Takes what fits from {@code src}; returns the bytes taken. */
    int write(ByteBuffer src) {
        int n = Math.min(space(), src.remaining());
        if (n == 0) {
            return 0;
        }
        ensureCapacity(size + n);
        int tail = (head + size) % ring.length;
        int first = Math.min(n, ring.length - tail);
        src.get(ring, tail, first);
        if (n > first) {
            src.get(ring, 0, n - first);
        }
        size += n;
        return n;
    }

    /** Copies up to {@code dst.remaining()} bytes out; consumes them unless {@code peek}. */
    int read(ByteBuffer dst, boolean peek) {
        int n = Math.min(size, dst.remaining());
        if (n == 0) {
            return 0;
        }
        int first = Math.min(n, ring.length - head);
        dst.put(ring, head, first);
        if (n > first) {
            dst.put(ring, 0, n - first);
        }
        if (!peek) {
            head = (head + n) % ring.length;
            size -= n;
            if (size == 0) {
                head = 0;
            }
        }
        return n;
    }

    /** Drops everything queued: the reader is gone. */
    void discard() {
        head = 0;
        size = 0;
        ring = new byte[0];
    }

    private void ensureCapacity(int needed) {
        if (needed <= ring.length) {
            return;
        }
        int capacity = Math.max(INITIAL, ring.length);
        while (capacity < needed) {
            capacity <<= 1;
        }
        byte[] bigger = new byte[capacity];
        int first = Math.min(size, ring.length - head);
        System.arraycopy(ring, head, bigger, 0, first);
        System.arraycopy(ring, 0, bigger, first, size - first);
        ring = bigger;
        head = 0;
    }
}
