package net.tern.inet.impl.icmp;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockExtendedErr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.impl.snmp.EnumCounters;
import net.tern.inet.ip.IcmpErrConvert;
import net.tern.inet.ip.InetConstants;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.ip.TxParams;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.RouteType;
import net.tern.inet.route.Rtable;
import net.tern.inet.sock.InetProto;
import net.tern.inet.sock.Ip4Datagram;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.ProtoSocket;
import net.tern.wire.IcmpPacket;
import net.tern.wire.IcmpTypes;
import net.tern.wire.Ipv4Address;
import net.tern.wire.Ipv4Packet;

/**
 * ICMP ping sockets ({@code net/ipv4/ping.c}, {@code ping_prot}):
 * {@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}, which lets an unprivileged program send
 * echo requests and read their replies. The application writes an ICMP echo header and its
 * data; the stack puts the socket's port in the identifier ({@code ping_get_port}: a free one
 * on bind or the first send), fills the checksum and sends it ({@code ping_v4_sendmsg}).
 * Echo replies carrying the identifier come to the socket whole, header included, from the
 * replier's address with port 0 ({@code ping_rcv}, {@code ping_recvmsg}); their TTL with
 * {@code IP_RECVTTL}. ICMP errors quoting a request ({@code ping_err}) set the socket's
 * pending error when hard and the socket connected, or, with {@code IP_RECVERR}, always, and
 * queue the error for {@code MSG_ERRQUEUE}, with who sent it.
 *
 * <p>Linux lets only the groups in {@code net.ipv4.ping_group_range} open these sockets;
 * Tern has no users or groups, so every caller may.
 */
final class PingProt implements InetProto<PingSock> {
    private final IpOutput output;
    private final PacketAllocator allocator;
    private final EnumCounters<IcmpMib> mib;
    /** {@code ping_table}: the sockets by identifier, newest first. */
    private final Map<Integer, List<PingSock>> table = new HashMap<>();
    /** {@code ping_port_rover}: the identifier handed out last; the search for a free one goes on from it. */
    private int rover;

    /** {@code firstIdent}: where the first search starts (Linux's differs from boot to boot). */
    PingProt(IpOutput output, PacketAllocator allocator, EnumCounters<IcmpMib> mib, int firstIdent) {
        this.output = output;
        this.allocator = allocator;
        this.mib = mib;
        this.rover = (firstIdent - 1) & 0xffff;
    }

    @Override
    public String name() {
        return "PING";
    }

    @Override
    public PingSock create() {
        return new PingSock(this, SocketConstants.IPPROTO_ICMP);
    }

    @Override
    public int socketsInUse() {
        return sockets();
    }

    /** The application writes the ICMP header itself, so the stack puts none in front. */
    @Override
    public int maxHeader() {
        return 0;
    }

    /** Sockets open now (bound to an identifier). */
    synchronized int sockets() {
        int n = 0;
        for (List<PingSock> list : table.values()) {
            n += list.size();
        }
        return n;
    }

    // ==== ping_get_port / ping_unhash

    @Override
    public synchronized void getPort(PingSock sk, int port) throws ErrnoException {
        if (port == 0) {
            for (int i = 0; i < 0x10000; i++) {
                rover = (rover + 1) & 0xffff;
                if (rover != 0 && !table.containsKey(rover)) {
                    claim(sk, rover);
                    return;
                }
            }
            throw new ErrnoException(Errno.EAGAIN, "ping: all 65535 identifiers are in use");
        }
        // Linux 6.18 lets a socket bind an identifier another holds (checked: both binds
        // succeed, and the later socket gets the replies), so this does too.
        claim(sk, port);
    }

    /** {@code sk_add_node}: at the head of its identifier's list, so {@link #lookup} finds the newest first. */
    private void claim(PingSock sk, int ident) {
        table.computeIfAbsent(ident, k -> new ArrayList<>()).add(0, sk);
        sk.num(ident);
    }

