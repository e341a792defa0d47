package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.RouteType;
import net.tern.inet.route.Rtable;
import net.tern.inet.sock.InetProto;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.SkState;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Packet;
import net.tern.spi.net.TimerService;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.ProtoSocket;
import net.tern.wire.Ipv4Address;
import net.tern.wire.Ipv6Address;
import net.tern.wire.TcpPacket;

/**
 * {@code tcp_prot}: TCP's side of an AF_INET stream socket, behind {@code inet_stream_ops}.
 * Every method but {@link #poll} runs with the socket locked ({@code lock_sock}) and never
 * blocks: {@code connect} starts the handshake ({@code tcp_v4_connect}), {@code sendmsg}
 * queues what fits in the send buffer and pushes ({@code tcp_sendmsg}), {@code recvmsg}
 * takes from the receive queue and may open the window ({@code tcp_recvmsg},
 * {@code tcp_cleanup_rbuf}), {@code close} starts the close or resets ({@code tcp_close}).
 */
public final class TcpProt implements InetProto<TcpSock> {
    private final Clock clock;
    private final Supplier<TcpSettings> settings;
    private final TcpCounters counters;
    private final TcpMemory memory;
    private final TcpHashTables tables;
    private final Secrets secrets;
    private final TcpTrace trace;
    private final IpOutput ipOutput;
    /** {@code ipv4_specific}, every AF_INET socket's network layer. */
    private final Ipv4Specific ipv4Specific;
    private final TimerService timerService;
    private final TcpOutput output;
    private final TcpLifecycle lifecycle;
    private final TcpTimers timers;
    private final TcpSockopt sockopt;
    private final CongestionRegistry registry;
    private final Set<TcpSock> sockets;
    private volatile String refusal;
    /** {@code tcp_sendmsg_locked} and its pushes. */
    private final TcpSendmsg sendmsg;
    /** What {@code tcp_v4_connect} and {@code tcp_v6_connect} share. */
    private final TcpConnect connect;
    private final TcpRecvmsg recvmsg;
    /** {@code tcp_v4_do_rcv} for a segment the socket's owner takes from its backlog. */
    private final BiConsumer<TcpSock, Packet> backlogRcv;

    /** {@code sockets}: every TCP socket alive, which each socket created here joins. */
    TcpProt(Clock clock, Supplier<TcpSettings> settings, TcpCounters counters, TcpMemory memory, TcpHashTables tables,
            Secrets secrets, IntSupplier random, TcpTrace trace, IpOutput ipOutput, TimerService timerService,
            TcpOutput output, TcpLifecycle lifecycle, TcpTimers timers, TcpSockopt sockopt,
            CongestionRegistry registry, Set<TcpSock> sockets, BiConsumer<TcpSock, Packet> backlogRcv) {
        this.clock = clock;
        this.settings = settings;
        this.counters = counters;
        this.memory = memory;
        this.tables = tables;
        this.secrets = secrets;
        this.trace = trace;
        this.ipOutput = ipOutput;
        this.ipv4Specific = new Ipv4Specific(ipOutput);
        this.timerService = timerService;
        this.output = output;
        this.lifecycle = lifecycle;
        this.timers = timers;
        this.sockopt = sockopt;
        this.registry = registry;
        this.sockets = sockets;
        this.sendmsg = new TcpSendmsg(clock, settings, memory, output);
        this.connect = new TcpConnect(clock, settings, counters, memory, tables, secrets, random, trace, output,
                lifecycle);
        this.recvmsg = new TcpRecvmsg(memory, output);
        this.backlogRcv = backlogRcv;
    }

    /** {@code sk_backlog_rcv} = {@code tcp_v4_do_rcv}: see {@link TcpIpv4#backlogRcv}. */
    @Override
    public void backlogRcv(TcpSock sk, Packet packet) {
        backlogRcv.accept(sk, packet);
    }

    @Override
    public String name() {
        return "TCP";
    }

    @Override
    public int socketsInUse() {
        return sockets.size();
    }

