package net.tern.services;

import static net.tern.api.socket.SocketConstants.EPOLLIN;

import java.nio.ByteBuffer;
import net.tern.api.socket.ErrnoException;

/** RFC 863 discard over TCP: reads and drops everything; closes after the peer's FIN. */
final class DiscardStream extends StreamConnection {
    private final ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);

    DiscardStream(ServiceLoop loop, TcpListener listener, int fd, String peer) {
        super(loop, listener, fd, peer);
    }

    @Override
    int wanted() {
        return EPOLLIN;
    }

    @Override
    public void ready(int events) throws ErrnoException {
        scratch.clear();
        if (read(scratch) < 0) {
            finish();
        }
    }
}
