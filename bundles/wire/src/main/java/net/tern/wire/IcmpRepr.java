package net.tern.wire;

import io.netty.buffer.ByteBuf;

/**
 * A decoded ICMP header (smoltcp's {@code Icmpv4Repr}, flattened): type, code, the 4-byte
 * rest of header, and how many bytes of data follow. It parses from a checked
 * {@link IcmpPacket} and emits itself in front of data already in place, checksum filled.
 * The factories name the messages the stack sends.
 *
 * @param type         0..255 ({@link IcmpTypes})
 * @param code         0..255
 * @param restOfHeader bytes 4-7 as one int: identifier and sequence, next-hop MTU, pointer
 * @param dataLength   bytes after the header
 */
public record IcmpRepr(int type, int code, int restOfHeader, int dataLength) {
    public IcmpRepr {
        if (type < 0 || type > 255) {
            throw new IllegalArgumentException("type out of range 0..255: " + type);
        }
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("code out of range 0..255: " + code);
        }
        if (dataLength < 0 || dataLength > 0xffff - IcmpPacket.HEADER_LENGTH) {
            throw new IllegalArgumentException("data length out of range 0..65527: " + dataLength);
        }
    }

    /** An echo request (RFC 792) with {@code dataLength} bytes of payload. */
    public static IcmpRepr echoRequest(int identifier, int sequence, int dataLength) {
        return new IcmpRepr(IcmpTypes.ECHO, 0, echoWord(identifier, sequence), dataLength);
    }

    /** An echo reply (RFC 792) with {@code dataLength} bytes of payload. */
    public static IcmpRepr echoReply(int identifier, int sequence, int dataLength) {
        return new IcmpRepr(IcmpTypes.ECHO_REPLY, 0, echoWord(identifier, sequence), dataLength);
    }

    /**
     * A destination unreachable with {@code code}, quoting {@code quotedLength} bytes; the
     * next-hop MTU goes in bytes 6-7 for fragmentation needed (RFC 1191), else 0.
     */
    public static IcmpRepr destinationUnreachable(int code, int nextHopMtu, int quotedLength) {
        return new IcmpRepr(IcmpTypes.DEST_UNREACH, code, nextHopMtu & 0xffff, quotedLength);
    }

    /** A time exceeded with {@code code} ({@link IcmpTypes#EXC_TTL}, {@link IcmpTypes#EXC_FRAGTIME}). */
    public static IcmpRepr timeExceeded(int code, int quotedLength) {
        return new IcmpRepr(IcmpTypes.TIME_EXCEEDED, code, 0, quotedLength);
    }

    private static int echoWord(int identifier, int sequence) {
        Ports.check("identifier", identifier);
        Ports.check("sequence", sequence);
        return identifier << 16 | sequence;
    }

    /**
     * Decodes the header of a message of {@code length} bytes that {@link IcmpPacket#check}
     * passed; a message that did not pass is refused with its defect.
     */
    public static IcmpRepr parse(IcmpPacket packet, int length) {
        IcmpPacket.Check check = packet.check(length);
        if (check != IcmpPacket.Check.OK) {
            throw new IllegalArgumentException("malformed ICMP message: " + check);
        }
        return new IcmpRepr(packet.type(), packet.code(), packet.restOfHeader(), length - IcmpPacket.HEADER_LENGTH);
    }

    /** Echo and echo reply: the identifier. */
    public int identifier() {
        return restOfHeader >>> 16;
    }

    /** Echo and echo reply: the sequence number. */
    public int sequence() {
        return restOfHeader & 0xffff;
    }

    /** Fragmentation needed: the next-hop MTU. */
    public int nextHopMtu() {
        return restOfHeader & 0xffff;
    }

    /** Whether this is an error message, about which no error is sent ({@link IcmpTypes#isError}). */
    public boolean isError() {
        return IcmpTypes.isError(type);
    }

    /** Header and data bytes. */
    public int length() {
        return IcmpPacket.HEADER_LENGTH + dataLength;
    }

    /**
     * Writes the header at absolute {@code index}, in front of the {@link #dataLength()}
     * bytes already in place, and fills the checksum over the whole message.
     */
    public IcmpPacket emit(ByteBuf buf, int index) {
        return IcmpPacket.emitHeader(buf, index, type, code, restOfHeader).fillChecksum(length());
    }
}
