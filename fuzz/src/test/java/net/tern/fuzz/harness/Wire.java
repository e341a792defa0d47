package net.tern.fuzz.harness;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.tern.wire.InetChecksum;

/**
 * Datagrams built byte by byte, as a peer on the wire would send them, with every field the
 * fuzzer chooses (including wrong ones): IPv4 with options and fragment fields, TCP with raw
 * option bytes, UDP, ICMP. Checksums are right unless asked to be wrong, so the input gets
 * past the checks that guard the code behind them.
 */
public final class Wire {
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;

    private Wire() {
    }

    /** The fields of an IPv4 header; {@code options} is padded with EOL to a multiple of 4, at most 40. */
    public record Ip(int source, int destination, int protocol, int ttl, int tos, int id, boolean dontFragment,
            boolean moreFragments, int fragmentOffsetBytes, byte[] options, boolean badChecksum) {
        public static Ip plain(int source, int destination, int protocol, int id) {
            return new Ip(source, destination, protocol, 64, 0, id, false, false, 0, new byte[0], false);
        }
    }

    /** An IPv4 datagram carrying {@code payload}. */
    public static byte[] ipv4(Ip h, byte[] payload) {
        int optionLength = Math.min(40, (h.options().length + 3) & ~3);
        int headerLength = 20 + optionLength;
        int total = Math.min(65535, headerLength + payload.length);
        ByteBuf buf = Unpooled.buffer(total);
        buf.writeByte(0x40 | (headerLength / 4));
        buf.writeByte(h.tos());
        buf.writeShort(total);
        buf.writeShort(h.id());
        int frag = ((h.fragmentOffsetBytes() >>> 3) & 0x1fff) | (h.dontFragment() ? 0x4000 : 0)
                | (h.moreFragments() ? 0x2000 : 0);
        buf.writeShort(frag);
        buf.writeByte(h.ttl());
        buf.writeByte(h.protocol());
        buf.writeShort(0);
        buf.writeInt(h.source());
        buf.writeInt(h.destination());
        buf.writeBytes(h.options(), 0, Math.min(h.options().length, optionLength));
        buf.writeZero(headerLength - buf.writerIndex());
        int checksum = InetChecksum.checksum(buf, 0, headerLength);
        buf.setShort(10, h.badChecksum() ? checksum ^ 0x1234 : checksum);
        buf.writeBytes(payload, 0, total - headerLength);
        return bytes(buf);
    }

    /**
     * A TCP segment (header and data) from {@code source} to {@code destination}; {@code options}
     * are padded with NOPs to a multiple of 4, at most 40 bytes.
     */
    public static byte[] tcp(int source, int destination, int sport, int dport, int seq, int ack, int flags,
            int window, int urgent, byte[] options, byte[] data, boolean badChecksum) {
        int optionLength = Math.min(40, (options.length + 3) & ~3);
        int headerLength = 20 + optionLength;
        ByteBuf buf = Unpooled.buffer(headerLength + data.length);
        buf.writeShort(sport);
        buf.writeShort(dport);
        buf.writeInt(seq);
        buf.writeInt(ack);
        buf.writeShort(((headerLength / 4) << 12) | (flags & 0x1ff));
        buf.writeShort(window);
        buf.writeShort(0);
        buf.writeShort(urgent);
        buf.writeBytes(options, 0, Math.min(options.length, optionLength));
        while (buf.writerIndex() < headerLength) {
            buf.writeByte(1); // NOP
        }
        buf.writeBytes(data);
        fillTransportChecksum(buf, 16, source, destination, IPPROTO_TCP, badChecksum);
        return bytes(buf);
    }

