package net.tern.packet;

/**
 * {@code struct tpacket_stats}, the value of {@code getsockopt(SOL_PACKET, PACKET_STATISTICS)}:
 * since the last read (which resets both, as Linux's does), the packets the socket was handed
 * and, of them, those it dropped because its receive buffer ({@code SO_RCVBUF}) was full.
 *
 * @param packets {@code tp_packets}: queued and dropped together
 * @param drops   {@code tp_drops}
 */
public record TpacketStats(long packets, long drops) {
}
