package net.tern.udp.impl;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.List;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.IcmpSender;
import net.tern.inet.route.RouteTable;
import net.tern.inet.route.RouteType;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.proto.NetProtocol;
import net.tern.spi.trace.Tracepoints;
import net.tern.wire.IcmpTypes;
import net.tern.wire.Ipv4Address;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.UdpPacket;

/**
 * UDP's IP protocol handler ({@code udp_protocol}, registered for protocol 17), on whatever
 * thread received the datagram, queued under the receive queue's own lock whether or not
 * another thread holds the socket (an ICMP error for a socket another thread holds goes
 * through the socket's backlog).
 *
 * <p>{@link #handler} is {@code udp_rcv} → {@code __udp4_lib_rcv}, a straight line per
 * datagram, ending in exactly one of:
 * <ol>
 * <li>fewer than 8 bytes, or a length field beyond the data or below 8: {@code InErrors};</li>
 * <li>(padding past the length field is trimmed) a checksum that does not verify:
 *     {@code InCsumErrors} and {@code InErrors}; a zero checksum means none was sent and is
 *     accepted (RFC 768);</li>
 * <li>to a broadcast or multicast address: a copy to every socket of the port that accepts
 *     it ({@code __udp4_lib_mcast_deliver}), or {@code IgnoredMulti} when none does;</li>
 * <li>to a port with no socket: {@code NoPorts}, and ICMP port unreachable through IPv4's
 *     {@link IcmpSender} (which rate-limits it);</li>
 * <li>else {@code udp_queue_rcv_skb}: queued on the socket and its reader woken, or dropped
 *     for a full receive queue ({@code RcvbufErrors} and {@code InErrors}) or for want of
 *     UDP memory ({@code udp_mem}: {@code MemErrors} and {@code InErrors}). A queued datagram
 *     counts in {@code InDatagrams} when the application reads it.</li>
 * </ol>
 *
 * <p>{@link #errHandler} is {@code udp_err}: an ICMP error about a datagram a socket sent
 * becomes that socket's pending error when the error is hard and the socket connected.
 */
public final class UdpInput implements NetProtocol {
    /**
     * The header view each receiving thread points at the datagram it receives: a view per
     * datagram was the receive path's one allocation besides IP's. Every field is read from
     * it before the datagram is handed on, so a nested receive on the same thread finds it
     * free.
     */
    private static final FastThreadLocal<UdpPacket> VIEW = new FastThreadLocal<>() {
        @Override
        protected UdpPacket initialValue() {
            return new UdpPacket();
        }
    };

    private final UdpTable table;
    private final RouteTable routes;
    private final IcmpSender icmp;
    private final PacketAllocator allocator;
    private final UdpStats stats;

    public UdpInput(UdpTable table, RouteTable routes, IcmpSender icmp, PacketAllocator allocator, UdpStats stats) {
        this.table = table;
        this.routes = routes;
        this.icmp = icmp;
        this.allocator = allocator;
        this.stats = stats;
    }

    /** {@code udp_rcv}: the packet's data start at the UDP header; its network header is set. Takes ownership. */
    @Override
    public void handler(Packet packet) {
        ByteBuf buf = packet.buf();
        int at = buf.readerIndex();
        packet.resetTransportHeader(); // where recvmsg reads the sender's port
        int available = packet.length();
        UdpPacket udp = VIEW.get().wrap(buf, at);
        if (packet.networkHeader() < 0 || udp.check(available) != UdpPacket.Check.OK) {
            drop(packet, UdpMib.InErrors);
            return;
        }
        int length = udp.length();
        if (length < available) {
            packet.trim(length); // pskb_trim_rcsum: the IP payload was longer than the datagram
        }
        int source = Ipv4Packet.source(buf, packet.networkHeader());
        int destination = Ipv4Packet.destination(buf, packet.networkHeader());
        if (!packet.csumUnnecessary() && !udp.verifyChecksum(source, destination)) { // udp4_csum_init
            stats.inc(UdpMib.InCsumErrors);
            drop(packet, UdpMib.InErrors);
            return;
        }
        int sourcePort = udp.sourcePort();
        int destinationPort = udp.destinationPort();
        Tracepoints.packet("udp_rcv", packet, packet.device(), true, source, sourcePort, destination, destinationPort,
                17, length);
        if (Ipv4Address.isMulticast(destination) || routes.addressType(destination) == RouteType.BROADCAST) {
            multicastDeliver(packet, source, sourcePort, destination, destinationPort);
            return;
        }
        UdpSock sk = table.lookup(source, sourcePort, destination, destinationPort);
        if (sk == null) {
            stats.inc(UdpMib.NoPorts);
            icmp.send(packet, IcmpTypes.DEST_UNREACH, IcmpTypes.PORT_UNREACH, 0);
            packet.release();
            return;
        }
        packet.pull(UdpPacket.HEADER_LENGTH);
        enqueue(sk, packet, stats);
    }

