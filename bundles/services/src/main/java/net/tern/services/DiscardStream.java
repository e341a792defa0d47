package net.tern.services;

import static net.tern.api.socket.SocketConstants.EPOLLIN;

import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;

/**
 * RFC 863 discard over TCP: reads and drops everything (into the loop's shared scratch
 * buffer, so a connection holds no buffer of its own); closes after the peer's FIN.
 */
final class DiscardStream extends StreamConnection {

    DiscardStream(ServiceLoop loop, TcpListener listener, int fd, SockAddr peer) {
        super(loop, listener, fd, peer);
    }

    @Override
    int wanted() {
        return EPOLLIN;
    }

    @Override
    public void ready(int events) throws ErrnoException {
        if (read(loop.scratch()) < 0) {
            finish();
        }
    }
}
