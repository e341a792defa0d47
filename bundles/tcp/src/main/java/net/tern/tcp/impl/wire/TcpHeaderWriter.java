package net.tern.tcp.impl.wire;

import io.netty.buffer.ByteBuf;
import net.tern.wire.InetChecksum;

/**
 * Builds TCP headers in place ({@code tcp_transmit_skb}'s header part): the fixed header,
 * the options, and, once the payload follows, the checksum over the pseudo-header with
 * inet's {@link InetChecksum}.
 */
public final class TcpHeaderWriter {
    private TcpHeaderWriter() {
    }

    /** The header length for {@code options} (null: none). */
    public static int headerLength(TcpOptions options) {
        return TcpHeader.MIN_LENGTH + (options == null ? 0 : options.length());
    }

    /**
     * Writes a header at {@code index} of {@code buf} with a zero checksum and returns its
     * length. {@code window} is the value of the field (already scaled down).
     */
    public static int write(ByteBuf buf, int index, int sourcePort, int destinationPort, int seq, int ack,
            int flags, int window, TcpOptions options) {
        int length = headerLength(options);
        buf.setShort(index, sourcePort);
        buf.setShort(index + 2, destinationPort);
        buf.setInt(index + 4, seq);
        buf.setInt(index + 8, ack);
        buf.setByte(index + 12, (length / 4) << 4);
        buf.setByte(index + 13, flags);
        buf.setShort(index + 14, window);
        buf.setShort(index + TcpHeader.CHECKSUM_OFFSET, 0);
        buf.setShort(index + 18, 0);
        if (options != null) {
            options.write(buf, index + TcpHeader.MIN_LENGTH);
        }
        return length;
    }

    /** Fills the checksum of the segment of {@code length} bytes at {@code index}. */
    public static void fillChecksum(ByteBuf buf, int index, int length, int source, int destination) {
        buf.setShort(index + TcpHeader.CHECKSUM_OFFSET, 0);
        buf.setShort(index + TcpHeader.CHECKSUM_OFFSET,
                InetChecksum.transportChecksum(buf, index, length, source, destination, 6));
    }
}
