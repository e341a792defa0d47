package net.tern.udp.testing;

import net.tern.inet.impl.Inet;
import net.tern.inet.testing.RecordingBundleContext;
import net.tern.spi.proto.NetProtocol;
import net.tern.spi.proto.ProtoSw;

/**
 * A recording bundle context that does for a component's {@code registerService} calls what
 * {@code InetInit}'s whiteboards do in OSGi: a {@link ProtoSw} with {@code family=2} joins the
 * AF_INET family ({@code inet_register_protosw}), a {@link NetProtocol} joins the IP protocol
 * table under its {@code protocol} ({@code inet_add_protocol}); unregistering takes them out
 * again. What was registered stays recorded, for tests of the registering component.
 */
public final class ServiceWiring extends RecordingBundleContext {
    private final Inet inet;

    public ServiceWiring(Inet inet) {
        this.inet = inet;
    }

    @Override
    protected void registering(Registration r) {
        if (r.service() instanceof ProtoSw sw && Integer.valueOf(2).equals(r.properties().get(ProtoSw.FAMILY))) {
            inet.family().addProtoSw(sw, 0, r.serviceId());
        }
        if (r.service() instanceof NetProtocol protocol && r.properties().get(NetProtocol.PROTOCOL) instanceof Integer number) {
            inet.protocols().add(protocol, number, 0, r.serviceId());
        }
    }

    @Override
    protected void unregistered(Registration r) {
        if (r.service() instanceof ProtoSw sw) {
            inet.family().removeProtoSw(sw, r.serviceId());
        }
        if (r.service() instanceof NetProtocol protocol) {
            inet.protocols().remove(protocol, r.serviceId());
        }
    }
}
