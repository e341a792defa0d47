package net.tern.testfamily.impl;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.spi.proto.ProtoSocket;
import net.tern.testfamily.TestLocal;

/**
 * The family's {@code proto_ops} for SOCK_DGRAM ({@code inet_dgram_ops} is the model): the
 * shared operations run the matching {@link DgramSock} step; listen and accept are not
 * datagram operations (EOPNOTSUPP).
 */
public final class DgramOps extends LocalOps<DgramSock> {

    public DgramOps(LocalNamespace ns) {
        super(ns, DgramSock.class, TestLocal.PROTO_DGRAM, DgramSock::new);
    }

    @Override
    public void listen(ProtoSocket sock, int backlog) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "listen is not a datagram operation");
    }

    @Override
    public void accept(ProtoSocket sock, ProtoSocket newSock, int flags) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "accept is not a datagram operation");
    }
}
