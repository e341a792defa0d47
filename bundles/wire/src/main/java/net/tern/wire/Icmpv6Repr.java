package net.tern.wire;

import io.netty.buffer.ByteBuf;

/**
 * A decoded ICMPv6 header (smoltcp's {@code Icmpv6Repr}, flattened like {@link IcmpRepr}):
 * type, code, the rest of header and how many data bytes follow. The factories name the
 * messages of RFC 4443 the stack sends.
 */
public record Icmpv6Repr(int type, int code, int restOfHeader, int dataLength) {
    public Icmpv6Repr {
        if (type < 0 || type > 255 || code < 0 || code > 255) {
            throw new IllegalArgumentException("type and code are bytes: " + type + "/" + code);
        }
        if (dataLength < 0 || dataLength > 0xffff - Icmpv6Packet.HEADER_LENGTH) {
            throw new IllegalArgumentException("data length out of range: " + dataLength);
        }
    }

    /** Echo request (RFC 4443 4.1). */
    public static Icmpv6Repr echoRequest(int identifier, int sequence, int dataLength) {
        return new Icmpv6Repr(Icmpv6Types.ECHO_REQUEST, 0, echoWord(identifier, sequence), dataLength);
    }

    /** Echo reply (RFC 4443 4.2). */
    public static Icmpv6Repr echoReply(int identifier, int sequence, int dataLength) {
        return new Icmpv6Repr(Icmpv6Types.ECHO_REPLY, 0, echoWord(identifier, sequence), dataLength);
    }

    /** Destination unreachable (RFC 4443 3.1) quoting {@code quotedLength} bytes. */
    public static Icmpv6Repr destinationUnreachable(int code, int quotedLength) {
        return new Icmpv6Repr(Icmpv6Types.DEST_UNREACH, code, 0, quotedLength);
    }

    /** Packet too big (RFC 4443 3.2) with the next hop's {@code mtu}. */
    public static Icmpv6Repr packetTooBig(int mtu, int quotedLength) {
        return new Icmpv6Repr(Icmpv6Types.PKT_TOOBIG, 0, mtu, quotedLength);
    }

    /** Time exceeded (RFC 4443 3.3). */
    public static Icmpv6Repr timeExceeded(int code, int quotedLength) {
        return new Icmpv6Repr(Icmpv6Types.TIME_EXCEED, code, 0, quotedLength);
    }

    /** Parameter problem (RFC 4443 3.4) pointing at byte {@code pointer} of the invoking packet. */
    public static Icmpv6Repr parameterProblem(int code, int pointer, int quotedLength) {
        return new Icmpv6Repr(Icmpv6Types.PARAMPROB, code, pointer, quotedLength);
    }

    private static int echoWord(int identifier, int sequence) {
        Ports.check("identifier", identifier);
        Ports.check("sequence", sequence);
        return identifier << 16 | sequence;
    }

    /** Decodes a message of {@code length} bytes that {@link Icmpv6Packet#check} passed. */
    public static Icmpv6Repr parse(Icmpv6Packet packet, int length, Ipv6Address source, Ipv6Address destination) {
        Icmpv6Packet.Check check = packet.check(length, source, destination);
        if (check != Icmpv6Packet.Check.OK) {
            throw new IllegalArgumentException("malformed ICMPv6 message: " + check);
        }
        return new Icmpv6Repr(packet.type(), packet.code(), packet.restOfHeader(), length - Icmpv6Packet.HEADER_LENGTH);
    }

    public int identifier() {
        return restOfHeader >>> 16;
    }

    public int sequence() {
        return restOfHeader & 0xffff;
    }

    public boolean isError() {
        return Icmpv6Types.isError(type);
    }

    public int length() {
        return Icmpv6Packet.HEADER_LENGTH + dataLength;
    }

    /** Writes the header at {@code index} in front of the data in place and fills the checksum. */
    public Icmpv6Packet emit(ByteBuf buf, int index, Ipv6Address source, Ipv6Address destination) {
        return Icmpv6Packet.emitHeader(buf, index, type, code, restOfHeader).fillChecksum(length(), source, destination);
    }
}
