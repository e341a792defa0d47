package net.tern.nio;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import net.tern.api.socket.SocketApi;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Tern's {@link SelectorProvider}: socket, server-socket and datagram channels and selectors
 * over the socket API, registered as a {@code SelectorProvider} service. A bundle takes the
 * service and opens channels from it ({@code provider.openSocketChannel()}), or hands it to a
 * framework that takes a provider (Netty's {@code NioIoHandler.newFactory(provider)}). Without
 * OSGi: {@code new TernSelectorProvider(socketApi)}.
 *
 * <p>Channels opened for {@link StandardProtocolFamily#INET6} are AF_INET6 and dual-stack (IPv4
 * peers as IPv4-mapped addresses) where the stack has the AF_INET6 family. Channels opened
 * without a family are AF_INET for now (the JDK's are AF_INET6 where IPv6 is available): the
 * stack's socket diagnostics do not list AF_INET6 sockets yet, and TCP leaving aborts its
 * AF_INET6 connections where it drains IPv4's. An AF_INET channel takes the IPv6 wildcard as
 * 0.0.0.0 and IPv4-mapped addresses as IPv4 (so code that binds
 * {@code new InetSocketAddress(port)} works). UNIX-domain channels are unsupported. {@link #openPipe()} is the platform's pipe (its channels register with the
 * platform's selectors, not Tern's). There is no inherited channel.
 */
@Component(service = SelectorProvider.class, immediate = true)
public final class TernSelectorProvider extends SelectorProvider {
    private final SocketApi api;

    @Activate
    public TernSelectorProvider(@Reference(name = "sockets") SocketApi api) {
        this.api = Objects.requireNonNull(api, "api");
    }

    /** The socket API the channels run over. */
    public SocketApi socketApi() {
        return api;
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return new TernDatagramChannel(this, api, true);
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        return new TernDatagramChannel(this, api, ipv4Only(family));
    }

    @Override
    public Pipe openPipe() throws IOException {
        SelectorProvider platform = SelectorProvider.provider();
        if (platform instanceof TernSelectorProvider) {
            throw new UnsupportedOperationException("Tern's provider is the system default: there is no platform pipe");
        }
        return platform.openPipe();
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return new TernSelector(this, api);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return new TernServerSocketChannel(this, api, true);
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return new TernSocketChannel(this, api, true);
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        return new TernSocketChannel(this, api, ipv4Only(family));
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        return new TernServerSocketChannel(this, api, ipv4Only(family));
    }

    /**
     * INET gives an AF_INET channel, INET6 an AF_INET6 one (AF_INET when the stack has no
     * IPv6); UNIX and others are refused as the JDK refuses an unknown family.
     */
    private static boolean ipv4Only(ProtocolFamily family) {
        Objects.requireNonNull(family, "'family' is null");
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new UnsupportedOperationException("Protocol family not supported");
        }
        return family == StandardProtocolFamily.INET;
    }

    @Override
    public String toString() {
        return "TernSelectorProvider[" + api + "]";
    }
}
