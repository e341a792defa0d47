package net.tern.spi.net;

import io.netty.buffer.ByteBuf;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A packet tap ({@code ptype_all}, fed by {@code dev_queue_xmit_nit} on the way out and by
 * {@code __netif_receive_skb_core} on the way in): attached to a {@link Link} with
 * {@link Link#addTap}, it sees a copy-free, read-only view of every packet the link
 * transmits and receives, as packet capture needs.
 *
 * <p>The view is lent for the call only: its readable bytes are the packet as the link
 * carries it (for loopback and TUN, the IP header onwards); writing to it throws, and it
 * must not be kept, retained or released after the call returns. A tap copies what it keeps.
 * The packet itself goes on unchanged to the driver or to receive dispatch; a tap that
 * throws is logged and counted, and the packet goes on regardless.
 *
 * <p>Threading: transmit taps run on the thread that transmits (an application thread in a
 * socket call, or the network thread); receive taps run on the network thread, just before
 * dispatch by packet type. A tap must be thread-safe and quick: it runs on the data path.
 */
@ConsumerType
public interface PacketTap {
    /** Which way a tapped packet was going. */
    enum Direction {
        /** Received by the link ({@code PACKET_HOST} and the like in Linux's capture). */
        RECEIVE,
        /** Sent by the link ({@code PACKET_OUTGOING}). */
        TRANSMIT
    }

    /**
     * One packet seen on {@code link}.
     *
     * @param link           the link the packet crossed
     * @param direction      in or out
     * @param timestampNanos when, on the stack's {@link Clock#nanoTime()}
     * @param protocol       the link-layer packet type ({@link Packet#protocol()}), an ethertype
     * @param data           a read-only view of the packet's bytes, valid during the call only
     */
    void tap(Link link, Direction direction, long timestampNanos, int protocol, ByteBuf data);
}
