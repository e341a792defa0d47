package net.tern.tcp.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.inet.sock.SkState;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.diag.InetDiagMsg;
import net.tern.spi.diag.SkMemInfo;
import net.tern.spi.net.Clock;

/**
 * {@code tcp_diag}: every TCP socket not closed, of both families (AF_INET6 ones by their
 * IPv6 addresses, IPv4-mapped for a dual-stack socket's IPv4 connection), the requests in SYN-RECV and the TIME-WAIT
 * entries, as {@code inet_diag_dump_icsk} walks the listening and established hashes.
 *
 * <p>Threading (README's rule): a socket is read under its lock; a request under its
 * listener's lock, while the listener is read. TIME-WAIT entries belong to the network
 * thread, but the dump reads only their 4-tuple, which is final, from an entry taken out of
 * the concurrent established hash, so reading it here is safe without going to that thread.
 * Recv-Q / Send-Q are {@code tcp_diag_get_info}'s: bytes received and unread and bytes
 * unacknowledged; for a listener the accept queue's length and the backlog. A full socket
 * also carries its {@code tcp_info}, filled by {@code TcpSockopt.getInfo} ({@code tcp_get_info}),
 * its memory ({@code sk_get_meminfo}; drops are the backlog's) and its pending timer; a request
 * its SYN-ACK timer, a TIME-WAIT entry the timer that ends it ({@code ss -m -e -o}).
 */
final class TcpDiag implements InetDiagHandler {
    private static final InetSockAddr NONE = new InetSockAddr(0, 0);

    private final TcpSockopt sockopt;
    private final TcpHashTables tables;
    private final Set<TcpSock> sockets;
    private final Clock clock;

    TcpDiag(TcpSockopt sockopt, TcpHashTables tables, Set<TcpSock> sockets, Clock clock) {
        this.sockopt = sockopt;
        this.tables = tables;
        this.sockets = sockets;
        this.clock = clock;
    }

    @Override
    public List<InetDiagMsg> dump() {
        List<InetDiagMsg> out = new ArrayList<>();
        for (TcpSock sk : sockets) {
            sk.lock();
            try {
                SkState state = sk.state();
                if (state == SkState.CLOSE) {
                    continue;
                }
                SkMemInfo mem = sk.memInfo(sk.mem(), sk.backlogDrops());
                if (state == SkState.LISTEN) {
                    RequestSockQueue queue = sk.acceptQueue();
                    out.add(sk.diagMsg(state.number(), queue.acceptqLen(), queue.maxBacklog(), sockopt.getInfo(sk), mem));
                    long now = clock.nanoTime();
                    for (RequestSock req : queue.requests()) {
                        // inet_req_diag_fill: the SYN-ACK timer, with the SYN-ACKs sent again.
                        out.add(entry(req, SkState.SYN_RECV).withTimer(InetDiagMsg.TIMER_ON, req.retransmits(),
                                SockTimers.millisUntil(req.timerDueNanos(), now)));
                    }
                } else {
                    out.add(sk.timers().diag(sk.diagMsg(state.number(), sk.rcv().queued(), sk.sendQueued(),
                            sockopt.getInfo(sk), mem)));
                }
            } finally {
                sk.unlock();
            }
        }
        long now = clock.nanoTime();
        for (Object entry : tables.establishedEntries()) {
            if (entry instanceof TimeWaitSock tw) {
                // inet_twsk_diag_fill: the timer that ends the entry, no retransmissions.
                out.add(entry(tw, SkState.TIME_WAIT).withTimer(InetDiagMsg.TIMER_TIMEWAIT, 0,
                        SockTimers.millisUntil(tw.timerDueNanos(), now)));
            }
        }
        return out;
    }

    /**
     * A request or TIME-WAIT entry: its 4-tuple and cookie, no queues, owner, shutdown bits or
     * memory. An IPv6 connection's entry is AF_INET6, as is a TIME-WAIT entry of a dual-stack
     * socket's IPv4 connection (IPv4-mapped, {@code tw_family}); an IPv4 request is AF_INET
     * whatever its listener, as Linux's {@code tcp_request_sock_ops} makes it.
     */
    private static InetDiagMsg entry(MiniSock mini, SkState state) {
        ConnKey key = mini.key;
        if (key.isV6() || mini instanceof TimeWaitSock tw && tw.dualStack()) {
            Inet6SockAddr local = key.isV6()
                    ? new Inet6SockAddr(key.local6().high(), key.local6().low(), key.localPort())
                    : Inet6SockAddr.v4Mapped(new InetSockAddr(key.localAddress(), key.localPort()));
            Inet6SockAddr remote = key.isV6()
                    ? new Inet6SockAddr(key.remote6().high(), key.remote6().low(), key.remotePort())
                    : Inet6SockAddr.v4Mapped(new InetSockAddr(key.remoteAddress(), key.remotePort()));
            return new InetDiagMsg(6, state.number(), 0, 0, InetDiagMsg.v4View(local), InetDiagMsg.v4View(remote), -1,
                    null, InetDiagMsg.TIMER_NONE, 0, 0, mini.cookie(), -1, null, local, remote, false);
        }
        return new InetDiagMsg(6, state.number(), 0, 0, new InetSockAddr(key.localAddress(), key.localPort()),
                key.remoteAddress() == 0 ? NONE : new InetSockAddr(key.remoteAddress(), key.remotePort()), -1, null,
                InetDiagMsg.TIMER_NONE, 0, 0, mini.cookie(), -1, null);
    }
}
