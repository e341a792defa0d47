package net.tern.services;

import java.util.List;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;

/**
 * The services' configuration, checked: which services run, on which address and port
 * offset, how many TCP connections each serves at once and how many may wait to be accepted.
 *
 * @param services       the services, in order, without repeats
 * @param address        the local IPv4 address to bind (0: every address)
 * @param address6       the local IPv6 address the services' IPv6 sockets bind ({@code ::}: every
 *                       address), or null for no IPv6 sockets
 * @param portOffset     added to each well-known port
 * @param maxConnections open TCP connections per service at most; beyond, new ones wait in the accept queue
 * @param backlog        each TCP listener's {@code listen} backlog (the stack caps it at {@code somaxconn})
 */
record ServiceSettings(List<Service> services, int address, Inet6SockAddr address6, int portOffset, int maxConnections,
        int backlog) {
    /**
     * The default limit of open connections per service: a crowd, since an idle connection
     * costs the stack's state and a small object (no buffer); a service at the limit stops
     * accepting rather than closing what it accepts.
     */
    static final int MAX_CONNECTIONS = 65_536;
    /** The default listen backlog: nginx's on Linux, under Linux's default somaxconn (4096). */
    static final int BACKLOG = 511;

    ServiceSettings {
        services = List.copyOf(services);
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, not " + maxConnections);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, not " + backlog);
        }
        if (portOffset < 0 || portOffset > 65_000) {
            throw new IllegalArgumentException("portOffset must be between 0 and 65000, not " + portOffset);
        }
    }

    /** Listening on every IPv4 and every IPv6 address. */
    ServiceSettings(List<Service> services, int address, int portOffset, int maxConnections, int backlog) {
        this(services, address, Inet6SockAddr.ANY, portOffset, maxConnections, backlog);
    }

    /** The settings a configuration asks for; an unknown service or a value out of range is an {@link IllegalArgumentException}. */
    static ServiceSettings of(ServicesConfig config) {
        String v6 = config.address6() == null ? "" : config.address6().trim();
        Inet6SockAddr address6 = null;
        if (!v6.isEmpty()) {
            long[] a = Inet6SockAddr.parseAddress(v6);
            address6 = new Inet6SockAddr(a[0], a[1], 0);
        }
        return new ServiceSettings(Service.parse(config.services()), InetSockAddr.parseAddress(config.address()),
                address6, config.portOffset(), config.maxConnections(), config.backlog());
    }
}
