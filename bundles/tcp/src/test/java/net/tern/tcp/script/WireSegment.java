package net.tern.tcp.script;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import net.tern.tcp.script.Script.Eol;
import net.tern.tcp.script.Script.Mss;
import net.tern.tcp.script.Script.Nop;
import net.tern.tcp.script.Script.Sack;
import net.tern.tcp.script.Script.SackOk;
import net.tern.tcp.script.Script.TcpOpt;
import net.tern.tcp.script.Script.Timestamp;
import net.tern.tcp.script.Script.Wscale;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.Ipv6Packet;
import net.tern.wire.TcpPacket;

/**
 * A segment on the wire with its option list in the order it was written (NOPs and EOLs
 * included), so a script's {@code <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 8>} can be
 * compared item by item. Decodes what the stack sent and encodes what a script injects.
 * Sequence numbers here are absolute (unsigned 32-bit values in longs).
 */
record WireSegment(int sport, int dport, int flags, long seq, long ack, int window, List<TcpOpt> options,
        int payloadLength, long atNanos) {

    /**
     * Decodes an IPv4 datagram or an IPv6 packet (without extension headers, as the stack sends
     * TCP) carrying TCP; null if it does not carry TCP.
     */
    static WireSegment decode(byte[] datagram, long atNanos) {
        ByteBuf buf = Unpooled.wrappedBuffer(datagram);
        int start;
        int tcpLength;
        if ((datagram[0] & 0xf0) == 0x60) {
            Ipv6Packet ip = Ipv6Packet.at(buf, 0);
            if (ip.nextHeader() != 6) {
                return null;
            }
            start = Ipv6Packet.HEADER_LENGTH;
            tcpLength = ip.payloadLength();
        } else {
            Ipv4Packet ip = Ipv4Packet.at(buf, 0);
            if (ip.protocol() != 6) {
                return null;
            }
            start = ip.payloadOffset();
            tcpLength = ip.payloadLength();
        }
        TcpPacket th = TcpPacket.at(buf, start);
        List<TcpOpt> options = decodeOptions(buf, start + TcpPacket.MIN_HEADER_LENGTH, th.headerLength() - TcpPacket.MIN_HEADER_LENGTH);
        return new WireSegment(th.sourcePort(), th.destinationPort(), th.flags(), Integer.toUnsignedLong(th.seq()),
                Integer.toUnsignedLong(th.ack()), th.window(), options, tcpLength - th.headerLength(), atNanos);
    }

    /** The option list as written, stopping after an EOL; an unknown kind is kept as a failure note. */
    static List<TcpOpt> decodeOptions(ByteBuf buf, int index, int length) {
        List<TcpOpt> out = new ArrayList<>();
        int i = index;
        int end = index + length;
        while (i < end) {
            int kind = buf.getUnsignedByte(i);
            if (kind == 0) {
                out.add(new Eol());
                break;
            }
            if (kind == 1) {
                out.add(new Nop());
                i++;
                continue;
            }
            int len = i + 1 < end ? buf.getUnsignedByte(i + 1) : 0;
            if (len < 2 || i + len > end) {
                throw new IllegalStateException("malformed option list at byte " + (i - index));
            }
            switch (kind) {
                case 2 -> out.add(new Mss(buf.getUnsignedShort(i + 2)));
                case 3 -> out.add(new Wscale(buf.getUnsignedByte(i + 2)));
                case 4 -> out.add(new SackOk());
                case 5 -> {
                    List<long[]> blocks = new ArrayList<>();
                    for (int b = i + 2; b + 8 <= i + len; b += 8) {
                        blocks.add(new long[] {buf.getUnsignedInt(b), buf.getUnsignedInt(b + 4)});
                    }
                    out.add(new Sack(blocks));
                }
                case 8 -> out.add(new Timestamp(buf.getUnsignedInt(i + 2), buf.getUnsignedInt(i + 6)));
                default -> throw new IllegalStateException("option kind " + kind + " is not one scripts can name");
            }
            i += len;
        }
        return out;
    }

    /**
     * The TCP header and zero payload of an inbound segment; options padded with EOL to a
     * whole word. The checksum is left for the injector to fill.
     */
    static byte[] encode(int sport, int dport, int flags, long seq, long ack, int window, List<TcpOpt> options,
            int payloadLength) {
        ByteArrayOutputStream opts = new ByteArrayOutputStream();
        for (TcpOpt o : options) {
            if (o instanceof Mss m) {
                opts.write(2);
                opts.write(4);
                writeShort(opts, m.value());
            } else if (o instanceof Wscale w) {
                opts.write(3);
                opts.write(3);
                opts.write(w.shift());
            } else if (o instanceof SackOk) {
                opts.write(4);
                opts.write(2);
            } else if (o instanceof Timestamp t) {
                opts.write(8);
                opts.write(10);
                writeInt(opts, t.val() == null ? 0 : t.val());
                writeInt(opts, t.ecr() == null ? 0 : t.ecr());
            } else if (o instanceof Nop) {
                opts.write(1);
            } else if (o instanceof Eol) {
                opts.write(0);
            } else if (o instanceof Sack s) {
                opts.write(5);
                opts.write(2 + 8 * s.blocks().size());
                for (long[] block : s.blocks()) {
                    writeInt(opts, block[0]);
                    writeInt(opts, block[1]);
                }
            }
        }
        while (opts.size() % 4 != 0) {
            opts.write(0);
        }
        if (opts.size() > 40) {
            throw new IllegalArgumentException("options take " + opts.size() + " bytes; TCP allows 40");
        }
        int headerLength = TcpPacket.MIN_HEADER_LENGTH + opts.size();
        ByteBuf buf = Unpooled.buffer(headerLength + payloadLength);
        buf.writeShort(sport);
        buf.writeShort(dport);
        buf.writeInt((int) seq);
        buf.writeInt((int) ack);
        buf.writeByte((headerLength / 4) << 4);
        buf.writeByte(flags);
        buf.writeShort(window);
        buf.writeShort(0); // checksum, filled by the injector
        buf.writeShort(0); // urgent pointer
        buf.writeBytes(opts.toByteArray());
        buf.writeZero(payloadLength);
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    private static void writeShort(ByteArrayOutputStream out, int v) {
        out.write((v >>> 8) & 0xff);
        out.write(v & 0xff);
    }

    private static void writeInt(ByteArrayOutputStream out, long v) {
        writeShort(out, (int) ((v >>> 16) & 0xffff));
        writeShort(out, (int) (v & 0xffff));
    }

    /** This segment in the script's notation, numbers made relative by the given maps. */
    String describe(LongUnaryOperator relSeq, LongUnaryOperator relAck) {
        StringBuilder sb = new StringBuilder();
        long rel = relSeq.applyAsLong(seq);
        sb.append(String.format("%.6f", atNanos / 1e9)).append(" > ").append(TcpPacket.flagsToString(flags)).append(' ')
                .append(rel).append(':').append(rel + payloadLength).append('(').append(payloadLength).append(')');
        if ((flags & TcpPacket.ACK) != 0) {
            sb.append(" ack ").append(relAck.applyAsLong(ack));
        }
        sb.append(" win ").append(window);
        if (!options.isEmpty()) {
            sb.append(" <").append(describeOptions(options, relAck)).append('>');
        }
        return sb.toString();
    }

    /** Options as a script writes them; SACK blocks made relative by {@code relSack}. */
    static String describeOptions(List<TcpOpt> options, LongUnaryOperator relSack) {
        StringBuilder sb = new StringBuilder();
        for (TcpOpt o : options) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            if (o instanceof Mss m) {
                sb.append("mss ").append(m.value());
            } else if (o instanceof Wscale w) {
                sb.append("wscale ").append(w.shift());
            } else if (o instanceof SackOk) {
                sb.append("sackOK");
            } else if (o instanceof Timestamp t) {
                sb.append("TS val ").append(t.val() == null ? "..." : t.val()).append(" ecr ")
                        .append(t.ecr() == null ? "..." : t.ecr());
            } else if (o instanceof Nop) {
                sb.append("nop");
            } else if (o instanceof Eol) {
                sb.append("eol");
            } else if (o instanceof Sack s) {
                sb.append("sack");
                for (long[] block : s.blocks()) {
                    sb.append(' ').append(relSack.applyAsLong(block[0])).append(':').append(relSack.applyAsLong(block[1]));
                }
            }
        }
        return sb.toString();
    }
}
