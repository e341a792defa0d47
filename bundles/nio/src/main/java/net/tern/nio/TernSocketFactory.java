package net.tern.nio;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import javax.net.SocketFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Blocking {@link Socket}s on Tern for code written against {@code java.net} (JDBC drivers,
 * clients that take a {@link SocketFactory}), registered as a {@code javax.net.SocketFactory}
 * service: each socket is the socket view of a Tern {@code SocketChannel}, with
 * {@code SO_TIMEOUT} and the channel's options.
 */
@Component(service = SocketFactory.class, immediate = true)
public final class TernSocketFactory extends SocketFactory {
    private final SelectorProvider provider;

    @Activate
    public TernSocketFactory(@Reference(name = "provider", target = "(component.name=net.tern.nio.TernSelectorProvider)")
            SelectorProvider provider) {
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    /** An unconnected socket. */
    @Override
    public Socket createSocket() throws IOException {
        return provider.openSocketChannel().socket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(null, new InetSocketAddress(InetAddress.getByName(host), port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(localHost, localPort), new InetSocketAddress(InetAddress.getByName(host), port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
    }

    /** Bound to {@code local} when given, connected to {@code remote}; closed again on failure. */
    private Socket connected(SocketAddress local, SocketAddress remote) throws IOException {
        Socket socket = createSocket();
        try {
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(remote);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
