package net.tern.inet.sock;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.inet.ip.IpOutput;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.RouteType;
import net.tern.inet.route.Rtable;

/**
 * What datagram transports share of {@code net/ipv4/datagram.c}.
 *
 * @since 1.7
 */
public final class Ip4Datagram {
    private Ip4Datagram() {
    }

    /**
     * {@code __ip4_datagram_connect}: routes to {@code destination} from the socket's source
     * (ENETUNREACH and the route's other errors; a broadcast without {@code SO_BROADCAST} is
     * EACCES), takes the route's source as the local address where none is set, and associates
     * with {@code destination}:{@code port} (state ESTABLISHED). Call under the socket's lock.
     */
    public static void connect(IpOutput output, InetSock sk, int destination, int port) throws ErrnoException {
        Rtable route = output.routeOutput(new Flowi4(destination, sk.saddr(), 0, sk.protocol(), sk.tos()));
        if (route.type() == RouteType.BROADCAST && !sk.broadcast()) {
            throw new ErrnoException(Errno.EACCES, "connect(" + new InetSockAddr(destination, port)
                    + "): a broadcast address needs SO_BROADCAST");
        }
        if (sk.saddr() == 0) {
            sk.saddr(route.source());
        }
        if (sk.rcvSaddr() == 0) {
            sk.rcvSaddr(route.source());
        }
        sk.daddr(destination);
        sk.dport(port);
        sk.state(SkState.ESTABLISHED);
    }
}
