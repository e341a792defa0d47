package net.tern.netty.internal;

import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.util.concurrent.ThreadAwareExecutor;
import net.tern.api.socket.SocketApi;
import net.tern.netty.TernEventLoopGroup;
import net.tern.netty.TernIoHandler;
import net.tern.netty.TernTransport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The transport on the stack whose {@link SocketApi} service is present: offered as
 * {@link TernTransport} and as an {@link IoHandlerFactory} ({@code transport=tern}). It goes when
 * the socket API goes; event loops made from it then see the socket layer's withdrawal errors.
 */
@Component(service = {TernTransport.class, IoHandlerFactory.class}, property = "transport=tern")
public final class TernNettyTransport implements TernTransport, IoHandlerFactory {
    private final SocketApi api;
    private final IoHandlerFactory handlers;

    @Activate
    public TernNettyTransport(@Reference(name = "sockets") SocketApi api) {
        this.api = api;
        this.handlers = TernIoHandler.newFactory(api);
    }

    @Override
    public SocketApi socketApi() {
        return api;
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
        return handlers;
    }

    @Override
    public TernEventLoopGroup newEventLoopGroup(int threads) {
        return new TernEventLoopGroup(threads, api);
    }

    @Override
    public IoHandler newHandler(ThreadAwareExecutor executor) {
        return handlers.newHandler(executor);
    }
}
