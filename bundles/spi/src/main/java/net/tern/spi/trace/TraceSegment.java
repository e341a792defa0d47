package net.tern.spi.trace;

/**
 * The TCP segment that caused an event: flags (the header's flag bits: FIN 0x01, SYN 0x02,
 * RST 0x04, PSH 0x08, ACK 0x10, URG 0x20), sequence and acknowledgment numbers, and payload
 * length.
 */
public record TraceSegment(int flags, int seq, int ack, int length) {
}
