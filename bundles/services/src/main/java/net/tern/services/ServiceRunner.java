package net.tern.services;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.inet.snmp.SnmpCounters;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.net.LinkRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the configured services (PID {@value #PID}, property {@code services}) on one
 * {@link ServiceLoop} thread, {@code tern-services}, over the {@link SocketApi} only, as
 * any application would: non-blocking sockets and epoll. One thread serves every
 * connection of every service, so tens of thousands of idle clients cost the stack's
 * sockets and a small object each, not threads or buffers, and no service can starve the
 * others of threads. Each service serves {@code maxConnections} at once (65,536 by default);
 * beyond, new connections wait in its accept queue ({@link TcpListener}).
 *
 * <p>The HTTP status page also reads the links ({@link LinkRegistry}), the protocol
 * counters ({@link SnmpCounters}) and the sockets ({@link InetDiagHandler}s); all are
 * optional and dynamic, so the page shows what is there. A service that cannot start (its port taken) is logged and left out;
 * the others run. A new configuration restarts the component with the new set. The
 * component registers itself (under its own class, in a private package) once its services
 * listen, so the launcher can wait for that before it reports the stack ready.
 */
@Component(configurationPid = ServiceRunner.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = ServiceRunner.class)
@Designate(ocd = ServicesConfig.class)
public final class ServiceRunner {
    public static final String PID = "net.tern.services";
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRunner.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile LinkRegistry links;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SnmpCounters counters;
    /** The transports' socket dumpers ({@code inet_diag}): tcp_diag, udp_diag. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<InetDiagHandler> diag;

    private final ServiceLoop loop;
    private final List<Service> running = new ArrayList<>();

    @Activate
    public ServiceRunner(@Reference SocketApi api, ServicesConfig config) throws ErrnoException {
        ServiceSettings settings = ServiceSettings.of(config); // a bad configuration fails before any socket
        this.loop = new ServiceLoop(api);
        StatusPage page = new StatusPage(() -> links, () -> counters, () -> diag, loop::sockets);
        for (Service s : settings.services()) {
            try {
                open(loop, s, settings, page);
                running.add(s);
            } catch (ErrnoException e) {
                LOG.error("{}", e.getMessage());
            }
        }
        loop.start("tern-services");
        LOG.info("services running: {} (at most {} connections each)", running, settings.maxConnections());
    }

    /** Opens the sockets of service {@code s} in {@code loop}. */
    static void open(ServiceLoop loop, Service s, ServiceSettings settings, StatusPage page) throws ErrnoException {
        int port = s.port + settings.portOffset();
        int address = settings.address();
        int max = settings.maxConnections();
        int backlog = settings.backlog();
        switch (s) {
            case ECHO -> {
                new TcpListener(loop, s, address, port, max, backlog, EchoStream::new);
                new DatagramService(loop, s, address, port, true);
            }
            case DISCARD -> {
                new TcpListener(loop, s, address, port, max, backlog, DiscardStream::new);
                new DatagramService(loop, s, address, port, false);
            }
            case CHARGEN -> new TcpListener(loop, s, address, port, max, backlog, ChargenStream::new);
            case HTTP -> new TcpListener(loop, s, address, port, max, backlog,
                    (l, listener, fd, peer) -> new HttpStream(l, listener, fd, peer, page));
            default -> throw new IllegalStateException("no such service " + s);
        }
    }

    List<Service> running() {
        return List.copyOf(running);
    }

    @Deactivate
    void deactivate() {
        loop.close();
    }
}
