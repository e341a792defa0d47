package net.tern.socket;

import net.tern.api.socket.ErrnoException;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtoSocket;

/** One non-blocking protocol operation on a socket, as the blocking loops retry it. */
@FunctionalInterface
interface ProtoCall<T> {
    T call(ProtoOps ops, ProtoSocket sock) throws ErrnoException;
}
