package net.tern.tcp.impl;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * A growable ring of bytes: the send queue (bytes from {@code snd_una} on, sent or not) and
 * the receive queue. Not thread-safe; its owner's socket lock guards it.
 *
 * <p>The queued bytes are the first {@link #size()} from the head. The receive queue also
 * holds out-of-order data in place, beyond the queued bytes ({@link #place}), where they will
 * be when the hole before them fills; {@link #commit} then makes them queued without a copy.
 * The ring keeps every byte up to its {@link #extent()} across growth.
 *
 * <p>The array is allocated on the first write, not with the ring: a connection that has
 * sent or received nothing holds no buffer memory, as an idle Linux socket holds no skbs
 * (two 4 KiB arrays per socket were most of an idle connection's heap). It grows by doubling,
 * but not past its {@link #limit(int) limit} unless one write needs more, so the memory it
 * holds ({@link #truesize()}) stays within what its socket's buffer allows. {@link #release()}
 * gives an empty ring's array back.
 *
 * <p>Every copy of bytes into or out of the ring, its growth included, is reported to
 * {@link PayloadCopies}.
 */
final class ByteRing {
    /** What a {@code byte[]} costs beyond its bytes: the object header and length (64-bit JVM). */
    static final int ARRAY_OVERHEAD = 16;

    private static final byte[] NONE = new byte[0];

    private final int initialCapacity;
    private byte[] data = NONE;
    private int head;
    private int size;
    /** Bytes from the head that hold data: the queued ones and any placed beyond them. */
    private int extent;
    private int limit = Integer.MAX_VALUE;

    ByteRing(int initialCapacity) {
        this.initialCapacity = Math.max(16, initialCapacity);
    }

    /** The bytes allocated now: 0 until the first write. */
    int capacity() {
        return data.length;
    }

    /** The memory the ring holds: its array with the array's header, or 0 without one. */
    int truesize() {
        return data.length == 0 ? 0 : data.length + ARRAY_OVERHEAD;
    }

    /** The most the ring grows to by doubling; a write needing more still gets it. */
    void limit(int bytes) {
        this.limit = Math.max(1, bytes);
    }

    int size() {
        return size;
    }

    /** Bytes from the head that hold data, queued or placed ahead: at least {@link #size()}. */
    int extent() {
        return extent;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The capacity the ring would have to hold {@code needed} bytes from its head. */
    int capacityFor(int needed) {
        if (needed <= data.length) {
            return data.length;
        }
        long capacity = Math.max(data.length, initialCapacity);
        while (capacity < needed) {
            capacity *= 2;
        }
        return (int) Math.min(capacity, Math.max(limit, needed));
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
        PayloadCopies.copied(n);
        commitTo(size + n);
        return n;
    }

    /** Appends {@code length} bytes of {@code src} at {@code index}. */
    void append(ByteBuf src, int index, int length) {
        place(size, src, index, length);
        commitTo(size + length);
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
        PayloadCopies.copied(length);
        commitTo(size + length);
    }

    /**
     * Writes {@code length} bytes of {@code src} at {@code index} to {@code offset} bytes from
     * the head, at or beyond the queued bytes, without queueing them (out-of-order data).
     */
    void place(int offset, ByteBuf src, int index, int length) {
        if (offset < size) {
            throw new IndexOutOfBoundsException("place at " + offset + " inside the " + size + " queued bytes");
        }
        if (length == 0) {
            return;
        }
        ensure(offset + length);
        int at = (head + offset) % data.length;
        int first = Math.min(length, data.length - at);
        src.getBytes(index, data, at, first);
        if (length > first) {
            src.getBytes(index + first, data, 0, length - first);
        }
        PayloadCopies.copied(length);
        extent = Math.max(extent, offset + length);
    }

    /** Queues the {@code n} bytes after the queued ones, which {@link #place} wrote. */
    void commit(int n) {
        if (n < 0 || size + n > extent) {
            throw new IndexOutOfBoundsException("commit " + n + " with " + (extent - size) + " placed");
        }
        commitTo(size + n);
    }

    /**
     * Forgets the bytes placed beyond {@code offset} from the head (out-of-order data pruned
     * or dropped); the queued bytes stay.
     */
    void trimPlaced(int offset) {
        extent = Math.max(size, Math.min(extent, offset));
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
        PayloadCopies.copied(length);
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
        PayloadCopies.copied(n);
        if (!peek) {
            consume(n);
        }
        return n;
    }

    /** Copies {@code length} queued bytes starting {@code offset} bytes in to {@code dst}'s position, consuming none. */
    void peekAt(int offset, ByteBuffer dst, int length) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IndexOutOfBoundsException("peek " + offset + "+" + length + " of " + size);
        }
        if (length == 0) {
            return;
        }
        int start = (head + offset) % data.length;
        int first = Math.min(length, data.length - start);
        dst.put(data, start, first);
        if (length > first) {
            dst.put(data, 0, length - first);
        }
        PayloadCopies.copied(length);
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
        extent -= n;
        if (extent == 0) {
            head = 0;
        }
    }

    /** Forgets every byte, queued or placed; the array stays for reuse. */
    void clear() {
        head = 0;
        size = 0;
        extent = 0;
    }

    /** Gives the array back if the ring holds nothing; returns whether it did. */
    boolean release() {
        if (extent != 0 || data.length == 0) {
            return false;
        }
        data = NONE;
        head = 0;
        return true;
    }

    private void commitTo(int newSize) {
        size = newSize;
        extent = Math.max(extent, newSize);
    }

    private void ensure(int needed) {
        if (needed <= data.length) {
            return;
        }
        byte[] bigger = new byte[capacityFor(needed)];
        int first = Math.min(extent, data.length - head);
        System.arraycopy(data, head, bigger, 0, first);
        System.arraycopy(data, 0, bigger, first, extent - first);
        PayloadCopies.copied(extent); // moved into the bigger array
        data = bigger;
        head = 0;
    }
}
