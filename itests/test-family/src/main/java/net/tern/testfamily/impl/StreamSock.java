package net.tern.testfamily.impl;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;
import static net.tern.api.socket.SocketConstants.MSG_OOB;
import static net.tern.api.socket.SocketConstants.MSG_PEEK;
import static net.tern.api.socket.SocketConstants.SHUT_RD;
import static net.tern.api.socket.SocketConstants.SHUT_RDWR;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.spi.net.Timeout;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtoSocket;
import net.tern.testfamily.LocalSockAddr;
import net.tern.testfamily.TestLocal;

/**
 * A stream socket of the family: a small connection state machine over two {@link Pipe}s.
 * A connect to a listening port completes at once and parks the server side in the
 * listener's accept queue, as AF_UNIX does. Guarded by the namespace lock.
 */
final class StreamSock extends LocalSock {

    enum State { CLOSED, LISTEN, CONNECTING, CONNECTED }

    State state = State.CLOSED;

    // LISTEN
    private int backlog;
    private final ArrayDeque<StreamSock> acceptQueue = new ArrayDeque<>();
    /** Connectors waiting for room in the accept queue (in progress until accept makes room). */
    private final ArrayDeque<StreamSock> waitingConnectors = new ArrayDeque<>();

    // CONNECTING
    private StreamSock waitingOn;
    private Timeout blackholeTimer;

    // CONNECTED
    private StreamSock peer;
    private LocalSockAddr peerAddress;
    private Pipe in;
    private Pipe out;
    private boolean shutRd;
    private boolean shutWr;

    StreamSock(LocalNamespace ns) {
        super(ns);
    }

    @Override
    int type() {
        return SOCK_STREAM;
    }

    @Override
    boolean listening() {
        return state == State.LISTEN;
    }

    // ---- connect ------------------------------------------------------------------------

    @Override
    void connect(SockAddr address) throws ErrnoException {
        checkLive();
        LocalSockAddr target = localAddress(address);
        switch (state) {
            case CONNECTED -> throw new ErrnoException(Errno.EISCONN, "already connected to " + peerAddress);
            case CONNECTING -> throw new ErrnoException(Errno.EALREADY, "a connect is already in progress");
            case LISTEN -> throw new ErrnoException(Errno.EINVAL, "socket is listening");
            default -> { }
        }
        if (target.port() == TestLocal.BLACKHOLE_PORT) {
            autobind();
            state = State.CONNECTING;
            Timeout timer = ns.timers.schedule(ns.blackholeTimeoutMillis, TimeUnit.MILLISECONDS,
                    () -> blackholeExpired(this));
            blackholeTimer = timer;
            throw new ErrnoException(Errno.EINPROGRESS, "connecting to " + target
                    + ", the black hole; it will time out after " + ns.blackholeTimeoutMillis + " ms");
        }
        LocalSock found = ns.lookup(SOCK_STREAM, target.port());
        if (!(found instanceof StreamSock listener) || listener.state != State.LISTEN) {
            throw new ErrnoException(Errno.ECONNREFUSED, "nothing listens on " + target);
        }
        autobind();
        if (listener.acceptQueueFull()) {
            // AF_UNIX would make a blocking caller sleep in unix_wait_for_peer; here the
            // connection is simply in progress until accept() makes room.
            state = State.CONNECTING;
            waitingOn = listener;
            listener.waitingConnectors.add(this);
            throw new ErrnoException(Errno.EINPROGRESS, "the accept queue of " + target
                    + " is full; connecting when it has room");
        }
        listener.admit(this);
    }

    /** The black-hole timer fired: the connect times out as a SYN that never got an answer would. */
    private static void blackholeExpired(StreamSock s) {
        s.ns.locked(() -> {
            if (s.released || s.state != State.CONNECTING || s.blackholeTimer == null) {
                return;
            }
            s.blackholeTimer = null;
            s.failConnect(Errno.ETIMEDOUT);
        });
    }

    /** The connect attempt ended without a connection: back to CLOSED with {@code errno} pending. */
    private void failConnect(Errno errno) {
        state = State.CLOSED;
        waitingOn = null;
        if (autobound) {
            ns.unbindPort(this);
            port = 0;
        }
        if (sock != null) {
            sock.setError(errno);
        }
    }