    /**
     * {@code __udp4_lib_mcast_deliver}: a copy of the datagram to each socket but the last,
     * which gets the packet itself. No socket: {@code IgnoredMulti}, and no ICMP (RFC 1122
     * 3.2.2 forbids errors about broadcasts).
     */
    private void multicastDeliver(Packet packet, int source, int sourcePort, int destination, int destinationPort) {
        List<UdpSock> members = table.groupMembers(source, sourcePort, destination, destinationPort);
        if (members.isEmpty()) {
            drop(packet, UdpMib.IgnoredMulti);
            return;
        }
        int last = members.size() - 1;
        for (int i = 0; i < last; i++) {
            Packet copy;
            try {
                copy = copyOf(packet);
            } catch (OutOfMemoryError exhausted) {
                // skb_clone failed: this member loses the datagram, as a full queue would lose it.
                members.get(i).countDrop();
                stats.inc(UdpMib.RcvbufErrors);
                stats.inc(UdpMib.InErrors);
                continue;
            }
            enqueue(members.get(i), copy, stats);
        }
        packet.pull(UdpPacket.HEADER_LENGTH);
        enqueue(members.get(last), packet, stats);
    }

    /**
     * {@code skb_clone} for a member of a group: the datagram from its IP header on, in a
     * packet of its own with the same header offsets, its data at the payload.
     */
    private Packet copyOf(Packet packet) {
        ByteBuf from = packet.buf();
        int start = packet.networkHeader();
        int length = from.writerIndex() - start;
        Packet copy = allocator.allocate(0, length);
        copy.buf().writeBytes(from, start, length);
        copy.resetNetworkHeader();
        copy.pull(packet.transportHeader() - start);
        copy.resetTransportHeader();
        copy.pull(UdpPacket.HEADER_LENGTH);
        return copy.protocol(packet.protocol()).device(packet.device()).timestampNanos(packet.timestampNanos());
    }

    /**
     * {@code udp_queue_rcv_skb} → {@code __udp_enqueue_schedule_skb}: queues the packet (its
     * data the payload) if the socket's receive memory is within {@code SO_RCVBUF} and UDP's
     * pool gives it the memory (see {@link UdpSock}), and wakes the reader; else drops it. A
     * socket closed since the lookup drops it as {@code InErrors}. Takes the receive queue's
     * own lock, not the socket's, whether or not a thread holds the socket (Linux's UDP input
     * takes no socket lock either): a reader in {@code recvmsg} neither makes input wait nor
     * has input handed to it through the backlog, whose limit dropped datagrams before the
     * receive buffer was full.
     */
    static void enqueue(UdpSock sk, Packet packet, UdpStats stats) {
        switch (sk.enqueue(packet)) {
            case QUEUED -> {
                sk.wakeUp(SocketConstants.EPOLLIN); // sk_data_ready
                return;
            }
            case RCVBUF_FULL -> dropAtSocket(sk, UdpMib.RcvbufErrors, stats);
            case NO_MEMORY -> dropAtSocket(sk, UdpMib.MemErrors, stats);
            case DEAD -> stats.inc(UdpMib.InErrors);
        }
        packet.release();
    }

    /** {@code __udp_queue_rcv_skb}'s refusal: the socket's drop, its reason and InErrors; the caller releases. */
    private static void dropAtSocket(UdpSock sk, UdpMib reason, UdpStats stats) {
        sk.countDrop();
        stats.inc(reason);
        stats.inc(UdpMib.InErrors);
    }

    private void drop(Packet packet, UdpMib reason) {
        stats.inc(reason);
        packet.release();
    }

    /**
     * {@code udp_err} ({@code __udp4_lib_err}): {@code quoted} starts at the IP header of a
     * datagram sent from here, followed by at least its UDP header. The socket that sent it
     * is looked up as the datagram's source; if it is connected and the error is hard
     * ({@link IcmpErrors}), the error becomes its pending error (EPOLLERR), so its next send
     * or receive fails with it. Unconnected sockets ignore ICMP errors, as Linux's do without
     * {@code IP_RECVERR}. The caller keeps the packet.
     */
    @Override
    public void errHandler(Packet quoted, int type, int code, int info) {
        IcmpErrors meaning = IcmpErrors.of(type, code);
        if (meaning.errno() == null || !meaning.hard()) {
            return;
        }
        ByteBuf buf = quoted.buf();
        Ipv4Packet inner = Ipv4Packet.at(buf, buf.readerIndex());
        int udpAt = inner.payloadOffset();
        if (inner.headerLength() < Ipv4Packet.MIN_HEADER_LENGTH || udpAt + UdpPacket.HEADER_LENGTH > buf.writerIndex()) {
            return;
        }
        UdpPacket quotedHeader = UdpPacket.at(buf, udpAt);
        UdpSock sk = table.lookup(inner.destination(), quotedHeader.destinationPort(), inner.source(),
                quotedHeader.sourcePort());
        if (sk == null || sk.state() != SkState.ESTABLISHED) {
            return;
        }
        Runnable report = () -> {
            if (!sk.isDead()) {
                sk.reportError(meaning.errno()); // sk->sk_err, sk_error_report
            }
        };
        if (!sk.runOrBacklog(report, sk.backlogLimit())) {
            sk.countDrop();
        }
    }
}
