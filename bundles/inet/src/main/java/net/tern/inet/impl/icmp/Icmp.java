package net.tern.inet.impl.icmp;

import io.netty.buffer.ByteBuf;
import java.util.Random;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.impl.ip.IpProtocolTable;
import net.tern.inet.impl.snmp.EnumCounters;
import net.tern.inet.ip.IcmpSender;
import net.tern.inet.ip.InetConstants;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.ip.TxParams;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.RouteTable;
import net.tern.inet.route.RouteType;
import net.tern.inet.route.Rtable;
import net.tern.spi.net.Clock;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.inet.sock.InetDgramOps;
import net.tern.inet.sock.InetProtoSw;
import net.tern.spi.proto.NetProtocol;
import net.tern.spi.proto.ProtoSw;
import net.tern.wire.IcmpPacket;
import net.tern.wire.IcmpTypes;
import net.tern.wire.Ipv4Address;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.Ipv4Repr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ICMP ({@code net/ipv4/icmp.c}, and the echo half of {@code ping.c}), built into IPv4 and
 * registered as its protocol 1:
 *
 * <ul>
 * <li>{@code icmp_rcv} ({@link #handler}): checks length and checksum, counts by type,
 *     answers echo requests ({@code icmp_echo}), gives echo replies to the ping socket with
 *     their identifier ({@code ping_rcv}), and hands errors (destination unreachable, source
 *     quench, time exceeded, parameter problem) to the quoted protocol's
 *     {@link NetProtocol#errHandler} ({@code icmp_unreach}, {@code icmp_socket_deliver}).
 *     Echo and timestamp to a broadcast address are ignored ({@code icmp_echo_ignore_broadcasts});
 *     other messages to broadcast are errors (RFC 1122, 3.2.2.6).</li>
 * <li>{@code icmp_send} ({@link #send}): errors about received datagrams, under RFC 1122's
 *     rules and the rate limits.</li>
 * <li>Ping sockets ({@link #pingProtoSw}, {@code ping.c}): {@code SOCK_DGRAM} sockets of
 *     protocol {@code IPPROTO_ICMP}, the one way to send echo requests and hear their
 *     replies and errors.</li>
 * </ul>
 *
 * <p>Input runs on the network thread. {@link #send} may be used from any thread: output is
 * thread-safe, the rate limiter locks.
 */
public final class Icmp implements NetProtocol, IcmpSender {
    private static final Logger LOG = LoggerFactory.getLogger(Icmp.class);

    private final IpOutput output;
    private final RouteTable routes;
    private final IpProtocolTable protocols;
    private final PacketAllocator allocator;
    private final EnumCounters<IcmpMib> mib;
    private volatile IcmpSettings settings;
    private volatile IcmpRateLimiter limiter;
    private final Clock clock;
    private final PingProt ping;

    public Icmp(IpOutput output, RouteTable routes, IpProtocolTable protocols, PacketAllocator allocator,
            Clock clock, EnumCounters<IcmpMib> mib, IcmpSettings settings, Random random) {
        this.output = output;
        this.routes = routes;
        this.protocols = protocols;
        this.allocator = allocator;
        this.mib = mib;
        this.settings = settings;
        this.clock = clock;
        this.limiter = new IcmpRateLimiter(clock, settings.ratemask(), settings.ratelimitNanos(), settings.msgsPerSec(),
                settings.msgsBurst());
        this.ping = new PingProt(output, allocator, mib, random.nextInt(0x10000));
    }

    /**
     * The ping sockets' {@code inet_protosw} entry ({@code SOCK_DGRAM}, {@code IPPROTO_ICMP},
     * {@code ping_prot} behind {@code inet_dgram_ops}), which IPv4 registers itself, as Linux's
     * {@code inetsw_array} holds it.
     */
    public ProtoSw pingProtoSw() {
        return new InetProtoSw<>(SocketConstants.SOCK_DGRAM, SocketConstants.IPPROTO_ICMP, ping, new InetDgramOps(routes));
    }

    /** Ping sockets open now with an identifier. */
    public int pingSockets() {
        return ping.sockets();
    }

    /**
     * {@code sysctl -w net.ipv4.icmp_*}: the echo settings apply to the next request; new rate
     * limits start with full buckets (the old limiter's state goes with it).
     */
    public void settings(IcmpSettings next) {
        IcmpSettings before = settings;
        settings = next;
        if (next.ratemask() != before.ratemask() || next.ratelimitNanos() != before.ratelimitNanos()
                || next.msgsPerSec() != before.msgsPerSec() || next.msgsBurst() != before.msgsBurst()) {
            limiter = new IcmpRateLimiter(clock, next.ratemask(), next.ratelimitNanos(), next.msgsPerSec(),
                    next.msgsBurst());
        }
    }

    // ==== icmp_rcv ====

    /** {@code icmp_rcv}: the packet's data start at the ICMP header; its network header is set. */
    @Override
    public void handler(Packet packet) {
        try {
            receive(packet);
        } finally {
            packet.release();
        }
    }

    private void receive(Packet packet) {
        mib.inc(IcmpMib.InMsgs);
        ByteBuf buf = packet.buf();
        int length = packet.length();
        int start = buf.readerIndex();
        if (!IcmpPacket.at(buf, start).verifyChecksum(length)) {
            mib.inc(IcmpMib.InCsumErrors);
            mib.inc(IcmpMib.InErrors);
            return;
        }
        if (length < IcmpPacket.HEADER_LENGTH) {
            mib.inc(IcmpMib.InErrors);
            return;
        }
        IcmpPacket icmp = IcmpPacket.at(buf, start);
        int type = icmp.type();
        countIn(type);
        if (type > IcmpTypes.NR_ICMP_TYPES) {
            mib.inc(IcmpMib.InErrors);
            return;
        }
        Ipv4Packet ip = Ipv4Packet.at(buf, packet.networkHeader());
        int destination = ip.destination();
        if (Ipv4Address.isMulticast(destination) || routes.addressType(destination) == RouteType.BROADCAST) {
            boolean echoLike = type == IcmpTypes.ECHO || type == IcmpTypes.TIMESTAMP;
            if ((echoLike && settings.echoIgnoreBroadcasts())
                    || (!echoLike && type != IcmpTypes.ADDRESS && type != IcmpTypes.ADDRESS_REPLY)) {
                mib.inc(IcmpMib.InErrors);
                return;
            }
        }
        switch (type) {
            case IcmpTypes.ECHO -> {
                if (!settings.echoIgnoreAll()) {
                    echoReply(packet, ip, length);
                }
            }
            case IcmpTypes.ECHO_REPLY -> deliverEchoReply(packet, ip, icmp, length);
            case IcmpTypes.DEST_UNREACH, IcmpTypes.SOURCE_QUENCH, IcmpTypes.TIME_EXCEEDED, IcmpTypes.PARAMETER_PROB ->
                    unreach(packet, icmp, length);
            default -> {
                // Redirects, timestamps and the obsolete information messages are counted and
                // otherwise ignored: a host keeps its routes, and needs no clock service.
            }
        }
    }

    private void countIn(int type) {
        switch (type) {
            case IcmpTypes.DEST_UNREACH -> mib.inc(IcmpMib.InDestUnreachs);
            case IcmpTypes.TIME_EXCEEDED -> mib.inc(IcmpMib.InTimeExcds);
            case IcmpTypes.PARAMETER_PROB -> mib.inc(IcmpMib.InParmProbs);
            case IcmpTypes.SOURCE_QUENCH -> mib.inc(IcmpMib.InSrcQuenchs);
            case IcmpTypes.REDIRECT -> mib.inc(IcmpMib.InRedirects);
            case IcmpTypes.ECHO -> mib.inc(IcmpMib.InEchos);
            case IcmpTypes.ECHO_REPLY -> mib.inc(IcmpMib.InEchoReps);
            case IcmpTypes.TIMESTAMP -> mib.inc(IcmpMib.InTimestamps);
            case IcmpTypes.TIMESTAMP_REPLY -> mib.inc(IcmpMib.InTimestampReps);
            case IcmpTypes.ADDRESS -> mib.inc(IcmpMib.InAddrMasks);
            case IcmpTypes.ADDRESS_REPLY -> mib.inc(IcmpMib.InAddrMaskReps);
            default -> {
            }
        }
    }

    /** {@code icmp_echo} / {@code icmp_reply}: the same identifier, sequence and data, back to the sender. */
    private void echoReply(Packet request, Ipv4Packet ip, int length) {
        int to = ip.source();
        if (!namesOneHost(to)) {
            return;
        }
        int from = routes.addressType(ip.destination()) == RouteType.LOCAL ? ip.destination() : 0;
        Packet reply = allocator.allocate(InetConstants.MAX_IP_HEADROOM, length);
        ByteBuf out = reply.buf();
        int at = out.writerIndex();
        out.writeBytes(request.buf(), request.buf().readerIndex(), length);
        out.setByte(at, IcmpTypes.ECHO_REPLY);
        out.setByte(at + 1, 0);
        IcmpPacket.at(out, at).fillChecksum(length);
        try {
            output.send(reply, from, to, TxParams.of(SocketConstants.IPPROTO_ICMP).withTos(ip.tos()));
            mib.inc(IcmpMib.OutMsgs);
            mib.inc(IcmpMib.OutEchoReps);
        } catch (ErrnoException e) {
            mib.inc(IcmpMib.OutErrors);
            LOG.debug("echo reply not sent: {}", e.getMessage());
        }
    }

    /** {@code ping_rcv}: to the ping socket with the reply's identifier, if any. */
    private void deliverEchoReply(Packet packet, Ipv4Packet ip, IcmpPacket icmp, int length) {
        ping.rcv(ip, icmp, packet.buf(), length);
    }

    /** {@code icmp_unreach} and {@code icmp_socket_deliver}: an error, to the protocol it quotes. */
    private void unreach(Packet packet, IcmpPacket icmp, int length) {
        if (length < IcmpPacket.HEADER_LENGTH + Ipv4Repr.LENGTH) {
            mib.inc(IcmpMib.InErrors);
            return;
        }
        Ipv4Packet quoted = Ipv4Packet.at(packet.buf(), icmp.dataOffset());
        int quotedHeader = quoted.headerLength();
        if (quoted.version() != 4 || quotedHeader < Ipv4Repr.LENGTH
                || length < IcmpPacket.HEADER_LENGTH + quotedHeader + 8) {
            mib.inc(IcmpMib.InErrors);
            return;
        }
        int type = icmp.type();
        int code = icmp.code();
        int info = 0;
        if (type == IcmpTypes.DEST_UNREACH && code == IcmpTypes.FRAG_NEEDED) {
            info = icmp.nextHopMtu();
        } else if (type == IcmpTypes.PARAMETER_PROB) {
            info = icmp.pointer();
        }
        NetProtocol handler = protocols.get(quoted.protocol());
        if (handler == null) {
            return;
        }
        packet.pull(IcmpPacket.HEADER_LENGTH);
        try {
            handler.errHandler(packet, type, code, info);
        } catch (RuntimeException e) {
            LOG.error("err_handler of IP protocol {} threw on ICMP {}/{}", quoted.protocol(), type, code, e);
        }
    }

    /**
     * ICMP's own {@code err_handler} ({@code ping_err}): an error quoting an echo request
     * goes to the ping socket that sent it. The network header is still the outer one, which
     * names who sent the error.
     */
    @Override
    public void errHandler(Packet quoted, int type, int code, int info) {
        ByteBuf buf = quoted.buf();
        Ipv4Packet inner = Ipv4Packet.at(buf, buf.readerIndex());
        int icmpAt = inner.payloadOffset();
        if (icmpAt + IcmpPacket.HEADER_LENGTH > buf.writerIndex()) {
            return;
        }
        IcmpPacket request = IcmpPacket.at(buf, icmpAt);
        if (request.type() != IcmpTypes.ECHO) {
            return;
        }
        int from = quoted.networkHeader() >= 0 ? Ipv4Packet.at(buf, quoted.networkHeader()).source() : 0;
        byte[] quote = new byte[buf.writerIndex() - icmpAt];
        buf.getBytes(icmpAt, quote);
        ping.err(request.identifier(), inner.source(), inner.destination(), quote, type, code, info, from);
    }

    // ==== icmp_send ====

    @Override
    public boolean send(Packet offending, int type, int code, int info) {
        int nh = offending.networkHeader();
        if (nh < 0) {
            return false;
        }
        ByteBuf buf = offending.buf();
        int available = buf.writerIndex() - nh;
        if (available < Ipv4Repr.LENGTH) {
            return false;
        }
        Ipv4Packet ip = Ipv4Packet.at(buf, nh);
        int headerLength = ip.headerLength();
        if (ip.version() != 4 || headerLength < Ipv4Repr.LENGTH || available < headerLength) {
            return false;
        }
        // RFC 1122 3.2.2: never about a broadcast or multicast datagram, a non-initial
        // fragment, a datagram whose source does not name one host, or an ICMP error.
        RouteType destinationType = routes.addressType(ip.destination());
        if (destinationType == RouteType.BROADCAST || Ipv4Address.isMulticast(ip.destination())) {
            return false;
        }
        if (ip.fragmentOffset() != 0) {
            return false;
        }
        int to = ip.source();
        if (!namesOneHost(to) || routes.addressType(to) == RouteType.BROADCAST) {
            return false;
        }
        if (ip.protocol() == SocketConstants.IPPROTO_ICMP) {
            if (available < headerLength + 1 || IcmpTypes.isError(IcmpPacket.at(buf, nh + headerLength).type())) {
                return false;
            }
        }
        int from = destinationType == RouteType.LOCAL ? ip.destination() : 0;
        int tos = (ip.tos() & InetConstants.IPTOS_TOS_MASK) | InetConstants.IPTOS_PREC_INTERNETCONTROL;
        Rtable route;
        try {
            route = output.routeOutput(new Flowi4(to, from, 0, SocketConstants.IPPROTO_ICMP, tos));
        } catch (ErrnoException e) {
            LOG.debug("ICMP {}/{} to {} not sent: {}", type, code, Ipv4Address.format(to), e.getMessage());
            return false;
        }
        boolean viaLoopback = (route.link().flags() & LinkFlags.IFF_LOOPBACK) != 0;
        switch (limiter.check(type, to, viaLoopback)) {
            case GLOBAL_LIMIT -> {
                mib.inc(IcmpMib.OutRateLimitGlobal);
                return false;
            }
            case HOST_LIMIT -> {
                mib.inc(IcmpMib.OutRateLimitHost);
                return false;
            }
            default -> {
            }
        }
        // Quote as much of the datagram as fits in 576 bytes (RFC 1812, 4.3.2.3), as Linux does.
        int room = Math.min(InetConstants.MIN_REASSEMBLY_SIZE, route.mtu()) - Ipv4Repr.LENGTH - IcmpPacket.HEADER_LENGTH;
        int quoteLength = Math.min(room, Math.min(available, ip.totalLength() >= headerLength ? ip.totalLength() : available));
        int messageLength = IcmpPacket.HEADER_LENGTH + quoteLength;
        Packet message = allocator.allocate(InetConstants.MAX_IP_HEADROOM, messageLength);
        ByteBuf out = message.buf();
        int at = out.writerIndex();
        int rest = 0;
        if (type == IcmpTypes.DEST_UNREACH && code == IcmpTypes.FRAG_NEEDED) {
            rest = info & 0xffff;
        } else if (type == IcmpTypes.PARAMETER_PROB) {
            rest = (info & 0xff) << 24;
        }
        IcmpPacket.emitHeader(out, at, type, code, rest);
        out.setBytes(at + IcmpPacket.HEADER_LENGTH, buf, nh, quoteLength);
        out.writerIndex(at + messageLength);
        IcmpPacket.at(out, at).fillChecksum(messageLength);
        try {
            output.queueXmit(message, route, new TxParams(SocketConstants.IPPROTO_ICMP, -1, tos, false));
        } catch (ErrnoException e) {
            mib.inc(IcmpMib.OutErrors);
            LOG.debug("ICMP {}/{} to {} not sent: {}", type, code, Ipv4Address.format(to), e.getMessage());
            return false;
        }
        mib.inc(IcmpMib.OutMsgs);
        countOut(type);
        return true;
    }

    private void countOut(int type) {
        switch (type) {
            case IcmpTypes.DEST_UNREACH -> mib.inc(IcmpMib.OutDestUnreachs);
            case IcmpTypes.TIME_EXCEEDED -> mib.inc(IcmpMib.OutTimeExcds);
            case IcmpTypes.PARAMETER_PROB -> mib.inc(IcmpMib.OutParmProbs);
            case IcmpTypes.SOURCE_QUENCH -> mib.inc(IcmpMib.OutSrcQuenchs);
            case IcmpTypes.REDIRECT -> mib.inc(IcmpMib.OutRedirects);
            default -> {
            }
        }
    }

    /** Whether {@code address} can be the source of a datagram worth answering: one host, not a group or "any". */
    private static boolean namesOneHost(int address) {
        return !Ipv4Address.isZeroNet(address) && !Ipv4Address.isLimitedBroadcast(address)
                && !Ipv4Address.isMulticast(address) && !Ipv4Address.isReserved(address);
    }
}