    @Override
    public int maxHeader() {
        return TcpPacket.MAX_HEADER_LENGTH;
    }

    /** New sockets fail with EPROTONOSUPPORT and {@code reason} from now on (the bundle is stopping). */
    public void refuseNewSockets(String reason) {
        this.refusal = reason;
    }

    @Override
    public TcpSock create() throws ErrnoException {
        String reason = refusal;
        if (reason != null) {
            throw new ErrnoException(Errno.EPROTONOSUPPORT, "socket(SOCK_STREAM, IPPROTO_TCP): " + reason);
        }
        return newSock();
    }

    /** {@code sk_alloc} for TCP: a new socket, counted among the stack's TCP sockets. */
    /** Buffer autotuning, for the parts that establish connections ({@code tcp_init_buffer_space}). */
    TcpBufferTuning bufferTuning() {
        return memory.tuning();
    }

    TcpSock newSock() {
        TcpSock sk = new TcpSock(this, settings, memory, clock, timerService, timers, registry, counters);
        sk.af(ipv4Specific);
        sockets.add(sk);
        return sk;
    }

    @Override
    public boolean autobind() {
        return false;
    }

    @Override
    public void getPort(TcpSock sk, int port) throws ErrnoException {
        tables.bind(sk, port);
        sk.userBound(port != 0);
    }

    // ==== connect (tcp_v4_connect) =============================================================

    @Override
    public void connect(TcpSock sk, InetSockAddr address) throws ErrnoException {
        String call = "connect(" + address + ")";
        int daddr = address.address() == 0 ? Ipv4Address.LOOPBACK : address.address();
        if (Ipv4Address.isMulticast(daddr) || Ipv4Address.isLimitedBroadcast(daddr)) {
            throw new ErrnoException(Errno.ENETUNREACH, call + ": TCP cannot connect to a broadcast or multicast address");
        }
        Rtable route;
        try {
            route = ipOutput.routeOutput(Flowi4.of(sk.rcvSaddr(), daddr, SocketConstants.IPPROTO_TCP));
        } catch (ErrnoException e) {
            throw e.in(call);
        }
        if (route.type() == RouteType.BROADCAST) {
            throw new ErrnoException(Errno.ENETUNREACH, call + ": " + Ipv4Address.format(daddr) + " is a broadcast address");
        }
        int saddr = sk.saddr() != 0 ? sk.saddr() : route.source();
        int port = address.port();
        TcpHashTables.Connection connection = connect.hash(sk, p -> new ConnKey(saddr, p, daddr, port),
                secrets.secureTcpSeq(saddr, daddr, 0, port), call);
        sk.saddr(saddr);
        sk.rcvSaddr(saddr);
        sk.daddr(daddr);
        sk.dport(port);
        sk.dstSet(route);
        connect.start(sk, connection, route.mtu(), "tcp_v4_connect");
    }

    /** {@code ipv4_specific}: IPv4 connections' network layer, also a dual-stack socket's over IPv4. */
    Ipv4Specific ipv4Specific() {
        return ipv4Specific;
    }

    /** The connect steps both families share. */
    TcpConnect connector() {
        return connect;
    }

    /** {@code tcp_v6_connect}: the socket's family's ({@link TcpAfOps#connect6}). */
    @Override
    public void connect6(TcpSock sk, Inet6SockAddr address) throws ErrnoException {
        sk.af().connect6(sk, address);
    }

    // ==== disconnect (tcp_disconnect) ==========================================================

    @Override
    public void disconnect(TcpSock sk) throws ErrnoException {
        SkState old = sk.state();
        if (old == SkState.LISTEN) {
            lifecycle.listenStop(sk);
        } else if (old != SkState.CLOSE && old != SkState.SYN_SENT) {
            output.sendActiveReset(sk);
            sk.reportError(Errno.ECONNRESET);
        } else if (old == SkState.SYN_SENT) {
            sk.reportError(Errno.ECONNRESET);
        }
        sk.clearXmitTimers();
        lifecycle.setState(sk, SkState.CLOSE);
        clearConnection(sk);
        sk.wakeUp(EPOLLIN | EPOLLOUT | EPOLLHUP);
    }

