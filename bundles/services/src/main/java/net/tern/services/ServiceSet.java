package net.tern.services;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;
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
 * <p>Each service has an {@code IPV6_V6ONLY} socket beside each IPv4 one while an IPv6
 * address is configured. Those wait for AF_INET6 itself once a second rather than after every
 * wait: a stack may run without IPv6 for good, and an idle loop must allocate nothing.
 *
 * <p>{@link #openAll} runs before the loop's thread starts; everything after runs on it.
 */
final class ServiceSet {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceSet.class);

    /** One socket of a service: IPv4's, or IPv6's ({@code IPV6_V6ONLY}, beside IPv4's). */
    enum Endpoint {
        TCP, UDP, TCP6, UDP6;

        boolean ipv6() {
            return this == TCP6 || this == UDP6;
        }

        boolean udp() {
            return this == UDP || this == UDP6;
        }
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
    /**
     * IPv6 sockets while the stack has no AF_INET6 (EAFNOSUPPORT: the inet6 bundle not
     * installed or stopped): tried again every {@link #familyCheckNanos}, not after every wait,
     * since a stack may run without IPv6 for good and an idle loop must cost nothing.
     */
    private final Set<Socket> withoutFamily = new LinkedHashSet<>();
    private long familyCheckNanos = FAMILY_CHECK_NANOS;
    private long nextFamilyCheck;
    private boolean retryScheduled;

    /** How often the IPv6 sockets are tried while the stack has no IPv6: once a second. */
    static final long FAMILY_CHECK_NANOS = 1_000_000_000L;

    ServiceSet(ServiceLoop loop, ServiceSettings settings, StatusPage page) {
        this(loop, settings, page, new ResponseBudget(ResponseBudget.DEFAULT_BYTES));
    }

    ServiceSet(ServiceLoop loop, ServiceSettings settings, StatusPage page, ResponseBudget responses) {
        this.loop = loop;
        this.settings = settings;
        this.page = page;
        this.responses = responses;
        loop.everyWait(this::checkFamilies);
    }

    /** How long IPv6 sockets wait between tries while AF_INET6 is missing (tests: 0, every wait). */
    synchronized void familyCheckInterval(long nanos) {
        this.familyCheckNanos = nanos;
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

    /**
     * The services with every IPv4 socket open. Their IPv6 sockets come and go with IPv6
     * ({@link #ipv6Open}): a stack without IPv6 runs the services over IPv4 alone.
     */
    synchronized List<Service> running() {
        List<Service> running = new ArrayList<>();
        for (Service s : settings.services()) {
            if (endpoints(s).stream().filter(e -> !e.ipv6()).allMatch(e -> open.contains(new Socket(s, e)))) {
                running.add(s);
            }
        }
        return running;
    }

    /** The services with every IPv6 socket open. */
    synchronized List<Service> ipv6Open() {
        List<Service> running = new ArrayList<>();
        for (Service s : settings.services()) {
            List<Endpoint> v6 = endpoints(s).stream().filter(Endpoint::ipv6).toList();
            if (!v6.isEmpty() && v6.stream().allMatch(e -> open.contains(new Socket(s, e)))) {
                running.add(s);
            }
        }
        return running;
    }

    /** The sockets waiting for their protocol, as {@code echo (tcp)}; not the IPv6 ones of a stack without IPv6. */
    synchronized List<String> waiting() {
        return waiting.stream().map(Socket::toString).toList();
    }

    /** Whether IPv6 sockets wait for AF_INET6 to appear. */
    synchronized boolean waitingForIpv6() {
        return !withoutFamily.isEmpty();
    }

    /** The sockets of service {@code s}: TCP, and UDP for echo and discard; each also over IPv6 when an IPv6 address is set. */
    List<Endpoint> endpoints(Service s) {
        List<Endpoint> v4 = switch (s) {
            case ECHO, DISCARD -> List.of(Endpoint.TCP, Endpoint.UDP);
            case CHARGEN, HTTP -> List.of(Endpoint.TCP);
        };
        if (settings.address6() == null) {
            return v4;
        }
        return v4.size() == 2 ? List.of(Endpoint.TCP, Endpoint.UDP, Endpoint.TCP6, Endpoint.UDP6)
                : List.of(Endpoint.TCP, Endpoint.TCP6);
    }

    private void tryOpen(Socket socket) {
        try {
            open(socket);
            synchronized (this) {
                open.add(socket);
                waiting.remove(socket);
            }
        } catch (ErrnoException e) {
            if (socket.endpoint().ipv6() && e.errno() == Errno.EAFNOSUPPORT) {
                boolean first;
                synchronized (this) {
                    waiting.remove(socket);
                    first = withoutFamily.isEmpty();
                    withoutFamily.add(socket);
                }
                if (first) {
                    LOG.info("the services' IPv6 sockets wait for IPv6 (AF_INET6 is not registered)");
                }
            } else if (e.errno() == Errno.EAFNOSUPPORT || e.errno() == Errno.EPROTONOSUPPORT) {
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
        SockAddr address = socket.endpoint().ipv6()
                ? new Inet6SockAddr(settings.address6().high(), settings.address6().low(), port)
                : new InetSockAddr(settings.address(), port);
        Runnable gone = () -> withdrawn(socket);
        if (socket.endpoint().udp()) {
            new DatagramService(loop, s, address, s == Service.ECHO, gone);
            return;
        }
        TcpListener.ConnectionFactory factory = switch (s) {
            case ECHO -> EchoStream::new;
            case DISCARD -> DiscardStream::new;
            case CHARGEN -> ChargenStream::new;
            case HTTP -> (l, listener, fd, peer) -> new HttpStream(l, listener, fd, peer, page, responses);
        };
        new TcpListener(loop, s, address, settings.maxConnections(), settings.backlog(), factory, gone);
    }

    /** After each wait: while IPv6 is missing, its sockets are tried again once per interval (nothing otherwise). */
    private void checkFamilies() {
        List<Socket> due;
        synchronized (this) {
            if (withoutFamily.isEmpty()) {
                return;
            }
            long now = System.nanoTime();
            if (now - nextFamilyCheck < 0) {
                return;
            }
            nextFamilyCheck = now + familyCheckNanos;
            due = new ArrayList<>(withoutFamily);
            withoutFamily.clear();
        }
        for (Socket socket : due) {
            tryOpen(socket);
        }
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
