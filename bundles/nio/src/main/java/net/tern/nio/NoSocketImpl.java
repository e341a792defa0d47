package net.tern.nio;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;

/**
 * The implementation object the socket adaptors hand to {@code java.net.Socket},
 * {@code ServerSocket} and {@code DatagramSocket}'s constructors (the JDK's
 * {@code DummySocketImpl}): the adaptors override every public method, so nothing reaches it,
 * and each of its operations fails saying so.
 */
final class NoSocketImpl {
    private NoSocketImpl() {
    }

    private static SocketException unused() {
        return new SocketException("Not supported: the socket is a view of a Tern channel");
    }

    /** For Socket and ServerSocket. */
    static SocketImpl stream() {
        return new SocketImpl() {
            @Override
            protected void create(boolean stream) throws SocketException {
                throw unused();
            }

            @Override
            protected void connect(String host, int port) throws SocketException {
                throw unused();
            }

            @Override
            protected void connect(InetAddress address, int port) throws SocketException {
                throw unused();
            }

            @Override
            protected void connect(SocketAddress address, int timeout) throws SocketException {
                throw unused();
            }

            @Override
            protected void bind(InetAddress host, int port) throws SocketException {
                throw unused();
            }

            @Override
            protected void listen(int backlog) throws SocketException {
                throw unused();
            }

            @Override
            protected void accept(SocketImpl s) throws SocketException {
                throw unused();
            }

            @Override
            protected InputStream getInputStream() throws SocketException {
                throw unused();
            }

            @Override
            protected OutputStream getOutputStream() throws SocketException {
                throw unused();
            }

            @Override
            protected int available() throws SocketException {
                throw unused();
            }

            @Override
            protected void close() {
            }

            @Override
            protected void sendUrgentData(int data) throws SocketException {
                throw unused();
            }

            @Override
            public void setOption(int optID, Object value) throws SocketException {
                throw unused();
            }

            @Override
            public Object getOption(int optID) throws SocketException {
                throw unused();
            }
        };
    }

    /** For DatagramSocket. */
    @SuppressWarnings("deprecation")
    static DatagramSocketImpl datagram() {
        return new DatagramSocketImpl() {
            @Override
            protected void create() throws SocketException {
                throw unused();
            }

            @Override
            protected void bind(int lport, InetAddress laddr) throws SocketException {
                throw unused();
            }

            @Override
            protected void send(DatagramPacket p) throws SocketException {
                throw unused();
            }

            @Override
            protected int peek(InetAddress i) throws SocketException {
                throw unused();
            }

            @Override
            protected int peekData(DatagramPacket p) throws SocketException {
                throw unused();
            }

            @Override
            protected void receive(DatagramPacket p) throws SocketException {
                throw unused();
            }

            @Override
            protected void setTTL(byte ttl) throws SocketException {
                throw unused();
            }

            @Override
            protected byte getTTL() throws SocketException {
                throw unused();
            }

            @Override
            protected void setTimeToLive(int ttl) throws SocketException {
                throw unused();
            }

            @Override
            protected int getTimeToLive() throws SocketException {
                throw unused();
            }

            @Override
            protected void join(InetAddress inetaddr) throws SocketException {
                throw unused();
            }

            @Override
            protected void leave(InetAddress inetaddr) throws SocketException {
                throw unused();
            }

            @Override
            protected void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws SocketException {
                throw unused();
            }

            @Override
            protected void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws SocketException {
                throw unused();
            }

            @Override
            protected void close() {
            }

            @Override
            public void setOption(int optID, Object value) throws SocketException {
                throw unused();
            }

            @Override
            public Object getOption(int optID) throws SocketException {
                throw unused();
            }
        };
    }
}
