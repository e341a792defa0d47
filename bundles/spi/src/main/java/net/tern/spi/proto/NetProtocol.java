package net.tern.spi.proto;

import net.tern.spi.net.Packet;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A protocol carried in IP ({@code struct net_protocol}, added with {@code inet_add_protocol}):
 * registered as a service with the property {@value #PROTOCOL} (6 for TCP, 17 for UDP, 1 for
 * ICMP), it receives the packets IPv4 input delivers locally and the ICMP errors that
 * concern it.
 */
@ConsumerType
public interface NetProtocol {
    /** The service property holding the IP protocol number, an Integer. */
    String PROTOCOL = "protocol";

    /**
     * {@code handler} ({@code tcp_v4_rcv}, {@code udp_rcv}): the packet's data start at the
     * transport header, its network header is set. Runs on the network thread; the handler
     * owns the packet.
     */
    void handler(Packet packet);

    /**
     * {@code err_handler} ({@code tcp_v4_err}, {@code udp_err}): an ICMP error of
     * {@code type} and {@code code} arrived about a packet this protocol sent; {@code quoted}
     * starts at the quoted IP header. {@code info} carries the next-hop MTU for
     * fragmentation-needed. The caller keeps ownership of {@code quoted}.
     */
    void errHandler(Packet quoted, int type, int code, int info);
}
