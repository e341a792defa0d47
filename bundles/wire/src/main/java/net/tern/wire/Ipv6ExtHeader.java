package net.tern.wire;

import io.netty.buffer.ByteBuf;

/**
 * A view of an IPv6 extension header of the common form (RFC 8200 4.3-4.6: hop-by-hop
 * options, routing, destination options): next header, length in 8-octet units not counting
 * the first 8, then the header's own data. The fragment header has a fixed length of 8 and
 * its own view, {@link Ipv6FragmentHeader}. Which numbers name extension headers, and the
 * routing header's fields, are here too.
 */
public final class Ipv6ExtHeader {
    public static final int HOP_BY_HOP = 0;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int ESP = 50;
    public static final int AUTH = 51;
    /** ICMPv6, the upper-layer protocol IPv6 has built in. */
    public static final int ICMPV6 = 58;
    public static final int NO_NEXT_HEADER = 59;
    public static final int DESTINATION_OPTIONS = 60;

    /** The smallest extension header. */
    public static final int MIN_LENGTH = 8;
    /** Routing header type 0, deprecated by RFC 5095. */
    public static final int ROUTING_TYPE_0 = 0;

    private Ipv6ExtHeader() {
    }

    /** Whether {@code nextHeader} names one of the extension headers a host walks (RFC 8200 4.1). */
    public static boolean isWalked(int nextHeader) {
        return nextHeader == HOP_BY_HOP || nextHeader == ROUTING || nextHeader == FRAGMENT
                || nextHeader == DESTINATION_OPTIONS;
    }

    /** The next header field of the header at {@code index}. */
    public static int nextHeader(ByteBuf buf, int index) {
        return buf.getUnsignedByte(index);
    }

    /**
     * The length in bytes of the header of kind {@code kind} at {@code index}:
     * {@code (Hdr Ext Len + 1) * 8}, or 8 for a fragment header.
     */
    public static int length(ByteBuf buf, int index, int kind) {
        return kind == FRAGMENT ? Ipv6FragmentHeader.LENGTH : (buf.getUnsignedByte(index + 1) + 1) * 8;
    }

    /** A routing header's routing type. */
    public static int routingType(ByteBuf buf, int index) {
        return buf.getUnsignedByte(index + 2);
    }

    /** A routing header's segments left. */
    public static int segmentsLeft(ByteBuf buf, int index) {
        return buf.getUnsignedByte(index + 3);
    }

    /**
     * Writes an options header (hop-by-hop or destination options) of {@code length} bytes,
     * a multiple of 8, at {@code index}: next header, length, and one padding option filling
     * the rest (RFC 8200 4.2, Pad1 or PadN).
     */
    public static void emitPaddedOptions(ByteBuf buf, int index, int nextHeader, int length) {
        if (length < MIN_LENGTH || length % 8 != 0 || length > 2048) {
            throw new IllegalArgumentException("options header length must be a multiple of 8 in 8..2048: " + length);
        }
        buf.setByte(index, nextHeader);
        buf.setByte(index + 1, length / 8 - 1);
        buf.setByte(index + 2, Ipv6Options.PADN);
        buf.setByte(index + 3, length - 4);
        buf.setZero(index + 4, length - 4);
    }
}
