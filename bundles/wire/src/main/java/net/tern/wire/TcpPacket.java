package net.tern.wire;

import io.netty.buffer.ByteBuf;
import java.util.Objects;
import net.tern.api.socket.SocketConstants;

/**
 * A view of a TCP segment in a buffer ({@code struct tcphdr}, RFC 9293 3.1): accessors read
 * the bytes in place at {@link #offset()}; nothing is copied or checked when the view is
 * made. Before trusting the accessors on bytes from the wire, {@link #check} says whether
 * the header and its options fit the bytes IP delivered, as {@code tcp_v4_rcv}'s pulls do;
 * {@link #parseOptions} reads the options into a reusable {@link TcpOptions}. A view made
 * with {@link #TcpPacket()} is pointed at segment after segment with {@link #wrap}; the
 * writer ({@link #emitHeader}, {@link #fillChecksum}) works on indices alone, so neither
 * path allocates.
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
public final class TcpPacket {
    /** The header without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** The header with the most options (data offset 15). */
    public static final int MAX_HEADER_LENGTH = 60;

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

    /** What {@link #check} or {@link #parseOptions} found wrong, or {@link #OK}. */
    public enum Check {
        OK,
        /** Fewer bytes than a header without options. */
        TOO_SHORT,
        /** The data offset is below 5 words. */
        BAD_DATA_OFFSET,
        /** Fewer bytes than the data offset says the header has: options past the end. */
        HEADER_TRUNCATED,
        /** An option's length byte is below 2, the kind and length bytes themselves. */
        BAD_OPTION_LENGTH,
        /** An option runs past the end of the header (or its length byte is missing). */
        OPTION_PAST_END
    }

    private ByteBuf buf;
    private int offset;

    /** A view over nothing yet: {@link #wrap} points it at a segment. */
    public TcpPacket() {
    }

    private TcpPacket(ByteBuf buf, int offset) {
        wrap(buf, offset);
    }

    /** A view of the segment at absolute index {@code offset} of {@code buf}. */
    public static TcpPacket at(ByteBuf buf, int offset) {
        return new TcpPacket(buf, offset);
    }

    /** Points this view at the segment at absolute index {@code offset} of {@code buf}. */
    public TcpPacket wrap(ByteBuf buf, int offset) {
        this.buf = Objects.requireNonNull(buf, "buf");
        this.offset = offset;
        return this;
    }

    /**
     * Checks a received segment of which IP delivered {@code available} bytes, in
     * {@code tcp_v4_rcv}'s order: a header's worth of bytes, a data offset of at least 5
     * words, and the header's options present. The options' own layout is
     * {@link #parseOptions}'s to judge, as {@code tcp_parse_options} does later.
     */
    public Check check(int available) {
        if (available < MIN_HEADER_LENGTH) {
            return Check.TOO_SHORT;
        }
        int headerLength = headerLength();
        if (headerLength < MIN_HEADER_LENGTH) {
            return Check.BAD_DATA_OFFSET;
        }
        if (headerLength > available) {
            return Check.HEADER_TRUNCATED;
        }
        return Check.OK;
    }

    public ByteBuf buffer() {
        return buf;
    }

    /** Absolute index of the header in the buffer. */
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

    /** Absolute index of the data: just past the header and its options. */
    public int payloadOffset() {
        return offset + headerLength();
    }

    /**
     * Parses the options into {@code into} ({@code tcp_parse_options}); on a malformed list
     * the options before the defect are kept and the defect is returned, as Linux stops
     * there and keeps the segment.
     */
    public Check parseOptions(TcpOptions into) {
        return into.parse(buf, offset + MIN_HEADER_LENGTH, headerLength() - MIN_HEADER_LENGTH, has(SYN));
    }

    /** Whether the segment of {@code length} bytes, checksum included, checks out against its pseudo-header. */
    public boolean verifyChecksum(int length, int source, int destination) {
        return InetChecksum.verifyTransport(buf, offset, length, source, destination, SocketConstants.IPPROTO_TCP);
    }

    /** The header length for {@code options} (null: none). */
    public static int headerLength(TcpOptions options) {
        return MIN_HEADER_LENGTH + (options == null ? 0 : options.length());
    }

    /**
     * Writes a header at absolute {@code index} of {@code buf} with a zero checksum and
     * returns its length ({@code tcp_transmit_skb}'s header part). {@code window} is the
     * value of the field (already scaled down); {@code options} may be null.
     */
    public static int emitHeader(ByteBuf buf, int index, int sourcePort, int destinationPort, int seq, int ack,
            int flags, int window, TcpOptions options) {
        int length = headerLength(options);
        buf.setShort(index, sourcePort);
        buf.setShort(index + 2, destinationPort);
        buf.setInt(index + 4, seq);
        buf.setInt(index + 8, ack);
        buf.setByte(index + 12, (length / 4) << 4);
        buf.setByte(index + 13, flags);
        buf.setShort(index + 14, window);
        buf.setShort(index + CHECKSUM_OFFSET, 0);
        buf.setShort(index + 18, 0);
        if (options != null) {
            options.write(buf, index + MIN_HEADER_LENGTH);
        }
        return length;
    }

    /** Fills the checksum of the segment of {@code length} bytes at absolute {@code index}. */
    public static void fillChecksum(ByteBuf buf, int index, int length, int source, int destination) {
        buf.setShort(index + CHECKSUM_OFFSET, 0);
        buf.setShort(index + CHECKSUM_OFFSET,
                InetChecksum.transportChecksum(buf, index, length, source, destination, SocketConstants.IPPROTO_TCP));
    }

    /**
     * The checksum field for a device that completes it ({@code CHECKSUM_PARTIAL}, as
     * {@code tcp_v4_send_check} leaves it): the pseudo-header's sum for a segment of
     * {@code length} bytes at {@code index}, not complemented. The data are not read.
     */
    public static void fillPartialChecksum(ByteBuf buf, int index, int length, int source, int destination) {
        buf.setShort(index + CHECKSUM_OFFSET,
                InetChecksum.pseudoHeaderSum(source, destination, SocketConstants.IPPROTO_TCP, length));
    }

    /**
     * Flags as tcpdump prints them (its {@code tcp_flag_values} order: F S R P, then {@code .}
     * for ACK, U E W), {@code none} when no flag is set: {@code S.} for a SYN-ACK.
     */
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
        if ((flags & ACK) != 0) {
            sb.append('.');
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
        return sb.length() == 0 ? "none" : sb.toString();
    }

    @Override
    public String toString() {
        return "TCP[" + sourcePort() + " > " + destinationPort() + " " + flagsToString(flags()) + " seq "
                + Integer.toUnsignedString(seq()) + " ack " + Integer.toUnsignedString(ack()) + " win " + window() + "]";
    }
}
