package net.tern.inet.sock;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.route.RouteTable;
import net.tern.spi.net.Clock;
import net.tern.spi.proto.ProtoSocket;
import net.tern.spi.trace.Tracepoints;

/**
 * {@code inet_stream_ops}: the operations of AF_INET stream sockets (TCP). Connect follows
 * {@code __inet_stream_connect}'s state machine without waiting (the socket layer waits):
 * the first call starts the connection (EINPROGRESS), a call while it is under way gets
 * EALREADY, a call once it is up gets EISCONN, and a connection that failed reports its
 * pending error (or ECONNABORTED). Listen and accept follow {@code inet_listen} and
 * {@code inet_accept}.
 */
public class InetStreamOps extends InetOps {
    private final Clock clock;

    /** {@code clock} stamps the {@code inet_stream_connect} tracepoint. */
    public InetStreamOps(RouteTable routes, Clock clock) {
        this(routes, clock, SocketConstants.AF_INET);
    }

    /** For {@code family}'s stream sockets ({@link Inet6StreamOps}). */
    InetStreamOps(RouteTable routes, Clock clock, int family) {
        super(routes, family);
        this.clock = clock;
    }

    /**
     * Without a clock, as before tracepoints: {@code inet_stream_connect} does not fire.
     *
     * @deprecated give the stack's clock, so the tracepoint fires
     */
    @Deprecated
    public InetStreamOps(RouteTable routes) {
        this(routes, null);
    }

    /**
     * {@code __inet_stream_connect}, non-blocking, with its outcome as a value:
     * {@code -EINPROGRESS} when the connection starts, {@code -EALREADY} while it is under way,
     * 0 once it is up (the first call after), {@code -EISCONN} after that, or how it failed.
     * A bad address or a transport that cannot start the connection (no route) throws, naming it.
     */
    @Override
    public int tryConnect(ProtoSocket sock, SockAddr address, int flags) throws ErrnoException {
        if (address == null) {
            throw new ErrnoException(Errno.EINVAL, "connect: no address");
        }
        InetSock sk = sk(sock);
        if (clock != null) {
            Tracepoints.syscall(clock, "inet_stream_connect", sock.fd(), address);
        }
        sk.lock();
        try {
            if (address.family() == SocketConstants.AF_UNSPEC) {
                prot(sk).disconnect(sk);
                sk.socketState(SocketState.UNCONNECTED);
                return 0;
            }
            switch (sk.socketState()) {
                case CONNECTED -> {
                    return Errno.EISCONN.negative();
                }
                case CONNECTING -> {
                    return sk.state().connecting() ? Errno.EALREADY.negative() : settle(sk);
                }
                case DISCONNECTING -> {
                    return Errno.EALREADY.negative(); // the previous connection is still closing
                }
                default -> {
                }
            }
            if (sk.state() != SkState.CLOSE) {
                return Errno.EISCONN.negative();
            }
            startConnect(sk, address);
            sk.socketState(SocketState.CONNECTING);
            return sk.state().connecting() ? Errno.EINPROGRESS.negative() : settle(sk);
        } finally {
            sk.unlock();
        }
    }

    /** The transport's {@code connect} ({@code tcp_v4_connect}) to an AF_INET address; EAFNOSUPPORT for another. */
    void startConnect(InetSock sk, SockAddr address) throws ErrnoException {
        prot(sk).connect(sk, inetAddress("connect", address, false));
    }

    /** {@code __inet_stream_connect}, non-blocking: EINPROGRESS, EALREADY, EISCONN and failures thrown. */
    @Override
    public void connect(ProtoSocket sock, SockAddr address, int flags) throws ErrnoException {
        ErrnoException.check(tryConnect(sock, address, flags), "connect(" + address + ")");
    }

    /**
     * A connection that is no longer under way: connected (0), or failed with its pending
     * error (else ECONNABORTED) as a negative errno.
     */
    private static int settle(InetSock sk) {
        if (sk.state() == SkState.CLOSE) {
            sk.socketState(SocketState.UNCONNECTED);
            Errno error = sk.socket() == null ? null : sk.socket().takeError();
            return (error != null ? error : Errno.ECONNABORTED).negative();
        }
        sk.socketState(SocketState.CONNECTED);
        return 0;
    }

    @Override
    public void listen(ProtoSocket sock, int backlog) throws ErrnoException {
        InetSock sk = sk(sock);
        sk.lock();
        try {
            if (sk.socketState() != SocketState.UNCONNECTED || sock.type() != SocketConstants.SOCK_STREAM) {
                throw new ErrnoException(Errno.EINVAL, "listen(" + backlog + "): the socket is " + sk.socketState());
            }
            SkState state = sk.state();
            if (state != SkState.CLOSE && state != SkState.LISTEN) {
                throw new ErrnoException(Errno.EINVAL, "listen(" + backlog + "): the socket is " + state);
            }
            prot(sk).listen(sk, Math.max(0, backlog));
        } finally {
            sk.unlock();
        }
    }

    /**
     * {@code inet_accept}: the transport's next connection, grafted onto {@code newSock};
     * {@code -EAGAIN} when none waits.
     */
    @Override
    public int tryAccept(ProtoSocket sock, ProtoSocket newSock, int flags) throws ErrnoException {
        InetSock sk = sk(sock);
        InetSock child;
        sk.lock();
        try {
            child = prot(sk).tryAccept(sk, flags);
        } finally {
            sk.unlock();
        }
        if (child == null) {
            return Errno.EAGAIN.negative();
        }
        child.lock();
        try {
            child.graft(newSock);
            newSock.attach(this, child, child.protocol());
            child.socketState(SocketState.CONNECTED);
        } finally {
            child.unlock();
        }
        return 0;
    }

    @Override
    public void accept(ProtoSocket sock, ProtoSocket newSock, int flags) throws ErrnoException {
        ErrnoException.check(tryAccept(sock, newSock, flags), "accept");
    }
}
