package net.tern.inet.sock;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
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
        InetSockAddr target = inetAddress("connect", address, false);
        sk.lock();
        try {
            autobind(sk);
            prot(sk).connect(sk, target);
        } finally {
            sk.unlock();
        }
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