    private synchronized void unhash(PingSock sk) {
        List<PingSock> list = table.get(sk.num());
        if (list != null && list.remove(sk) && list.isEmpty()) {
            table.remove(sk.num());
        }
    }

    /** {@code ping_lookup}: the first socket with identifier {@code ident} bound to any address or to {@code local}. */
    private synchronized PingSock lookup(int ident, int local) {
        for (PingSock sk : table.getOrDefault(ident, List.of())) {
            if (sk.rcvSaddr() == 0 || sk.rcvSaddr() == local) {
                return sk;
            }
        }
        return null;
    }

    @Override
    public void close(PingSock sk) {
        unhash(sk);
        sk.replies.clear();
        sk.errors.clear();
        sk.rmemAlloc = 0;
        sk.recount();
        sk.state(SkState.CLOSE);
    }

    // ==== ip4_datagram_connect / udp_disconnect

    @Override
    public void connect(PingSock sk, InetSockAddr address) throws ErrnoException {
        Ip4Datagram.connect(output, sk, address.address(), address.port());
    }

    @Override
    public void disconnect(PingSock sk) {
        sk.daddr(0);
        sk.dport(0);
        sk.state(SkState.CLOSE);
    }

    // ==== datagram_poll

    @Override
    public int poll(PingSock sk) {
        int mask = EPOLLOUT;
        if (sk.hasReplies()) {
            mask |= EPOLLIN;
        }
        ProtoSocket sock = sk.socket();
        if (sk.hasErrors() || (sock != null && sock.peekError() != null)) {
            mask |= EPOLLERR;
        }
        return mask;
    }

    // ==== IP_RECVERR, IP_RECVTTL (ip_setsockopt's flags that ping reads)

    @Override
    public void setsockopt(PingSock sk, int level, int name, Object value) throws ErrnoException {
        if (level == SocketConstants.SOL_IP && value instanceof Integer v) {
            switch (name) {
                case SocketConstants.IP_RECVERR -> {
                    sk.recvErr = v != 0;
                    if (!sk.recvErr) {
                        sk.errors.clear(); // as Linux purges the error queue when it is turned off
                        sk.recount();
                    }
                    return;
                }
                case SocketConstants.IP_RECVTTL -> {
                    sk.recvTtl = v != 0;
                    return;
                }
                default -> {
                }
            }
        }
        throw new ErrnoException(Errno.ENOPROTOOPT, "setsockopt(level " + level + ", " + name + "): not an option of ping sockets");
    }

    @Override
    public Object getsockopt(PingSock sk, int level, int name) throws ErrnoException {
        if (level == SocketConstants.SOL_IP && name == SocketConstants.IP_RECVERR) {
            return sk.recvErr ? 1 : 0;
        }
        if (level == SocketConstants.SOL_IP && name == SocketConstants.IP_RECVTTL) {
            return sk.recvTtl ? 1 : 0;
        }
        throw new ErrnoException(Errno.ENOPROTOOPT, "getsockopt(level " + level + ", " + name + "): not an option of ping sockets");
    }

    // ==== ping_v4_sendmsg

