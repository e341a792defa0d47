package net.tern.nio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Set;

/**
 * {@link DatagramChannel#socket()}: a {@link DatagramSocket} that is a view of a
 * {@link TernDatagramChannel} (as the JDK's {@code DatagramSocketAdaptor}, less multicast,
 * which Tern lacks); {@code receive} honours {@code SO_TIMEOUT} with
 * {@link java.net.SocketTimeoutException} ("Receive timed out").
 */
final class DatagramSocketAdaptor extends DatagramSocket {
    private final TernDatagramChannel dc;
    /** The channel's options, and SO_TIMEOUT for receives. */
    private final AdaptorOptions options;

    private DatagramSocketAdaptor(TernDatagramChannel dc) {
        super(NoSocketImpl.datagram());
        this.dc = dc;
        this.options = new AdaptorOptions(dc);
    }

    static DatagramSocket create(TernDatagramChannel dc) {
        return new DatagramSocketAdaptor(dc);
    }

    private void connectInternal(SocketAddress remote) throws SocketException {
        try {
            dc.connect(remote, false);
        } catch (ClosedChannelException e) {
            // a closed socket connects to nothing, silently, as the JDK's adaptor does
        } catch (Exception e) {
            throw Translate.toSocketException(e);
        }
    }

    @Override
    public void bind(SocketAddress local) throws SocketException {
        if (local != null && !(local instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("Unsupported address type");
        }
        try {
            dc.bind(local == null ? new InetSocketAddress(0) : local);
        } catch (Exception e) {
            throw Translate.toSocketException(e);
        }
    }

    @Override
    public void connect(InetAddress address, int port) {
        if (address == null) {
            throw new IllegalArgumentException("Address can't be null");
        }
        try {
            connectInternal(new InetSocketAddress(address, port));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void connect(SocketAddress remote) throws SocketException {
        if (remote == null) {
            throw new IllegalArgumentException("Address can't be null");
        }
        if (!(remote instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("Unsupported address type");
        }
        connectInternal(remote);
    }

    @Override
    public void disconnect() {
        try {
            dc.disconnect();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean isBound() {
        return dc.localAddress() != null;
    }

    @Override
    public boolean isConnected() {
        return dc.remoteAddress() != null;
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress remote = dc.remoteAddress();
        return remote != null ? remote.getAddress() : null;
    }

    @Override
    public int getPort() {
        InetSocketAddress remote = dc.remoteAddress();
        return remote != null ? remote.getPort() : -1;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return dc.remoteAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return isClosed() ? null : dc.localAddress();
    }

    @Override
    public void send(DatagramPacket p) throws IOException {
        ByteBuffer data;
        InetSocketAddress target;
        synchronized (p) {
            data = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength()).slice();
            if (p.getAddress() == null) {
                InetSocketAddress remote = dc.remoteAddress();
                if (remote == null) {
                    throw new IllegalArgumentException("Address not set");
                }
                p.setAddress(remote.getAddress());
                p.setPort(remote.getPort());
                target = remote;
            } else {
                target = (InetSocketAddress) p.getSocketAddress();
            }
        }
        try {
            dc.blockingSend(data, target);
        } catch (AlreadyConnectedException e) {
            throw new IllegalArgumentException("Connected and packet address differ");
        } catch (ClosedChannelException e) {
            SocketException closed = new SocketException("Socket closed");
            closed.initCause(e);
            throw closed;
        }
    }

    @Override
    public void receive(DatagramPacket p) throws IOException {
        // The packet's buffer length (not its current length) bounds what is received.
        byte[] buffer;
        int offset;
        int room;
        synchronized (p) {
            buffer = p.getData();
            offset = p.getOffset();
            room = buffer.length - offset;
        }
        ByteBuffer dst = ByteBuffer.allocate(room);
        SocketAddress sender;
        try {
            sender = dc.blockingReceive(dst, options.timeout());
        } catch (ClosedChannelException e) {
            SocketException closed = new SocketException("Socket closed");
            closed.initCause(e);
            throw closed;
        }
        dst.flip();
        synchronized (p) {
            int length = Math.min(dst.remaining(), p.getData().length - p.getOffset());
            dst.get(p.getData(), p.getOffset(), length);
            p.setLength(length);
            p.setSocketAddress(sender);
        }
    }

    @Override
    public InetAddress getLocalAddress() {
        if (isClosed()) {
            return null;
        }
        InetSocketAddress local = dc.localAddress();
        return (local == null ? new InetSocketAddress(0) : local).getAddress();
    }

    @Override
    public int getLocalPort() {
        if (isClosed()) {
            return -1;
        }
        InetSocketAddress local = dc.localAddress();
        return local != null ? local.getPort() : 0;
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
    public void setSendBufferSize(int size) throws SocketException {
        options.setBufferSize(StandardSocketOptions.SO_SNDBUF, size, "Invalid send size");
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return options.get(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        options.setBufferSize(StandardSocketOptions.SO_RCVBUF, size, "Invalid receive size");
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return options.get(StandardSocketOptions.SO_RCVBUF);
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
    public void setBroadcast(boolean on) throws SocketException {
        options.set(StandardSocketOptions.SO_BROADCAST, on);
    }

    @Override
    public boolean getBroadcast() throws SocketException {
        return options.get(StandardSocketOptions.SO_BROADCAST);
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        options.set(StandardSocketOptions.IP_TOS, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return options.get(StandardSocketOptions.IP_TOS);
    }

    @Override
    public void close() {
        try {
            dc.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean isClosed() {
        return !dc.isOpen();
    }

    @Override
    public DatagramChannel getChannel() {
        return dc;
    }

    @Override
    public <T> DatagramSocket setOption(SocketOption<T> name, T value) throws IOException {
        dc.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return dc.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return dc.supportedOptions();
    }
}
