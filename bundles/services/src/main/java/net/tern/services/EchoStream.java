package net.tern.services;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;

import java.nio.ByteBuffer;

/**
 * RFC 862 echo over TCP: every byte received is sent back. The bytes not yet sent wait in
 * a bounded buffer; while it is full the connection stops reading, so a client that does
 * not read its echo is held back by TCP's window instead of growing our memory. After the
 * peer's FIN the rest of the buffer is sent, then our FIN.
 */
final class EchoStream extends StreamConnection {
    static final int BUFFER = 64 * 1024;
    /** Received and not yet sent back; in write mode (position = bytes held). */
    private final ByteBuffer pending = ByteBuffer.allocate(BUFFER);

    EchoStream(ServiceLoop loop, TcpListener listener, int fd, String peer) {
        super(loop, listener, fd, peer);
    }

    @Override
    int wanted() {
        return (!peerClosed && pending.hasRemaining() ? EPOLLIN : 0) | (pending.position() > 0 ? EPOLLOUT : 0);
    }

    @Override
    public void ready(int events) throws net.tern.api.socket.ErrnoException {
        if (!peerClosed && pending.hasRemaining() && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
            read(pending);
        }
        if (pending.position() > 0) {
            pending.flip();
            write(pending);
            pending.compact();
        }
        if (peerClosed && pending.position() == 0) {
            finish();
            return;
        }
        updateInterest();
    }
}
