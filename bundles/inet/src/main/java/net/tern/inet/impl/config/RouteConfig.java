package net.tern.inet.impl.config;

import java.util.concurrent.RejectedExecutionException;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.route.Route;
import net.tern.inet.route.RouteRequest;
import net.tern.inet.route.RouteTable;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkEvent;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.NetworkThread;
import net.tern.wire.Ipv4Address;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured route (factory PID {@value #PID}): {@code ip route add DESTINATION [via
 * GATEWAY] [dev DEVICE] [metric N]} into the main table, kept there. Routes through a link go
 * when the link goes down or leaves (the FIB's rule, as Linux's); this component adds its
 * route again whenever a link comes up or an address changes and the route can be added (its
 * device is up, its gateway on a connected network), as a network manager restores its
 * routes. A change of the configuration replaces the route; deleting it deletes the route.
 *
 * <p>Threading: link events arrive under the device registry's lock and the attempt is made
 * on the network thread, after the FIB has heard the event; configuration calls apply
 * directly. Changes are serialised by this object's monitor.
 */
@Component(service = LinkListener.class, configurationPid = RouteConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = RouteConfig.Config.class, factory = true)
public final class RouteConfig implements LinkListener {
    public static final String PID = "net.tern.route";

    private static final Logger LOG = LoggerFactory.getLogger(RouteConfig.class);

    @ObjectClassDefinition(name = "Tern route", description = "A route of the main table, kept while it can be.")
    public @interface Config {
        @AttributeDefinition(description = "The destination: A.B.C.D/N, A.B.C.D (a /32) or default.")
        String destination() default "default";

        @AttributeDefinition(description = "The next hop (via), or empty.", required = false)
        String gateway() default "";

        @AttributeDefinition(description = "The output device (dev), or empty.", required = false)
        String device() default "";

        @AttributeDefinition(description = "The metric; -1 for none (0).", required = false)
        int metric() default -1;
    }

    /** {@code ip route add} as this configuration says it; throws IllegalArgumentException naming a bad value. */
    static RouteRequest request(Config config) {
        RouteRequest request;
        String destination = config.destination() == null ? "" : config.destination().trim();
        try {
            request = RouteRequest.parsePrefix(destination);
            if (request.prefixLength() < 0 || request.prefixLength() > 32) {
                throw new IllegalArgumentException("prefix length must be 0..32");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad destination \"" + destination + "\": " + e.getMessage());
        }
        String gateway = config.gateway() == null ? "" : config.gateway().trim();
        if (!gateway.isEmpty()) {
            try {
                request = request.via(Ipv4Address.parse(gateway));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad gateway \"" + gateway + "\": " + e.getMessage());
            }
        }
        String device = config.device() == null ? "" : config.device().trim();
        if (!device.isEmpty()) {
            request = request.dev(device);
        }
        if (config.metric() < -1) {
            throw new IllegalArgumentException("bad metric " + config.metric());
        }
        if (gateway.isEmpty() && device.isEmpty()) {
            throw new IllegalArgumentException("a route needs a gateway or a device");
        }
        return request.metric(config.metric());
    }

    private final RouteTable routes;
    private final NetworkThread networkThread;
    // Guarded by this.
    private RouteRequest request;
    /** The route this configuration added, while it may still be in the table. */
    private Route installed;
    /** The last refusal logged, so a route refused on every link event is logged once. */
    private String lastRefusal;
    private boolean closed;

    @Activate
    public RouteConfig(@Reference(name = "routes") RouteTable routes,
            @Reference(name = "networkThread") NetworkThread networkThread, Config config) {
        this.routes = routes;
        this.networkThread = networkThread;
        try {
            this.request = request(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{} configuration not applied: {}", PID, e.getMessage());
        }
        ensure();
    }

    @Modified
    void modified(Config config) {
        RouteRequest next;
        try {
            next = request(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{} configuration update not applied, the route before stays: {}", PID, e.getMessage());
            return;
        }
        synchronized (this) {
            if (next.equals(request)) {
                return;
            }
            remove();
            request = next;
        }
        ensure();
    }

    @Deactivate
    synchronized void deactivate() {
        closed = true;
        remove();
    }

    @Override
    public void linkChanged(Link link, LinkEvent event) {
        if (event != LinkEvent.UP && event != LinkEvent.CHANGE_ADDR) {
            return;
        }
        try {
            networkThread.execute(this::ensure);
        } catch (RejectedExecutionException stopping) {
            // The stack is stopping.
        }
    }

    /** Adds the route unless it is there, or cannot be yet (device down or gone, gateway unreachable). */
    synchronized void ensure() {
        if (closed || request == null) {
            return;
        }
        try {
            installed = routes.add(request);
            lastRefusal = null;
            LOG.info("{}: ip route add {}", PID, request);
        } catch (ErrnoException e) {
            switch (e.errno()) {
                case EEXIST -> LOG.debug("{}: {} is there", PID, request);
                case ENODEV, ENETDOWN, ENETUNREACH ->
                        LOG.debug("{}: {} waits for its link: {}", PID, request, e.getMessage());
                default -> {
                    if (!e.getMessage().equals(lastRefusal)) {
                        lastRefusal = e.getMessage();
                        LOG.error("{}: ip route add {} refused: {}", PID, request, e.getMessage());
                    }
                }
            }
        }
    }

    /**
     * Called with the monitor held: deletes the route this configuration added, if it is
     * still there (never a route someone else made to the same prefix).
     */
    private void remove() {
        Route route = installed;
        installed = null;
        if (request == null || route == null || !routes.routes(Route.Table.MAIN).contains(route)) {
            return;
        }
        try {
            routes.delete(request);
            LOG.info("{}: ip route del {}", PID, request);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ESRCH) {
                LOG.error("{}: ip route del {} refused: {}", PID, request, e.getMessage());
            }
        }
    }

    /** The route asked for (null when the configuration did not parse). */
    synchronized RouteRequest request() {
        return request;
    }
}
