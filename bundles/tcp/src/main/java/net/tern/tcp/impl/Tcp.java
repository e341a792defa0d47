package net.tern.tcp.impl;

import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.route.RouteTable;
import net.tern.inet.snmp.SnmpCounters;
import net.tern.inet.sock.InetProtoSw;
import net.tern.inet.sock.InetStreamOps;
import net.tern.inet.sock.LocalPortRange;
import net.tern.inet.sock.ProtoMemory;
import net.tern.inet.sock.SkState;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.net.Clock;
import net.tern.spi.net.NetworkThread;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.TimerService;
import net.tern.spi.proto.NetProtocol;

/**
 * TCP assembled without OSGi ({@code tcp_init}, {@code tcp_v4_init}): the tables, counters,
 * secrets, congestion control registry, output, input, timers and {@code tcp_prot}, with
 * the protosw entry (SOCK_STREAM, IPPROTO_TCP, {@code inet_stream_ops}) and, as this
 * object itself, the IP protocol handler for protocol 6 ({@code tcp_v4_rcv},
 * {@code tcp_v4_err}). {@link TcpInit} registers those two as services; tests wire them by hand.
 */
public final class Tcp implements NetProtocol, AutoCloseable {
    private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Clock clock;
    /** Replaced whole by {@link #reconfigure}; every use reads it afresh (a sysctl write). */
    private volatile TcpSettings settings;
    /** Set once {@link #close} starts aborting the connections left after the drain. */
    private volatile boolean aborting;
    private final TcpCounters counters;
    private final TcpMemory memory;
    private final Secrets secrets;
    private final Random random;
    private final TcpHashTables tables;
    private final CongestionRegistry congestion;
    private final TcpProt prot;
    private final TcpIpv4 ipv4;
    private final TcpReplies replies;
    private final InetProtoSw<TcpSock> protoSw;
    private final TcpDiag diag;
    private final TcpLifecycle lifecycle;
    private final Set<TcpSock> sockets = ConcurrentHashMap.newKeySet();

    public Tcp(Clock clock, TimerService timers, NetworkThread networkThread, PacketAllocator allocator, IpOutput ip,
            RouteTable routes, SnmpCounters snmp, LocalPortRange localPorts, TcpSettings settings, Random random) {
        this.clock = clock;
        this.settings = settings;
        this.random = random;
        this.counters = new TcpCounters(snmp);
        Supplier<TcpSettings> current = this::settings;
        this.memory = new TcpMemory(clock, current, counters);
        this.secrets = new Secrets(clock, random);
        this.tables = new TcpHashTables(localPorts, this::nextRandom);
        this.congestion = new CongestionRegistry(settings.congestionControl(), sockets);
        // Each part gets the parts it calls; the order is the one they depend in, without cycles
        // (a connection's timers reach tcp_timer.c's handlers through its own SockTimers).
        TcpTrace trace = new TcpTrace(clock);
        TcpSack sack = new TcpSack(counters, clock);
        TcpOutput output = new TcpOutput(clock, current, counters, memory, allocator, trace);
        TcpReplies replies = new TcpReplies(clock, counters, ip, allocator, trace);
        this.replies = replies;
        TcpChallengeAck challengeAck = new TcpChallengeAck(clock, current, counters, this::nextRandom, output);
        this.lifecycle = new TcpLifecycle(current, counters, tables, memory, output, trace, timers, clock, sockets,
                () -> aborting);
        TcpTimers tcpTimers = new TcpTimers(clock, current, counters, output, lifecycle);
        TcpSockopt sockopt = new TcpSockopt(clock, current, memory, output, lifecycle, tcpTimers, congestion);
        this.prot = new TcpProt(clock, current, counters, memory, tables, secrets, this::nextRandom, trace, ip, timers,
                output, lifecycle, tcpTimers, sockopt, congestion, sockets, this::backlogRcv);
        TcpAck ack = new TcpAck(clock, current, counters, memory, output, challengeAck, sack, trace);
        TcpInput input = new TcpInput(clock, current, counters, memory, trace, output, replies, challengeAck, ack,
                lifecycle, tcpTimers);
        TcpMinisocks minisocks = new TcpMinisocks(clock, current, counters, tables, trace, timers, prot, replies,
                challengeAck, input, ack, lifecycle, tcpTimers);
        SynCookies synCookies = new SynCookies(clock, current, counters, secrets, ip, memory, tables, replies, minisocks,
                lifecycle);
        this.ipv4 = new TcpIpv4(clock, current, counters, tables, memory, secrets, trace, ip, output, replies, input,
                minisocks, synCookies, lifecycle);
        this.protoSw = new InetProtoSw<>(SocketConstants.SOCK_STREAM, SocketConstants.IPPROTO_TCP, prot,
                new InetStreamOps(routes, clock));
        this.diag = new TcpDiag(sockopt, tables, sockets, clock);
    }

