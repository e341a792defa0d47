package net.tern.wire;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum
 * of the data taken as big-endian 16-bit words, an odd last byte padded with a zero. IPv4
 * headers, ICMP messages, and UDP and TCP segments (with the pseudo-header of RFC 768 /
 * RFC 793) all use it; this class is the stack's only implementation ({@code csum_partial},
 * {@code csum_tcpudp_nofold}, {@code csum_fold} in Linux).
 *
 * <p>A <em>partial sum</em> is an unfolded or folded sum, not yet complemented. Partial sums
 * of consecutive byte ranges add up with {@link #add} when every range but the last has an
 * even length, which is how the pseudo-header sum joins the segment's.
 */
public final class InetChecksum {
    /**
     * From this length on a sum reads through the buffer's NIO view of the bytes, where the
     * setup pays for itself; headers and small datagrams are summed through the accessors.
     */
    static final int NIO_VIEW_MIN_LENGTH = 512;

    private InetChecksum() {
    }

    /** The partial sum of {@code length} bytes at {@code index}, folded to 16 bits. */
    public static int sum(ByteBuf buf, int index, int length) {
        if (length >= NIO_VIEW_MIN_LENGTH && buf.nioBufferCount() == 1) {
            // One view of the bytes, read 8 at a time: a ByteBuf accessor per word re-checks
            // bounds and the reference count each time, which made this the top of a bulk
            // transfer's profile. The internal view is the one the buffer keeps and reuses (a
            // pooled buffer across its reuses too): a new view per sum (nioBuffer) made two
            // buffer objects of garbage per packet received. Only its position and limit are
            // set, and nothing else uses it while this thread, the packet's owner, sums.
            return sum(buf.internalNioBuffer(index, length));
        }
        long acc = 0;
        int i = index;
        int end = index + length;
        // Four bytes at a time: two 16-bit words per int; the 64-bit accumulator cannot overflow
        // for any buffer a packet can have.
        while (end - i >= 4) {
            acc += buf.getUnsignedInt(i);
            i += 4;
        }
        if (end - i >= 2) {
            acc += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < end) {
            acc += (buf.getUnsignedByte(i) << 8);
        }
        return fold(acc);
    }

    /** The partial sum of the bytes from {@code bytes}' position to its limit (not moved), folded to 16 bits. */
    public static int sum(ByteBuffer bytes) {
        ByteBuffer big = bytes.order() == ByteOrder.BIG_ENDIAN ? bytes : bytes.duplicate().order(ByteOrder.BIG_ENDIAN);
        long acc = 0;
        int i = big.position();
        int end = big.limit();
        // Eight bytes at a time, as two 32-bit halves: each addition is below 2^33, so the
        // accumulator cannot overflow for any packet (2^31 additions would be needed).
        while (end - i >= 8) {
            long v = big.getLong(i);
            acc += (v >>> 32) + (v & 0xffffffffL);
            i += 8;
        }
        while (end - i >= 2) {
            acc += big.getShort(i) & 0xffff;
            i += 2;
        }
        if (i < end) {
            acc += (big.get(i) & 0xff) << 8;
        }
        return fold(acc);
    }

    /** The partial sum of {@code length} bytes of {@code data} at {@code offset}. */
    public static int sum(byte[] data, int offset, int length) {
        long acc = 0;
        int i = offset;
        int end = offset + length;
        while (end - i >= 2) {
            acc += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
            i += 2;
        }
        if (i < end) {
            acc += (data[i] & 0xff) << 8;
        }
        return fold(acc);
    }

    /** {@code csum_fold} without the complement: folds carries back in until 16 bits remain. */
    public static int fold(long sum) {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** One's complement addition of two partial sums. */
    public static int add(int a, int b) {
        return fold((long) a + b);
    }

    /** The checksum field's value for a partial sum: its complement. */
    public static int finish(int partialSum) {
        return ~fold(partialSum) & 0xffff;
    }

    /** The checksum of {@code length} bytes at {@code index}, ready for the header field. */
    public static int checksum(ByteBuf buf, int index, int length) {
        return finish(sum(buf, index, length));
    }

    /**
     * Whether {@code length} bytes at {@code index}, checksum field included, sum to all ones,
     * as correct data does (RFC 1071, 1.).
     */
    public static boolean verify(ByteBuf buf, int index, int length) {
        return sum(buf, index, length) == 0xffff;
    }

    /**
     * The partial sum of the IPv4 pseudo-header (RFC 768, RFC 793 3.1): source and
     * destination address, a zero byte, the protocol and the transport length.
     */
    public static int pseudoHeaderSum(int source, int destination, int protocol, int length) {
        long acc = (source >>> 16) + (source & 0xffff)
                + (destination >>> 16) + (destination & 0xffff)
                + (protocol & 0xff) + (length & 0xffff);
        return fold(acc);
    }

    /**
     * The UDP or TCP checksum of the segment of {@code length} bytes at {@code index} (its
     * checksum field zero) with its pseudo-header: the value for the checksum field. UDP
     * sends a result of 0 as 0xffff (RFC 768); that is the caller's rule, not this method's.
     */
    public static int transportChecksum(ByteBuf buf, int index, int length, int source, int destination, int protocol) {
        return finish(add(pseudoHeaderSum(source, destination, protocol, length), sum(buf, index, length)));
    }

    /**
     * {@code skb_checksum_help}: completes a transport checksum left partial for a device
     * that offloads it ({@code CHECKSUM_PARTIAL}). The field {@code offset} bytes after
     * {@code start} holds the pseudo-header's sum, so the sum of the bytes from {@code start}
     * to {@code end}, field included, is the whole sum; its complement goes in the field, a
     * 0 as 0xffff ({@code CSUM_MANGLED_0}), which UDP needs and TCP does not mind.
     */
    public static void completePartial(ByteBuf buf, int start, int end, int offset) {
        int sum = finish(sum(buf, start, end - start));
        buf.setShort(start + offset, sum == 0 ? 0xffff : sum);
    }

    /** Whether a received UDP or TCP segment, checksum field included, checks out against its pseudo-header. */
    public static boolean verifyTransport(ByteBuf buf, int index, int length, int source, int destination, int protocol) {
        return add(pseudoHeaderSum(source, destination, protocol, length), sum(buf, index, length)) == 0xffff;
    }

    /** ICMPv6's next header value, which its pseudo-header carries. */
    public static final int IPPROTO_ICMPV6 = 58;

    /**
     * The partial sum of the IPv6 pseudo-header (RFC 8200 8.1): source and destination
     * address, the upper-layer packet length as 32 bits, three zero bytes and the next header.
     */
    public static int pseudoHeaderSum6(Ipv6Address source, Ipv6Address destination, int nextHeader, int length) {
        long acc = words(source.high()) + words(source.low()) + words(destination.high()) + words(destination.low())
                + (length >>> 16) + (length & 0xffff) + (nextHeader & 0xff);
        return fold(acc);
    }

    private static long words(long v) {
        return (v >>> 48) + ((v >>> 32) & 0xffff) + ((v >>> 16) & 0xffff) + (v & 0xffff);
    }

    /** {@link #transportChecksum} over the IPv6 pseudo-header. */
    public static int transportChecksum6(ByteBuf buf, int index, int length, Ipv6Address source,
            Ipv6Address destination, int nextHeader) {
        return finish(add(pseudoHeaderSum6(source, destination, nextHeader, length), sum(buf, index, length)));
    }

    /** {@link #verifyTransport} over the IPv6 pseudo-header. */
    public static boolean verifyTransport6(ByteBuf buf, int index, int length, Ipv6Address source,
            Ipv6Address destination, int nextHeader) {
        return add(pseudoHeaderSum6(source, destination, nextHeader, length), sum(buf, index, length)) == 0xffff;
    }
}
