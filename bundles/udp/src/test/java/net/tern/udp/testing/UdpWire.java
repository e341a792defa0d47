package net.tern.udp.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.tern.wire.IcmpPacket;
import net.tern.wire.Ipv4Address;
import net.tern.wire.Ipv4Repr;

/**
 * UDP datagrams inside IPv4 as byte arrays, for injecting into a stack and for reading what it
 * sent. The checksum here is computed from RFC 768 and RFC 1071 directly, byte by byte, and
 * not with the stack's own {@code InetChecksum}, so tests check the stack against an
 * independent reckoning.
 */
public final class UdpWire {
    public static final int IP_HEADER = 20;
    public static final int UDP_HEADER = 8;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_ICMP = 1;

    private UdpWire() {
    }

    public static int addr(String dotted) {
        return Ipv4Address.parse(dotted);
    }

    /**
     * The one's complement sum (folded, not complemented) of the pseudo-header for
     * {@code source}, {@code destination}, protocol 17 and {@code segment.length}, and of
     * {@code segment} padded to an even length.
     */
    public static int onesComplementSum(int source, int destination, byte[] segment) {
        long sum = 0;
        sum += (source >>> 16) & 0xffff;
        sum += source & 0xffff;
        sum += (destination >>> 16) & 0xffff;
        sum += destination & 0xffff;
        sum += IPPROTO_UDP;
        sum += segment.length;
        for (int i = 0; i < segment.length; i += 2) {
            int hi = segment[i] & 0xff;
            int lo = i + 1 < segment.length ? segment[i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** Whether {@code segment} (checksum field included) verifies, a zero checksum counting as none. */
    public static boolean checksumOk(int source, int destination, byte[] segment) {
        int field = ((segment[6] & 0xff) << 8) | (segment[7] & 0xff);
        return field == 0 || onesComplementSum(source, destination, segment) == 0xffff;
    }

    /** A UDP segment with a correct checksum (0 sent as 0xffff), or a zero one when {@code withChecksum} is false. */
    public static byte[] segment(int source, int sourcePort, int destination, int destinationPort, byte[] payload,
            boolean withChecksum) {
        byte[] s = new byte[UDP_HEADER + payload.length];
        putShort(s, 0, sourcePort);
        putShort(s, 2, destinationPort);
        putShort(s, 4, s.length);
        System.arraycopy(payload, 0, s, UDP_HEADER, payload.length);
        if (withChecksum) {
            int checksum = ~onesComplementSum(source, destination, s) & 0xffff;
            putShort(s, 6, checksum == 0 ? 0xffff : checksum);
        }
        return s;
    }

    /** {@code transport} inside an IPv4 header (20 bytes, fresh header checksum). */
    public static byte[] ipv4(int source, int destination, int protocol, byte[] transport) {
        Ipv4Repr header = Ipv4Repr.builder().source(source).destination(destination).protocol(protocol)
                .payloadLength(transport.length).identification(0x4242).build();
        ByteBuf buf = Unpooled.buffer(IP_HEADER + transport.length);
        header.emit(buf, 0);
        buf.setBytes(IP_HEADER, transport);
        byte[] out = new byte[IP_HEADER + transport.length];
        buf.getBytes(0, out);
        return out;
    }

    /** A whole datagram: IPv4 header and a checksummed UDP segment. */
    public static byte[] datagram(String source, int sourcePort, String destination, int destinationPort,
            byte[] payload) {
        int s = addr(source);
        int d = addr(destination);
        return ipv4(s, d, IPPROTO_UDP, segment(s, sourcePort, d, destinationPort, payload, true));
    }

    /** An ICMP error of {@code type}/{@code code} quoting {@code quoted} (from its IP header), checksummed. */
    public static byte[] icmp(int type, int code, int rest, byte[] quoted) {
        ByteBuf buf = Unpooled.buffer(IcmpPacket.HEADER_LENGTH + quoted.length);
        IcmpPacket.emitHeader(buf, 0, type, code, rest);
        buf.setBytes(IcmpPacket.HEADER_LENGTH, quoted);
        IcmpPacket.at(buf, 0).fillChecksum(IcmpPacket.HEADER_LENGTH + quoted.length);
        byte[] out = new byte[IcmpPacket.HEADER_LENGTH + quoted.length];
        buf.getBytes(0, out);
        return out;
    }

    // ---- reading an IPv4 packet as bytes

    public static int ipHeaderLength(byte[] ip) {
        return (ip[0] & 0x0f) * 4;
    }

    public static int protocol(byte[] ip) {
        return ip[9] & 0xff;
    }

    public static int source(byte[] ip) {
        return getInt(ip, 12);
    }

    public static int destination(byte[] ip) {
        return getInt(ip, 16);
    }

    /** The transport bytes of an unfragmented IPv4 packet. */
    public static byte[] transport(byte[] ip) {
        int h = ipHeaderLength(ip);
        int total = getShort(ip, 2);
        byte[] out = new byte[total - h];
        System.arraycopy(ip, h, out, 0, out.length);
        return out;
    }

    public static int getShort(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    public static int getInt(byte[] b, int at) {
        return (getShort(b, at) << 16) | getShort(b, at + 2);
    }

    public static void putShort(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }

    /** {@code length} bytes of a recognisable pattern. */
    public static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
