package net.tern.inet6.ip;

import io.netty.buffer.ByteBuf;
import net.tern.spi.net.Packet;
import net.tern.wire.Ipv6Address;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An upper-layer protocol over IPv6 ({@code struct inet6_protocol}): registered as a service
 * with property {@link #PROTOCOL} (the next-header number, 6 for TCP, 17 for UDP), which the
 * inet6 bundle adds to {@code inet6_protos[]} ({@code inet6_add_protocol}) while both run. It
 * receives the packets whose extension headers lead to its number ({@code handler}) and the
 * ICMPv6 errors that quote a packet it sent ({@code err_handler}).
 */
@ConsumerType
@FunctionalInterface
public interface Ip6Protocol {
    /** Service property: the next-header number served. */
    String PROTOCOL = "protocol";

    /** The packet's IPv6 header is at absolute {@code header}, the protocol's at {@code transport}. Owns the packet. */
    void receive(Packet packet, int header, int transport, Ipv6Address source, Ipv6Address destination);

    /**
     * {@code err_handler} ({@code tcp_v6_err}, {@code udpv6_err}): an ICMPv6 error of
     * {@code type}/{@code code} ({@code info}: the MTU of a Packet Too Big, the pointer of a
     * Parameter Problem) quoting a packet this host sent: its IPv6 header is at absolute
     * {@code header} of {@code buf}, this protocol's header at {@code transport}, and
     * {@code end} is where the quote ends (the quote may stop anywhere after the first 8 bytes
     * of the protocol's header). A Packet Too Big has lowered the path MTU already. Called on
     * the network thread; the bytes are valid only during the call. The default ignores it.
     */
    default void err(int type, int code, int info, ByteBuf buf, int header, int transport, int end) {
    }
}
