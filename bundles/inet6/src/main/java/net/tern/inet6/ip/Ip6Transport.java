package net.tern.inet6.ip;

import net.tern.api.socket.ErrnoException;
import net.tern.spi.net.Packet;
import net.tern.wire.Ipv6Address;
import org.osgi.annotation.versioning.ProviderType;

/**
 * IPv6 for transports ({@code ip6_route_output}, {@code ipv6_dev_get_saddr}, {@code ip6_xmit},
 * {@code icmpv6_send}, {@code ipv6_chk_addr}), a service of the inet6 bundle while it runs. A
 * transport looks the route up once ({@link #route}; the path MTU is in it, lowered by Packet
 * Too Big), picks the source its checksum needs ({@link #source}), builds its segment in a
 * packet with {@link #HEADROOM} bytes of headroom and hands it to {@link #xmit}.
 *
 * <p>May be called from any thread. The packet passes to IPv6 in every case; on failure it is
 * released before the exception is thrown.
 */
@ProviderType
public interface Ip6Transport {
    /** Room in front of a transport's header for the fixed header, a fragment header and a link header. */
    int HEADROOM = 128;
    /** The fixed header's length: what a transport's MSS leaves out besides its own header (MSS = MTU - 60 for TCP). */
    int HEADER_LENGTH = 40;

    /**
     * {@code ip6_route_output}: where a packet to {@code destination} goes, on link {@code oif}
     * if it is not 0; ENETUNREACH (counted in {@code Ip6OutNoRoutes}) without a route.
     */
    Dst6 route(Ipv6Address destination, int oif) throws ErrnoException;

    /** {@code ipv6_dev_get_saddr}: the source address for {@code destination} by {@code dst} (RFC 6724); EADDRNOTAVAIL when none. */
    Ipv6Address source(Dst6 dst, Ipv6Address destination) throws ErrnoException;

    /**
     * {@code ip6_xmit}: puts the fixed header in front of {@code payload} (the transport's
     * packet, of protocol {@code nextHeader}) and sends it by {@code dst}, fragmenting it when
     * longer than the path MTU. A negative {@code hopLimit} is the default's. EMSGSIZE over
     * 65535 bytes; ENETDOWN when the link is down. Takes ownership.
     */
    void xmit(Packet payload, Dst6 dst, Ipv6Address source, Ipv6Address destination, int nextHeader, int hopLimit,
            int trafficClass) throws ErrnoException;

    /** {@code ipv6_chk_addr}: whether {@code address} is one of this host's (bind's check). */
    boolean isLocal(Ipv6Address address);

    /**
     * {@code icmpv6_send}: an ICMPv6 error of {@code type}/{@code code} with {@code info} about
     * the received packet whose IPv6 header is at absolute {@code header} of {@code invoking}
     * (port unreachable from UDP), under RFC 4443 2.4's rules and the rate limit. Does not take
     * ownership.
     */
    void sendError(Packet invoking, int header, int type, int code, int info);

    /** The hop limit of packets whose sender names none ({@code conf.all.hop_limit}). */
    int hopLimit();

    /**
     * {@code net.ipv6.bindv6only}: whether new AF_INET6 sockets start with {@code IPV6_V6ONLY}
     * set (false, as on Linux: [::] then takes IPv4's addresses too).
     */
    boolean bindv6only();
}
