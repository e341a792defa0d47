package net.tern.netty;

import net.tern.api.socket.SocketApi;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;

/**
 * The stack of the OSGi framework this transport was loaded in: its {@link SocketApi} service,
 * held until {@link #release}. It is what {@link TernEventLoopGroup#TernEventLoopGroup()} runs
 * on when nobody hands it a stack: a bundle of the framework, or an application that
 * {@code bin/tern --app} runs with the framework's transport (the application's class loader
 * then takes this package from this bundle, so {@link FrameworkUtil} finds it).
 */
final class FrameworkStack {
    private final BundleContext context;
    private final ServiceReference<SocketApi> reference;
    private final SocketApi api;

    private FrameworkStack(BundleContext context, ServiceReference<SocketApi> reference, SocketApi api) {
        this.context = context;
        this.reference = reference;
        this.api = api;
    }

    /** The framework's socket API (the highest ranked, when there are several), held for the caller. */
    static FrameworkStack acquire() {
        Bundle bundle;
        try {
            bundle = FrameworkUtil.getBundle(FrameworkStack.class);
        } catch (NoClassDefFoundError noOsgi) {
            bundle = null;
        }
        if (bundle == null) {
            throw new IllegalStateException("no Tern stack to run on: the Netty transport was not loaded by an OSGi"
                    + " framework (bin/tern, Felix, Karaf); outside one, pass the stack's SocketApi"
                    + " (new TernEventLoopGroup(threads, socketApi))");
        }
        BundleContext context = bundle.getBundleContext();
        ServiceReference<SocketApi> reference = context == null ? null : context.getServiceReference(SocketApi.class);
        SocketApi api = reference == null ? null : context.getService(reference);
        if (api == null) {
            throw new IllegalStateException("no Tern stack to run on: the framework has no " + SocketApi.class.getName()
                    + " service (is the socket bundle active?)");
        }
        return new FrameworkStack(context, reference, api);
    }

    SocketApi socketApi() {
        return api;
    }

    /** Gives the service back; the stack itself goes on. */
    void release() {
        try {
            context.ungetService(reference);
        } catch (IllegalStateException frameworkStopped) {
            // The framework stopped first and took its services back itself.
        }
    }
}
