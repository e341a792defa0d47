package net.tern.launcher;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The parent of an application's class loader when the application uses a bundle of the
 * framework directly (Tern's Netty transport): the packages that bundle exports, and those of
 * the bundles it is wired to under the same names ({@code net.tern.} and {@code io.netty.}),
 * load from the framework's bundles, parent-first, so the application's {@code Bootstrap} and the
 * transport's channels are the same Netty's classes and the transport finds the framework's
 * stack. Every other class comes from the system class loader, or from the application.
 */
final class FrameworkPackagesLoader extends ClassLoader {
    /** The package prefixes shared: Tern's API and transport, and the Netty they are built on. */
    private static final String[] SHARED = {"net.tern.", "io.netty."};

    private final Map<String, Bundle> packages;

    private FrameworkPackagesLoader(Map<String, Bundle> packages) {
        super("tern-framework-packages", ClassLoader.getSystemClassLoader());
        this.packages = packages;
    }

    /**
     * The packages of the active bundle {@code symbolicName} and, transitively, of the bundles
     * its package imports are wired to, limited to the shared prefixes.
     *
     * @throws IllegalStateException when no such bundle is active
     */
    static FrameworkPackagesLoader of(BundleContext context, String symbolicName) {
        Bundle root = null;
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) {
                root = b;
            }
        }
        if (root == null) {
            throw new IllegalStateException("bundle " + symbolicName + " is not active in the framework");
        }
        Map<String, Bundle> packages = new TreeMap<>();
        Set<Bundle> seen = new HashSet<>();
        Deque<Bundle> todo = new ArrayDeque<>();
        todo.add(root);
        while (!todo.isEmpty()) {
            Bundle b = todo.remove();
            BundleWiring wiring = b.adapt(BundleWiring.class);
            if (b.getBundleId() == 0 || wiring == null || !seen.add(b)) {
                continue;
            }
            for (BundleCapability export : wiring.getCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
                String name = (String) export.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE);
                if (shared(name)) {
                    packages.putIfAbsent(name, b);
                }
            }
            for (BundleWire wire : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
                if (shared((String) wire.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE))) {
                    todo.add(wire.getProvider().getBundle());
                }
            }
        }
        return new FrameworkPackagesLoader(packages);
    }

    private static boolean shared(String packageName) {
        for (String prefix : SHARED) {
            if (packageName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The packages shared, each with the bundle it loads from. */
    Map<String, Bundle> packages() {
        return packages;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        int dot = name.lastIndexOf('.');
        Bundle bundle = dot < 0 ? null : packages.get(name.substring(0, dot));
        return bundle != null ? bundle.loadClass(name) : super.loadClass(name, resolve);
    }
}
