package net.tern.netty;

import static io.netty.channel.ChannelOption.SO_BACKLOG;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ServerSocketChannelConfig;
import io.netty.util.NetUtil;
import java.util.Map;
import net.tern.api.socket.SocketConstants;

/**
 * A {@link TernServerSocketChannel}'s options: {@code SO_BACKLOG} (given to {@code listen}, which
 * caps it at the stack's somaxconn; Netty's default is the host's somaxconn), {@code SO_RCVBUF}
 * (inherited by accepted connections) and {@code SO_REUSEADDR} (on by default, as Netty's epoll
 * listener sets it).
 */
public final class TernServerSocketChannelConfig extends DefaultChannelConfig implements ServerSocketChannelConfig {
    private final AbstractTernChannel channel;
    private volatile int backlog = NetUtil.SOMAXCONN;

    TernServerSocketChannelConfig(AbstractTernChannel channel) {
        super(channel);
        this.channel = channel;
        setReuseAddress(true);
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_RCVBUF, SO_REUSEADDR, SO_BACKLOG,
                TernChannelOption.SO_REUSEPORT);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        } else if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        } else if (option == TernChannelOption.SO_REUSEPORT) {
            return (T) Boolean.valueOf(isReusePort());
        } else if (option == SO_BACKLOG) {
            return (T) Integer.valueOf(getBacklog());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == TernChannelOption.SO_REUSEPORT) {
            setReusePort((Boolean) value);
        } else if (option == SO_BACKLOG) {
            setBacklog((Integer) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    @Override
    public int getBacklog() {
        return backlog;
    }

    @Override
    public TernServerSocketChannelConfig setBacklog(int backlog) {
        if (backlog < 0) {
            throw new IllegalArgumentException("backlog: " + backlog + " (expected: >= 0)");
        }
        this.backlog = backlog;
        return this;
    }

    /** {@code SO_REUSEPORT}: whether sockets that all set it may bind the same address and port. */
    public boolean isReusePort() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_REUSEPORT, 0) != 0;
    }

    /** {@code SO_REUSEPORT}, set before {@code bind}. */
    public TernServerSocketChannelConfig setReusePort(boolean on) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_REUSEPORT, on ? 1 : 0);
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_REUSEADDR, 0) != 0;
    }

    @Override
    public TernServerSocketChannelConfig setReuseAddress(boolean on) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_REUSEADDR, on ? 1 : 0);
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_RCVBUF, 0);
    }

    @Override
    public TernServerSocketChannelConfig setReceiveBufferSize(int size) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_RCVBUF, size);
        return this;
    }

    /** Has no effect, as on the JDK's sockets. */
    @Override
    public TernServerSocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this;
    }

    @Override
    public TernServerSocketChannelConfig setConnectTimeoutMillis(int millis) {
        super.setConnectTimeoutMillis(millis);
        return this;
    }

    @Override
    @Deprecated
    public TernServerSocketChannelConfig setMaxMessagesPerRead(int max) {
        super.setMaxMessagesPerRead(max);
        return this;
    }

    @Override
    public TernServerSocketChannelConfig setWriteSpinCount(int count) {
        super.setWriteSpinCount(count);
        return this;
    }

    @Override
    public TernServerSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public TernServerSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public TernServerSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public TernServerSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    @Deprecated
    public TernServerSocketChannelConfig setWriteBufferHighWaterMark(int high) {
        super.setWriteBufferHighWaterMark(high);
        return this;
    }

    @Override
    @Deprecated
    public TernServerSocketChannelConfig setWriteBufferLowWaterMark(int low) {
        super.setWriteBufferLowWaterMark(low);
        return this;
    }

    @Override
    public TernServerSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark waterMark) {
        super.setWriteBufferWaterMark(waterMark);
        return this;
    }

    @Override
    protected void autoReadCleared() {
        channel.autoReadCleared();
    }
}
