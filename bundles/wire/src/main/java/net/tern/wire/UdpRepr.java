package net.tern.wire;

import io.netty.buffer.ByteBuf;

/**
 * A decoded UDP header (smoltcp's {@code UdpRepr}): ports and the data length. It parses
 * from a checked {@link UdpPacket} and emits itself in front of data already in place,
 * checksum filled.
 *
 * @param sourcePort      0..65535
 * @param destinationPort 0..65535
 * @param payloadLength   data bytes after the header
 */
public record UdpRepr(int sourcePort, int destinationPort, int payloadLength) {
    public UdpRepr {
        Ports.check("source port", sourcePort);
        Ports.check("destination port", destinationPort);
        if (payloadLength < 0 || payloadLength > 0xffff - UdpPacket.HEADER_LENGTH) {
            throw new IllegalArgumentException("payload length out of range 0..65527: " + payloadLength);
        }
    }

    /**
     * Decodes the header of a datagram that {@link UdpPacket#check} passed for
     * {@code available} bytes; a datagram that did not pass is refused with its defect.
     */
    public static UdpRepr parse(UdpPacket packet, int available) {
        UdpPacket.Check check = packet.check(available);
        if (check != UdpPacket.Check.OK) {
            throw new IllegalArgumentException("malformed UDP datagram: " + check);
        }
        return new UdpRepr(packet.sourcePort(), packet.destinationPort(), packet.payloadLength());
    }

    /** Bytes of header and data. */
    public int length() {
        return UdpPacket.HEADER_LENGTH + payloadLength;
    }

    /**
     * Writes the header at absolute {@code index}, in front of the {@link #payloadLength()}
     * bytes of data already in place, and fills the checksum with the pseudo-header of
     * {@code source} and {@code destination}.
     */
    public UdpPacket emit(ByteBuf buf, int index, int source, int destination) {
        return UdpPacket.emitHeader(buf, index, sourcePort, destinationPort, length()).fillChecksum(source, destination);
    }
}
