package net.tern.wire;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A decoded IPv6 fixed header (smoltcp's {@code Ipv6Repr}): it parses from a checked
 * {@link Ipv6Packet} and emits itself in front of a payload already in place.
 *
 * @param source        the source address
 * @param destination   the destination address
 * @param nextHeader    the first extension header or upper-layer protocol
 * @param payloadLength bytes after the fixed header
 * @param hopLimit      0..255
 * @param trafficClass  0..255
 * @param flowLabel     20 bits
 */
public record Ipv6Repr(Ipv6Address source, Ipv6Address destination, int nextHeader, int payloadLength, int hopLimit,
        int trafficClass, int flowLabel) {
    public Ipv6Repr {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        if (nextHeader < 0 || nextHeader > 255 || hopLimit < 0 || hopLimit > 255 || trafficClass < 0
                || trafficClass > 255) {
            throw new IllegalArgumentException("next header, hop limit and traffic class are bytes");
        }
        if (payloadLength < 0 || payloadLength > Ipv6Packet.MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("payload length out of range 0..65535: " + payloadLength);
        }
        if ((flowLabel & ~0xfffff) != 0) {
            throw new IllegalArgumentException("flow label is 20 bits: " + flowLabel);
        }
    }

    /** Decodes a header that {@link Ipv6Packet#checkHeader} passed; one that did not is refused with its defect. */
    public static Ipv6Repr parse(Ipv6Packet packet, int available) {
        Ipv6Packet.Check check = packet.checkHeader(available);
        if (check != Ipv6Packet.Check.OK) {
            throw new IllegalArgumentException("malformed IPv6 header: " + check);
        }
        return new Ipv6Repr(packet.source(), packet.destination(), packet.nextHeader(), packet.payloadLength(),
                packet.hopLimit(), packet.trafficClass(), packet.flowLabel());
    }

    /** Writes the header at absolute {@code index}, in front of the payload. */
    public Ipv6Packet emit(ByteBuf buf, int index) {
        return Ipv6Packet.emitHeader(buf, index, trafficClass, flowLabel, payloadLength, nextHeader, hopLimit, source,
                destination);
    }
}