    /** Forgets everything of the last connection, so the socket can connect again. */
    private void clearConnection(TcpSock sk) {
        sk.snd().reset();
        sk.clearRtxQueue();
        memory.clearOutOfOrder(sk);
        sk.rcv().reset();
        memory.settleRecv(sk); // the packets queued are freed
        sk.shutdown(0);
        sk.daddr(0);
        sk.dport(0);
        sk.v6Daddr(Ipv6Address.UNSPECIFIED);
        if (!sk.userBound()) {
            sk.saddr(0);
            sk.rcvSaddr(0);
            sk.v6Saddr(Ipv6Address.UNSPECIFIED);
            sk.v6RcvSaddr(Ipv6Address.UNSPECIFIED);
        }
        sk.dstReset();
        sk.everConnected(false);
        sk.ca().reset();
        sk.rtt().restart(settings.get().rtoInitialMillis() * 1000);
        sk.retries().clearRetransmits();
        sk.ackMode().reset();
        sk.opts().clearNegotiated();
        sk.publishQueues();
    }

    // ==== listen and accept ====================================================================

    @Override
    public void listen(TcpSock sk, int backlog) throws ErrnoException {
        int capped = Math.min(backlog, settings.get().somaxconn());
        if (sk.state() == SkState.LISTEN) {
            sk.acceptQueue().setMaxBacklog(capped);
            return;
        }
        if (sk.num() == 0) {
            tables.bind(sk, 0);
        }
        sk.state(SkState.LISTEN); // conflicts are judged as a listener ({@code inet_csk_listen_start})
        Object conflict = tables.conflict(sk, sk.num(), sk.rcvSaddr());
        if (conflict != null) {
            sk.state(SkState.CLOSE);
            throw new ErrnoException(Errno.EADDRINUSE, "listen(" + backlog + "): port " + sk.num()
                    + " is in use by " + conflict);
        }
        sk.acceptQueue().setMaxBacklog(capped);
        tables.addListener(sk);
        trace.setState(sk, SkState.CLOSE, SkState.LISTEN);
        sk.publishQueues();
    }

    /** {@code inet_csk_accept}: the next established connection, or null when none waits. */
    @Override
    public TcpSock tryAccept(TcpSock sk, int flags) throws ErrnoException {
        if (sk.state() != SkState.LISTEN) {
            throw new ErrnoException(Errno.EINVAL, "accept: the socket is not listening (" + sk.state() + ")");
        }
        TcpSock child = sk.acceptQueue().reqskQueueRemove();
        sk.publishQueues();
        if (child == null) {
            return null;
        }
        child.parent(null);
        trace.sock("inet_csk_accept", child);
        return child;
    }

    @Override
    public TcpSock accept(TcpSock sk, int flags) throws ErrnoException {
        TcpSock child = tryAccept(sk, flags);
        if (child == null) {
            throw new ErrnoException(Errno.EAGAIN, "accept: no connection is waiting");
        }
        return child;
    }

    // ==== poll (tcp_poll) ======================================================================

    @Override
    public int poll(TcpSock sk) {
        SkState state = sk.state();
        ProtoSocket socket = sk.socket();
        int mask = 0;
        if (socket != null && socket.peekError() != null) {
            mask |= EPOLLERR;
        }
        if (state == SkState.LISTEN) {
            return mask | (sk.pollAcceptable() > 0 ? EPOLLIN : 0);
        }
        int shutdown = sk.shutdown();
        if (shutdown == InetSock.SHUTDOWN_MASK || state == SkState.CLOSE) {
            mask |= EPOLLHUP;
        }
        if ((shutdown & InetSock.RCV_SHUTDOWN) != 0) {
            mask |= EPOLLIN | EPOLLRDHUP;
        }
        if (state != SkState.SYN_SENT && state != SkState.SYN_RECV) {
            if (sk.pollReadable() > 0) {
                mask |= EPOLLIN;
            }
            if ((shutdown & InetSock.SEND_SHUTDOWN) != 0) {
                mask |= EPOLLOUT;
            } else if (memory.streamWriteable(sk)) {
                mask |= EPOLLOUT; // __sk_stream_is_writeable(sk, 1), TCP_NOTSENT_LOWAT included
            } else {
                sk.noSpace(true); // SOCK_NOSPACE: sk_stream_write_space will wake this poller
                if (memory.streamWriteable(sk)) {
                    mask |= EPOLLOUT; // room came meanwhile
                }
            }
        }
        return mask;
    }

