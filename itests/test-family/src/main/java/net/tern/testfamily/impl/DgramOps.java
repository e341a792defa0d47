package net.tern.testfamily.impl;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtoSocket;
import net.tern.testfamily.TestLocal;

/**
 * The family's {@code proto_ops} for SOCK_DGRAM ({@code inet_dgram_ops} is the model): each
 * operation takes the namespace lock and runs the matching {@link DgramSock} step; listen and
 * accept are not datagram operations (EOPNOTSUPP).
 */
public final class DgramOps implements ProtoOps {
    private final LocalNamespace ns;

    public DgramOps(LocalNamespace ns) {
        this.ns = ns;
    }

    /** Attaches a fresh datagram socket to {@code sock} ({@code create} for SOCK_DGRAM). */
    public void init(ProtoSocket sock) {
        DgramSock s = new DgramSock(ns);
        s.sock = sock;
        sock.attach(this, s, TestLocal.PROTO_DGRAM);
        ns.track(s);
    }

    private static DgramSock of(ProtoSocket sock) {
        return sock.sk(DgramSock.class);
    }

    @Override
    public int family() {
        return TestLocal.AF_TESTLOCAL;
    }

    @Override
    public void release(ProtoSocket sock) {
        ns.lock();
        try {
            of(sock).releaseState();
        } finally {
            ns.unlock();
        }
    }

    @Override
    public void bind(ProtoSocket sock, SockAddr address) throws ErrnoException {
        ns.lock();
        try {
            of(sock).bind(address);
        } finally {
            ns.unlock();
        }
    }

    @Override
    public void connect(ProtoSocket sock, SockAddr address, int flags) throws ErrnoException {
        ns.lock();
        try {
            of(sock).connect(address);
        } finally {
            ns.unlock();
        }
    }

    @Override
    public void listen(ProtoSocket sock, int backlog) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "listen is not a datagram operation");
    }

    @Override
    public void accept(ProtoSocket sock, ProtoSocket newSock, int flags) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "accept is not a datagram operation");
    }

    @Override
    public SockAddr getname(ProtoSocket sock, boolean peer) throws ErrnoException {
        ns.lock();
        try {
            return of(sock).name(peer);
        } finally {
            ns.unlock();
        }
    }

    @Override
    public int poll(ProtoSocket sock) {
        ns.lock();
        try {
            return of(sock).poll();
        } finally {
            ns.unlock();
        }
    }

    @Override
    public void shutdown(ProtoSocket sock, int how) throws ErrnoException {
        ns.lock();
        try {
            of(sock).shutdown(how);
        } finally {
            ns.unlock();
        }
    }

    @Override
    public void setsockopt(ProtoSocket sock, int level, int name, Object value) throws ErrnoException {
        ns.lock();
        try {
            of(sock).setOption(level, name, value);
        } finally {
            ns.unlock();
        }
    }

    @Override
    public Object getsockopt(ProtoSocket sock, int level, int name) throws ErrnoException {
        ns.lock();
        try {
            return of(sock).getOption(level, name);
        } finally {
            ns.unlock();
        }
    }

    @Override
    public int sendmsg(ProtoSocket sock, ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        ns.lock();
        try {
            return of(sock).send(data, to, flags);
        } finally {
            ns.unlock();
        }
    }

    @Override
    public int recvmsg(ProtoSocket sock, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        ns.lock();
        try {
            return of(sock).recv(dst, flags, msg);
        } finally {
            ns.unlock();
        }
    }
}
