package net.tern.wire;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A view of an IPv6 header in a buffer ({@code struct ipv6hdr}, RFC 8200 3), in the style of
 * {@link Ipv4Packet}: accessors read and setters write in place at {@link #offset()}, nothing
 * is checked when the view is made, and {@link #checkHeader} says whether bytes from the wire
 * can be trusted, as {@code ipv6_rcv} does.
 *
 * <pre>
 * |Version| Traffic Class |           Flow Label                  |
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * |                         Source Address (128 bits)             |
 * |                      Destination Address (128 bits)           |
 * </pre>
 */
public final class Ipv6Packet {
    /** The fixed header. */
    public static final int HEADER_LENGTH = 40;
    /** The smallest MTU every IPv6 link has (RFC 8200 5). */
    public static final int MIN_MTU = 1280;
    /** The largest payload the payload-length field can describe (no jumbograms). */
    public static final int MAX_PAYLOAD_LENGTH = 65535;

    /** What {@link #checkHeader} found wrong, or {@link #OK}. */
    public enum Check {
        OK,
        /** Fewer bytes than the fixed header. */
        TOO_SHORT,
        /** Version is not 6. */
        BAD_VERSION,
        /** The payload length says more bytes than there are. */
        TRUNCATED
    }

    private ByteBuf buf;
    private int offset;

    /** A view over nothing yet: {@link #wrap} points it at a header. */
    public Ipv6Packet() {
    }

    /** A view of the header at absolute index {@code offset} of {@code buf}. */
    public static Ipv6Packet at(ByteBuf buf, int offset) {
        return new Ipv6Packet().wrap(buf, offset);
    }

    /** Points this view at the header at absolute index {@code offset} of {@code buf}. */
    public Ipv6Packet wrap(ByteBuf buf, int offset) {
        this.buf = Objects.requireNonNull(buf, "buf");
        this.offset = offset;
        return this;
    }

    /**
     * Checks a received header against the {@code available} bytes, in {@code ipv6_rcv}'s
     * order: a fixed header's worth, version 6, and a payload length that the bytes cover.
     */
    public Check checkHeader(int available) {
        if (available < HEADER_LENGTH) {
            return Check.TOO_SHORT;
        }
        if (version() != 6) {
            return Check.BAD_VERSION;
        }
        if (HEADER_LENGTH + payloadLength() > available) {
            return Check.TRUNCATED;
        }
        return Check.OK;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int offset() {
        return offset;
    }

    public int version() {
        return buf.getUnsignedByte(offset) >>> 4;
    }

    /** The traffic class (DSCP and ECN). */
    public int trafficClass() {
        return (buf.getUnsignedShort(offset) >>> 4) & 0xff;
    }

    public int flowLabel() {
        return buf.getInt(offset) & 0xfffff;
    }

    /** Bytes after the fixed header, extension headers included. */
    public int payloadLength() {
        return buf.getUnsignedShort(offset + 4);
    }

    public int nextHeader() {
        return buf.getUnsignedByte(offset + 6);
    }

    public int hopLimit() {
        return buf.getUnsignedByte(offset + 7);
    }

    public Ipv6Address source() {
        return Ipv6Address.read(buf, offset + 8);
    }

    public Ipv6Address destination() {
        return Ipv6Address.read(buf, offset + 24);
    }

    /** Absolute index of the first byte after the fixed header. */
    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    public Ipv6Packet setPayloadLength(int length) {
        buf.setShort(offset + 4, length);
        return this;
    }

    public Ipv6Packet setNextHeader(int nextHeader) {
        buf.setByte(offset + 6, nextHeader);
        return this;
    }

    public Ipv6Packet setHopLimit(int hopLimit) {
        buf.setByte(offset + 7, hopLimit);
        return this;
    }

    /** Writes a whole fixed header at absolute {@code offset}. */
    public static Ipv6Packet emitHeader(ByteBuf buf, int offset, int trafficClass, int flowLabel, int payloadLength,
            int nextHeader, int hopLimit, Ipv6Address source, Ipv6Address destination) {
        buf.setInt(offset, 6 << 28 | (trafficClass & 0xff) << 20 | (flowLabel & 0xfffff));
        buf.setShort(offset + 4, payloadLength);
        buf.setByte(offset + 6, nextHeader);
        buf.setByte(offset + 7, hopLimit);
        source.write(buf, offset + 8);
        destination.write(buf, offset + 24);
        return at(buf, offset);
    }

    @Override
    public String toString() {
        return "IPv6[" + source() + " > " + destination() + " nh " + nextHeader() + " len " + payloadLength()
                + " hlim " + hopLimit() + "]";
    }
}
