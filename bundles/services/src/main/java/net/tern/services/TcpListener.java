package net.tern.services;

import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_REUSEADDR;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's listening TCP socket: accepts pending connections when readable and hands
 * each to a new {@link StreamConnection}, up to {@code maxConnections} open at once.
 *
 * <p>At the limit it stops accepting: the listener leaves the loop's epoll interest (as
 * nginx stops watching its listeners when {@code worker_connections} are in use), so new
 * connections wait in the stack's accept queue, and past the listen backlog the stack does
 * what Linux does with a full accept queue (the handshake's last ACK is dropped, the SYN-ACK
 * retransmitted, new SYNs dropped or answered with a SYN cookie). When a connection ends the
 * listener watches again and the oldest waiting connection is served. Nothing is accepted
 * only to be closed: a client beyond the limit waits, it is not turned away.
 */
final class TcpListener implements ServiceLoop.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);

    /** Makes the connection object for one accepted descriptor. */
    interface ConnectionFactory {
        StreamConnection create(ServiceLoop loop, TcpListener listener, int fd, SockAddr peer);
    }

    private final ServiceLoop loop;
    private final SocketApi api;
    private final Service service;
    private final int maxConnections;
    private final ConnectionFactory factory;
    /** Called when the socket was withdrawn (its protocol left) and this listener closed. */
    private final Runnable withdrawn;
    private final int fd;
    private final String local;
    private int open;
    /** Whether the listener is in the loop's interest (false at the limit). */
    private boolean accepting = true;
    private boolean closed;
    /** Times the limit stopped accepting. */
    private long pauses;
    /** Accepts that failed for want of descriptors or memory. */
    private long shortages;

    /**
     * Opens, binds and listens on {@code address} (IPv4's or IPv6's) with {@code backlog}, and joins
     * the loop; {@code withdrawn} runs when the socket's protocol withdraws it (the listener is
     * closed by then).
     */
    TcpListener(ServiceLoop loop, Service service, SockAddr address, int maxConnections, int backlog,
            ConnectionFactory factory, Runnable withdrawn) throws ErrnoException {
        this.loop = loop;
        this.api = loop.api();
        this.service = service;
        this.maxConnections = maxConnections;
        this.factory = factory;
        this.withdrawn = withdrawn;
        this.fd = api.socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK, 0);
        int port = DatagramService.port(address);
        try {
            api.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            DatagramService.ipv6Only(api, fd, address);
            api.bind(fd, address);
            api.listen(fd, backlog);
            this.local = api.getsockname(fd).toString();
            loop.add(fd, EPOLLIN, this);
        } catch (ErrnoException e) {
            api.close(fd);
            throw new ErrnoException(e.errno(), service.configName() + ": cannot listen on TCP port " + port + ": "
                    + e.getMessage());
        }
    }

    Service service() {
        return service;
    }

    String localAddress() {
        return local;
    }

    int openConnections() {
        return open;
    }

    /** Whether the listener waits for connections now (false while the limit is reached). */
    boolean accepting() {
        return accepting;
    }

    /** How many times the limit stopped accepting. */
    long pauses() {
        return pauses;
    }

    /** How many accepts failed for want of descriptors or memory. */
    long shortages() {
        return shortages;
    }

    @Override
    public void ready(int events) throws ErrnoException {
        if ((events & EPOLLHUP) != 0) {
            // A listener hangs up only when its protocol withdrew it: every call would now fail.
            close();
            withdrawn.run();
            return;
        }
        while (open < maxConnections) {
            // Would-block (the queue is empty) comes back as a value, not an exception.
            int accepted = api.sysAccept(fd, SOCK_NONBLOCK);
            if (accepted < 0) {
                Errno errno = Errno.ofResult(accepted);
                if (errno == Errno.EAGAIN) {
                    return;
                }
                ErrnoException e = ErrnoException.of(accepted, "accept(fd " + fd + ")");
                if (isShortage(errno)) {
                    pauseForShortage(e);
                    return;
                }
                // ECONNABORTED and the like concern one connection, not the listener.
                LOG.debug("{}: accept: {}", service.configName(), e.getMessage());
                return;
            }
            open++;
            SockAddr peer;
            try {
                peer = api.getpeername(accepted);
            } catch (ErrnoException e) {
                peer = null; // the peer left before accept; the connection is still served, as Linux hands it over
            }
            StreamConnection c = factory.create(loop, this, accepted, peer);
            try {
                c.start();
            } catch (ErrnoException e) {
                c.close();
            }
        }
        stopAccepting();
    }

    /** Errors that say the process lacks descriptors or memory now, not that the connection is bad. */
    private static boolean isShortage(Errno errno) {
        return errno == Errno.EMFILE || errno == Errno.ENFILE || errno == Errno.ENOBUFS || errno == Errno.ENOMEM;
    }

    /**
     * {@code accept} failed for want of descriptors or memory: the connection stays queued
     * and the listener stays readable, so trying again at once would spin. Stop watching it
     * until after the loop's next wait (nginx likewise disables accept events for a while).
     */
    private void pauseForShortage(ErrnoException e) throws ErrnoException {
        if (shortages++ == 0) {
            LOG.warn("{}: cannot accept: {}; trying again after a pause", service.configName(), e.getMessage());
        }
        if (!accepting || closed) {
            return;
        }
        loop.modify(fd, 0);
        accepting = false;
        loop.afterNextWait(this::resume);
    }

    /** The limit is reached: leave new connections in the accept queue until one ends. */
    private void stopAccepting() throws ErrnoException {
        if (!accepting || closed) {
            return;
        }
        loop.modify(fd, 0);
        accepting = false;
        if (pauses++ == 0) {
            LOG.warn("{}: {} connections open, the most allowed (maxConnections); new ones wait in the accept queue",
                    service.configName(), open);
        } else {
            LOG.debug("{}: {} connections open; not accepting", service.configName(), open);
        }
    }

    void connectionClosed() {
        open--;
        resume();
    }

    /** Watches the listener again, unless it is watched, closed or at its limit. */
    private void resume() {
        if (accepting || closed || open >= maxConnections) {
            return;
        }
        try {
            loop.modify(fd, EPOLLIN);
            accepting = true;
        } catch (ErrnoException e) {
            LOG.error("{}: cannot watch the listener again: {}", service.configName(), e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        loop.remove(fd);
    }

    @Override
    public SocketRow row() {
        return new SocketRow(service.configName(), "tcp", "LISTEN", local, "*:*", 0, 0);
    }
}
