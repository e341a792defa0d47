package net.tern.launcher;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * The system-wide {@link SelectorProvider} of {@code bin/tern --app}: the JDK instantiates
 * it at the first {@link SelectorProvider#provider()} call, because the launcher names it in
 * the system property {@value #PROPERTY} before anything else runs. Until the stack is up it
 * answers with the JDK's own provider (the kernel), so whatever in the framework opens a
 * channel or a pipe while it boots keeps working; once {@link #useTern} has handed it the
 * provider the OSGi service registry gives, every socket, server-socket and datagram channel
 * and every selector it opens is Tern's. Pipes, UNIX-domain channels and the inherited
 * channel stay the JDK's: Tern has neither pipes nor UNIX-domain sockets.
 */
public final class AppSelectorProvider extends SelectorProvider {
    /** The system property the JDK reads for the class of the system-wide provider. */
    static final String PROPERTY = "java.nio.channels.spi.SelectorProvider";

    private static volatile SelectorProvider tern;
    private final SelectorProvider platform;

    /** Called by the JDK, once, through {@code SelectorProvider.provider()}. */
    public AppSelectorProvider() {
        this.platform = platformProvider();
    }

    /**
     * The JDK's own provider, which {@code SelectorProvider.provider()} no longer answers once
     * the property names this class. {@code sun.nio.ch} is exported to the launcher by its
     * manifest ({@code Add-Exports}).
     */
    static SelectorProvider platformProvider() {
        try {
            return (SelectorProvider) Class.forName("sun.nio.ch.DefaultSelectorProvider").getMethod("get").invoke(null);
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("cannot reach the JDK's own SelectorProvider (sun.nio.ch.DefaultSelectorProvider"
                    + ".get(), exported to the launcher by its manifest): " + e, e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("the JDK's own SelectorProvider failed: " + e.getCause(), e.getCause());
        }
    }

    /** From now on channels and selectors are {@code provider}'s; {@code null} returns to the JDK's. */
    static void useTern(SelectorProvider provider) {
        tern = provider;
    }

    /** Whether {@code SelectorProvider.provider()} is this class (nothing chose the JDK's before the launcher could). */
    static boolean isSystemProvider() {
        return SelectorProvider.provider() instanceof AppSelectorProvider;
    }

    private SelectorProvider current() {
        SelectorProvider t = tern;
        return t != null ? t : platform;
    }

    private SelectorProvider forFamily(ProtocolFamily family) {
        return family == StandardProtocolFamily.UNIX ? platform : current();
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return current().openDatagramChannel();
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        return forFamily(family).openDatagramChannel(family);
    }

    @Override
    public Pipe openPipe() throws IOException {
        return platform.openPipe();
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return current().openSelector();
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return current().openServerSocketChannel();
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return current().openSocketChannel();
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        return forFamily(family).openSocketChannel(family);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        return forFamily(family).openServerSocketChannel(family);
    }

    @Override
    public Channel inheritedChannel() throws IOException {
        return platform.inheritedChannel();
    }

    @Override
    public String toString() {
        SelectorProvider t = tern;
        return "AppSelectorProvider[" + (t != null ? t : "the JDK's " + platform) + "]";
    }
}
