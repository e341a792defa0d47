package net.tern.netty;

import io.netty.channel.IoHandlerFactory;
import net.tern.api.socket.SocketApi;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Tern's Netty transport on one stack, as an OSGi service (registered with the property
 * {@code transport=tern}, and as an {@link IoHandlerFactory} too): a bundle that runs Netty gets
 * it, makes its event loops from it and passes Tern's channel classes to its bootstraps.
 *
 * <pre>{@code
 * @Reference TernTransport tern;
 * ...
 * EventLoopGroup group = tern.newEventLoopGroup(2);
 * new ServerBootstrap().group(group).channel(TernServerSocketChannel.class) ...
 * }</pre>
 *
 * The groups it makes are the caller's to shut down.
 */
@ProviderType
public interface TernTransport {
    /** The socket API of the stack the transport runs on. */
    SocketApi socketApi();

    /** The factory of {@link TernIoHandler}s on this stack, for a {@code MultiThreadIoEventLoopGroup}. */
    IoHandlerFactory ioHandlerFactory();

    /** A new group of {@code threads} event loops on this stack (0: Netty's default number). */
    TernEventLoopGroup newEventLoopGroup(int threads);
}