    @Override
    public int sendmsg(PingSock sk, ByteBuffer data, InetSockAddr to, int flags) throws ErrnoException {
        int length = data.remaining();
        if (length > 0xffff) {
            throw new ErrnoException(Errno.EMSGSIZE, "ping sendmsg: " + length + " bytes are more than 65535");
        }
        if ((flags & SocketConstants.MSG_OOB) != 0) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "ping sendmsg: MSG_OOB");
        }
        int destination;
        if (to != null) {
            destination = to.address();
        } else if (sk.state() == SkState.ESTABLISHED) {
            destination = sk.daddr();
        } else {
            throw new ErrnoException(Errno.EDESTADDRREQ, "ping sendmsg: not connected and no address given");
        }
        // ping_common_sendmsg: the application's header must be an echo request.
        if (length < IcmpPacket.HEADER_LENGTH) {
            throw new ErrnoException(Errno.EINVAL, "ping sendmsg: " + length + " bytes cannot hold an ICMP header");
        }
        int at = data.position();
        int type = data.get(at) & 0xff;
        int code = data.get(at + 1) & 0xff;
        if (type != IcmpTypes.ECHO || code != 0) {
            throw new ErrnoException(Errno.EINVAL, "ping sendmsg: ICMP type " + type + " code " + code
                    + " is not an echo request (8/0)");
        }
        int tos = sk.tos();
        Rtable route = output.routeOutput(new Flowi4(destination, sk.saddr(), 0, SocketConstants.IPPROTO_ICMP, tos));
        if (route.type() == RouteType.BROADCAST && !sk.broadcast()) {
            throw new ErrnoException(Errno.EACCES, "ping sendmsg to " + Ipv4Address.format(destination)
                    + ": a broadcast address needs SO_BROADCAST");
        }
        int sequence = ((data.get(at + 6) & 0xff) << 8) | (data.get(at + 7) & 0xff);
        Packet request = allocator.allocate(InetConstants.MAX_IP_HEADROOM, length);
        ByteBuf out = request.buf();
        int start = out.writerIndex();
        IcmpPacket.emitHeader(out, start, IcmpTypes.ECHO, 0, (sk.num() << 16) | sequence);
        ByteBuffer payload = data.duplicate();
        payload.position(at + IcmpPacket.HEADER_LENGTH);
        out.setBytes(start + IcmpPacket.HEADER_LENGTH, payload);
        out.writerIndex(start + length);
        IcmpPacket.at(out, start).fillChecksum(length);
        output.queueXmit(request, route, TxParams.of(SocketConstants.IPPROTO_ICMP).withTtl(sk.ttl()).withTos(tos));
        mib.inc(IcmpMib.OutMsgs);
        mib.inc(IcmpMib.OutEchos);
        data.position(at + length);
        return length;
    }

    // ==== ping_recvmsg, ip_recv_error

    @Override
    public int recvmsg(PingSock sk, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        if ((flags & SocketConstants.MSG_OOB) != 0) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "ping recvmsg: MSG_OOB");
        }
        if ((flags & SocketConstants.MSG_ERRQUEUE) != 0) {
            return recvError(sk, dst, msg);
        }
        ProtoSocket sock = sk.socket();
        Errno pending = sock == null ? null : sock.takeError();
        if (pending != null) {
            throw new ErrnoException(pending, "ping recvmsg: pending error");
        }
        PingSock.Reply reply = (flags & SocketConstants.MSG_PEEK) != 0 ? sk.replies.peekFirst() : sk.replies.pollFirst();
        if (reply == null) {
            throw new ErrnoException(Errno.EAGAIN, "ping recvmsg: no reply waiting");
        }
        if ((flags & SocketConstants.MSG_PEEK) == 0) {
            sk.rmemAlloc -= reply.truesize();
            sk.recount();
        }
        int n = copy(reply.message(), dst, msg);
        msg.from = new InetSockAddr(reply.from(), 0);
        if (sk.recvTtl) {
            msg.addControl(SocketConstants.SOL_IP, SocketConstants.IP_TTL, reply.ttl());
        }
        return n;
    }

    /** {@code ip_recv_error}: the oldest queued error, its quote as the data; EAGAIN when none. */
    private int recvError(PingSock sk, ByteBuffer dst, MsgHeader msg) throws ErrnoException {
        PingSock.QueuedError queued = sk.errors.pollFirst();
        if (queued == null) {
            throw new ErrnoException(Errno.EAGAIN, "ping recvmsg(MSG_ERRQUEUE): no error queued");
        }
        // sock_dequeue_err_skb: the pending error becomes the next queued one's, or none.
        ProtoSocket sock = sk.socket();
        PingSock.QueuedError next = sk.errors.peekFirst();
        if (sock != null) {
            if (next != null) {
                sock.setError(next.error().errno());
            } else {
                sock.takeError();
            }
        }
        sk.recount();
        int n = copy(queued.quoted(), dst, msg);
        msg.flags |= SocketConstants.MSG_ERRQUEUE;
        msg.from = new InetSockAddr(queued.destination(), 0);
        msg.error = queued.error();
        return n;
    }

    private static int copy(byte[] message, ByteBuffer dst, MsgHeader msg) {
        int n = Math.min(message.length, dst.remaining());
        dst.put(message, 0, n);
        if (n < message.length) {
            msg.flags |= SocketConstants.MSG_TRUNC;
        }
        return n;
    }

    // ==== ping_rcv, ping_err (called by ICMP where input runs; the socket's part under its lock or from its backlog)

    /**
     * {@code ping_rcv}: an echo reply for a socket with its identifier; queued whole (header
     * and data) within the socket's receive buffer, else dropped.
     */
    void rcv(Ipv4Packet ip, IcmpPacket icmp, ByteBuf buf, int length) {
        PingSock sk = lookup(icmp.identifier(), ip.destination());
        if (sk == null) {
            return;
        }
        byte[] message = new byte[length];
        buf.getBytes(buf.readerIndex(), message);
        PingSock.Reply reply = new PingSock.Reply(message, ip.source(), ip.ttl());
        // Input: now if no thread owns the socket, else by the owner as it lets go.
        sk.runOrBacklog(() -> queueReply(sk, reply), sk.backlogLimit());
    }

    /** {@code sock_queue_rcv_skb}, the socket locked: within the receive buffer, else dropped. */
    private static void queueReply(PingSock sk, PingSock.Reply reply) {
        if (sk.rmemAlloc + reply.truesize() > sk.rcvbuf()) {
            return; // sock_queue_rcv_skb refuses it: the buffer is full
        }
        sk.replies.addLast(reply);
        sk.rmemAlloc += reply.truesize();
        sk.recount();
        sk.wakeUp(EPOLLIN);
    }

    /**
     * {@code ping_err}: an ICMP error quoting one of the socket's requests; {@code quoted}
     * is the request's ICMP header and what follows of it in the error, {@code source} the
     * quoted request's source, {@code offender} who sent the error.
     */
    void err(int ident, int source, int destination, byte[] quoted, int type, int code, int info, int offender) {
        PingSock sk = lookup(ident, source);
        if (sk == null) {
            return;
        }
        Errno errno;
        boolean hard = false;
        switch (type) {
            case IcmpTypes.SOURCE_QUENCH -> errno = Errno.EREMOTEIO; // not an error, but ping wants to see it
            case IcmpTypes.PARAMETER_PROB -> {
                errno = Errno.EPROTO;
                hard = true;
            }
            case IcmpTypes.DEST_UNREACH -> {
                IcmpErrConvert meaning = IcmpErrConvert.unreach(code);
                errno = meaning.errno();
                // With path MTU discovery on (Linux's default), fragmentation needed is hard.
                hard = code == IcmpTypes.FRAG_NEEDED || meaning.fatal();
            }
            default -> errno = Errno.EHOSTUNREACH; // time exceeded
        }
        Errno error = errno;
        boolean fatal = hard;
        sk.runOrBacklog(() -> queueError(sk, error, fatal, type, code, info, offender, quoted, destination),
                sk.backlogLimit());
    }

    /** {@code ping_err}'s part under the socket's lock: the error queued ({@code IP_RECVERR}) and reported. */
    private static void queueError(PingSock sk, Errno errno, boolean hard, int type, int code, int info, int offender,
            byte[] quoted, int destination) {
        if (!sk.recvErr) {
            if (!hard || sk.state() != SkState.ESTABLISHED) {
                return;
            }
        } else {
            sk.errors.addLast(new PingSock.QueuedError(
                    new SockExtendedErr(errno, SocketConstants.SO_EE_ORIGIN_ICMP, type, code, info, offender),
                    quoted, destination));
            sk.recount();
        }
        sk.reportError(errno);
    }
}
