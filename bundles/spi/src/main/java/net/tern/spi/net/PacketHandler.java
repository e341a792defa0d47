package net.tern.spi.net;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A link-layer packet handler ({@code struct packet_type}, added with {@code dev_add_pack}):
 * registered as a service with the property {@value #ETHERTYPE}, it receives every packet
 * of that type from receive dispatch ({@code netif_receive_skb}). IPv4's is {@code ip_rcv}.
 */
@ConsumerType
public interface PacketHandler {
    /** The service property holding the ethertype handled, an Integer such as 0x0800. */
    String ETHERTYPE = "ethertype";

    /** Called on the {@link NetworkThread}; the handler owns the packet and must release it. */
    void receive(Packet packet);
}
