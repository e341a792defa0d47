package net.tern.netty;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import net.tern.api.socket.SocketApi;

/**
 * Netty event loops over one Tern stack: a {@link MultiThreadIoEventLoopGroup} whose loops each
 * wait in an epoll set of {@code api} ({@link TernIoHandler}). Channels of the Tern transport
 * ({@link TernSocketChannel}, {@link TernServerSocketChannel}, {@link TernDatagramChannel})
 * registered with it open their sockets on that stack.
 *
 * <pre>{@code
 * EventLoopGroup group = new TernEventLoopGroup(socketApi);
 * new ServerBootstrap().group(group).channel(TernServerSocketChannel.class) ...
 * }</pre>
 */
public class TernEventLoopGroup extends MultiThreadIoEventLoopGroup {
    private final SocketApi api;

    /**
     * Netty's default number of loops on the stack of the OSGi framework that loaded this
     * class: a bundle's, or that of {@code bin/tern} for an application it runs with
     * {@code --app} and the manifest header {@code Tern-Netty-Transport: true}. Fails with an
     * {@link IllegalStateException} outside a framework, or when it has no socket API.
     */
    public TernEventLoopGroup() {
        this(0);
    }

    /** {@code threads} loops (0: Netty's default) on the stack of the framework that loaded this class; see {@link #TernEventLoopGroup()}. */
    public TernEventLoopGroup(int threads) {
        this(threads, FrameworkStack.acquire());
    }

    private TernEventLoopGroup(int threads, FrameworkStack stack) {
        this(threads, stack.socketApi());
        terminationFuture().addListener(done -> stack.release());
    }

    /** Netty's default number of loops (twice the processors, or {@code io.netty.eventLoopThreads}). */
    public TernEventLoopGroup(SocketApi api) {
        this(0, api);
    }

    public TernEventLoopGroup(int threads, SocketApi api) {
        super(threads, (Executor) null, TernIoHandler.newFactory(api));
        this.api = api;
    }

    public TernEventLoopGroup(int threads, ThreadFactory threadFactory, SocketApi api) {
        super(threads, threadFactory, TernIoHandler.newFactory(api));
        this.api = api;
    }

    /** The stack the loops wait on. */
    public SocketApi socketApi() {
        return api;
    }
}
