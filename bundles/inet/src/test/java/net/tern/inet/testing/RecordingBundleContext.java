package net.tern.inet.testing;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A {@link BundleContext} for a component that registers services itself (as
 * {@code InetInit} and {@code UdpInit} do), without a framework. Each registration gets the
 * next service id, as the framework would give it, and is recorded; unregistering a
 * registration twice throws {@link IllegalStateException}, as the framework does. Subclasses
 * act on registrations as they come and go ({@link #registering}, {@link #unregistered}),
 * for instance to feed them into whiteboards.
 */
public class RecordingBundleContext {
    /** One registration, live or gone. */
    public record Registration(Class<?> type, Object service, Map<String, Object> properties, long serviceId) {
    }

    private final List<Registration> live = new ArrayList<>();
    private final List<Registration> history = new ArrayList<>();
    private final List<Registration> unregisterCalls = new ArrayList<>();
    private long nextServiceId = 100;

    /** A context whose only supported call is {@code registerService(Class, S, Dictionary)}. */
    public final BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("registerService") && args.length == 3 && args[0] instanceof Class<?> type) {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> dictionary = (Dictionary<String, Object>) args[2];
                        return register(type, args[1], dictionary);
                    }
                    throw new UnsupportedOperationException("BundleContext." + method.getName() + " in a test context");
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
        registering(r);
        live.add(r);
        history.add(r);
        return (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceRegistration.class}, (p, m, a) -> {
                    if (m.getName().equals("unregister")) {
                        unregister(r);
                        return null;
                    }
                    throw new UnsupportedOperationException("ServiceRegistration." + m.getName() + " in a test context");
                });
    }

    private synchronized void unregister(Registration r) {
        unregisterCalls.add(r);
        if (!live.remove(r)) {
            throw new IllegalStateException("service " + r.serviceId() + " is unregistered already");
        }
        unregistered(r);
    }

    /** Called as {@code r} is registered, before it is recorded; throwing refuses it. */
    protected void registering(Registration r) {
    }

    /** Called after {@code r} is unregistered. */
    protected void unregistered(Registration r) {
    }

    /** The services registered now, oldest first. */
    public final synchronized List<Registration> live() {
        return List.copyOf(live);
    }

    /** Every registration made, oldest first. */
    public final synchronized List<Registration> history() {
        return List.copyOf(history);
    }

    /** Every {@code unregister()} call in the order made, a repeated (refused) one included. */
    public final synchronized List<Registration> unregisterCalls() {
        return List.copyOf(unregisterCalls);
    }
}
