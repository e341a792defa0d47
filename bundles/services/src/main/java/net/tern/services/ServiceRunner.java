package net.tern.services;

import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
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
 * <p>The HTTP status page also reads the links and the sockets, through netlink sockets, and
 * the protocol counters ({@code /proc/net/snmp} and {@code /proc/net/netstat} through
 * {@link SocketApi#procRead}); all are optional and dynamic, so the page
 * shows what is there. A service that cannot start (its port
 * taken) is logged and left out; the others run. A service whose protocol is not registered
 * yet (configured from {@code etc/} as the stack starts) or leaves (its bundle updated) waits
 * for it and listens once it is there ({@link ServiceSet}). A new configuration restarts the
 * component with the new set. The component registers itself (under its own class, in a
 * private package) once its services are opened (those whose protocol is there listen), so
 * the launcher can wait for that before it reports the stack ready.
 */
@Component(configurationPid = ServiceRunner.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = ServiceRunner.class)
@Designate(ocd = ServicesConfig.class)
public final class ServiceRunner {
    public static final String PID = "net.tern.services";
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRunner.class);

    private final ServiceLoop loop;
    private final ServiceSet set;

    @Activate
    public ServiceRunner(@Reference SocketApi api, ServicesConfig config) throws ErrnoException {
        ServiceSettings settings = ServiceSettings.of(config); // a bad configuration fails before any socket
        this.loop = new ServiceLoop(api);
        StatusPage page = new StatusPage(api, loop::sockets);
        this.set = new ServiceSet(loop, settings, page);
        set.openAll();
        loop.start("tern-services");
        LOG.info("services running: {}, over IPv6 too: {} (at most {} connections each){}", set.running(),
                set.ipv6Open(), settings.maxConnections(),
                set.waiting().isEmpty() ? "" : "; waiting for their protocol: " + set.waiting());
    }

    List<Service> running() {
        return set.running();
    }

    @Deactivate
    void deactivate() {
        loop.close();
    }
}
