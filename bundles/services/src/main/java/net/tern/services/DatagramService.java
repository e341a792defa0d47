package net.tern.services;

import static net.tern.api.socket.SocketConstants.EPOLLHUP;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;

import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;

/**
 * A UDP service: RFC 862 echo (each datagram, zero-length ones included, back to its
 * sender) or RFC 863 discard. A reply that cannot be sent now ({@code EAGAIN},
 * {@code ENOBUFS}) or at all (no route) is dropped and counted, as UDP may; the socket
 * stays open for the next datagram. At most {@link #BATCH} datagrams are handled per
 * wake-up so the other services get their turn. A socket withdrawn by its protocol (epoll
 * reports {@code EPOLLHUP}) is closed and reported to the {@link ServiceSet}, which opens it
 * again when the protocol is back.
 */
final class DatagramService implements ServiceLoop.Handler {
    static final int BATCH = 64;
    private final ServiceLoop loop;
    private final SocketApi api;
    private final Service service;
    private final boolean echo;
    /** Called when the socket was withdrawn (its protocol left) and this service closed. */
    private final Runnable withdrawn;
    private final int fd;
    private final String local;
    private static final long EAGAIN = Errno.EAGAIN.negative();
    private final ByteBuffer buffer = ByteBuffer.allocate(65536);
    /** The sender of the datagram being handled. */
    private final MsgHeader msg = new MsgHeader();
    private long bytesIn;
    private long bytesOut;
    private long dropped;

    DatagramService(ServiceLoop loop, Service service, SockAddr address, boolean echo, Runnable withdrawn)
            throws ErrnoException {
        this.loop = loop;
        this.withdrawn = withdrawn;
        this.api = loop.api();
        this.service = service;
        this.echo = echo;
        this.fd = api.socket(address.family(), SOCK_DGRAM | SOCK_NONBLOCK, 0);
        int port = port(address);
        try {
            ipv6Only(api, fd, address);
            api.bind(fd, address);
            this.local = api.getsockname(fd).toString();
            loop.add(fd, EPOLLIN, this);
        } catch (ErrnoException e) {
            api.close(fd);
            throw new ErrnoException(e.errno(), service.configName() + ": cannot bind UDP port " + port + ": "
                    + e.getMessage());
        }
    }

    /**
     * An IPv6 socket of the services takes IPv6 alone ({@code IPV6_V6ONLY}), beside the IPv4
     * socket on the same port: each family's sockets come and go with that family, and the
     * IPv4 ones do not depend on IPv6 running.
     */
    static void ipv6Only(SocketApi api, int fd, SockAddr address) throws ErrnoException {
        if (address.family() == SocketConstants.AF_INET6) {
            api.setsockopt(fd, SocketConstants.IPPROTO_IPV6, SocketConstants.IPV6_V6ONLY, 1);
        }
    }

    /** The port of an IPv4 or IPv6 socket address. */
    static int port(SockAddr address) {
        return address instanceof Inet6SockAddr v6 ? v6.port() : ((InetSockAddr) address).port();
    }

    /** Replies that could not be sent. */
    long dropped() {
        return dropped;
    }

    @Override
    public void ready(int events) {
        if ((events & EPOLLHUP) != 0) {
            // An unconnected UDP socket hangs up only when its protocol withdrew it.
            close();
            withdrawn.run();
            return;
        }
        for (int i = 0; i < BATCH; i++) {
            buffer.clear();
            // Would-block and errors come back as values: no exception per empty queue.
            long n = api.sysRecv(fd, buffer, 0, msg.reset());
            if (n == EAGAIN) {
                return;
            }
            if (n < 0) {
                dropped++; // a pending error (an ICMP report) belongs to no datagram
                continue;
            }
            bytesIn += n;
            if (!echo) {
                continue;
            }
            buffer.flip();
            long sent = api.sysSend(fd, buffer, 0, msg.from);
            if (sent < 0) {
                dropped++;
            } else {
                bytesOut += sent;
            }
        }
    }

    @Override
    public void close() {
        loop.remove(fd);
    }

    @Override
    public SocketRow row() {
        return new SocketRow(service.configName(), "udp", "UNCONN", local, "*:*", bytesIn, bytesOut);
    }
}