    /** A UDP datagram; {@code checksum} 0 sends none, 1 a right one, 2 a wrong one; {@code lengthDelta} skews the length field. */
    public static byte[] udp(int source, int destination, int sport, int dport, byte[] data, int checksum,
            int lengthDelta) {
        ByteBuf buf = Unpooled.buffer(8 + data.length);
        buf.writeShort(sport);
        buf.writeShort(dport);
        buf.writeShort((8 + data.length + lengthDelta) & 0xffff);
        buf.writeShort(0);
        buf.writeBytes(data);
        if (checksum != 0) {
            fillTransportChecksum(buf, 6, source, destination, IPPROTO_UDP, checksum == 2);
            if (buf.getUnsignedShort(6) == 0) {
                buf.setShort(6, 0xffff); // RFC 768: a computed 0 is sent as all ones
            }
        }
        return bytes(buf);
    }

    /** An ICMP message: type, code, the 4 bytes after the checksum, and the body. */
    public static byte[] icmp(int type, int code, int rest, byte[] body, boolean badChecksum) {
        ByteBuf buf = Unpooled.buffer(8 + body.length);
        buf.writeByte(type);
        buf.writeByte(code);
        buf.writeShort(0);
        buf.writeInt(rest);
        buf.writeBytes(body);
        int checksum = InetChecksum.checksum(buf, 0, buf.writerIndex());
        buf.setShort(2, badChecksum ? checksum ^ 0x0101 : checksum);
        return bytes(buf);
    }

    /** A datagram as a trace line: addresses, fragment fields, and the transport header's main fields. */
    public static String describe(byte[] d) {
        if (d.length < 20 || (d[0] & 0xf0) != 0x40) {
            return "raw " + d.length + " bytes";
        }
        ByteBuf b = Unpooled.wrappedBuffer(d);
        int ihl = (d[0] & 0x0f) * 4;
        StringBuilder sb = new StringBuilder();
        sb.append(address(b.getInt(12))).append(" > ").append(address(b.getInt(16)));
        int frag = b.getUnsignedShort(6);
        if ((frag & 0x3fff) != 0) {
            sb.append(" frag id ").append(b.getUnsignedShort(4)).append(" off ").append((frag & 0x1fff) * 8)
                    .append((frag & 0x2000) != 0 ? " MF" : "");
        }
        int protocol = d[9] & 0xff;
        int at = Math.max(20, ihl);
        if (protocol == IPPROTO_TCP && (frag & 0x1fff) == 0 && d.length >= at + 20) {
            int flags = b.getUnsignedShort(at + 12) & 0x1ff;
            sb.append(" tcp ").append(b.getUnsignedShort(at)).append(" > ").append(b.getUnsignedShort(at + 2))
                    .append(" [").append(net.tern.wire.TcpPacket.flagsToString(flags)).append("] seq ")
                    .append(Integer.toUnsignedString(b.getInt(at + 4))).append(" ack ")
                    .append(Integer.toUnsignedString(b.getInt(at + 8))).append(" win ")
                    .append(b.getUnsignedShort(at + 14)).append(" len ")
                    .append(d.length - at - (b.getUnsignedByte(at + 12) >>> 4) * 4);
        } else if (protocol == IPPROTO_UDP && d.length >= at + 8) {
            sb.append(" udp ").append(b.getUnsignedShort(at)).append(" > ").append(b.getUnsignedShort(at + 2))
                    .append(" len ").append(d.length - at - 8);
        } else if (protocol == IPPROTO_ICMP && d.length >= at + 2) {
            sb.append(" icmp type ").append(d[at] & 0xff).append(" code ").append(d[at + 1] & 0xff);
        } else {
            sb.append(" proto ").append(protocol).append(" len ").append(d.length - at);
        }
        return sb.toString();
    }

    private static String address(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    private static void fillTransportChecksum(ByteBuf buf, int at, int source, int destination, int protocol,
            boolean bad) {
        int checksum = InetChecksum.transportChecksum(buf, 0, buf.writerIndex(), source, destination, protocol);
        buf.setShort(at, bad ? checksum ^ 0x4321 : checksum);
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), out);
        return out;
    }
}
