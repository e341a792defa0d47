package net.tern.wire;

import io.netty.buffer.ByteBuf;
import java.util.Objects;
import net.tern.api.socket.SocketConstants;

/**
 * A view of a UDP datagram in a buffer ({@code struct udphdr}, RFC 768): accessors read and
 * setters write the bytes in place at {@link #offset()}; nothing is copied or checked when
 * the view is made. Before trusting the accessors on bytes from the wire, {@link #check}
 * says whether the header and its length field fit the bytes IP delivered, as
 * {@code __udp4_lib_rcv} does. A view made with {@link #UdpPacket()} is pointed at datagram
 * after datagram with {@link #wrap}.
 *
 * <pre>
 *  0      7 8     15 16    23 24    31
 * |   Source Port   | Destination Port |
 * |     Length      |     Checksum     |
 * </pre>
 *
 * Length counts the header and the data; a checksum of 0 means the sender computed none.
 */
public final class UdpPacket {
    /** Header bytes. */
    public static final int HEADER_LENGTH = 8;
    /**
     * The most data one datagram may carry over IPv4: 65535 less the IPv4 and UDP headers
     * ({@code ip_append_data} refuses more with EMSGSIZE).
     */
    public static final int MAX_IPV4_PAYLOAD = Ipv4Packet.MAX_TOTAL_LENGTH - Ipv4Packet.MIN_HEADER_LENGTH - HEADER_LENGTH;
    /** Byte offset of the checksum field in the header. */
    public static final int CHECKSUM_OFFSET = 6;

    /** What {@link #check} found wrong, or {@link #OK}. */
    public enum Check {
        OK,
        /** Fewer bytes than a header. */
        TOO_SHORT,
        /** The length field is below the header's 8 bytes. */
        LENGTH_BELOW_HEADER,
        /** The length field claims more bytes than IP delivered. */
        TRUNCATED
    }

    private ByteBuf buf;
    private int offset;

    /** A view over nothing yet: {@link #wrap} points it at a datagram. */
    public UdpPacket() {
    }

    private UdpPacket(ByteBuf buf, int offset) {
        wrap(buf, offset);
    }

    /** A view of the datagram at absolute index {@code offset} of {@code buf}. */
    public static UdpPacket at(ByteBuf buf, int offset) {
        return new UdpPacket(buf, offset);
    }

    /** Points this view at the datagram at absolute index {@code offset} of {@code buf}. */
    public UdpPacket wrap(ByteBuf buf, int offset) {
        this.buf = Objects.requireNonNull(buf, "buf");
        this.offset = offset;
        return this;
    }

    /**
     * Checks a received datagram of which IP delivered {@code available} bytes: a header's
     * worth of bytes, then a length field between the header and {@code available}. Bytes
     * past the length field are link or IP padding, the receiver's to trim.
     */
    public Check check(int available) {
        if (available < HEADER_LENGTH) {
            return Check.TOO_SHORT;
        }
        int length = length();
        if (length < HEADER_LENGTH) {
            return Check.LENGTH_BELOW_HEADER;
        }
        if (length > available) {
            return Check.TRUNCATED;
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

    /** The length field: header and data. */
    public int length() {
        return buf.getUnsignedShort(offset + 4);
    }

    public int checksum() {
        return buf.getUnsignedShort(offset + CHECKSUM_OFFSET);
    }

    /** Absolute index of the data. */
    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** The data length the header claims. */
    public int payloadLength() {
        return length() - HEADER_LENGTH;
    }

    /**
     * Whether the datagram checks out against its pseudo-header: true when the sender
     * computed no checksum (0), which RFC 768 allows over IPv4.
     */
    public boolean verifyChecksum(int source, int destination) {
        return checksum() == 0 || InetChecksum.verifyTransport(buf, offset, length(), source, destination, SocketConstants.IPPROTO_UDP);
    }

    /** Writes a header with a zero checksum, to be filled with {@link #fillChecksum} once the data are in. */
    public static UdpPacket emitHeader(ByteBuf buf, int offset, int sourcePort, int destinationPort, int length) {
        writeHeader(buf, offset, sourcePort, destinationPort, length);
        return new UdpPacket(buf, offset);
    }

    /**
     * {@link #emitHeader} without the view, for a sender that makes no object per datagram:
     * the header with a zero checksum at {@code offset}.
     */
    public static void writeHeader(ByteBuf buf, int offset, int sourcePort, int destinationPort, int length) {
        buf.setShort(offset, sourcePort);
        buf.setShort(offset + 2, destinationPort);
        buf.setShort(offset + 4, length);
        buf.setShort(offset + CHECKSUM_OFFSET, 0);
    }

    /**
     * Computes the checksum over the pseudo-header and the {@link #length()} bytes of header
     * and data, and stores it. A computed 0 goes out as 0xffff, its one's complement equal,
     * because 0 on the wire means "no checksum" (RFC 768).
     */
    public UdpPacket fillChecksum(int source, int destination) {
        fillChecksum(buf, offset, source, destination);
        return this;
    }

    /** {@link #fillChecksum(int, int)} of the datagram whose header is at {@code offset}, without a view. */
    public static void fillChecksum(ByteBuf buf, int offset, int source, int destination) {
        buf.setShort(offset + CHECKSUM_OFFSET, 0);
        int length = buf.getUnsignedShort(offset + 4);
        int sum = InetChecksum.transportChecksum(buf, offset, length, source, destination, SocketConstants.IPPROTO_UDP);
        buf.setShort(offset + CHECKSUM_OFFSET, sum == 0 ? 0xffff : sum);
    }

    /**
     * The checksum field for a device that completes it ({@code CHECKSUM_PARTIAL}, as
     * {@code udp4_hwcsum} leaves it): the pseudo-header's sum, not complemented; the data
     * are not read.
     */
    public UdpPacket fillPartialChecksum(int source, int destination) {
        fillPartialChecksum(buf, offset, source, destination);
        return this;
    }

    /** {@link #fillPartialChecksum(int, int)} of the datagram whose header is at {@code offset}, without a view. */
    public static void fillPartialChecksum(ByteBuf buf, int offset, int source, int destination) {
        buf.setShort(offset + CHECKSUM_OFFSET, InetChecksum.pseudoHeaderSum(source, destination,
                SocketConstants.IPPROTO_UDP, buf.getUnsignedShort(offset + 4)));
    }

    @Override
    public String toString() {
        return "UDP[" + sourcePort() + " > " + destinationPort() + " len " + length() + "]";
    }
}
