package net.tern.testfamily.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_ACCEPTCONN;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.api.socket.SocketConstants.SO_REUSEADDR;
import static net.tern.api.socket.SocketConstants.SO_SNDBUF;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.ProtoSocket;
import net.tern.testfamily.LocalSockAddr;
import net.tern.testfamily.TestLocal;

/**
 * What stream and datagram sockets of the family share ({@code struct sock} in miniature):
 * the bound port, the buffer options, and the link to the socket layer. Guarded by the
 * namespace lock.
 */
abstract class LocalSock {
    final LocalNamespace ns;
    /** The socket layer's socket; null for a stream connection not yet accepted. */
    ProtoSocket sock;
    int port;
    /** Whether this socket holds {@link #port} in the port table (an accepted connection shares its listener's). */
    boolean ownsPort;
    /** Whether the port was picked by connect/sendto rather than by bind (Linux releases it when the connect fails). */
    boolean autobound;
    int rcvbuf = TestLocal.DEFAULT_BUFFER;
    int sndbuf = TestLocal.DEFAULT_BUFFER;
    boolean reuseAddr;
    boolean released;
    /** Set when the family aborted the socket: calls already under way fail with this rather than EBADF. */
    Errno abortErrno;
    String abortReason;

    LocalSock(LocalNamespace ns) {
        this.ns = ns;
    }

    abstract int type();

    /** The readiness mask now. */
    abstract int poll();

    /** Frees ports, queues and peers' links; wakes whoever that concerns. Idempotent. */
    abstract void releaseState();

    /** Connects (stream) or sets the default peer (datagram). */
    abstract void connect(SockAddr address) throws ErrnoException;

    /** The local address, or the peer's when {@code ofPeer}. */
    abstract SockAddr name(boolean ofPeer) throws ErrnoException;

    abstract void shutdown(int how) throws ErrnoException;

    abstract int send(ByteBuffer data, SockAddr to, int flags) throws ErrnoException;

    abstract int recv(ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException;

    /** The receive buffer limit changed. */
    void rcvbufChanged() {
    }

    void wake(int mask) {
        if (sock != null) {
            sock.wakeUp(mask);
        }
    }

    void checkLive() throws ErrnoException {
        if (released) {
            throw abortErrno != null
                    ? new ErrnoException(abortErrno, abortReason)
                    : new ErrnoException(Errno.EBADF, "socket already released");
        }
    }

    /** {@code inet_bind}'s checks, shared by both types. */
    void bind(SockAddr address) throws ErrnoException {
        checkLive();
        LocalSockAddr local = localAddress(address);
        if (port != 0) {
            throw new ErrnoException(Errno.EINVAL, "socket is already bound to port " + port);
        }
        ns.bindPort(this, local.port());
        ownsPort = true;
        autobound = false;
    }

    /** Binds an ephemeral port if the socket has none, as connect and sendto do ({@code inet_autobind}). */
    void autobind() throws ErrnoException {
        if (port == 0) {
            ns.bindPort(this, 0);
            ownsPort = true;
            autobound = true;
        }
    }

    static LocalSockAddr localAddress(SockAddr address) throws ErrnoException {
        if (address == null) {
            throw new ErrnoException(Errno.EINVAL, "no address");
        }
        if (!(address instanceof LocalSockAddr local)) {
            throw new ErrnoException(Errno.EAFNOSUPPORT, "address " + address + " is of family "
                    + address.family() + ", not " + TestLocal.AF_TESTLOCAL + " (" + TestLocal.NAME + ")");
        }
        return local;
    }

    void setOption(int level, int name, Object value) throws ErrnoException {
        checkLive();
        if (level != SOL_SOCKET || (name != SO_RCVBUF && name != SO_SNDBUF && name != SO_REUSEADDR)) {
            throw new ErrnoException(Errno.ENOPROTOOPT, "option " + name + " at level " + level
                    + " is not known to " + TestLocal.NAME);
        }
        if (!(value instanceof Integer v)) {
            throw new ErrnoException(Errno.EINVAL, "option " + name + " takes an integer, not " + value);
        }
        switch (name) {
            case SO_RCVBUF -> {
                rcvbuf = clampBuffer(v);
                rcvbufChanged();
            }
            case SO_SNDBUF -> sndbuf = clampBuffer(v);
            default -> reuseAddr = v != 0;
        }
    }

    Object getOption(int level, int name) throws ErrnoException {
        checkLive();
        if (level == SOL_SOCKET) {
            switch (name) {
                case SO_RCVBUF:
                    return rcvbuf;
                case SO_SNDBUF:
                    return sndbuf;
                case SO_REUSEADDR:
                    return reuseAddr ? 1 : 0;
                case SO_ACCEPTCONN:
                    return listening() ? 1 : 0;
                default:
                    break;
            }
        }
        throw new ErrnoException(Errno.ENOPROTOOPT, "option " + name + " at level " + level
                + " is not known to " + TestLocal.NAME);
    }

    boolean listening() {
        return false;
    }

    private static int clampBuffer(int value) {
        return Math.max(TestLocal.MIN_BUFFER, Math.min(TestLocal.MAX_BUFFER, value));
    }
}
