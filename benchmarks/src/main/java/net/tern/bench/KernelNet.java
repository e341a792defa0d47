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

/** The Linux kernel's loopback through java.nio blocking channels. */
final class KernelNet implements Net {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public Listener listen(int backlog, int port) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(LOOPBACK, port), backlog);
        return new Listener() {
            @Override
            public int port() throws IOException {
                return ((InetSocketAddress) server.getLocalAddress()).getPort();
            }

            @Override
            public Conn accept() throws IOException {
                return new KernelConn(server.accept());
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

    /** A blocking kernel connection to any address (the TUN test's peer namespaces). */
    static Conn connect(InetSocketAddress address) throws IOException {
        return new KernelConn(SocketChannel.open(address));
    }

    @Override
    public Datagrams udp(int timeoutMillis) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
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

    private static final class KernelConn implements Conn {
        private final SocketChannel channel;

        KernelConn(SocketChannel channel) {
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
