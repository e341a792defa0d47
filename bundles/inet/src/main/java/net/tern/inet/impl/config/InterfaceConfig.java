package net.tern.inet.impl.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import net.tern.api.socket.ErrnoException;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Impairment;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkEvent;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.net.NetworkThread;
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
 * One interface's configuration (factory PID {@value #PID}, one configuration per device): its
 * addresses ({@code ip addr add}), its MTU ({@code ip link set mtu}) and its impairment
 * ({@code tc qdisc replace ... netem}), applied to the device named {@code device} whenever it
 * is there: at once if it is registered, and again each time it registers (a TUN device
 * re-created, a driver bundle updated), as a Linux network manager configures an interface
 * that appears.
 *
 * <p>IPv4 hosts it because addresses are IPv4's (Linux's {@code devinet}); the MTU and the
 * impairment are the device's, set through the {@link Link} the core provides. Creating the
 * device is the driver's business (the TUN driver's factory PID {@code net.tern.link.tun}).
 *
 * <p>A change of the configuration applies at once: addresses it no longer lists (and that
 * it added) are removed, new ones added, the MTU and impairment set. Deleting it removes the
 * addresses it added and takes its impairment away; the MTU stays. Values that do not parse
 * are logged and the configuration is not applied (the one before stays, on an update).
 *
 * <p>Threading: link events arrive under the device registry's lock; the work is handed to
 * the network thread, so listeners hear of this configuration's changes after the event
 * that caused them. Configuration calls (activate, modified, deactivate) apply directly.
 * Applying is serialised by this object's monitor, taken before the registry's lock, never
 * after it.
 */
@Component(service = LinkListener.class, configurationPid = InterfaceConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = InterfaceConfig.Config.class, factory = true)
public final class InterfaceConfig implements LinkListener {
    public static final String PID = "net.tern.interface";

    private static final Logger LOG = LoggerFactory.getLogger(InterfaceConfig.class);

    @ObjectClassDefinition(name = "Tern interface",
            description = "Addresses, MTU and impairment of one device, applied whenever it is present.")
    public @interface Config {
        @AttributeDefinition(description = "The device's name: lo, tun0, ...")
        String device();

        @AttributeDefinition(description = "IPv4 addresses as A.B.C.D/N, several separated by commas.", required = false)
        String[] addresses() default {};

        @AttributeDefinition(description = "MTU to set; 0 leaves the device's own.", required = false)
        int mtu() default 0;

        @AttributeDefinition(description = "Impairment in netem's words: loss 2% duplicate 1% reorder 5% delay 10ms seed 1; "
                + "empty or off for none.", required = false)
        String impair() default "";
    }

    /** What a configuration asks, parsed and checked. */
    record Spec(String device, List<IfAddress> addresses, int mtu, Impairment impairment) {
        static Spec of(Config config) {
            String device = config.device() == null ? "" : config.device().trim();
            if (device.isEmpty()) {
                throw new IllegalArgumentException("no device given");
            }
            List<IfAddress> addresses = new ArrayList<>();
            for (String word : ConfigValues.words(config.addresses())) {
                try {
                    addresses.add(IfAddress.parse(word));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("bad address \"" + word + "\": " + e.getMessage());
                }
            }
            if (config.mtu() < 0) {
                throw new IllegalArgumentException("bad mtu " + config.mtu());
            }
            Impairment impairment;
            try {
                impairment = Impairment.parse(config.impair());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad impair: " + e.getMessage());
            }
            return new Spec(device, List.copyOf(addresses), config.mtu(), impairment);
        }
    }

    private final LinkRegistry links;
    private final NetworkThread networkThread;
    /** Written under this object's monitor; read without it by {@link #linkChanged}. */
    private volatile Spec spec;
    // Guarded by this.
    /** The addresses this configuration added and has not removed. */
    private final Set<IfAddress> added = new LinkedHashSet<>();
    private boolean impaired;
    private boolean closed;

