package net.tern.inet.sock;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
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
        super(routes);
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

    /** {@code __inet_stream_connect}, non-blocking. */
    @Override
    public void connect(ProtoSocket sock, SockAddr address, int flags) throws ErrnoException {
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
                return;
            }
            InetSockAddr target = inetAddress("connect", address, false);
            switch (sk.socketState()) {
                case CONNECTED -> throw new ErrnoException(Errno.EISCONN, "connect(" + target + "): connected already to "
                        + sk.peerAddress());
                case CONNECTING -> {
                    if (sk.state().connecting()) {
                        throw new ErrnoException(Errno.EALREADY, "connect(" + target + "): connection in progress");
                    }
                    settle(sk, target);
                    return;
                }
                case DISCONNECTING -> throw new ErrnoException(Errno.EALREADY, "connect(" + target
                        + "): the previous connection is still closing");
                default -> {
                }
            }
            if (sk.state() != SkState.CLOSE) {
                throw new ErrnoException(Errno.EISCONN, "connect(" + target + "): the socket is " + sk.state());
            }
            prot(sk).connect(sk, target);
            sk.socketState(SocketState.CONNECTING);
            if (sk.state().connecting()) {
                throw new ErrnoException(Errno.EINPROGRESS, "connect(" + target + "): connection in progress");
            }
            settle(sk, target);
        } finally {
            sk.unlock();
        }
    }

    /** A connection that is no longer under way: connected, or failed with its pending error (else ECONNABORTED). */
    private static void settle(InetSock sk, InetSockAddr target) throws ErrnoException {
        if (sk.state() == SkState.CLOSE) {
            sk.socketState(SocketState.UNCONNECTED);
            Errno error = sk.socket() == null ? null : sk.socket().takeError();
            throw new ErrnoException(error != null ? error : Errno.ECONNABORTED, "connect(" + target
                    + "): the connection failed");
        }
        sk.socketState(SocketState.CONNECTED);
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

    /** {@code inet_accept}: the transport's next connection, grafted onto {@code newSock}. */
    @Override
    public void accept(ProtoSocket sock, ProtoSocket newSock, int flags) throws ErrnoException {
        InetSock sk = sk(sock);
        InetSock child;
        sk.lock();
        try {
            child = prot(sk).accept(sk, flags);
        } finally {
            sk.unlock();
        }
        child.lock();
        try {
            child.graft(newSock);
            newSock.attach(this, child, child.protocol());
            child.socketState(SocketState.CONNECTED);
        } finally {
            child.unlock();
        }
    }
}
