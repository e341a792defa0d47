package net.tern.launcher;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Applies {@code --tun}, {@code --services}, {@code --gateway} and {@code --impair} to a
 * started stack. Devices and services are configurations given to Config Admin (factory PID
 * {@value #TUN_PID}, PID {@value #SERVICES_PID}), as an administrator would give them; the
 * default route and the impairment are the shell's commands ({@code net:ip route add},
 * {@code net:impair}). Then it waits, bounded, until the TUN link is up and the services
 * run, so what follows (commands, a peer's traffic) meets a ready stack.
 *
 * <p>The launcher lives outside the framework and shares none of its API packages, so it
 * calls Config Admin and the link registry through the interfaces their bundles load, as
 * {@link CommandRunner} does for Gogo.
 */
final class StackSetup {
    static final String TUN_PID = "net.tern.link.tun";
    static final String SERVICES_PID = "net.tern.services";
    private static final String CONFIG_ADMIN = "org.osgi.service.cm.ConfigurationAdmin";
    private static final String CONFIGURATION = "org.osgi.service.cm.Configuration";
    private static final String INET6_PID = "net.tern.inet6";
    private static final String LINK_REGISTRY = "net.tern.spi.net.LinkRegistry";
    private static final String LINK = "net.tern.spi.net.Link";
    private static final String SERVICE_RUNNER = "net.tern.services.ServiceRunner";

    /** A setup step that failed, with the message for the user. */
    static final class SetupException extends Exception {
        private static final long serialVersionUID = 1L;

        SetupException(String message) {
            super(message);
        }
    }

    private final BundleContext context;
    private final LauncherOptions options;
    private final long deadline;

    StackSetup(BundleContext context, LauncherOptions options) {
        this.context = context;
        this.options = options;
        this.deadline = System.nanoTime() + options.waitSeconds * 1_000_000_000L;
    }

    /** The TUN device's configuration properties. */
    static Dictionary<String, Object> tunProperties(LauncherOptions o) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("name", o.tun);
        p.put("addresses", o.addresses.toArray(new String[0]));
        if (o.mtu != 0) {
            p.put("mtu", o.mtu);
        }
        if (o.tunDevice != null) {
            p.put("devicePath", o.tunDevice);
        }
        if (o.tunOffload != null) {
            p.put("offload", o.tunOffload);
        }
        if (o.tunQueues != 0) {
            p.put("queues", o.tunQueues);
        }
        return p;
    }

    /** IPv6's configuration properties: the TUN's IPv6 addresses, {@code NAME ADDR/N} each. */
    static Dictionary<String, Object> inet6Properties(LauncherOptions o) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("addresses", o.addresses6.stream().map(a -> o.tun + " " + a).toArray(String[]::new));
        return p;
    }

    /** The services' configuration properties. */
    static Dictionary<String, Object> servicesProperties(LauncherOptions o) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("services", o.services.toArray(new String[0]));
        if (o.maxConnections != 0) {
            p.put("maxConnections", o.maxConnections);
        }
        return p;
    }

    /** The shell commands that finish the setup, in order. */
    static List<String> commands(LauncherOptions o) {
        List<String> commands = new ArrayList<>();
        if (o.gateway != null) {
            commands.add("net:ip route add default via " + o.gateway + " dev " + o.tun);
        }
        if (o.impair != null) {
            commands.add("net:impair " + o.tun + " " + o.impair);
        }
        return commands;
    }

    /** Configures, waits for readiness; a {@link SetupException} says what failed and why. */
    void apply() throws SetupException, InterruptedException {
        if (options.tun == null && options.services.isEmpty()) {
            return;
        }
        Object configAdmin = service(CONFIG_ADMIN, null, "Config Admin");
        if (options.tun != null) {
            if (!options.addresses6.isEmpty()) {
                configure(configAdmin, false, INET6_PID, inet6Properties(options));
            }
            configure(configAdmin, true, TUN_PID, tunProperties(options));
            awaitLinkUp();
        }
        if (!options.services.isEmpty()) {
            configure(configAdmin, false, SERVICES_PID, servicesProperties(options));
            service(SERVICE_RUNNER, null, "the services (" + String.join(",", options.services) + ")");
        }
    }

    private void configure(Object configAdmin, boolean factory, String pid, Dictionary<String, Object> properties)
            throws SetupException {
        try {
            Class<?> adminType = configAdmin.getClass().getClassLoader().loadClass(CONFIG_ADMIN);
            Class<?> configType = configAdmin.getClass().getClassLoader().loadClass(CONFIGURATION);
            // Location "?": the configuration binds to whichever bundle's component asks for it.
            Method get = factory ? adminType.getMethod("createFactoryConfiguration", String.class, String.class)
                    : adminType.getMethod("getConfiguration", String.class, String.class);
            Object configuration = get.invoke(configAdmin, pid, "?");
            configType.getMethod("update", Dictionary.class).invoke(configuration, properties);
        } catch (InvocationTargetException e) {
            throw new SetupException("cannot configure " + pid + ": " + e.getCause().getMessage());
        } catch (ReflectiveOperationException e) {
            throw new SetupException("cannot reach Config Admin: " + e);
        }
    }

    /**
     * Waits until the TUN link is registered and up. A link that the core registered but
     * could not open stays down; bringing it up once more gives the driver's error (no
     * permission, no {@code /dev/net/tun}, busy), which becomes the message.
     */
    private void awaitLinkUp() throws SetupException, InterruptedException {
        Object registry = service(LINK_REGISTRY, null, "the link registry");
        try {
            Class<?> registryType = registry.getClass().getClassLoader().loadClass(LINK_REGISTRY);
            Class<?> linkType = registry.getClass().getClassLoader().loadClass(LINK);
            Method byName = registryType.getMethod("byName", String.class);
            Method isUp = linkType.getMethod("isUp");
            Method setUp = linkType.getMethod("setUp", boolean.class);
            while (true) {
                java.util.Optional<?> link = (java.util.Optional<?>) byName.invoke(registry, options.tun);
                if (link.isPresent()) {
                    if ((Boolean) isUp.invoke(link.get())) {
                        return;
                    }
                    try {
                        setUp.invoke(link.get(), true);
                        return;
                    } catch (InvocationTargetException e) {
                        throw new SetupException("cannot open TUN " + options.tun + ": " + e.getCause().getMessage());
                    }
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new SetupException("TUN " + options.tun + " did not register within " + options.waitSeconds
                            + " s; is the link-tun bundle running? (see the log)");
                }
                Thread.sleep(20);
            }
        } catch (ReflectiveOperationException e) {
            throw new SetupException("cannot reach the link registry: " + e);
        }
    }

    private Object service(String type, String filter, String what) throws SetupException, InterruptedException {
        String f = "(objectClass=" + type + ")";
        if (filter != null) {
            f = "(&" + f + filter + ")";
        }
        while (true) {
            try {
                ServiceReference<?>[] refs = context.getServiceReferences((String) null, f);
                if (refs != null && refs.length > 0) {
                    return context.getService(refs[0]);
                }
            } catch (InvalidSyntaxException e) {
                throw new SetupException("bad filter " + f);
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new SetupException(what + " did not start within " + options.waitSeconds + " s (see the log)");
            }
            Thread.sleep(20);
        }
    }
}
