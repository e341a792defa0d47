package net.tern.udp.testing;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.tern.inet.impl.Inet;
import net.tern.spi.proto.NetProtocol;
import net.tern.spi.proto.ProtoSw;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A {@link BundleContext} that does for a component's {@code registerService} calls what
 * {@code InetInit}'s whiteboards do in OSGi: a {@link ProtoSw} with {@code family=2} joins the
 * AF_INET family ({@code inet_register_protosw}), a {@link NetProtocol} joins the IP protocol
 * table under its {@code protocol} ({@code inet_add_protocol}); unregistering takes them out
 * again. Each registration gets the next service id, as the framework would give it. It
 * records what was registered, for tests of the registering component.
 */
public final class ServiceWiring {
    /** One registration, live or gone. */
    public record Registration(Class<?> type, Object service, Map<String, Object> properties, long serviceId) {
    }

    private final Inet inet;
    private final List<Registration> live = new ArrayList<>();
    private final List<Registration> history = new ArrayList<>();
    private long nextServiceId = 100;

    public ServiceWiring(Inet inet) {
        this.inet = inet;
    }

    /** A context whose only supported call is {@code registerService(Class, S, Dictionary)}. */
    public BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("registerService") && args.length == 3 && args[0] instanceof Class<?> type) {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> dictionary = (Dictionary<String, Object>) args[2];
                        return register(type, args[1], dictionary);
                    }
                    throw new UnsupportedOperationException("BundleContext." + method.getName() + " in a test wiring");
                });
    }

    private synchronized ServiceRegistration<?> register(Class<?> type, Object service, Dictionary<String, Object> d) {
        Map<String, Object> properties = new HashMap<>();
        if (d != null) {
            for (String key : Collections.list(d.keys())) {
                properties.put(key, d.get(key));
            }
        }
        Registration r = new Registration(type, service, Map.copyOf(properties), nextServiceId++);
        if (service instanceof ProtoSw sw && Integer.valueOf(2).equals(properties.get(ProtoSw.FAMILY))) {
            inet.family().addProtoSw(sw, 0, r.serviceId());
        }
        if (service instanceof NetProtocol protocol && properties.get(NetProtocol.PROTOCOL) instanceof Integer number) {
            inet.protocols().add(protocol, number, 0, r.serviceId());
        }
        live.add(r);
        history.add(r);
        return (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceRegistration.class}, (p, m, a) -> {
                    if (m.getName().equals("unregister")) {
                        unregister(r);
                        return null;
                    }
                    throw new UnsupportedOperationException("ServiceRegistration." + m.getName() + " in a test wiring");
                });
    }

    private synchronized void unregister(Registration r) {
        if (!live.remove(r)) {
            throw new IllegalStateException("service " + r.serviceId() + " is unregistered already");
        }
        if (r.service() instanceof ProtoSw sw) {
            inet.family().removeProtoSw(sw, r.serviceId());
        }
        if (r.service() instanceof NetProtocol protocol) {
            inet.protocols().remove(protocol, r.serviceId());
        }
    }

    /** The services registered now, oldest first. */
    public synchronized List<Registration> live() {
        return List.copyOf(live);
    }

    /** Every registration made, oldest first. */
    public synchronized List<Registration> history() {
        return List.copyOf(history);
    }
}
