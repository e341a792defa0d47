package net.tern.services;

import static net.tern.api.socket.SocketConstants.SHUT_WR;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketApi;

/**
 * One accepted TCP connection of a service, non-blocking in the {@link ServiceLoop}. The
 * subclass says which readiness it wants ({@link #wanted()}) and what to do when ready;
 * this class keeps the epoll interest in step, counts bytes and closes once.
 *
 * <p>An idle connection is this object and the stack's socket, nothing more: buffers come
 * from the loop's pools while bytes are in flight ({@link #releaseBuffers()} gives them back
 * at close), and the status page's addresses are worked out when it asks, not kept.
 */
abstract class StreamConnection implements ServiceLoop.Handler {
    private static final long EAGAIN = Errno.EAGAIN.negative();
    final ServiceLoop loop;
    final SocketApi api;
    final int fd;
    private final TcpListener listener;
    private final SockAddr peer;
    private int interest = -1;
    private boolean closed;
    /** The peer has sent its FIN: {@code recv} returned 0. */
    boolean peerClosed;
    long bytesIn;
    long bytesOut;

    StreamConnection(ServiceLoop loop, TcpListener listener, int fd, SockAddr peer) {
        this.loop = loop;
        this.api = loop.api();
        this.listener = listener;
        this.fd = fd;
        this.peer = peer;
    }

    /** The peer's address and port, as accepted. */
    final SockAddr peer() {
        return peer;
    }

    /** The epoll events this connection waits for now (0: only errors and hang-ups). */
    abstract int wanted();

    /** Puts the connection in the loop. */
    final void start() throws ErrnoException {
        interest = wanted();
        loop.add(fd, interest, this);
    }

    /** Brings the epoll interest up to date after a step; call at the end of {@code ready}. */
    final void updateInterest() throws ErrnoException {
        if (closed) {
            return;
        }
        int w = wanted();
        if (w != interest) {
            loop.modify(fd, w);
            interest = w;
        }
    }

    /**
     * Receives into {@code dst}: the bytes stored, 0 when nothing is there now, -1 at the
     * peer's FIN. Would-block comes back from the socket API as a value: an exception is made
     * only for a real error, which closes the connection.
     */
    final int read(ByteBuffer dst) throws ErrnoException {
        long n = api.sysRecv(fd, dst, 0, null);
        if (n == EAGAIN) {
            return 0;
        }
        if (n == 0) {
            peerClosed = true;
            return -1;
        }
        if (n < 0) {
            throw ErrnoException.of(n, "recv(fd " + fd + ")");
        }
        bytesIn += n;
        return (int) n;
    }

    /** Sends from {@code src}: the bytes taken, 0 when the send buffer is full. */
    final int write(ByteBuffer src) throws ErrnoException {
        if (!src.hasRemaining()) {
            return 0;
        }
        long n = api.sysSend(fd, src, 0, null);
        if (n == EAGAIN) {
            return 0;
        }
        if (n < 0) {
            throw ErrnoException.of(n, "send(fd " + fd + ")");
        }
        bytesOut += n;
        return (int) n;
    }

    /** Sends our FIN after everything queued, then releases the descriptor. */
    final void finish() {
        try {
            api.shutdown(fd, SHUT_WR);
        } catch (ErrnoException e) {
            // Reset or already shut: closing is all that is left.
        }
        close();
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.remove(fd);
        releaseBuffers();
        listener.connectionClosed();
    }

    /** Gives back the pooled buffers this connection holds; called once, at close. */
    void releaseBuffers() {
    }

    final boolean isClosed() {
        return closed;
    }

    @Override
    public SocketRow row() {
        String local;
        try {
            local = api.getsockname(fd).toString();
        } catch (ErrnoException e) {
            local = listener.localAddress();
        }
        return new SocketRow(listener.service().configName(), "tcp", peerClosed ? "CLOSE-WAIT" : "ESTAB", local,
                String.valueOf(peer), bytesIn, bytesOut);
    }
}
