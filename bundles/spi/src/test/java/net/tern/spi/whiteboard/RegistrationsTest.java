package net.tern.spi.whiteboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

class RegistrationsTest {
    /** What a fake framework saw: registrations in order, and which were withdrawn, in order. */
    private final List<String> registered = new ArrayList<>();
    private final List<String> withdrawn = new ArrayList<>();
    private final Set<String> takenByFramework = new HashSet<>();
    private final List<Dictionary<?, ?>> properties = new ArrayList<>();

    @Test
    void withdrawsNewestFirstAndForgets() {
        Registrations registrations = new Registrations();
        BundleContext context = context();
        registrations.register(context, Runnable.class, () -> { }, Map.of("name", "first"));
        registrations.register(context, Runnable.class, () -> { }, Map.of("name", "second"));
        registrations.register(context, Runnable.class, () -> { }, Map.of("name", "third"));
        assertThat(registered).containsExactly("first", "second", "third");
        assertThat(registrations.size()).isEqualTo(3);
        assertThat(properties.get(1).get("name")).isEqualTo("second");

        registrations.unregisterAll();

        assertThat(withdrawn).containsExactly("third", "second", "first");
        assertThat(registrations.size()).isZero();
        registrations.unregisterAll();
        assertThat(withdrawn).hasSize(3);
    }

    @Test
    void skipsWhatTheFrameworkTookAlready() {
        Registrations registrations = new Registrations();
        BundleContext context = context();
        registrations.register(context, Runnable.class, () -> { }, Map.of("name", "first"));
        registrations.register(context, Runnable.class, () -> { }, Map.of("name", "second"));
        takenByFramework.add("second");

        registrations.unregisterAll();

        assertThat(withdrawn).containsExactly("first");
        Registrations.unregister(null);
    }

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("registerService")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    Dictionary<?, ?> dictionary = (Dictionary<?, ?>) args[2];
                    properties.add(dictionary);
                    String name = (String) dictionary.get("name");
                    registered.add(name);
                    return registration(name);
                });
    }

    private ServiceRegistration<?> registration(String name) {
        return (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceRegistration.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("unregister")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    if (takenByFramework.contains(name)) {
                        throw new IllegalStateException("already unregistered");
                    }
                    withdrawn.add(name);
                    return null;
                });
    }
}
