package net.tern.nio;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * {@link ServerSocketChannel#socket()}: a {@link ServerSocket} that is a view of a
 * {@link TernServerSocketChannel} (as the JDK's {@code ServerSocketAdaptor}); {@code accept}
 * honours {@code SO_TIMEOUT} with {@link java.net.SocketTimeoutException} ("Accept timed out").
 */
final class ServerSocketAdaptor extends ServerSocket {
    private final TernServerSocketChannel ssc;
    /** The channel's options, and SO_TIMEOUT for accepts. */
    private final AdaptorOptions options;

    private ServerSocketAdaptor(TernServerSocketChannel ssc) {
        super(NoSocketImpl.stream());
        this.ssc = ssc;
        this.options = new AdaptorOptions(ssc);
    }

    static ServerSocket create(TernServerSocketChannel ssc) {
        return new ServerSocketAdaptor(ssc);
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        bind(local, 50);
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        try {
            ssc.bind(local == null ? new InetSocketAddress(0) : local, backlog);
        } catch (Exception e) {
            throw Translate.toIOException(e, false);
        }
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress local = ssc.localAddress();
        return local == null ? null : local.getAddress();
    }

    @Override
    public int getLocalPort() {
        InetSocketAddress local = ssc.localAddress();
        return local == null ? -1 : local.getPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return ssc.localAddress();
    }

    @Override
    public Socket accept() throws IOException {
        SocketChannel sc;
        try {
            int timeout = options.timeout();
            if (timeout > 0) {
                sc = ssc.blockingAccept(timeout);
            } else {
                // In non-blocking mode a connection is still taken if one is there, as the JDK does.
                sc = ssc.accept();
                if (sc == null) {
                    throw new IllegalBlockingModeException();
                }
            }
        } catch (Exception e) {
            throw Translate.toIOException(e, false);
        }
        return sc.socket();
    }

    @Override
    public void close() throws IOException {
        ssc.close();
    }

    @Override
    public ServerSocketChannel getChannel() {
        return ssc;
    }

    @Override
    public boolean isBound() {
        return ssc.isBound();
    }

    @Override
    public boolean isClosed() {
        return !ssc.isOpen();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        options.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return options.getSoTimeout();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        options.set(StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return options.get(StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public String toString() {
        if (!isBound()) {
            return "ServerSocket[unbound]";
        }
        return "ServerSocket[addr=" + getInetAddress() + ",localport=" + getLocalPort() + "]";
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        options.setBufferSize(StandardSocketOptions.SO_RCVBUF, size, "size cannot be 0 or negative");
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return options.get(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        ssc.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return ssc.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return ssc.supportedOptions();
    }
}
