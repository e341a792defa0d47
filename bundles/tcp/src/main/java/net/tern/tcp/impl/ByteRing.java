package net.tern.tcp.impl;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * A growable ring of bytes: the send queue (bytes from {@code snd_una} on, sent or not) and
 * the in-order receive queue. Not thread-safe; its owner's socket lock guards it.
 *
 * <p>The array is allocated on the first append, not with the ring: a connection that has
 * sent or received nothing holds no buffer memory, as an idle Linux socket holds no skbs
 * (two 4 KiB arrays per socket were most of an idle connection's heap).
 */
final class ByteRing {
    private static final byte[] NONE = new byte[0];

    private final int initialCapacity;
    private byte[] data = NONE;
    private int head;
    private int size;

    ByteRing(int initialCapacity) {
        this.initialCapacity = Math.max(16, initialCapacity);
    }

    /** The bytes allocated now: 0 until the first append. */
    int capacity() {
        return data.length;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Appends up to {@code max} bytes from {@code src} (advancing it); returns how many. */
    int append(ByteBuffer src, int max) {
        int n = Math.min(max, src.remaining());
        if (n <= 0) {
            return 0;
        }
        ensure(size + n);
        int tail = (head + size) % data.length;
        int first = Math.min(n, data.length - tail);
        src.get(data, tail, first);
        if (n > first) {
            src.get(data, 0, n - first);
        }
        size += n;
        return n;
    }

    /** Appends {@code length} bytes of {@code src} at {@code index}. */
    void append(ByteBuf src, int index, int length) {
        if (length == 0) {
            return;
        }
        ensure(size + length);
        int tail = (head + size) % data.length;
        int first = Math.min(length, data.length - tail);
        src.getBytes(index, data, tail, first);
        if (length > first) {
            src.getBytes(index + first, data, 0, length - first);
        }
        size += length;
    }

    void append(byte[] src, int offset, int length) {
        if (length == 0) {
            return;
        }
        ensure(size + length);
        int tail = (head + size) % data.length;
        int first = Math.min(length, data.length - tail);
        System.arraycopy(src, offset, data, tail, first);
        if (length > first) {
            System.arraycopy(src, offset + first, data, 0, length - first);
        }
        size += length;
    }

    /** Writes {@code length} bytes starting {@code offset} bytes in to {@code dst}'s writer index. */
    void copyTo(int offset, int length, ByteBuf dst) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IndexOutOfBoundsException("copy " + offset + "+" + length + " of " + size);
        }
        if (length == 0) {
            return;
        }
        int start = (head + offset) % data.length;
        int first = Math.min(length, data.length - start);
        dst.writeBytes(data, start, first);
        if (length > first) {
            dst.writeBytes(data, 0, length - first);
        }
    }

    /** Copies up to {@code dst.remaining()} bytes from the front into {@code dst}; consumes them unless {@code peek}. */
    int read(ByteBuffer dst, boolean peek) {
        int n = Math.min(dst.remaining(), size);
        if (n == 0) {
            return 0;
        }
        int first = Math.min(n, data.length - head);
        dst.put(data, head, first);
        if (n > first) {
            dst.put(data, 0, n - first);
        }
        if (!peek) {
            consume(n);
        }
        return n;
    }

    /** Drops {@code n} bytes from the front. */
    void consume(int n) {
        if (n < 0 || n > size) {
            throw new IndexOutOfBoundsException("consume " + n + " of " + size);
        }
        if (n == 0) {
            return;
        }
        head = (head + n) % data.length;
        size -= n;
        if (size == 0) {
            head = 0;
        }
    }

    void clear() {
        head = 0;
        size = 0;
    }

    private void ensure(int needed) {
        if (needed <= data.length) {
            return;
        }
        int capacity = Math.max(data.length, initialCapacity);
        while (capacity < needed) {
            capacity = capacity * 2;
        }
        byte[] bigger = new byte[capacity];
        int first = Math.min(size, data.length - head);
        System.arraycopy(data, head, bigger, 0, first);
        System.arraycopy(data, 0, bigger, first, size - first);
        data = bigger;
        head = 0;
    }
}