    /**
     * {@code sk_stream_closing}: after close, the FIN (and the data before it) is not yet
     * acknowledged: FIN-WAIT-1, CLOSING, LAST-ACK, or SYN-RECEIVED with the FIN waiting for
     * the handshake. Read without the lock (the state is volatile); every change out of these
     * states wakes the socket.
     */
    @Override
    public boolean lingering(TcpSock sk) {
        return switch (sk.state()) {
            case FIN_WAIT1, CLOSING, LAST_ACK -> true;
            case SYN_RECV -> sk.snd().finQueued();
            default -> false;
        };
    }

    // ==== shutdown and close ===================================================================

    /** {@code tcp_close_state}: the state after a close or SHUT_WR, and whether a FIN is due. */
    private boolean closeState(TcpSock sk) {
        SkState next = switch (sk.state()) {
            case ESTABLISHED -> SkState.FIN_WAIT1;
            case CLOSE_WAIT -> SkState.LAST_ACK;
            default -> null;
        };
        if (next == null) {
            return false;
        }
        lifecycle.setState(sk, next);
        return true;
    }

    /** {@code tcp_send_fin}: the FIN joins the send queue and goes out after the data. */
    private void sendFin(TcpSock sk) {
        trace.sock("tcp_send_fin", sk);
        sk.snd().queueFin();
        output.writeXmit(sk, TcpSender.NAGLE_OFF); // __tcp_push_pending_frames(TCP_NAGLE_OFF): the FIN ends the cork
    }

    @Override
    public void shutdown(TcpSock sk, int how) throws ErrnoException {
        if ((how & InetSock.SEND_SHUTDOWN) != 0) {
            if (sk.state() == SkState.SYN_RECV) {
                deferFin(sk);
            } else if (closeState(sk)) {
                sendFin(sk);
            }
        }
        sk.publishQueues();
    }

    /**
     * Close or SHUT_WR in SYN-RECEIVED (after a simultaneous open): RFC 9293 3.10.4 queues the
     * FIN "for processing after entering ESTABLISHED state"; the handshake's end moves the
     * socket to FIN-WAIT-1 and sends it ({@link TcpInput}), as Linux goes from SYN_RECV to
     * FIN_WAIT1. Until then the SYN-ACK keeps being retransmitted.
     */
    private static void deferFin(TcpSock sk) {
        sk.snd().queueFin();
    }

    /** {@code tcp_close}. */
    @Override
    public void close(TcpSock sk) {
        trace.sock("tcp_close", sk);
        sk.setOrphan();
        if (sk.lingerSeconds() <= 0) {
            sk.graft(null);
        } // else the socket layer lingers on it (sk_stream_wait_close before sock_orphan) and needs its wake-ups
        sk.shutdown(InetSock.SHUTDOWN_MASK);
        SkState state = sk.state();
        switch (state) {
            case LISTEN -> {
                lifecycle.listenStop(sk);
                lifecycle.setState(sk, SkState.CLOSE);
                lifecycle.destroySock(sk);
                return;
            }
            case CLOSE -> {
                lifecycle.destroySock(sk);
                return;
            }
            case SYN_SENT -> {
                lifecycle.setState(sk, SkState.CLOSE);
                lifecycle.destroySock(sk);
                return;
            }
            default -> {
            }
        }
        boolean unread = !sk.rcv().queueEmpty();
        if (unread || sk.lingerSeconds() == 0) {
            // RFC 9293 3.10.4 / RFC 2525 2.17: closing with unread data, or SO_LINGER 0, aborts.
            counters.inc(unread ? TcpExtMib.TCPAbortOnClose : TcpExtMib.TCPAbortOnLinger);
            output.sendActiveReset(sk);
            lifecycle.done(sk);
            return;
        }
        if (state == SkState.SYN_RECV) {
            deferFin(sk);
        } else if (closeState(sk)) {
            sendFin(sk);
        }
        if (sk.state() == SkState.FIN_WAIT2) {
            timers.startFinWait2(sk);
        } else if (sk.state() == SkState.CLOSE) {
            lifecycle.destroySock(sk);
        }
    }

