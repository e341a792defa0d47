package net.tern.services;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured services' sockets in one {@link ServiceLoop}. Each socket (a service's TCP
 * listener, its UDP socket) opens on its own. One whose protocol is not registered
 * ({@code EAFNOSUPPORT}, {@code EPROTONOSUPPORT}: the services configured from {@code etc/}
 * start before TCP's bundle, or TCP's bundle is being updated) waits, and is tried again
 * after each wait of the loop until its protocol is there. One whose socket is withdrawn
 * (its protocol's bundle stopped: epoll reports {@code EPOLLHUP} on it) is closed and waits
 * the same way, so the services come back with their protocol. Any other failure (the port
 * taken) is logged and that socket left out; the others run.
 *
 * <p>{@link #openAll} runs before the loop's thread starts; everything after runs on it.
 */
final class ServiceSet {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceSet.class);

    /** One socket of a service. */
    enum Endpoint {
        TCP, UDP
    }

    private record Socket(Service service, Endpoint endpoint) {
        @Override
        public String toString() {
            return service.configName() + " (" + endpoint.name().toLowerCase(java.util.Locale.ROOT) + ")";
        }
    }

    private final ServiceLoop loop;
    private final ServiceSettings settings;
    private final StatusPage page;
    /** Shared by every HTTP connection. */
    private final ResponseBudget responses;
    /** Sockets whose protocol is not there (yet): tried again after the loop's next wait. */
    private final Set<Socket> waiting = new LinkedHashSet<>();
    private final Set<Socket> open = new LinkedHashSet<>();
    private boolean retryScheduled;

    ServiceSet(ServiceLoop loop, ServiceSettings settings, StatusPage page) {
        this(loop, settings, page, new ResponseBudget(ResponseBudget.DEFAULT_BYTES));
    }

    ServiceSet(ServiceLoop loop, ServiceSettings settings, StatusPage page, ResponseBudget responses) {
        this.loop = loop;
        this.settings = settings;
        this.page = page;
        this.responses = responses;
    }

    /** Opens every configured socket it can; those waiting for their protocol are tried again later. */
    void openAll() {
        for (Service s : settings.services()) {
            for (Endpoint e : endpoints(s)) {
                tryOpen(new Socket(s, e));
            }
        }
        scheduleRetry();
    }

    /** The services with every socket open. */
    synchronized List<Service> running() {
        List<Service> running = new ArrayList<>();
        for (Service s : settings.services()) {
            if (endpoints(s).stream().allMatch(e -> open.contains(new Socket(s, e)))) {
                running.add(s);
            }
        }
        return running;
    }

    /** The sockets waiting for their protocol, as {@code echo (tcp)}. */
    synchronized List<String> waiting() {
        return waiting.stream().map(Socket::toString).toList();
    }

    static List<Endpoint> endpoints(Service s) {
        return switch (s) {
            case ECHO, DISCARD -> List.of(Endpoint.TCP, Endpoint.UDP);
            case CHARGEN, HTTP -> List.of(Endpoint.TCP);
        };
    }

    private void tryOpen(Socket socket) {
        try {
            open(socket);
            synchronized (this) {
                open.add(socket);
                waiting.remove(socket);
            }
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAFNOSUPPORT || e.errno() == Errno.EPROTONOSUPPORT) {
                boolean first;
                synchronized (this) {
                    first = waiting.add(socket);
                }
                if (first) {
                    LOG.info("{} waits for its protocol: {}", socket, e.getMessage());
                }
            } else {
                synchronized (this) {
                    waiting.remove(socket);
                }
                LOG.error("{}", e.getMessage());
            }
        }
    }

    private void open(Socket socket) throws ErrnoException {
        Service s = socket.service();
        int port = s.port + settings.portOffset();
        int address = settings.address();
        Runnable gone = () -> withdrawn(socket);
        if (socket.endpoint() == Endpoint.UDP) {
            new DatagramService(loop, s, address, port, s == Service.ECHO, gone);
            return;
        }
        TcpListener.ConnectionFactory factory = switch (s) {
            case ECHO -> EchoStream::new;
            case DISCARD -> DiscardStream::new;
            case CHARGEN -> ChargenStream::new;
            case HTTP -> (l, listener, fd, peer) -> new HttpStream(l, listener, fd, peer, page, responses);
        };
        new TcpListener(loop, s, address, port, settings.maxConnections(), settings.backlog(), factory, gone);
    }

    /** A socket's protocol withdrew it: it was closed; open it again once the protocol is back. */
    private void withdrawn(Socket socket) {
        LOG.info("{}: its socket was withdrawn (its protocol left); opening it again when the protocol is back",
                socket);
        synchronized (this) {
            open.remove(socket);
            waiting.add(socket);
        }
        scheduleRetry();
    }

    private void scheduleRetry() {
        boolean schedule;
        synchronized (this) {
            schedule = !waiting.isEmpty() && !retryScheduled;
            retryScheduled |= schedule;
        }
        if (schedule) {
            loop.afterNextWait(this::retry);
        }
    }

    private void retry() {
        List<Socket> due;
        synchronized (this) {
            retryScheduled = false;
            due = new ArrayList<>(waiting);
        }
        for (Socket socket : due) {
            tryOpen(socket);
        }
        scheduleRetry();
    }
}
