package net.tern.inet.ip;

import net.tern.api.socket.ErrnoException;
import net.tern.inet.route.Flowi4;
import net.tern.inet.route.Rtable;
import net.tern.spi.net.Packet;
import org.osgi.annotation.versioning.ProviderType;

/**
 * IPv4 output for transports ({@code net/ipv4/ip_output.c}). A transport looks up the route
 * once ({@link #routeOutput}, which also picks the source address its checksum needs),
 * builds its segment in a packet with at least {@link InetConstants#MAX_IP_HEADROOM} bytes
 * of headroom, and hands it to {@link #queueXmit}, which pushes the IP header, gives the
 * datagram its identification, fragments it to the route's MTU (or fails with EMSGSIZE when
 * DF is asked for), and transmits it. A packet to a local address goes out through the
 * loopback link and comes back through {@code ip_rcv}.
 *
 * <p>May be called from any thread: the network thread (input, timers) or an application
 * thread in a socket call. Ownership: the packet passes to IP output in every case; on
 * failure it is released before the exception is thrown.
 */
@ProviderType
public interface IpOutput {
    /** {@code ip_route_output_key}: see {@link net.tern.inet.route.RouteTable#routeOutput}; failures with no route count as {@code IpOutNoRoutes}. */
    Rtable routeOutput(Flowi4 flow) throws ErrnoException;

    /** {@code rt_genid}: see {@link net.tern.inet.route.RouteTable#genid}; a route looked up under one value holds while it lasts. */
    int routeGenid();

    /**
     * {@code ip_queue_xmit}: sends {@code packet}, whose data are the transport header and
     * payload, by {@code route}, from {@code route.source()} to {@code route.destination()}.
     * EMSGSIZE when DF is set and the datagram exceeds the route's MTU, or when it exceeds
     * 65535 bytes; ENETDOWN when the route's link has gone down. Returns what the link answered
     * ({@link net.tern.spi.net.NetXmit}, as {@code ip_queue_xmit} returns {@code dev_queue_xmit}'s
     * answer): {@code NET_XMIT_DROP} when the link's queue had no room, which TCP takes as local
     * congestion; for a fragmented datagram, the first fragment's answer that was not success.
     */
    int queueXmit(Packet packet, Rtable route, TxParams params) throws ErrnoException;

    /**
     * {@code ip_build_and_send_pkt}: looks up the route from {@code source} (0: the route's
     * choice) to {@code destination}, then {@link #queueXmit}s. For replies and resets sent
     * without a socket. Returns what {@link #queueXmit} returned.
     */
    default int send(Packet packet, int source, int destination, TxParams params) throws ErrnoException {
        Rtable route;
        try {
            route = routeOutput(Flowi4.of(source, destination, params.protocol()));
        } catch (ErrnoException e) {
            packet.release();
            throw e;
        }
        return queueXmit(packet, route, params);
    }
}