    @Activate
    public InterfaceConfig(@Reference(name = "links") LinkRegistry links,
            @Reference(name = "networkThread") NetworkThread networkThread, Config config) {
        this.links = links;
        this.networkThread = networkThread;
        try {
            this.spec = Spec.of(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{} configuration not applied: {}", PID, e.getMessage());
        }
        // The device registry replays REGISTER for the links there once this is a service;
        // apply now too, for use without OSGi (applying twice changes nothing).
        apply();
    }

    /** The configuration changed: apply the new one (what it no longer lists goes). */
    @Modified
    void modified(Config config) {
        Spec next;
        try {
            next = Spec.of(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{} configuration update not applied, the one before stays: {}", PID, e.getMessage());
            return;
        }
        synchronized (this) {
            Spec before = spec;
            if (before != null && !before.device().equals(next.device())) {
                undo(before.device());
            }
            spec = next;
        }
        apply();
    }

    /** The configuration was deleted (or IPv4 stops): remove what it added. */
    @Deactivate
    synchronized void deactivate() {
        closed = true;
        if (spec != null) {
            undo(spec.device());
        }
    }

    @Override
    public void linkChanged(Link link, LinkEvent event) {
        if (event != LinkEvent.REGISTER) {
            return;
        }
        // No monitor here: this runs under the registry's lock, and apply() takes the monitor
        // before that lock; taking them the other way round here could deadlock.
        Spec current = spec;
        if (current == null || !current.device().equals(link.name())) {
            return;
        }
        // A device that registers again starts bare: apply finds what is missing and adds it.
        try {
            networkThread.execute(this::apply);
        } catch (RejectedExecutionException stopping) {
            // The stack is stopping; there is nothing left to configure.
        }
    }

    /** Applies the configuration to its device, if the device is there. */
    synchronized void apply() {
        if (closed || spec == null) {
            return;
        }
        Optional<Link> found = links.byName(spec.device());
        if (found.isEmpty()) {
            LOG.debug("{}: {} is not there yet; applied when it registers", PID, spec.device());
            return;
        }
        Link link = found.get();
        if (spec.mtu() > 0 && link.mtu() != spec.mtu()) {
            attempt(() -> link.setMtu(spec.mtu()), "ip link set " + link.name() + " mtu " + spec.mtu());
        }
        List<IfAddress> present = link.addresses();
        for (IfAddress gone : new ArrayList<>(added)) {
            if (!spec.addresses().contains(gone)) {
                added.remove(gone);
                if (present.contains(gone)) {
                    attempt(() -> link.removeAddress(gone), "ip addr del " + gone + " dev " + link.name());
                }
            }
        }
        for (IfAddress wanted : spec.addresses()) {
            if (!present.contains(wanted)
                    && attempt(() -> link.addAddress(wanted), "ip addr add " + wanted + " dev " + link.name())) {
                added.add(wanted);
            }
        }
        if (!spec.impairment().isNone() || impaired) {
            if (attempt(() -> link.setImpairment(spec.impairment()), "net:impair " + link.name() + " "
                    + spec.impairment())) {
                impaired = !spec.impairment().isNone();
            }
        }
    }

    private void undo(String device) {
        Optional<Link> found = links.byName(device);
        if (found.isPresent()) {
            Link link = found.get();
            List<IfAddress> present = link.addresses();
            for (IfAddress a : added) {
                if (present.contains(a)) {
                    attempt(() -> link.removeAddress(a), "ip addr del " + a + " dev " + device);
                }
            }
            if (impaired) {
                attempt(() -> link.setImpairment(Impairment.NONE), "net:impair " + device + " off");
            }
        }
        added.clear();
        impaired = false;
    }

    /** A change the link may refuse: logged with the command it stands for. */
    private static boolean attempt(ConfigValues.LinkChange change, String command) {
        try {
            change.run();
            return true;
        } catch (ErrnoException e) {
            LOG.error("{}: {} refused: {}", PID, command, e.getMessage());
            return false;
        }
    }

    /** The configuration in force (null when it did not parse), for tests and diagnostics. */
    synchronized Spec spec() {
        return spec;
    }
}
