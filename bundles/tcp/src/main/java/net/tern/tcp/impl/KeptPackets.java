package net.tern.tcp.impl;

import io.netty.buffer.ByteBuf;

/**
 * The in-order data kept in the packets they came in ({@code sk_receive_queue}'s skbs), in
 * order, each with the bytes of the receive ring that come before it: a segment too small to
 * keep its packet is copied into the ring (as Linux copies a small skb into the one before it,
 * {@code tcp_try_coalesce}), and the packets after it are kept again, so one small segment
 * does not send every later byte through the ring while the reader is behind. The ring's bytes
 * after the last packet are the ring's size less {@link #ringBytesBefore()}.
 *
 * <p>A circular array of slices and counts, grown by doubling: no allocation per packet once
 * it has reached the queue's usual length. Used under the socket lock, by {@link TcpReceiver}.
 */
final class KeptPackets {
    private ByteBuf[] slices = new ByteBuf[8];
    /** For each slice, the ring's bytes queued before it and after the slice before it. */
    private int[] ringBefore = new int[8];
    private int head;
    private int count;
    /** The bytes of the slices not yet read. */
    private int bytes;
    /** The ring's bytes that come before some slice (the sum of {@link #ringBefore}). */
    private int ringBytesBefore;

    boolean isEmpty() {
        return count == 0;
    }

    /** The bytes of the packets not yet read. */
    int bytes() {
        return bytes;
    }

    /** The ring's bytes that are to be read before some packet's. */
    int ringBytesBefore() {
        return ringBytesBefore;
    }

    /** The first packet, or null. */
    ByteBuf head() {
        return count == 0 ? null : slices[head];
    }

    /** The ring's bytes to read before the first packet (0 when there is none). */
    int ringBeforeHead() {
        return count == 0 ? 0 : ringBefore[head];
    }

    /** The {@code i}th packet from the front, {@code i < size()}. */
    ByteBuf at(int i) {
        return slices[(head + i) & (slices.length - 1)];
    }

    /** The ring's bytes before the {@code i}th packet. */
    int ringBeforeAt(int i) {
        return ringBefore[(head + i) & (slices.length - 1)];
    }

    int size() {
        return count;
    }

    /** {@code slice} joins the end, after {@code ringQueued} bytes in the ring in all. */
    void add(ByteBuf slice, int ringQueued) {
        if (count == slices.length) {
            grow();
        }
        int at = (head + count) & (slices.length - 1);
        int before = ringQueued - ringBytesBefore;
        slices[at] = slice;
        ringBefore[at] = before;
        ringBytesBefore += before;
        bytes += slice.readableBytes();
        count++;
    }

    /** {@code n} of the ring's bytes before the first packet were read. */
    void ringRead(int n) {
        if (count == 0) {
            return;
        }
        if (n > ringBefore[head]) {
            throw new IllegalStateException("read " + n + " ring bytes, " + ringBefore[head] + " before the next packet");
        }
        ringBefore[head] -= n;
        ringBytesBefore -= n;
    }

    /** {@code n} bytes of the first packet were read (its reader index is the caller's to move). */
    void headRead(int n) {
        bytes -= n;
    }

    /** Takes the first packet off (read through, or handed over); the caller owns its reference. */
    ByteBuf poll() {
        ByteBuf slice = slices[head];
        bytes -= slice.readableBytes();
        ringBytesBefore -= ringBefore[head];
        slices[head] = null;
        ringBefore[head] = 0;
        head = (head + 1) & (slices.length - 1);
        count--;
        return slice;
    }

    /** Releases every packet (a reset, a disconnect, the socket destroyed). */
    void releaseAll() {
        while (count > 0) {
            poll().release();
        }
        head = 0;
        bytes = 0;
        ringBytesBefore = 0;
    }

    private void grow() {
        ByteBuf[] moreSlices = new ByteBuf[slices.length * 2];
        int[] moreBefore = new int[slices.length * 2];
        for (int i = 0; i < count; i++) {
            int from = (head + i) & (slices.length - 1);
            moreSlices[i] = slices[from];
            moreBefore[i] = ringBefore[from];
        }
        slices = moreSlices;
        ringBefore = moreBefore;
        head = 0;
    }
}
