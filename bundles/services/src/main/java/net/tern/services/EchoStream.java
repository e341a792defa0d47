package net.tern.services;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;

import java.nio.ByteBuffer;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;

/**
 * RFC 862 echo over TCP: every byte received is sent back. The bytes not yet sent wait in
 * a bounded buffer; while it is full the connection stops reading, so a client that does
 * not read its echo is held back by TCP's window instead of growing our memory. After the
 * peer's FIN the rest of the buffer is sent, then our FIN. The buffer comes from the loop's
 * pool when there is input and goes back as soon as everything is sent, so an idle echo
 * connection holds none.
 */
final class EchoStream extends StreamConnection {
    static final int BUFFER = 64 * 1024;
    private final BufferPool pool;
    /** Received and not yet sent back, in write mode (position = bytes held); null while none are. */
    private ByteBuffer pending;

    EchoStream(ServiceLoop loop, TcpListener listener, int fd, SockAddr peer) {
        super(loop, listener, fd, peer);
        this.pool = loop.buffers(BUFFER);
    }

    private boolean hasRoom() {
        return pending == null || pending.hasRemaining();
    }

    @Override
    int wanted() {
        return (!peerClosed && hasRoom() ? EPOLLIN : 0) | (pending != null ? EPOLLOUT : 0);
    }

    @Override
    public void ready(int events) throws ErrnoException {
        if (!peerClosed && hasRoom() && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
            if (pending == null) {
                pending = pool.take();
            }
            read(pending);
        }
        if (pending != null && pending.position() > 0) {
            pending.flip();
            write(pending);
            pending.compact();
        }
        if (pending != null && pending.position() == 0) {
            releaseBuffers();
        }
        if (peerClosed && pending == null) {
            finish();
            return;
        }
        updateInterest();
    }

    /** Whether this connection holds a buffer now (bytes to echo). */
    boolean holdsBuffer() {
        return pending != null;
    }

    @Override
    void releaseBuffers() {
        if (pending != null) {
            pool.give(pending);
            pending = null;
        }
    }
}
