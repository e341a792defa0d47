package net.tern.testfamily.impl;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.EPOLLRDHUP;
import static net.tern.api.socket.SocketConstants.MSG_OOB;
import static net.tern.api.socket.SocketConstants.MSG_PEEK;
import static net.tern.api.socket.SocketConstants.MSG_TRUNC;
import static net.tern.api.socket.SocketConstants.SHUT_RD;
import static net.tern.api.socket.SocketConstants.SHUT_RDWR;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.spi.proto.MsgHeader;
import net.tern.testfamily.LocalSockAddr;
import net.tern.testfamily.TestLocal;

/**
 * A datagram socket of the family, UDP-like: a bounded receive queue of whole datagrams
 * (bounded in bytes by SO_RCVBUF; what does not fit is dropped and counted), an optional
 * default peer set by connect, and Linux UDP's reporting of an unreachable connected peer as
 * a pending ECONNREFUSED. Guarded by the namespace lock.
 */
final class DgramSock extends LocalSock {
    private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
    private int queuedBytes;
    private LocalSockAddr peer;
    private boolean shutRd;
    private boolean shutWr;

    DgramSock(LocalNamespace ns) {
        super(ns);
    }

    @Override
    int type() {
        return SOCK_DGRAM;
    }

    /** {@code ip4_datagram_connect}: sets or (with AF_UNSPEC) dissolves the default peer. */
    @Override
    void connect(SockAddr address) throws ErrnoException {
        checkLive();
        if (address != null && address.family() == SocketConstants.AF_UNSPEC) {
            peer = null;
            return;
        }
        LocalSockAddr target = localAddress(address);
        autobind();
        peer = target;
    }

    @Override
    int send(ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        checkLive();
        if ((flags & MSG_OOB) != 0) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "no out-of-band data on " + TestLocal.PROTO_DGRAM_NAME);
        }
        LocalSockAddr dest;
        if (to == null) {
            if (peer == null) {
                throw new ErrnoException(Errno.EDESTADDRREQ, "no destination and no connected peer");
            }
            dest = peer;
        } else {
            dest = localAddress(to);
            if (dest.port() == 0) {
                throw new ErrnoException(Errno.EINVAL, "destination port 0");
            }
        }
        // sock_alloc_send_skb: an error reported earlier (ICMP port unreachable) fails this call.
        Errno pending = sock.takeError();
        if (pending != null) {
            throw new ErrnoException(pending, "pending error");
        }
        if (shutWr) {
            throw new ErrnoException(Errno.EPIPE, "sending side was shut down");
        }
        int length = data.remaining();
        if (length > TestLocal.MAX_DATAGRAM) {
            throw new ErrnoException(Errno.EMSGSIZE, "datagram of " + length + " bytes exceeds "
                    + TestLocal.MAX_DATAGRAM);
        }
        autobind();
        byte[] payload = new byte[length];
        data.get(payload);
        deliver(dest, payload);
        return length;
    }

    /** {@code udp_rcv} for the receiver: queue it, or drop it and say why. */
    private void deliver(LocalSockAddr dest, byte[] payload) {
        if (dest.port() == TestLocal.BLACKHOLE_PORT) {
            ns.countDrop();
            return;
        }
        LocalSockAddr from = new LocalSockAddr(port);
        LocalSock found = ns.lookup(SOCK_DGRAM, dest.port());
        DgramSock receiver = found instanceof DgramSock d && (d.peer == null || d.peer.equals(from)) ? d : null;
        if (receiver == null) {
            ns.countDrop();
            // Port unreachable: Linux reports it (as ECONNREFUSED) only to a connected socket.
            if (dest.equals(peer)) {
                sock.setError(Errno.ECONNREFUSED);
            }
            return;
        }
        if (receiver.shutRd || receiver.queuedBytes + payload.length > receiver.rcvbuf) {
            ns.countDrop();
            return;
        }
        receiver.queue.add(new Datagram(from, payload));
        receiver.queuedBytes += payload.length;
        receiver.wake(EPOLLIN);
    }

    @Override
    int recv(ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        checkLive();
        Datagram d = queue.peek();
        if (d == null) {
            Errno pending = sock.takeError();
            if (pending != null) {
                throw new ErrnoException(pending, "pending error");
            }
            if (shutRd) {
                return 0;
            }
            throw new ErrnoException(Errno.EAGAIN, "no datagram queued");
        }
        if ((flags & MSG_PEEK) == 0) {
            queue.poll();
            queuedBytes -= d.payload().length;
        }
        int stored = Math.min(d.payload().length, dst.remaining());
        dst.put(d.payload(), 0, stored);
        boolean truncated = stored < d.payload().length;
        if (msg != null) {
            msg.from = d.from();
            msg.flags = truncated ? MSG_TRUNC : 0;
        }
        // With MSG_TRUNC asked for, recv returns the datagram's real length, as udp_recvmsg does.
        return (flags & MSG_TRUNC) != 0 ? d.payload().length : stored;
    }

    /**
     * {@code inet_shutdown}: applies the shutdown even on an unconnected socket (so pollers
     * see it) but then reports ENOTCONN, as Linux does for UDP.
     */
    @Override
    void shutdown(int how) throws ErrnoException {
        checkLive();
        if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) {
            throw new ErrnoException(Errno.EINVAL, "shutdown mode " + how + " is not SHUT_RD, SHUT_WR or SHUT_RDWR");
        }
        if (how != SHUT_WR) {
            shutRd = true;
        }
        if (how != SHUT_RD) {
            shutWr = true;
        }
        wake(poll());
        if (peer == null) {
            throw new ErrnoException(Errno.ENOTCONN, "socket is not connected");
        }
    }

    @Override
    SockAddr name(boolean ofPeer) throws ErrnoException {
        checkLive();
        if (!ofPeer) {
            return new LocalSockAddr(port);
        }
        if (peer == null) {
            throw new ErrnoException(Errno.ENOTCONN, "socket has no peer");
        }
        return peer;
    }

    @Override
    int poll() {
        int mask = sock.peekError() != null ? EPOLLERR : 0;
        if (released) {
            return mask | EPOLLHUP;
        }
        if (!queue.isEmpty() || shutRd) {
            mask |= EPOLLIN;
        }
        if (shutRd) {
            mask |= EPOLLRDHUP;
        }
        mask |= EPOLLOUT;
        if (shutRd && shutWr) {
            mask |= EPOLLHUP;
        }
        return mask;
    }

    @Override
    void releaseState() {
        if (released) {
            return;
        }
        released = true;
        queue.clear();
        queuedBytes = 0;
        ns.unbindPort(this);
        ns.forget(this);
    }
}