    /** {@code tcp_prot.backlog_rcv}: input a socket's owner takes from its backlog as it lets go. */
    private void backlogRcv(TcpSock sk, Packet packet) {
        ipv4.backlogRcv(sk, packet);
    }

    private int nextRandom() {
        synchronized (random) {
            return random.nextInt();
        }
    }

    public Clock clock() {
        return clock;
    }

    public TcpSettings settings() {
        return settings;
    }

    /**
     * {@code sysctl -w net.ipv4.tcp_*}: the new settings apply from the next time each one is
     * read, as Linux's sysctls do, and open connections stay as they are: {@code somaxconn}
     * caps the next {@code listen}, buffers size new sockets, the MSL times the next TIME-WAIT,
     * retry and keepalive limits count from the next timer, the congestion control is the
     * default of new sockets, {@code tcp_mem} and the per-socket minimums judge the next
     * charge, {@code tcp_adv_win_scale} the next window offered. The ephemeral port range is
     * IPv4's ({@link LocalPortRange}), read at each port chosen.
     */
    public void reconfigure(TcpSettings next) {
        settings = next;
        memory.reconfigure(next.memory());
        congestion.defaultName(next.congestionControl());
    }

    public TcpCounters counters() {
        return counters;
    }

    /** TCP's memory accounting: the stack-wide pool ({@code tcp_mem}) and the per-socket budgets. */
    TcpMemory memory() {
        return memory;
    }

    /** The stack-wide pool every TCP socket charges ({@code tcp_memory_allocated} against {@code tcp_mem}). */
    public ProtoMemory memoryPool() {
        return memory.pool();
    }

    Secrets secrets() {
        return secrets;
    }

    TcpHashTables tables() {
        return tables;
    }

    /** The registry of congestion control algorithms ({@code tcp_cong_list}). */
    public CongestionRegistry congestion() {
        return congestion;
    }

    /** {@code tcp_prot}. */
    public TcpProt prot() {
        return prot;
    }

    /** The protosw entry to register with {@code family=2, type=1, protocol=6}. */
    public InetProtoSw<TcpSock> protoSw() {
        return protoSw;
    }

    /** {@code tcp_diag_handler}: to register as an {@code InetDiagHandler} with {@code protocol=6}. */
    public InetDiagHandler diag() {
        return diag;
    }

    /** Every TCP socket alive now: open ones, orphans finishing their close, children not yet accepted. */
    public Set<TcpSock> sockets() {
        return sockets;
    }

    /** {@code tcp_v4_rcv}'s path, which {@code tcp_v6_rcv} shares; the ICMP error handling both share. */
    TcpIpv4 ipv4() {
        return ipv4;
    }

    TcpLifecycle lifecycle() {
        return lifecycle;
    }

    /**
     * IPv6 appeared ({@link TcpIpv6}, as the sender of segments without a socket and the path
     * MTU of requests) or went (null).
     */
    void ipv6(Ipv6Sender sender) {
        ipv4.ipv6(sender);
        replies.ipv6(sender);
    }

    /** {@code tcp_v4_rcv}. */
    @Override
    public void handler(Packet packet) {
        ipv4.v4Rcv(packet);
    }

    /** {@code tcp_v4_err}. */
    @Override
    public void errHandler(Packet quoted, int type, int code, int info) {
        ipv4.v4Err(quoted, type, code, info);
    }

    /**
     * Whether connections are still open: sockets neither closed nor listening (orphans
     * finishing their close count too).
     */
    public boolean hasActiveConnections() {
        for (TcpSock sk : sockets) {
            SkState state = sk.state();
            if (state != SkState.CLOSE && state != SkState.LISTEN) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits up to {@code timeoutMillis} on the stack's clock for the open connections to
     * close by themselves (the drain of a stopping bundle); returns whether they did.
     */
    public boolean drain(long timeoutMillis) {
        long deadline = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (hasActiveConnections()) {
            if (clock.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(DRAIN_POLL_NANOS);
        }
        return true;
    }

    /**
     * Aborts every connection left (RST to the peer, ECONNABORTED to the application, the
     * socket withdrawn), drops requests and TIME-WAIT entries, and removes the counters.
     */
    @Override
    public void close() {
        prot.refuseNewSockets("TCP is stopping");
        aborting = true;
        for (TcpSock sk : sockets) {
            lifecycle.abort(sk, "TCP left the stack");
        }
        for (Object entry : tables.establishedEntries()) {
            if (entry instanceof TimeWaitSock tw) {
                lifecycle.twskKill(tw);
            } else if (entry instanceof RequestSock req) {
                req.listener.lock();
                try {
                    lifecycle.reqskQueueDrop(req);
                } finally {
                    req.listener.unlock();
                }
            }
        }
        counters.close();
    }
}
