package net.tern.inet.sock;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.route.RouteTable;
import net.tern.spi.proto.ProtoSocket;

/**
 * {@code inet_dgram_ops}: the operations of AF_INET datagram sockets (UDP). Connect
 * associates at once ({@code inet_dgram_connect}); AF_UNSPEC dissolves the association;
 * listen and accept are not datagram operations (EOPNOTSUPP).
 */
public class InetDgramOps extends InetOps {
    public InetDgramOps(RouteTable routes) {
        super(routes);
    }

    /** For {@code family}'s datagram sockets ({@link Inet6DgramOps}). */
    InetDgramOps(RouteTable routes, int family) {
        super(routes, family);
    }

    /** {@code inet_dgram_connect}. */
    @Override
    public void connect(ProtoSocket sock, SockAddr address, int flags) throws ErrnoException {
        if (address == null) {
            throw new ErrnoException(Errno.EINVAL, "connect: no address");
        }
        InetSock sk = sk(sock);
        if (address.family() == SocketConstants.AF_UNSPEC) {
            sk.lock();
            try {
                prot(sk).disconnect(sk);
            } finally {
                sk.unlock();
            }
            return;
        }
        sk.lock();
        try {
            autobind(sk);
            connectTo(sk, address);
        } finally {
            sk.unlock();
        }
    }

    /** The transport's {@code connect} ({@code ip4_datagram_connect}) to an AF_INET address; EAFNOSUPPORT for another. */
    void connectTo(InetSock sk, SockAddr address) throws ErrnoException {
        prot(sk).connect(sk, inetAddress("connect", address, false));
    }

    @Override
    public void listen(ProtoSocket sock, int backlog) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "listen: not an operation of datagram sockets");
    }

    @Override
    public void accept(ProtoSocket sock, ProtoSocket newSock, int flags) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, "accept: not an operation of datagram sockets");
    }
}
