package net.tern.netty;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;

/**
 * A TCP listener on Tern, for {@code ServerBootstrap.channel(TernServerSocketChannel.class)}.
 * Each readiness accepts connections ({@code accept4} with {@code SOCK_NONBLOCK}) until the
 * queue is empty or the read allocator's message count is reached; each becomes a
 * {@link TernSocketChannel} on the same stack.
 */
public final class TernServerSocketChannel extends AbstractTernChannel implements ServerSocketChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    private final TernServerSocketChannelConfig config = new TernServerSocketChannelConfig(this);

    /** A listener that opens its socket on the stack of the event loop it is registered with. */
    public TernServerSocketChannel() {
        super(null, null, SocketConstants.SOCK_STREAM);
    }

    /** A listener with a socket on {@code api} now. */
    public TernServerSocketChannel(SocketApi api) {
        super(null, api, SocketConstants.SOCK_STREAM);
    }

    @Override
    public TernServerSocketChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public InetSocketAddress localAddress() {
        return super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return null;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        super.doBind(localAddress);
        try {
            api.listen(fd, config.getBacklog());
        } catch (ErrnoException e) {
            throw TernErrors.setup("listen", e);
        }
        active = true;
    }

    @Override
    void inputReady() {
        ChannelConfig cfg = config();
        ChannelPipeline pipeline = pipeline();
        RecvByteBufAllocator.Handle handle = unsafe().recvBufAllocHandle();
        handle.reset(cfg);
        Throwable failure = null;
        try {
            do {
                int child = api.sysAccept(fd, SocketConstants.SOCK_NONBLOCK);
                if (child == Errno.EAGAIN.negative()) {
                    break;
                }
                if (child < 0) {
                    throw TernErrors.io("accept", child);
                }
                InetSocketAddress peer;
                try {
                    peer = TernAddresses.toJava(api.getpeername(child));
                } catch (ErrnoException e) {
                    // Reset before it was taken: nothing to hand over.
                    closeQuietly(child);
                    continue;
                }
                handle.incMessagesRead(1);
                readPending = false;
                pipeline.fireChannelRead(new TernSocketChannel(this, api, child, peer));
            } while (handle.continueReading());
        } catch (Throwable t) {
            failure = t;
        }
        handle.readComplete();
        pipeline.fireChannelReadComplete();
        if (failure != null) {
            // EMFILE and the like: report it and go on listening, as Netty's listeners do.
            pipeline.fireExceptionCaught(failure);
        }
        if (isOpen()) {
            readDone();
        }
    }

    private void closeQuietly(int child) {
        try {
            api.close(child);
        } catch (ErrnoException e) {
            // already gone
        }
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        throw new UnsupportedOperationException("a listener does not write");
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        throw new UnsupportedOperationException("a listener does not write");
    }

    @Override
    protected TernUnsafe newUnsafe() {
        return new ServerUnsafe();
    }

    private final class ServerUnsafe extends TernUnsafe {
        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException("a listener does not connect"));
        }
    }
}
