package net.tern.link.tun;

import io.netty.buffer.ByteBuf;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.FlowHash;

/**
 * Which TUN queue a flow uses: the one the stack's receive steering gives the flow's network
 * thread ({@link FlowHash} modulo the count, as the core picks a flow's receive queue), so with
 * one queue per network thread queue N carries the flows of thread N.
 *
 * <p>The kernel's side follows: {@code tun_get_user} records, for a packet written on queue N
 * of a multi-queue TUN, its flow's symmetric hash with queue N ({@code tun_flow_update}), and
 * {@code tun_automq_select_queue} sends the flow's packets toward user space on the queue it
 * last came from. Until a flow has written once (the kernel's SYN to a listening socket), or
 * after its entry aged out (3 s without a packet from user space), the kernel picks the queue
 * by its own hash ({@code reciprocal_scale}); the reader counts such a packet and the core
 * still hands it to its flow's thread. Packets that are not IPv4 go on queue 0, as the core
 * receives them on network thread 0.
 */
final class TunSteering {
    private TunSteering() {
    }

    /** The queue, of {@code queues}, for a packet of {@code ethertype} whose IP header starts at {@code at} in {@code buf}. */
    static int queueOf(int ethertype, ByteBuf buf, int at, int queues) {
        if (queues <= 1 || ethertype != EtherType.IPV4) {
            return 0;
        }
        return Math.floorMod(FlowHash.ofIpv4(buf, at), queues);
    }
}
