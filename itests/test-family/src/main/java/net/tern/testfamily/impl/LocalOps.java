package net.tern.testfamily.impl;

import java.nio.ByteBuffer;
import java.util.function.Function;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtoSocket;
import net.tern.testfamily.TestLocal;

/**
 * The {@code proto_ops} both socket types of the family share: each operation takes the
 * namespace lock and runs the matching step of the socket's {@code S}. Nothing here blocks;
 * the socket layer waits and retries. Subclasses add listen and accept, the operations where
 * the types differ.
 */
abstract class LocalOps<S extends LocalSock> implements ProtoOps {
    final LocalNamespace ns;
    private final Class<S> type;
    private final int protocol;
    private final Function<LocalNamespace, S> factory;

    LocalOps(LocalNamespace ns, Class<S> type, int protocol, Function<LocalNamespace, S> factory) {
        this.ns = ns;
        this.type = type;
        this.protocol = protocol;
        this.factory = factory;
    }

    /** Attaches a fresh socket to {@code sock} ({@code create} for this socket type). Caller holds the lock. */
    public void init(ProtoSocket sock) {
        S s = factory.apply(ns);
        s.sock = sock;
        sock.attach(this, s, protocol);
        ns.track(s);
    }

    /** The socket state behind {@code sock}. Called under the lock, as every read of it is. */
    final S of(ProtoSocket sock) {
        return sock.sk(type);
    }

    @Override
    public int family() {
        return TestLocal.AF_TESTLOCAL;
    }

    @Override
    public void release(ProtoSocket sock) {
        ns.locked(() -> of(sock).releaseState());
    }

    @Override
    public void bind(ProtoSocket sock, SockAddr address) throws ErrnoException {
        ns.locked(() -> of(sock).bind(address));
    }

    @Override
    public void connect(ProtoSocket sock, SockAddr address, int flags) throws ErrnoException {
        ns.locked(() -> of(sock).connect(address));
    }

    @Override
    public SockAddr getname(ProtoSocket sock, boolean peer) throws ErrnoException {
        return ns.locked(() -> of(sock).name(peer));
    }

    @Override
    public int poll(ProtoSocket sock) {
        return ns.locked(() -> of(sock).poll());
    }

    @Override
    public void shutdown(ProtoSocket sock, int how) throws ErrnoException {
        ns.locked(() -> of(sock).shutdown(how));
    }

    @Override
    public void setsockopt(ProtoSocket sock, int level, int name, Object value) throws ErrnoException {
        ns.locked(() -> of(sock).setOption(level, name, value));
    }

    @Override
    public Object getsockopt(ProtoSocket sock, int level, int name) throws ErrnoException {
        return ns.locked(() -> of(sock).getOption(level, name));
    }

    @Override
    public int sendmsg(ProtoSocket sock, ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        return ns.locked(() -> of(sock).send(data, to, flags));
    }

    @Override
    public int recvmsg(ProtoSocket sock, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException {
        return ns.locked(() -> of(sock).recv(dst, flags, msg));
    }
}
