package net.tern.shell;

/**
 * The fields capture reads from a captured IPv4 packet (RFC 791), bounds-checked against
 * what was captured: addresses, protocol, lengths, and the ports of a TCP or UDP segment that
 * is not a later fragment.
 */
record Ipv4View(byte[] data, int length, int headerLength) {
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;

    /** The view, or null when the bytes are not a whole IPv4 header. */
    static Ipv4View of(byte[] data, int length) {
        int captured = Math.min(length, data.length);
        if (captured < 20 || (data[0] & 0xf0) != 0x40) {
            return null;
        }
        int ihl = (data[0] & 0x0f) * 4;
        if (ihl < 20 || ihl > captured) {
            return null;
        }
        return new Ipv4View(data, captured, ihl);
    }

    int protocol() {
        return data[9] & 0xff;
    }

    int totalLength() {
        return u16(2);
    }

    int source() {
        return s32(12);
    }

    int destination() {
        return s32(16);
    }

    /** Whether this is the first (or only) fragment of a TCP or UDP datagram with its ports captured. */
    boolean hasPorts() {
        int protocol = protocol();
        return (protocol == PROTO_TCP || protocol == PROTO_UDP) && fragmentOffset() == 0 && length >= headerLength + 4;
    }

    int fragmentOffset() {
        return u16(6) & 0x1fff;
    }

    int sourcePort() {
        return u16(headerLength);
    }

    int destinationPort() {
        return u16(headerLength + 2);
    }

    /** The unsigned 16-bit value at {@code offset}, or -1 past what was captured. */
    int u16(int offset) {
        return offset + 2 > length ? -1 : (data[offset] & 0xff) << 8 | (data[offset + 1] & 0xff);
    }

    /** The 32-bit value at {@code offset}, or 0 past what was captured. */
    long u32(int offset) {
        return offset + 4 > length ? 0 : s32(offset) & 0xffffffffL;
    }

    private int s32(int offset) {
        return (data[offset] & 0xff) << 24 | (data[offset + 1] & 0xff) << 16 | (data[offset + 2] & 0xff) << 8
                | (data[offset + 3] & 0xff);
    }
}
