package net.tern.inet.ip;

import net.tern.spi.net.Packet;
import org.osgi.annotation.versioning.ProviderType;

/**
 * {@code icmp_send}: answers a received datagram with an ICMP error, such as UDP's port
 * unreachable. The rules of RFC 1122 (3.2.2) apply: nothing is sent about an ICMP error, a
 * fragment other than the first, a datagram to a broadcast or multicast address, or one from
 * an address that does not name a single host; and errors are rate limited
 * ({@code icmp_ratelimit}, {@code icmp_ratemask}, {@code icmp_msgs_per_sec}).
 */
@ProviderType
public interface IcmpSender {
    /**
     * Sends ICMP {@code type}/{@code code} about {@code offending}, whose network header must
     * be set (as it is for every packet IPv4 input delivers). {@code info} is the next-hop MTU
     * for fragmentation needed, the pointer for a parameter problem, otherwise 0. The caller
     * keeps ownership of {@code offending}. Returns whether a message was sent.
     */
    boolean send(Packet offending, int type, int code, int info);
}
