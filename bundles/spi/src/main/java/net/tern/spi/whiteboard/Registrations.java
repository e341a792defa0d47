package net.tern.spi.whiteboard;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The services a bundle's activator put into the registry, withdrawn in reverse order when it
 * stops, as a module's exit function undoes its init function step by step backwards.
 *
 * <p>Withdrawing tolerates a registration the framework has already taken: when a bundle stops,
 * the framework unregisters its services itself, and the deactivate method may run after that.
 * Not thread-safe: an activator registers and withdraws from its own activate and deactivate
 * calls, which Declarative Services does not run at once.
 */
public final class Registrations {
    private final List<ServiceRegistration<?>> held = new ArrayList<>();

    /** Registers {@code service} under {@code type} with {@code properties} and keeps the registration. */
    public <S> ServiceRegistration<S> register(BundleContext context, Class<S> type, S service,
            Map<String, ?> properties) {
        Dictionary<String, Object> dictionary = new Hashtable<>(properties);
        ServiceRegistration<S> registration = context.registerService(type, service, dictionary);
        held.add(registration);
        return registration;
    }

    /** How many registrations are held. */
    public int size() {
        return held.size();
    }

    /** Withdraws every held registration, newest first, and forgets them. */
    public void unregisterAll() {
        for (int i = held.size() - 1; i >= 0; i--) {
            unregister(held.get(i));
        }
        held.clear();
    }

    /** Withdraws {@code registration}; one the framework already took (or null) is skipped. */
    public static void unregister(ServiceRegistration<?> registration) {
        if (registration == null) {
            return;
        }
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // The framework took it while stopping the bundle.
        }
    }
}
