package net.tern.tcp.impl.wire;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A parse-only view of a TCP header in a buffer ({@code struct tcphdr}, RFC 9293 3.1):
 * accessors read the bytes in place at {@link #offset()}; nothing is copied. Before trusting
 * the accessors on bytes from the wire, {@link #check} says whether the header is complete.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |          Source Port          |       Destination Port        |
 * |                        Sequence Number                        |
 * |                    Acknowledgment Number                      |
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |           Checksum            |         Urgent Pointer        |
 * </pre>
 */
public final class TcpHeader {
    public static final int MIN_LENGTH = 20;
    public static final int MAX_LENGTH = 60;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    /** Byte offset of the checksum field in the header. */
    public static final int CHECKSUM_OFFSET = 16;

    private final ByteBuf buf;
    private final int offset;

    private TcpHeader(ByteBuf buf, int offset) {
        this.buf = Objects.requireNonNull(buf, "buf");
        this.offset = offset;
    }

    /** A view of the header at absolute index {@code offset} of {@code buf}. */
    public static TcpHeader at(ByteBuf buf, int offset) {
        return new TcpHeader(buf, offset);
    }

    public int offset() {
        return offset;
    }

    public int sourcePort() {
        return buf.getUnsignedShort(offset);
    }

    public int destinationPort() {
        return buf.getUnsignedShort(offset + 2);
    }

    public int seq() {
        return buf.getInt(offset + 4);
    }

    public int ack() {
        return buf.getInt(offset + 8);
    }

    /** The header length in bytes (data offset × 4). */
    public int headerLength() {
        return (buf.getUnsignedByte(offset + 12) >>> 4) * 4;
    }

    /** The eight flag bits, CWR down to FIN. */
    public int flags() {
        return buf.getUnsignedByte(offset + 13);
    }

    public boolean has(int flag) {
        return (flags() & flag) != 0;
    }

    /** The window field as sent (unscaled). */
    public int window() {
        return buf.getUnsignedShort(offset + 14);
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + CHECKSUM_OFFSET);
    }

    public int urgentPointer() {
        return buf.getUnsignedShort(offset + 18);
    }

    /** Parses the options into {@code into}; false when they are malformed ({@code tcp_parse_options}). */
    public boolean parseOptions(TcpOptions into) {
        return into.parse(buf, offset + MIN_LENGTH, headerLength() - MIN_LENGTH, has(SYN));
    }

    /** Flags as tcpdump prints them: {@code S.} for SYN-ACK, {@code F.}, {@code R}, {@code P.}. */
    public static String flagsToString(int flags) {
        StringBuilder sb = new StringBuilder();
        if ((flags & FIN) != 0) {
            sb.append('F');
        }
        if ((flags & SYN) != 0) {
            sb.append('S');
        }
        if ((flags & RST) != 0) {
            sb.append('R');
        }
        if ((flags & PSH) != 0) {
            sb.append('P');
        }
        if ((flags & URG) != 0) {
            sb.append('U');
        }
        if ((flags & ECE) != 0) {
            sb.append('E');
        }
        if ((flags & CWR) != 0) {
            sb.append('W');
        }
        if ((flags & ACK) != 0) {
            sb.append('.');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "TCP[" + sourcePort() + " > " + destinationPort() + " " + flagsToString(flags()) + " seq "
                + Integer.toUnsignedString(seq()) + " ack " + Integer.toUnsignedString(ack()) + " win " + window() + "]";
    }
}