    /** Linux's {@code sk_acceptq_is_full}: more than {@code backlog} connections already wait. */
    private boolean acceptQueueFull() {
        return acceptQueue.size() > backlog;
    }

    /** Creates the server side of a connection from {@code client} and queues it for accept. */
    private void admit(StreamSock client) {
        StreamSock server = new StreamSock(ns);
        server.state = State.CONNECTED;
        server.port = port;
        server.ownsPort = false;
        server.rcvbuf = rcvbuf;
        server.sndbuf = sndbuf;
        server.reuseAddr = reuseAddr;
        Pipe toServer = new Pipe(server.rcvbuf);
        Pipe toClient = new Pipe(client.rcvbuf);
        server.in = toServer;
        server.out = toClient;
        server.peer = client;
        server.peerAddress = new LocalSockAddr(client.port);
        client.in = toClient;
        client.out = toServer;
        client.peer = server;
        client.peerAddress = new LocalSockAddr(port);
        client.state = State.CONNECTED;
        client.waitingOn = null;
        acceptQueue.add(server);
        wake(EPOLLIN);
    }

    // ---- listen / accept ------------------------------------------------------------------

    void listen(int requested) throws ErrnoException {
        checkLive();
        if (state == State.CONNECTED || state == State.CONNECTING) {
            throw new ErrnoException(Errno.EINVAL, "socket is " + (state == State.CONNECTED ? "connected" : "connecting"));
        }
        // As Linux: a backlog above somaxconn (or negative, read unsigned) is capped to it.
        backlog = requested < 0 || requested > TestLocal.SOMAXCONN ? TestLocal.SOMAXCONN : requested;
        if (state == State.CLOSED) {
            autobind();
            state = State.LISTEN;
        }
        admitWaiting();
    }

    void accept(ProtoSocket newSock, ProtoOps ops) throws ErrnoException {
        checkLive();
        if (state != State.LISTEN) {
            throw new ErrnoException(Errno.EINVAL, "socket is not listening");
        }
        StreamSock server = acceptQueue.poll();
        if (server == null) {
            throw new ErrnoException(Errno.EAGAIN, "no connection waiting on port " + port);
        }
        server.sock = newSock;
        newSock.attach(ops, server, TestLocal.PROTO_STREAM);
        ns.track(server);
        admitWaiting();
    }

    /** Room appeared in the accept queue: connectors that were waiting get their connection. */
    private void admitWaiting() {
        while (!waitingConnectors.isEmpty() && !acceptQueueFull()) {
            StreamSock client = waitingConnectors.poll();
            admit(client);
            client.wake(EPOLLOUT);
        }
    }

    // ---- data ---------------------------------------------------------------------------

