package net.tern.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import net.tern.api.socket.SocketApi;
import net.tern.nio.TernSelectorProvider;

/**
 * java.nio blocking channels of one {@link SelectorProvider}: the JDK's, which is the Linux
 * kernel's loopback ({@link #kernel()}), or Tern's over a {@code SocketApi} ({@link #ternNio}).
 */
final class ChannelNet implements Net {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final String name;
    private final SelectorProvider provider;

    ChannelNet(String name, SelectorProvider provider) {
        this.name = name;
        this.provider = provider;
    }

    /** The JDK's channels: the kernel's sockets. */
    static ChannelNet kernel() {
        return new ChannelNet("kernel", SelectorProvider.provider());
    }

    /** Tern's channels (bundles/nio) over {@code api}. */
    static ChannelNet ternNio(SocketApi api) {
        return new ChannelNet("tern-nio", new TernSelectorProvider(api));
    }

    @Override
    public String name() {
        return name;
    }

    SelectorProvider provider() {
        return provider;
    }

    @Override
    public Listener listen(int backlog, int port) throws IOException {
        ServerSocketChannel server = provider.openServerSocketChannel();
        server.bind(new InetSocketAddress(LOOPBACK, port), backlog);
        return new Listener() {
            @Override
            public int port() throws IOException {
                return ((InetSocketAddress) server.getLocalAddress()).getPort();
            }

            @Override
            public Conn accept() throws IOException {
                return new ChannelConn(server.accept());
            }

            @Override
            public void close() throws IOException {
                server.close();
            }
        };
    }

    @Override
    public Conn connect(int port) throws IOException {
        return connect(new InetSocketAddress(LOOPBACK, port));
    }

    /** A blocking connection to any address (the kernel's: the TUN test's peer namespaces). */
    Conn connect(InetSocketAddress address) throws IOException {
        SocketChannel channel = provider.openSocketChannel();
        try {
            channel.connect(address);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new ChannelConn(channel);
    }

    @Override
    public Datagrams udp(int timeoutMillis) throws IOException {
        DatagramChannel channel = provider.openDatagramChannel();
        channel.bind(new InetSocketAddress(LOOPBACK, 0));
        // The channel's socket adaptor honours a receive timeout; the channel itself does not.
        channel.socket().setSoTimeout(timeoutMillis);
        return new Datagrams() {
            private final java.net.DatagramSocket socket = channel.socket();
            private final byte[] buffer = new byte[65536];
            private final java.net.DatagramPacket packet = new java.net.DatagramPacket(buffer, buffer.length);

            @Override
            public int port() {
                return socket.getLocalPort();
            }

            @Override
            public void send(ByteBuffer src, int port) throws IOException {
                channel.send(src, new InetSocketAddress(LOOPBACK, port));
            }

            @Override
            public int receive(ByteBuffer dst) throws IOException {
                packet.setData(buffer);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    return -1;
                }
                int n = Math.min(packet.getLength(), dst.remaining());
                dst.put(buffer, 0, n);
                return packet.getLength();
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    private static final class ChannelConn implements Conn {
        private final SocketChannel channel;

        ChannelConn(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return channel.write(src);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return channel.read(dst);
        }

        @Override
        public void noDelay() throws IOException {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }

        @Override
        public void shutdownOutput() throws IOException {
            channel.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
