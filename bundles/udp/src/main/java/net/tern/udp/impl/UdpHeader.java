package net.tern.udp.impl;

import io.netty.buffer.ByteBuf;

/**
 * The UDP header ({@code struct udphdr}, RFC 768), read and written in place at an absolute
 * index of a buffer.
 *
 * <pre>
 *  0      7 8     15 16    23 24    31
 * |   Source Port   | Destination Port |
 * |     Length      |     Checksum     |
 * </pre>
 *
 * Length counts the header and the data; a checksum of 0 means the sender computed none.
 */
final class UdpHeader {
    /** Header bytes. */
    static final int LENGTH = 8;
    /**
     * The most data one datagram may carry over IPv4: 65535 less the IPv4 and UDP headers.
     * {@code ip_append_data} refuses more with EMSGSIZE.
     */
    static final int MAX_PAYLOAD = 0xffff - 20 - LENGTH;

    private UdpHeader() {
    }

    static int sourcePort(ByteBuf buf, int at) {
        return buf.getUnsignedShort(at);
    }

    static int destinationPort(ByteBuf buf, int at) {
        return buf.getUnsignedShort(at + 2);
    }

    static int length(ByteBuf buf, int at) {
        return buf.getUnsignedShort(at + 4);
    }

    static int checksum(ByteBuf buf, int at) {
        return buf.getUnsignedShort(at + 6);
    }

    /** Writes a header with a zero checksum (to be filled once the data are in). */
    static void write(ByteBuf buf, int at, int sourcePort, int destinationPort, int length) {
        buf.setShort(at, sourcePort);
        buf.setShort(at + 2, destinationPort);
        buf.setShort(at + 4, length);
        buf.setShort(at + 6, 0);
    }

    static void setChecksum(ByteBuf buf, int at, int checksum) {
        buf.setShort(at + 6, checksum);
    }
}
