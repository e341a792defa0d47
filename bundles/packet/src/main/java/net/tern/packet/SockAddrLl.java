package net.tern.packet;

import net.tern.api.socket.SockAddr;

/**
 * {@code struct sockaddr_ll}, a packet socket's address: what {@code bind} takes (a link by
 * index and a protocol) and what {@code recvfrom} gives for each packet (the link it crossed,
 * its protocol, the link's type and the packet's direction). Tern's links have no hardware
 * addresses: {@code sll_halen} is 0 and {@code sll_addr} empty.
 *
 * @param protocol {@code sll_protocol}, the ethertype ({@link IfPacket#ETH_P_IP}, ...) as a
 *                 number in host order ({@code ntohs(sll_protocol)} in C); 0 in a {@code bind}
 *                 keeps the socket's protocol
 * @param ifindex  {@code sll_ifindex}: the link; 0 in a {@code bind} means every link
 * @param hatype   {@code sll_hatype}: the link's {@code ARPHRD_*}
 * @param pkttype  {@code sll_pkttype}: {@link IfPacket#PACKET_HOST}, {@link IfPacket#PACKET_OUTGOING}, ...
 */
public record SockAddrLl(int protocol, int ifindex, int hatype, int pkttype) implements SockAddr {

    /** An address for {@code bind} or {@code sendto}: the link {@code ifindex} and {@code protocol}. */
    public static SockAddrLl of(int protocol, int ifindex) {
        return new SockAddrLl(protocol, ifindex, 0, 0);
    }

    @Override
    public int family() {
        return IfPacket.AF_PACKET;
    }

    @Override
    public String toString() {
        return "sockaddr_ll{ifindex=" + ifindex + ", protocol=0x" + String.format("%04x", protocol) + ", hatype=" + hatype
                + ", pkttype=" + IfPacket.pkttypeName(pkttype) + "}";
    }
}
