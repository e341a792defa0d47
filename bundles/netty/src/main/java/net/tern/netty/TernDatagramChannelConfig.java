package net.tern.netty;

import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_BROADCAST;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramChannelConfig;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Map;
import net.tern.api.socket.SocketConstants;

/**
 * A {@link TernDatagramChannel}'s options: {@code SO_BROADCAST}, {@code SO_RCVBUF},
 * {@code SO_SNDBUF}, {@code SO_REUSEADDR}, {@code IP_TOS} on the socket, and Netty's own. Each
 * read takes one datagram into a buffer of 2048 bytes by default (Netty's datagram default).
 * Tern has no IGMP: the multicast options ({@code IP_MULTICAST_*}) are refused with
 * {@link UnsupportedOperationException}, and read as off.
 */
public final class TernDatagramChannelConfig extends DefaultChannelConfig implements DatagramChannelConfig {
    private static final String NO_MULTICAST = "Tern has no multicast (no IGMP)";
    private final AbstractTernChannel channel;

    TernDatagramChannelConfig(AbstractTernChannel channel) {
        super(channel, new FixedRecvByteBufAllocator(2048));
        this.channel = channel;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_BROADCAST, SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR, IP_TOS,
                TernChannelOption.SO_REUSEPORT);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_BROADCAST) {
            return (T) Boolean.valueOf(isBroadcast());
        } else if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        } else if (option == SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        } else if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        } else if (option == TernChannelOption.SO_REUSEPORT) {
            return (T) Boolean.valueOf(isReusePort());
        } else if (option == IP_TOS) {
            return (T) Integer.valueOf(getTrafficClass());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_BROADCAST) {
            setBroadcast((Boolean) value);
        } else if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == TernChannelOption.SO_REUSEPORT) {
            setReusePort((Boolean) value);
        } else if (option == IP_TOS) {
            setTrafficClass((Integer) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    @Override
    public int getSendBufferSize() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_SNDBUF, 0);
    }

    @Override
    public TernDatagramChannelConfig setSendBufferSize(int size) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_SNDBUF, size);
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_RCVBUF, 0);
    }

    @Override
    public TernDatagramChannelConfig setReceiveBufferSize(int size) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_RCVBUF, size);
        return this;
    }

    @Override
    public int getTrafficClass() {
        return channel.trafficClass();
    }

    @Override
    public TernDatagramChannelConfig setTrafficClass(int tos) {
        channel.setTrafficClass(tos);
        return this;
    }

    /** {@code SO_REUSEPORT}: whether sockets that all set it may bind the same address and port. */
    public boolean isReusePort() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_REUSEPORT, 0) != 0;
    }

    /** {@code SO_REUSEPORT}, set before {@code bind}. */
    public TernDatagramChannelConfig setReusePort(boolean on) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_REUSEPORT, on ? 1 : 0);
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_REUSEADDR, 0) != 0;
    }

    @Override
    public TernDatagramChannelConfig setReuseAddress(boolean on) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_REUSEADDR, on ? 1 : 0);
        return this;
    }

    @Override
    public boolean isBroadcast() {
        return channel.intOption(SOL_SOCKET, SocketConstants.SO_BROADCAST, 0) != 0;
    }

    @Override
    public TernDatagramChannelConfig setBroadcast(boolean on) {
        channel.setIntOption(SOL_SOCKET, SocketConstants.SO_BROADCAST, on ? 1 : 0);
        return this;
    }

    /** Multicast loopback: there is no multicast, so it reads as disabled. */
    @Override
    public boolean isLoopbackModeDisabled() {
        return true;
    }

    @Override
    public TernDatagramChannelConfig setLoopbackModeDisabled(boolean disabled) {
        throw new UnsupportedOperationException(NO_MULTICAST);
    }

    /** The multicast TTL: there is no multicast; -1 as for an option the socket does not have. */
    @Override
    public int getTimeToLive() {
        return -1;
    }

    @Override
    public TernDatagramChannelConfig setTimeToLive(int ttl) {
        throw new UnsupportedOperationException(NO_MULTICAST);
    }

    @Override
    public InetAddress getInterface() {
        return null;
    }

    @Override
    public TernDatagramChannelConfig setInterface(InetAddress address) {
        throw new UnsupportedOperationException(NO_MULTICAST);
    }

    @Override
    public NetworkInterface getNetworkInterface() {
        return null;
    }

    @Override
    public TernDatagramChannelConfig setNetworkInterface(NetworkInterface networkInterface) {
        throw new UnsupportedOperationException(NO_MULTICAST);
    }

    @Override
    @Deprecated
    public TernDatagramChannelConfig setMaxMessagesPerRead(int max) {
        super.setMaxMessagesPerRead(max);
        return this;
    }

    @Override
    public TernDatagramChannelConfig setWriteSpinCount(int count) {
        super.setWriteSpinCount(count);
        return this;
    }

    @Override
    public TernDatagramChannelConfig setConnectTimeoutMillis(int millis) {
        super.setConnectTimeoutMillis(millis);
        return this;
    }

    @Override
    public TernDatagramChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public TernDatagramChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public TernDatagramChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public TernDatagramChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    public TernDatagramChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    public TernDatagramChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark waterMark) {
        super.setWriteBufferWaterMark(waterMark);
        return this;
    }

    @Override
    protected void autoReadCleared() {
        channel.autoReadCleared();
    }
}
