package net.tern.bench;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.SO_RCVTIMEO;
import static net.tern.api.socket.SocketConstants.TCP_NODELAY;

import java.io.IOException;
import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;

/** Tern's stack through its {@link SocketApi}, blocking sockets; an address other than loopback may be given. */
final class TernNet implements Net {
    private final SocketApi api;
    private final int address;

    TernNet(SocketApi api) {
        this(api, InetSockAddr.INADDR_LOOPBACK);
    }

    /** Connections go to {@code address} (host order), listeners bind to it. */
    TernNet(SocketApi api, int address) {
        this.api = api;
        this.address = address;
    }

    @Override
    public String name() {
        return "tern";
    }

    @Override
    public Listener listen(int backlog, int port) throws IOException {
        int fd = api.socket(AF_INET, SOCK_STREAM, 0);
        try {
            api.bind(fd, new InetSockAddr(address, port));
            api.listen(fd, backlog);
        } catch (ErrnoException e) {
            api.close(fd);
            throw e;
        }
        return new Listener() {
            @Override
            public int port() throws IOException {
                return ((InetSockAddr) api.getsockname(fd)).port();
            }

            @Override
            public Conn accept() throws IOException {
                return new TernConn(api.accept(fd).fd());
            }

            @Override
            public void close() throws IOException {
                api.close(fd);
            }
        };
    }

    @Override
    public Conn connect(int port) throws IOException {
        int fd = api.socket(AF_INET, SOCK_STREAM, 0);
        try {
            api.connect(fd, new InetSockAddr(address, port));
        } catch (ErrnoException e) {
            api.close(fd);
            throw e;
        }
        return new TernConn(fd);
    }

    @Override
    public Datagrams udp(int timeoutMillis) throws IOException {
        int fd = api.socket(AF_INET, SOCK_DGRAM, 0);
        api.bind(fd, new InetSockAddr(address, 0));
        api.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeoutMillis);
        return new Datagrams() {
            @Override
            public int port() throws IOException {
                return ((InetSockAddr) api.getsockname(fd)).port();
            }

            @Override
            public void send(ByteBuffer src, int port) throws IOException {
                api.sendto(fd, src, 0, new InetSockAddr(address, port));
            }

            @Override
            public int receive(ByteBuffer dst) throws IOException {
                try {
                    return api.recvfrom(fd, dst, 0).bytes();
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.EAGAIN) {
                        return -1;
                    }
                    throw e;
                }
            }

            @Override
            public void close() throws IOException {
                api.close(fd);
            }
        };
    }

    private final class TernConn implements Conn {
        private final int fd;

        TernConn(int fd) {
            this.fd = fd;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return api.send(fd, src, 0);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = api.recv(fd, dst, 0);
            return n == 0 && dst.hasRemaining() ? -1 : n;
        }

        @Override
        public void noDelay() throws IOException {
            api.setsockopt(fd, SOL_TCP, TCP_NODELAY, 1);
        }

        @Override
        public void shutdownOutput() throws IOException {
            api.shutdown(fd, SHUT_WR);
        }

        @Override
        public void close() throws IOException {
            api.close(fd);
        }
    }
}
