package net.tern.nio;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import javax.net.ServerSocketFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Blocking {@link ServerSocket}s on Tern for code written against {@code java.net},
 * registered as a {@code javax.net.ServerSocketFactory} service: each is the socket view of a
 * Tern {@code ServerSocketChannel}; what it accepts are Tern sockets.
 */
@Component(service = ServerSocketFactory.class, immediate = true)
public final class TernServerSocketFactory extends ServerSocketFactory {
    /** {@code java.net.ServerSocket}'s backlog when none is given. */
    private static final int DEFAULT_BACKLOG = 50;

    private final SelectorProvider provider;

    @Activate
    public TernServerSocketFactory(@Reference(name = "provider", target = "(component.name=net.tern.nio.TernSelectorProvider)")
            SelectorProvider provider) {
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    /** An unbound server socket. */
    @Override
    public ServerSocket createServerSocket() throws IOException {
        return provider.openServerSocketChannel().socket();
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return createServerSocket(port, DEFAULT_BACKLOG, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return createServerSocket(port, backlog, null);
    }

    /** Bound to {@code ifAddress} (all addresses when null) and {@code port}; a backlog below 1 is the default's. */
    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
        ServerSocket socket = createServerSocket();
        try {
            socket.bind(new InetSocketAddress(ifAddress, port), backlog < 1 ? DEFAULT_BACKLOG : backlog);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