    // ==== data =================================================================================

    /** {@code tcp_sendmsg}: see {@link TcpSendmsg#sendmsgLocked}. */
    @Override
    public int trySendmsg(TcpSock sk, ByteBuffer data, InetSockAddr to, int flags) {
        int n = sendmsg.sendmsgLocked(sk, data, flags);
        trace.msg("tcp_sendmsg", sk, n, data);
        return n;
    }

    @Override
    public int sendmsg(TcpSock sk, ByteBuffer data, InetSockAddr to, int flags) throws ErrnoException {
        return ErrnoException.check(trySendmsg(sk, data, to, flags), "send");
    }

    /** {@code tcp_recvmsg}: see {@link TcpRecvmsg#recvmsgLocked}. */
    @Override
    public int tryRecvmsg(TcpSock sk, ByteBuffer dst, int flags, net.tern.api.socket.MsgHeader msg) {
        int n = recvmsg.recvmsgLocked(sk, dst, flags, msg);
        trace.msg("tcp_recvmsg", sk, n, dst);
        return n;
    }

    /**
     * {@code tcp_recvmsg} handing the queue's packets over instead of copying them
     * ({@link TcpRecvmsg#zerocopyReceive}); a peek copies, as {@link #tryRecvmsg} does.
     */
    @Override
    public int tryRecvBuffers(TcpSock sk, ByteBufAllocator alloc, int maxBytes, int flags,
            Consumer<? super ByteBuf> sink) throws ErrnoException {
        if ((flags & SocketConstants.MSG_PEEK) != 0) {
            return InetProto.super.tryRecvBuffers(sk, alloc, maxBytes, flags, sink);
        }
        int n = recvmsg.zerocopyReceive(sk, alloc, maxBytes, sink);
        trace.handedOver(sk, n, maxBytes);
        return n;
    }

    /** {@code tcp_ioctl}: see {@link TcpSockopt#ioctl}. */
    @Override
    public int ioctl(TcpSock sk, int request, int arg) throws ErrnoException {
        return sockopt.ioctl(sk, request);
    }

    @Override
    public int recvmsg(TcpSock sk, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        return ErrnoException.check(tryRecvmsg(sk, dst, flags, msg), "recv");
    }

    // ==== options ==============================================================================

    @Override
    public void optionChanged(TcpSock sk, int level, int name) {
        if (level == SocketConstants.SOL_SOCKET && name == SocketConstants.SO_KEEPALIVE) {
            timers.setKeepalive(sk);
        }
        if (level == SocketConstants.SOL_SOCKET) {
            // sk_userlocks: a buffer the application sized is not autotuned any more.
            sk.lockBuffers(name == SocketConstants.SO_RCVBUF, name == SocketConstants.SO_SNDBUF);
        }
        sk.publishQueues();
    }

    @Override
    public void setsockopt(TcpSock sk, int level, int name, Object value) throws ErrnoException {
        sockopt.setsockopt(sk, level, name, value);
    }

    @Override
    public Object getsockopt(TcpSock sk, int level, int name) throws ErrnoException {
        return sockopt.getsockopt(sk, level, name);
    }

    @Override
    public <T> T getsockopt(TcpSock sk, int level, int name, Class<T> type) throws ErrnoException {
        return sockopt.getsockopt(sk, level, name, type);
    }
}
