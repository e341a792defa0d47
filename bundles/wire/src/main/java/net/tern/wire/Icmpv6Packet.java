package net.tern.wire;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A view of an ICMPv6 message in a buffer ({@code struct icmp6hdr}, RFC 4443 2.1): type,
 * code, checksum and the 4-byte rest of header (an echo's identifier and sequence, a packet
 * too big's MTU, a parameter problem's pointer). Unlike ICMP for IPv4 its checksum covers
 * the IPv6 pseudo-header (RFC 4443 2.3), so {@link #check} takes the addresses.
 */
public final class Icmpv6Packet {
    public static final int HEADER_LENGTH = 8;

    /** What {@link #check} found wrong, or {@link #OK}. */
    public enum Check {
        OK,
        TOO_SHORT,
        BAD_CHECKSUM
    }

    private ByteBuf buf;
    private int offset;

    public Icmpv6Packet() {
    }

    public static Icmpv6Packet at(ByteBuf buf, int offset) {
        return new Icmpv6Packet().wrap(buf, offset);
    }

    public Icmpv6Packet wrap(ByteBuf buf, int offset) {
        this.buf = Objects.requireNonNull(buf, "buf");
        this.offset = offset;
        return this;
    }

    /** Checks a received message of {@code length} bytes between {@code source} and {@code destination}. */
    public Check check(int length, Ipv6Address source, Ipv6Address destination) {
        if (length < HEADER_LENGTH) {
            return Check.TOO_SHORT;
        }
        if (!InetChecksum.verifyTransport6(buf, offset, length, source, destination, InetChecksum.IPPROTO_ICMPV6)) {
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

    public int restOfHeader() {
        return buf.getInt(offset + 4);
    }

    public int identifier() {
        return buf.getUnsignedShort(offset + 4);
    }

    public int sequence() {
        return buf.getUnsignedShort(offset + 6);
    }

    /** Packet too big: the next-hop MTU (32 bits). */
    public long mtu() {
        return buf.getUnsignedInt(offset + 4);
    }

    /** Parameter problem: the offset of the offending octet in the invoking packet. */
    public long pointer() {
        return buf.getUnsignedInt(offset + 4);
    }

    public int dataOffset() {
        return offset + HEADER_LENGTH;
    }

    /** Writes a header at {@code offset}, checksum zero; {@link #fillChecksum} once the data are in place. */
    public static Icmpv6Packet emitHeader(ByteBuf buf, int offset, int type, int code, int restOfHeader) {
        buf.setByte(offset, type);
        buf.setByte(offset + 1, code);
        buf.setShort(offset + 2, 0);
        buf.setInt(offset + 4, restOfHeader);
        return at(buf, offset);
    }

    /** Computes the checksum over the message of {@code length} bytes with its pseudo-header and stores it. */
    public Icmpv6Packet fillChecksum(int length, Ipv6Address source, Ipv6Address destination) {
        buf.setShort(offset + 2, 0);
        buf.setShort(offset + 2, InetChecksum.transportChecksum6(buf, offset, length, source, destination,
                InetChecksum.IPPROTO_ICMPV6));
        return this;
    }

    @Override
    public String toString() {
        return "ICMPv6[" + Icmpv6Types.name(type()) + " code " + code() + "]";
    }
}
