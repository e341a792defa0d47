package net.tern.packet.impl;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import net.tern.api.socket.SocketConstants;
import net.tern.packet.IfPacket;
import net.tern.packet.SockAddrLl;
import net.tern.packet.TpacketStats;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketTap;
import net.tern.spi.proto.ProtoSocket;

/**
 * A packet socket's state ({@code struct packet_sock}): the protocol and link it is hooked to
 * ({@code po->num}, {@code po->ifindex}), its options, its statistics and its receive queue.
 * As the link's tap it is {@code packet_rcv}: each packet of its protocol on its link (or any
 * link) is copied into the queue with its {@code sockaddr_ll} and time; a packet that finds
 * the queue at {@code SO_RCVBUF} or beyond is dropped and counted ({@code tp_drops}).
 */
final class PacketSock implements PacketTap {
    /** One received packet: its bytes, where it came from, when (stack wall clock, ns). */
    record Frame(byte[] data, SockAddrLl from, long wallNanos) {
    }

    /** Linux's {@code rmem_default} and {@code rmem_max}: 212,992 bytes. */
    static final int RMEM_DEFAULT = 212_992;
    static final int RMEM_MAX = 212_992;
    /** {@code SOCK_MIN_RCVBUF}. */
    static final int MIN_RCVBUF = 2304;

    /** Timestamps asked for: none, {@code SO_TIMESTAMP} (microseconds), {@code SO_TIMESTAMPNS}. */
    enum Stamps { NONE, MICRO, NANO }

    final ProtoSocket socket;
    private final PacketFamily family;
    /** The stack clock's monotonic and wall readings at creation, to turn tap times into wall times. */
    private final long monoBase;
    private final long wallBase;
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private int queued;
    private int rcvbuf = RMEM_DEFAULT;
    /** {@code po->num}: the ethertype taken, {@link IfPacket#ETH_P_ALL} for all, 0 for none. */
    private int protocol;
    /** {@code po->ifindex}: the link bound to, 0 for every link. */
    private int ifindex;
    private long packets;
    private long drops;
    private Stamps stamps = Stamps.NONE;
    private boolean ignoreOutgoing;
    private boolean released;

    PacketSock(ProtoSocket socket, PacketFamily family, int protocol, long monoBase, long wallBase) {
        this.socket = socket;
        this.family = family;
        this.protocol = protocol;
        this.monoBase = monoBase;
        this.wallBase = wallBase;
    }

    /**
     * {@code packet_rcv}: a packet the link sent or received. Outgoing packets reach only
     * {@code ETH_P_ALL} sockets, as {@code dev_queue_xmit_nit} walks {@code ptype_all} alone (a
     * socket of one protocol is in {@code ptype_base} and sees what comes in); not the socket
     * that sent them ({@code skb->sk}), nor one with {@code PACKET_IGNORE_OUTGOING}.
     */
    @Override
    public void tap(Link link, Direction direction, long timestampNanos, int packetProtocol, ByteBuf data) {
        boolean outgoing = direction == Direction.TRANSMIT;
        int length = data.readableBytes();
        int truesize = length + Packet.OVERHEAD;
        synchronized (this) {
            if (released || protocol == 0 || protocol != IfPacket.ETH_P_ALL && packetProtocol != protocol
                    || ifindex != 0 && link.index() != ifindex
                    || outgoing && (protocol != IfPacket.ETH_P_ALL || ignoreOutgoing || family.sending() == this)) {
                return;
            }
            if (queued >= rcvbuf) {
                drops++;
                return;
            }
            byte[] copy = new byte[length];
            data.getBytes(data.readerIndex(), copy);
            SockAddrLl from = new SockAddrLl(packetProtocol, link.index(), link.type(),
                    outgoing ? IfPacket.PACKET_OUTGOING : IfPacket.PACKET_HOST);
            queue.addLast(new Frame(copy, from, wallBase + (timestampNanos - monoBase)));
            queued += truesize;
            packets++;
        }
        socket.wakeUp(SocketConstants.EPOLLIN);
    }

    /** The first frame, off the queue unless {@code peek}; null when none. */
    synchronized Frame take(boolean peek) {
        Frame f = peek ? queue.peekFirst() : queue.pollFirst();
        if (f != null && !peek) {
            queued -= f.data().length + Packet.OVERHEAD;
        }
        return f;
    }

    synchronized boolean readable() {
        return !queue.isEmpty();
    }

    /** {@code PACKET_STATISTICS}: read and reset; {@code tp_packets} counts the drops too, as Linux's. */
    synchronized TpacketStats takeStats() {
        TpacketStats s = new TpacketStats(packets + drops, drops);
        packets = 0;
        drops = 0;
        return s;
    }

    synchronized int protocol() {
        return protocol;
    }

    synchronized int ifindex() {
        return ifindex;
    }

    synchronized void bindTo(int newProtocol, int newIfindex) {
        protocol = newProtocol;
        ifindex = newIfindex;
    }

    synchronized int rcvbuf() {
        return rcvbuf;
    }

    synchronized void rcvbuf(int bytes) {
        rcvbuf = bytes;
    }

    synchronized Stamps stamps() {
        return stamps;
    }

    synchronized void stamps(Stamps s) {
        stamps = s;
    }

    synchronized boolean ignoreOutgoing() {
        return ignoreOutgoing;
    }

    synchronized void ignoreOutgoing(boolean on) {
        ignoreOutgoing = on;
    }

    synchronized void release() {
        released = true;
        queue.clear();
        queued = 0;
    }
}
