package net.tern.spi.net;

/**
 * The hash that assigns a flow to a network thread, as receive-side scaling assigns it to a
 * queue: over the 4-tuple, and symmetric (the same from either end), so a connection's
 * received packets and its own timers, keyed from its side, land on one thread. Packets
 * without ports (fragments, other protocols) hash their addresses alone.
 */
public final class FlowHash {
    private FlowHash() {
    }

    /** The flow of {@code addressA:portA} with {@code addressB:portB}, in either order. */
    public static int of(int addressA, int portA, int addressB, int portB) {
        int a = addressA * 31 + portA;
        int b = addressB * 31 + portB;
        // XOR and sum are both symmetric in a and b; the finaliser (MurmurHash3's fmix32)
        // spreads their bits so that thread = hash mod N is even for small N.
        int h = (a ^ b) * 0x9E3779B9 + (a + b);
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    /**
     * The flow of an IPv4 datagram whose header starts at {@code at} in {@code buf}: its
     * addresses, and its ports when it is TCP or UDP and not a fragment; 0 when the bytes are
     * not an IPv4 header.
     */
    public static int ofIpv4(io.netty.buffer.ByteBuf buf, int at) {
        if (buf.writerIndex() - at < 20 || (buf.getByte(at) & 0xf0) != 0x40) {
            return 0;
        }
        int headerLength = (buf.getByte(at) & 0x0f) * 4;
        int protocol = buf.getUnsignedByte(at + 9);
        int source = buf.getInt(at + 12);
        int destination = buf.getInt(at + 16);
        boolean fragment = (buf.getUnsignedShort(at + 6) & 0x3fff) != 0;
        if (!fragment && (protocol == 6 || protocol == 17) && buf.writerIndex() - at >= headerLength + 4) {
            return of(source, buf.getUnsignedShort(at + headerLength), destination,
                    buf.getUnsignedShort(at + headerLength + 2));
        }
        return of(source, 0, destination, 0);
    }
}
