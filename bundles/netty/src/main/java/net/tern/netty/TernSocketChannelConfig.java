package net.tern.netty;

import static io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE;
import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_KEEPALIVE;
import static io.netty.channel.ChannelOption.SO_LINGER;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static io.netty.channel.ChannelOption.TCP_NODELAY;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannelConfig;
import java.util.Map;
import net.tern.api.socket.SocketConstants;

/**
 * A {@link TernSocketChannel}'s options: Netty's own (auto-read, water marks, connect timeout,
 * half-closure, ...) and the socket's, each a {@code setsockopt} on the Tern socket. Sizes read
 * back as the socket layer reports them (twice what was set, as on Linux), as Netty's epoll
 * transport reads them. Before the channel has its socket (it opens it when it joins an event
 * loop) an option reads back the value set for it, or 0 (false; -1 for {@code SO_LINGER}).
 */
public final class TernSocketChannelConfig extends DefaultChannelConfig implements SocketChannelConfig {
    private final AbstractTernChannel channel;
    private volatile boolean allowHalfClosure;

    TernSocketChannelConfig(AbstractTernChannel channel) {
        super(channel);
        this.channel = channel;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR, SO_LINGER,
                IP_TOS, ALLOW_HALF_CLOSURE, TernChannelOption.TCP_QUICKACK, TernChannelOption.TCP_KEEPIDLE,
                TernChannelOption.TCP_KEEPINTVL, TernChannelOption.TCP_KEEPCNT);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        } else if (option == SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        } else if (option == TCP_NODELAY) {
            return (T) Boolean.valueOf(isTcpNoDelay());
        } else if (option == SO_KEEPALIVE) {
            return (T) Boolean.valueOf(isKeepAlive());
        } else if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        } else if (option == SO_LINGER) {
            return (T) Integer.valueOf(getSoLinger());
        } else if (option == IP_TOS) {
            return (T) Integer.valueOf(getTrafficClass());
        } else if (option == ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(isAllowHalfClosure());
        } else if (option == TernChannelOption.TCP_QUICKACK) {
            return (T) Boolean.valueOf(isTcpQuickAck());
        } else if (option == TernChannelOption.TCP_KEEPIDLE) {
            return (T) Integer.valueOf(getTcpKeepIdle());
        } else if (option == TernChannelOption.TCP_KEEPINTVL) {
            return (T) Integer.valueOf(getTcpKeepIntvl());
        } else if (option == TernChannelOption.TCP_KEEPCNT) {
            return (T) Integer.valueOf(getTcpKeepCnt());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == TCP_NODELAY) {
            setTcpNoDelay((Boolean) value);
        } else if (option == SO_KEEPALIVE) {
            setKeepAlive((Boolean) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == SO_LINGER) {
            setSoLinger((Integer) value);
        } else if (option == IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (option == ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else if (option == TernChannelOption.TCP_QUICKACK) {
            setTcpQuickAck((Boolean) value);
        } else if (option == TernChannelOption.TCP_KEEPIDLE) {
            setTcpKeepIdle((Integer) value);
        } else if (option == TernChannelOption.TCP_KEEPINTVL) {
            setTcpKeepIntvl((Integer) value);
        } else if (option == TernChannelOption.TCP_KEEPCNT) {
            setTcpKeepCnt((Integer) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    @Override
    public int getReceiveBufferSize() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_RCVBUF, 0);
    }

    @Override
    public TernSocketChannelConfig setReceiveBufferSize(int size) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_RCVBUF, size);
        return this;
    }

    @Override
    public int getSendBufferSize() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_SNDBUF, 0);
    }

    @Override
    public TernSocketChannelConfig setSendBufferSize(int size) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_SNDBUF, size);
        if (channel instanceof TernSocketChannel socket) {
            socket.sendBufferSizeChanged();
        }
        return this;
    }

    @Override
    public boolean isTcpNoDelay() {
        return channel.intOption(SOL_TCP, SocketConstants.TCP_NODELAY, 0) != 0;
    }

    @Override
    public TernSocketChannelConfig setTcpNoDelay(boolean on) {
        channel.setIntOption(SOL_TCP, SocketConstants.TCP_NODELAY, on ? 1 : 0);
        return this;
    }

    @Override
    public boolean isKeepAlive() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_KEEPALIVE, 0) != 0;
    }

    @Override
    public TernSocketChannelConfig setKeepAlive(boolean on) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_KEEPALIVE, on ? 1 : 0);
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_REUSEADDR, 0) != 0;
    }

    @Override
    public TernSocketChannelConfig setReuseAddress(boolean on) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_REUSEADDR, on ? 1 : 0);
        return this;
    }

    /** Seconds, or -1 when off (the socket layer's {@code SO_LINGER} as an integer). */
    @Override
    public int getSoLinger() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_LINGER, -1);
    }

    @Override
    public TernSocketChannelConfig setSoLinger(int seconds) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_LINGER, seconds < 0 ? -1 : seconds);
        return this;
    }

    @Override
    public int getTrafficClass() {
        return channel.trafficClass();
    }

    @Override
    public TernSocketChannelConfig setTrafficClass(int tos) {
        channel.setTrafficClass(tos);
        return this;
    }

    /** {@code TCP_QUICKACK}: false while the connection is in interactive (delayed-ACK) mode. */
    public boolean isTcpQuickAck() {
        return channel.intOption(SOL_TCP, SocketConstants.TCP_QUICKACK, 0) != 0;
    }

    /** {@code TCP_QUICKACK}: true sends a delayed ACK now and leaves interactive mode; false enters it. */
    public TernSocketChannelConfig setTcpQuickAck(boolean quickAck) {
        channel.setIntOption(SOL_TCP, SocketConstants.TCP_QUICKACK, quickAck ? 1 : 0);
        return this;
    }

    /** {@code TCP_KEEPIDLE}: seconds of idleness before the first keepalive probe. */
    public int getTcpKeepIdle() {
        return channel.intOption(SOL_TCP, SocketConstants.TCP_KEEPIDLE, 0);
    }

    public TernSocketChannelConfig setTcpKeepIdle(int seconds) {
        channel.setIntOption(SOL_TCP, SocketConstants.TCP_KEEPIDLE, seconds);
        return this;
    }

    /** {@code TCP_KEEPINTVL}: seconds between keepalive probes. */
    public int getTcpKeepIntvl() {
        return channel.intOption(SOL_TCP, SocketConstants.TCP_KEEPINTVL, 0);
    }

    public TernSocketChannelConfig setTcpKeepIntvl(int seconds) {
        channel.setIntOption(SOL_TCP, SocketConstants.TCP_KEEPINTVL, seconds);
        return this;
    }

    /** {@code TCP_KEEPCNT}: unanswered probes before the connection is dropped. */
    public int getTcpKeepCnt() {
        return channel.intOption(SOL_TCP, SocketConstants.TCP_KEEPCNT, 0);
    }

    public TernSocketChannelConfig setTcpKeepCnt(int probes) {
        channel.setIntOption(SOL_TCP, SocketConstants.TCP_KEEPCNT, probes);
        return this;
    }

    /** Has no effect, as on the JDK's sockets. */
    @Override
    public TernSocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this;
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public TernSocketChannelConfig setAllowHalfClosure(boolean allow) {
        allowHalfClosure = allow;
        return this;
    }

    @Override
    public TernSocketChannelConfig setConnectTimeoutMillis(int millis) {
        super.setConnectTimeoutMillis(millis);
        return this;
    }

    @Override
    @Deprecated
    public TernSocketChannelConfig setMaxMessagesPerRead(int max) {
        super.setMaxMessagesPerRead(max);
        return this;
    }

    @Override
    public TernSocketChannelConfig setWriteSpinCount(int count) {
        super.setWriteSpinCount(count);
        return this;
    }

    @Override
    public TernSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public TernSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public TernSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public TernSocketChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    public TernSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    public TernSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark waterMark) {
        super.setWriteBufferWaterMark(waterMark);
        return this;
    }

    @Override
    @Deprecated
    public TernSocketChannelConfig setWriteBufferHighWaterMark(int high) {
        super.setWriteBufferHighWaterMark(high);
        return this;
    }

    @Override
    @Deprecated
    public TernSocketChannelConfig setWriteBufferLowWaterMark(int low) {
        super.setWriteBufferLowWaterMark(low);
        return this;
    }

    @Override
    protected void autoReadCleared() {
        channel.autoReadCleared();
    }
}
