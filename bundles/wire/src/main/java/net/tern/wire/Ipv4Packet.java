package net.tern.wire;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A view of an IPv4 header in a buffer ({@code struct iphdr}, RFC 791 3.1), smoltcp-style:
 * accessors read and setters write the bytes in place at {@link #offset()}; nothing is
 * copied or checked when the view is made. Before trusting the accessors on bytes from the
 * wire, {@link #checkHeader} says whether the header is well formed, as {@code ip_rcv} does.
 * A view made with {@link #Ipv4Packet()} is pointed at packet after packet with
 * {@link #wrap}, so a reader that keeps one allocates nothing per packet.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * </pre>
 */
public final class Ipv4Packet {
    /** The header without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** The header with the most options (IHL 15). */
    public static final int MAX_HEADER_LENGTH = 60;
    /** The largest datagram the total-length field can describe. */
    public static final int MAX_TOTAL_LENGTH = 65535;

    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int OFFSET_MASK = 0x1fff;

    /** What {@link #checkHeader} found wrong, or {@link #OK}. */
    public enum Check {
        OK,
        /** Fewer bytes than a minimal header. */
        TOO_SHORT,
        /** Version is not 4. */
        BAD_VERSION,
        /** IHL below 5. */
        BAD_IHL,
        /** Fewer bytes than the IHL says the header has. */
        HEADER_TRUNCATED,
        /** The header checksum does not verify. */
        BAD_CHECKSUM,
        /** Total length is less than the header length. */
        TOTAL_LENGTH_BELOW_HEADER,
        /** Total length is more than the bytes there are. */
        TRUNCATED
    }

    private ByteBuf buf;
    private int offset;

    /** A view over nothing yet: {@link #wrap} points it at a header. */
    public Ipv4Packet() {
    }

    private Ipv4Packet(ByteBuf buf, int offset) {
        wrap(buf, offset);
    }

    /** Points this view at the header at absolute index {@code offset} of {@code buf}. */
    public Ipv4Packet wrap(ByteBuf buf, int offset) {
        this.buf = Objects.requireNonNull(buf, "buf");
        this.offset = offset;
        return this;
    }

    /** A view of the header at absolute index {@code offset} of {@code buf}. */
    public static Ipv4Packet at(ByteBuf buf, int offset) {
        return new Ipv4Packet(buf, offset);
    }

    /** A view of the header at {@code buf}'s reader index. */
    public static Ipv4Packet of(ByteBuf buf) {
        return new Ipv4Packet(buf, buf.readerIndex());
    }

    /**
     * Checks a received header the way {@code ip_rcv_core} does, in its order: a minimal
     * header's worth of bytes, version 4, IHL of at least 5, the header's bytes present, its
     * checksum, and a total length between the header length and the {@code available} bytes.
     */
    public Check checkHeader(int available) {
        if (available < MIN_HEADER_LENGTH) {
            return Check.TOO_SHORT;
        }
        if (version() != 4) {
            return Check.BAD_VERSION;
        }
        int ihl = headerLength();
        if (ihl < MIN_HEADER_LENGTH) {
            return Check.BAD_IHL;
        }
        if (available < ihl) {
            return Check.HEADER_TRUNCATED;
        }
        if (!verifyChecksum()) {
            return Check.BAD_CHECKSUM;
        }
        int total = totalLength();
        if (available < total) {
            return Check.TRUNCATED;
        }
        if (total < ihl) {
            return Check.TOTAL_LENGTH_BELOW_HEADER;
        }
        return Check.OK;
    }

    public ByteBuf buffer() {
        return buf;
    }

    /** Absolute index of the header in the buffer. */
    public int offset() {
        return offset;
    }

    public int version() {
        return buf.getUnsignedByte(offset) >>> 4;
    }

    /** The header length in bytes (IHL × 4). */
    public int headerLength() {
        return (buf.getUnsignedByte(offset) & 0x0f) * 4;
    }

    /** The type-of-service byte (DSCP and ECN). */
    public int tos() {
        return buf.getUnsignedByte(offset + 1);
    }

    public int totalLength() {
        return buf.getUnsignedShort(offset + 2);
    }

    public int identification() {
        return buf.getUnsignedShort(offset + 4);
    }

    /** The flags and fragment offset word as it is on the wire. */
    public int fragmentWord() {
        return buf.getUnsignedShort(offset + 6);
    }

    public boolean dontFragment() {
        return (fragmentWord() & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (fragmentWord() & FLAG_MF) != 0;
    }

    /** The fragment offset in bytes (the field counts 8-byte units). */
    public int fragmentOffset() {
        return (fragmentWord() & OFFSET_MASK) * 8;
    }

    /** Whether this is a fragment: MF set or a non-zero offset ({@code ip_is_fragment}). */
    public boolean isFragment() {
        return (fragmentWord() & (FLAG_MF | OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return buf.getUnsignedByte(offset + 8);
    }

    public int protocol() {
        return buf.getUnsignedByte(offset + 9);
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + 10);
    }

    public int source() {
        return source(buf, offset);
    }

    public int destination() {
        return destination(buf, offset);
    }

    /** The source address of the header at absolute index {@code offset}, without making a view. */
    public static int source(ByteBuf buf, int offset) {
        return buf.getInt(offset + 12);
    }

    /** The destination address of the header at absolute index {@code offset}, without making a view. */
    public static int destination(ByteBuf buf, int offset) {
        return buf.getInt(offset + 16);
    }

    /** Absolute index of the payload: just past the header and its options. */
    public int payloadOffset() {
        return offset + headerLength();
    }

    /** The payload length the header claims: total length less the header. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /** Whether the header checksum verifies over {@link #headerLength()} bytes. */
    public boolean verifyChecksum() {
        return InetChecksum.verify(buf, offset, headerLength());
    }

    // ---- in-place changes (forwarding, fragmentation, reassembly)

    public Ipv4Packet setTotalLength(int length) {
        buf.setShort(offset + 2, length);
        return this;
    }

    public Ipv4Packet setFragmentWord(int word) {
        buf.setShort(offset + 6, word);
        return this;
    }

    /** Sets MF, DF and the offset in bytes (a multiple of 8). */
    public Ipv4Packet setFragment(boolean dontFragment, boolean moreFragments, int offsetBytes) {
        if ((offsetBytes & 7) != 0 || offsetBytes < 0 || offsetBytes / 8 > OFFSET_MASK) {
            throw new IllegalArgumentException("fragment offset must be a multiple of 8 in 0..65528: " + offsetBytes);
        }
        int word = (dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0) | (offsetBytes / 8);
        return setFragmentWord(word);
    }

    public Ipv4Packet setTtl(int ttl) {
        buf.setByte(offset + 8, ttl);
        return this;
    }

    public Ipv4Packet setIdentification(int id) {
        buf.setShort(offset + 4, id);
        return this;
    }

    /** Recomputes the header checksum ({@code ip_send_check}). */
    /**
     * Writes a header without options at absolute {@code index} of {@code buf}, its checksum
     * filled: what {@link Ipv4Repr#emit} writes, from values alone, so a sender that makes no
     * representation per packet allocates nothing. {@code fragmentWord} is the flags and
     * offset field as sent ({@link #FLAG_DF}, {@link #FLAG_MF}, offset in 8-byte units).
     */
    public static void emitHeader(ByteBuf buf, int index, int tos, int totalLength, int identification,
            int fragmentWord, int ttl, int protocol, int source, int destination) {
        buf.setByte(index, 0x45);
        buf.setByte(index + 1, tos);
        buf.setShort(index + 2, totalLength);
        buf.setShort(index + 4, identification);
        buf.setShort(index + 6, fragmentWord);
        buf.setByte(index + 8, ttl);
        buf.setByte(index + 9, protocol);
        buf.setShort(index + 10, 0);
        buf.setInt(index + 12, source);
        buf.setInt(index + 16, destination);
        buf.setShort(index + 10, InetChecksum.checksum(buf, index, MIN_HEADER_LENGTH));
    }

    public Ipv4Packet fillChecksum() {
        buf.setShort(offset + 10, 0);
        buf.setShort(offset + 10, InetChecksum.checksum(buf, offset, headerLength()));
        return this;
    }

    @Override
    public String toString() {
        return "IPv4[" + Ipv4Address.format(source()) + " > " + Ipv4Address.format(destination())
                + " proto " + protocol() + " len " + totalLength() + " id " + identification()
                + (dontFragment() ? " DF" : "") + (moreFragments() ? " MF" : "")
                + (fragmentOffset() != 0 ? " off " + fragmentOffset() : "") + " ttl " + ttl() + "]";
    }
}
