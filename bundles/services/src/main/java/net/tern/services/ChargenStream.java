package net.tern.services;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;

import java.nio.ByteBuffer;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;

/**
 * RFC 864 character generator over TCP: sends {@link ChargenPattern}'s lines for as long as
 * the connection lasts. What the peer sends is read and dropped. A FIN from the peer only
 * closes its direction (it may still read, as {@code shutdown(SHUT_WR)} allows); the
 * stream ends when the peer is gone for good, which the next send learns from its RST
 * ({@code ECONNRESET}, {@code EPIPE}, or {@code EPOLLHUP} from epoll), as inetd's chargen
 * learns it from {@code write}.
 *
 * <p>A connection holds no buffer: the text is sent from {@link ChargenPattern}'s one
 * shared copy at this connection's offset, and its input is read into the loop's shared
 * scratch buffer and dropped. A client that does not read costs its socket's send buffer
 * (bounded by TCP) and this object.
 */
final class ChargenStream extends StreamConnection {
    /** Where the next byte comes from in the pattern's cycle. */
    private int offset;

    ChargenStream(ServiceLoop loop, TcpListener listener, int fd, SockAddr peer) {
        super(loop, listener, fd, peer);
    }

    @Override
    int wanted() {
        return EPOLLOUT | (peerClosed ? 0 : EPOLLIN);
    }

    @Override
    public void ready(int events) throws ErrnoException {
        if ((events & EPOLLHUP) != 0) {
            close(); // both directions are over (reset, or FIN both ways): nobody reads any more
            return;
        }
        if (!peerClosed && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
            read(loop.scratch());
        }
        if ((events & (EPOLLOUT | EPOLLERR)) != 0) {
            ByteBuffer text = ChargenPattern.from(offset);
            int n = write(text);
            offset = ChargenPattern.advance(offset, n);
        }
        updateInterest();
    }
}