    @Override
    int send(ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        checkLive();
        if ((flags & MSG_OOB) != 0) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "no out-of-band data on " + TestLocal.PROTO_STREAM_NAME);
        }
        if (to != null) {
            // AF_UNIX stream sockets refuse a destination address (unix_stream_sendmsg).
            throw state == State.CONNECTED
                    ? new ErrnoException(Errno.EISCONN, "connected stream socket given a destination " + to)
                    : new ErrnoException(Errno.EOPNOTSUPP, "stream sockets take no destination address");
        }
        throwPendingError();
        switch (state) {
            case CLOSED, LISTEN -> throw new ErrnoException(Errno.ENOTCONN, "socket is not connected");
            case CONNECTING -> throw new ErrnoException(Errno.EAGAIN, "connection not yet established");
            default -> { }
        }
        if (shutWr) {
            throw new ErrnoException(Errno.EPIPE, "sending side was shut down");
        }
        if (out.readerDone) {
            throw new ErrnoException(Errno.EPIPE, "peer " + peerAddress + " no longer reads");
        }
        if (!data.hasRemaining()) {
            return 0;
        }
        int n = out.write(data);
        if (n == 0) {
            throw new ErrnoException(Errno.EAGAIN, "send buffer full (" + out.size() + " bytes queued)");
        }
        peer.wake(EPOLLIN);
        return n;
    }

    @Override
    int recv(ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        checkLive();
        switch (state) {
            case CLOSED, LISTEN -> {
                throwPendingError();
                throw new ErrnoException(Errno.ENOTCONN, "socket is not connected");
            }
            case CONNECTING -> throw new ErrnoException(Errno.EAGAIN, "connection not yet established");
            default -> { }
        }
        if (msg != null) {
            msg.from = null;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        boolean peek = (flags & MSG_PEEK) != 0;
        int n = in.read(dst, peek);
        if (n > 0) {
            if (!peek) {
                peer.wake(EPOLLOUT);
            }
            return n;
        }
        if (in.writerDone || shutRd) {
            return 0;
        }
        throwPendingError();
        throw new ErrnoException(Errno.EAGAIN, "no data");
    }

    private void throwPendingError() throws ErrnoException {
        if (sock != null) {
            Errno pending = sock.takeError();
            if (pending != null) {
                throw new ErrnoException(pending, "pending error");
            }
        }
    }

    @Override
    void shutdown(int how) throws ErrnoException {
        checkLive();
        if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) {
            throw new ErrnoException(Errno.EINVAL, "shutdown mode " + how + " is not SHUT_RD, SHUT_WR or SHUT_RDWR");
        }
        if (state != State.CONNECTED) {
            throw new ErrnoException(Errno.ENOTCONN, "socket is not connected");
        }
        if (how == SHUT_RD || how == SHUT_RDWR) {
            shutRd = true;
            in.readerDone = true;
            peer.wake(EPOLLOUT);
        }
        if (how == SHUT_WR || how == SHUT_RDWR) {
            shutWr = true;
            out.writerDone = true;
            peer.wake(EPOLLIN | EPOLLRDHUP);
        }
        wake(poll());
    }

    // ---- names, readiness, release ---------------------------------------------------------

    @Override
    SockAddr name(boolean ofPeer) throws ErrnoException {
        checkLive();
        if (!ofPeer) {
            return new LocalSockAddr(port);
        }
        if (state != State.CONNECTED) {
            throw new ErrnoException(Errno.ENOTCONN, "socket has no peer");
        }
        return peerAddress;
    }

    @Override
    int poll() {
        int mask = sock != null && sock.peekError() != null ? EPOLLERR : 0;
        if (released) {
            return mask | EPOLLHUP;
        }
        switch (state) {
            case CLOSED:
                // An unconnected stream socket is writable and hung up, as tcp_poll and unix_poll say.
                return mask | EPOLLOUT | EPOLLHUP;
            case LISTEN:
                return acceptQueue.isEmpty() ? mask : mask | EPOLLIN;
            case CONNECTING:
                return mask;
            default:
                break;
        }
        boolean rcvShut = in.writerDone || shutRd;
        boolean sndShut = shutWr || out.readerDone;
        if (in.size() > 0 || rcvShut) {
            mask |= EPOLLIN;
        }
        if (rcvShut) {
            mask |= EPOLLRDHUP;
        }
        // Writable when there is room, or when a send would fail at once (so a waiting writer learns of it).
        if (out.space() > 0 || sndShut) {
            mask |= EPOLLOUT;
        }
        if (rcvShut && sndShut) {
            mask |= EPOLLHUP;
        }
        return mask;
    }

    @Override
    void rcvbufChanged() {
        if (in != null) {
            in.limit(rcvbuf);
            peer.wake(EPOLLOUT);
        }
    }

    @Override
    void releaseState() {
        if (released) {
            return;
        }
        released = true;
        switch (state) {
            case LISTEN -> {
                for (StreamSock server : acceptQueue) {
                    server.releaseState();
                }
                acceptQueue.clear();
                for (StreamSock client : waitingConnectors) {
                    client.failConnect(Errno.ECONNREFUSED);
                }
                waitingConnectors.clear();
            }
            case CONNECTING -> {
                if (waitingOn != null) {
                    waitingOn.waitingConnectors.remove(this);
                    waitingOn = null;
                }
                if (blackholeTimer != null) {
                    blackholeTimer.cancel();
                    blackholeTimer = null;
                }
            }
            case CONNECTED -> {
                out.writerDone = true;
                in.readerDone = true;
                in.discard();
                peer.wake(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP);
            }
            default -> { }
        }
        ns.unbindPort(this);
        ns.forget(this);
    }
}
