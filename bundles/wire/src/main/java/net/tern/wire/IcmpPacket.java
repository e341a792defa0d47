package net.tern.wire;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A view of an ICMP message in a buffer ({@code struct icmphdr}, RFC 792): type, code,
 * checksum, and the 4-byte rest of header, read as an echo's identifier and sequence, a
 * fragmentation-needed next-hop MTU (RFC 1191), or a parameter problem's pointer. After the
 * 8-byte header come the data: an echo's payload, or an error's quoted datagram. Nothing is
 * checked when the view is made: {@link #check} says whether a received message can be
 * read. A view made with {@link #IcmpPacket()} is pointed at message after message with
 * {@link #wrap}.
 */
public final class IcmpPacket {
    /** The ICMP header: type, code, checksum, rest of header. */
    public static final int HEADER_LENGTH = 8;

    /** What {@link #check} found wrong, or {@link #OK}. */
    public enum Check {
        OK,
        /** Fewer bytes than the header. */
        TOO_SHORT,
        /** The checksum over the message does not verify. */
        BAD_CHECKSUM
    }

    private ByteBuf buf;
    private int offset;

    /** A view over nothing yet: {@link #wrap} points it at a message. */
    public IcmpPacket() {
    }

    private IcmpPacket(ByteBuf buf, int offset) {
        wrap(buf, offset);
    }

    /** A view of the message at absolute index {@code offset}. */
    public static IcmpPacket at(ByteBuf buf, int offset) {
        return new IcmpPacket(buf, offset);
    }

    /** Points this view at the message at absolute index {@code offset} of {@code buf}. */
    public IcmpPacket wrap(ByteBuf buf, int offset) {
        this.buf = Objects.requireNonNull(buf, "buf");
        this.offset = offset;
        return this;
    }

    /** Checks a received message of {@code length} bytes: a whole header, and its checksum. */
    public Check check(int length) {
        if (length < HEADER_LENGTH) {
            return Check.TOO_SHORT;
        }
        if (!verifyChecksum(length)) {
            return Check.BAD_CHECKSUM;
        }
        return Check.OK;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    public int type() {
        return buf.getUnsignedByte(offset);
    }

    public int code() {
        return buf.getUnsignedByte(offset + 1);
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + 2);
    }

    /** Bytes 4-7 as one int (the "rest of header"). */
    public int restOfHeader() {
        return buf.getInt(offset + 4);
    }

    /** Echo and echo reply: the identifier. */
    public int identifier() {
        return buf.getUnsignedShort(offset + 4);
    }

    /** Echo and echo reply: the sequence number. */
    public int sequence() {
        return buf.getUnsignedShort(offset + 6);
    }

    /** Fragmentation needed: the next-hop MTU (RFC 1191), 0 from routers that predate it. */
    public int nextHopMtu() {
        return buf.getUnsignedShort(offset + 6);
    }

    /** Parameter problem: the pointer to the offending octet. */
    public int pointer() {
        return buf.getUnsignedByte(offset + 4);
    }

    /** Absolute index of the data after the header. */
    public int dataOffset() {
        return offset + HEADER_LENGTH;
    }

    /** Whether the message of {@code length} bytes checks out. */
    public boolean verifyChecksum(int length) {
        return InetChecksum.verify(buf, offset, length);
    }

    /**
     * Writes an ICMP header at {@code offset} (checksum zero); fill the checksum with
     * {@link #fillChecksum} once the data are in place.
     */
    public static IcmpPacket emitHeader(ByteBuf buf, int offset, int type, int code, int restOfHeader) {
        buf.setByte(offset, type);
        buf.setByte(offset + 1, code);
        buf.setShort(offset + 2, 0);
        buf.setInt(offset + 4, restOfHeader);
        return new IcmpPacket(buf, offset);
    }

    /** Computes the checksum over the message of {@code length} bytes and stores it. */
    public IcmpPacket fillChecksum(int length) {
        buf.setShort(offset + 2, 0);
        buf.setShort(offset + 2, InetChecksum.checksum(buf, offset, length));
        return this;
    }

    @Override
    public String toString() {
        return "ICMP[" + IcmpTypes.name(type()) + " code " + code() + "]";
    }
}
