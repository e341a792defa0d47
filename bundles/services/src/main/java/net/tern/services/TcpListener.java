package net.tern.services;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_REUSEADDR;

import net.tern.api.socket.Accepted;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's listening TCP socket: accepts every pending connection when readable and
 * hands each to a new {@link StreamConnection}. Beyond {@code maxConnections} open at once
 * a new connection is closed as soon as it is accepted, so one busy client cannot take the
 * loop's memory.
 */
final class TcpListener implements ServiceLoop.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(TcpListener.class);
    static final int BACKLOG = 128;

    /** Makes the connection object for one accepted descriptor. */
    interface ConnectionFactory {
        StreamConnection create(ServiceLoop loop, TcpListener listener, int fd, String peer);
    }

    private final ServiceLoop loop;
    private final SocketApi api;
    private final Service service;
    private final int maxConnections;
    private final ConnectionFactory factory;
    private final int fd;
    private final String local;
    private int open;
    private long refused;

    /** Opens, binds and listens on {@code address}:{@code port}, and joins the loop. */
    TcpListener(ServiceLoop loop, Service service, int address, int port, int maxConnections,
            ConnectionFactory factory) throws ErrnoException {
        this.loop = loop;
        this.api = loop.api();
        this.service = service;
        this.maxConnections = maxConnections;
        this.factory = factory;
        this.fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        try {
            api.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            api.bind(fd, new InetSockAddr(address, port));
            api.listen(fd, BACKLOG);
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

    long refusedConnections() {
        return refused;
    }

    @Override
    public void ready(int events) throws ErrnoException {
        while (true) {
            Accepted accepted;
            try {
                accepted = api.accept(fd, SOCK_NONBLOCK);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return;
                }
                // ECONNABORTED and the like concern one connection, not the listener.
                LOG.debug("{}: accept: {}", service.configName(), e.getMessage());
                return;
            }
            if (open >= maxConnections) {
                refused++;
                api.close(accepted.fd());
                continue;
            }
            open++;
            StreamConnection c = factory.create(loop, this, accepted.fd(), String.valueOf(accepted.peer()));
            try {
                c.start();
            } catch (ErrnoException e) {
                c.close();
            }
        }
    }

    void connectionClosed() {
        open--;
    }

    @Override
    public void close() {
        loop.remove(fd);
    }

    @Override
    public SocketRow row() {
        return new SocketRow(service.configName(), "tcp", "LISTEN", local, "*:*", 0, 0);
    }
}
