package net.tern.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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

    /**
     * A datagram channel on 127.0.0.1, read as an application reads one: into a direct buffer
     * through {@link DatagramChannel#receive}, the channel made non-blocking at the first
     * receive and waited on with a selector for the receive timeout (the channel itself has
     * none), so no heap array and no extra copy stand between the stack and the reader; sends
     * stay blocking.
     */
    @Override
    public Datagrams udp(int timeoutMillis) throws IOException {
        DatagramChannel channel = provider.openDatagramChannel();
        channel.bind(new InetSocketAddress(LOOPBACK, 0));
        return new Datagrams() {
            private java.nio.channels.Selector selector;

            @Override
            public int port() throws IOException {
                return ((InetSocketAddress) channel.getLocalAddress()).getPort();
            }

            @Override
            public void send(ByteBuffer src, int port) throws IOException {
                channel.send(src, new InetSocketAddress(LOOPBACK, port));
            }

            @Override
            public int receive(ByteBuffer dst) throws IOException {
                if (selector == null) {
                    channel.configureBlocking(false);
                    selector = provider.openSelector();
                    channel.register(selector, java.nio.channels.SelectionKey.OP_READ);
                }
                int start = dst.position();
                if (channel.receive(dst) == null) {
                    selector.selectedKeys().clear();
                    if (selector.select(timeoutMillis) == 0 || channel.receive(dst) == null) {
                        return -1;
                    }
                }
                return dst.position() - start;
            }

            @Override
            public void close() throws IOException {
                if (selector != null) {
                    selector.close();
                }
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
