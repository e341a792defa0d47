package net.tern.tcp.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.tern.api.socket.InetSockAddr;
import net.tern.inet.sock.SkState;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.diag.InetDiagMsg;

/**
 * {@code tcp_diag}: every TCP socket not closed, the requests in SYN-RECV and the TIME-WAIT
 * entries, as {@code inet_diag_dump_icsk} walks the listening and established hashes.
 *
 * <p>Threading (README's rule): a socket is read under its lock; a request under its
 * listener's lock, while the listener is read. TIME-WAIT entries belong to the network
 * thread, but the dump reads only their 4-tuple, which is final, from an entry taken out of
 * the concurrent established hash, so reading it here is safe without going to that thread.
 * Recv-Q / Send-Q are {@code tcp_diag_get_info}'s: bytes received and unread and bytes
 * unacknowledged; for a listener the accept queue's length and the backlog. A full socket
 * also carries its {@code tcp_info}, filled by {@code TcpSockopt.getInfo} ({@code tcp_get_info}).
 */
final class TcpDiag implements InetDiagHandler {
    private static final InetSockAddr NONE = new InetSockAddr(0, 0);

    private final TcpSockopt sockopt;
    private final TcpHashTables tables;
    private final Set<TcpSock> sockets;

    TcpDiag(TcpSockopt sockopt, TcpHashTables tables, Set<TcpSock> sockets) {
        this.sockopt = sockopt;
        this.tables = tables;
        this.sockets = sockets;
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
                if (state == SkState.LISTEN) {
                    RequestSockQueue queue = sk.acceptQueue();
                    out.add(sk.diagMsg(state.number(), queue.acceptqLen(), queue.maxBacklog(), sockopt.getInfo(sk)));
                    for (RequestSock req : queue.requests()) {
                        out.add(entry(req.key, SkState.SYN_RECV));
                    }
                } else {
                    out.add(sk.diagMsg(state.number(), sk.rcv().queue().size(), sk.sendQueued(), sockopt.getInfo(sk)));
                }
            } finally {
                sk.unlock();
            }
        }
        for (Object entry : tables.establishedEntries()) {
            if (entry instanceof TimeWaitSock tw) {
                out.add(entry(tw.key, SkState.TIME_WAIT));
            }
        }
        return out;
    }

    private static InetDiagMsg entry(ConnKey key, SkState state) {
        return new InetDiagMsg(6, state.number(), 0, 0, new InetSockAddr(key.localAddress(), key.localPort()),
                key.remoteAddress() == 0 ? NONE : new InetSockAddr(key.remoteAddress(), key.remotePort()), -1);
    }
}
