package net.tern.testfamily.impl;

import net.tern.api.socket.ErrnoException;
import net.tern.spi.proto.ProtoSocket;
import net.tern.testfamily.TestLocal;

/**
 * The family's {@code proto_ops} for SOCK_STREAM ({@code unix_stream_ops} is the model): the
 * shared operations run the matching {@link StreamSock} step, and so do listen and accept.
 */
public final class StreamOps extends LocalOps<StreamSock> {

    public StreamOps(LocalNamespace ns) {
        super(ns, StreamSock.class, TestLocal.PROTO_STREAM, StreamSock::new);
    }

    @Override
    public void listen(ProtoSocket sock, int backlog) throws ErrnoException {
        ns.locked(() -> of(sock).listen(backlog));
    }

    @Override
    public void accept(ProtoSocket sock, ProtoSocket newSock, int flags) throws ErrnoException {
        ns.locked(() -> of(sock).accept(newSock, this));
    }
}
