package net.tern.spi.net;

import io.netty.buffer.ByteBuf;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Hands out pooled packets ({@code alloc_skb}) and counts those not yet released, so a leak
 * is a number a test can assert on rather than a warning in a log.
 */
@ProviderType
public interface PacketAllocator {
    /**
     * A packet with {@code headroom} bytes free in front and room for {@code capacity} bytes
     * of data; it has no data yet (write into {@link Packet#buf()}).
     */
    Packet allocate(int headroom, int capacity);

    /** Takes ownership of {@code buf} (already holding the packet's data) as a tracked packet. */
    Packet wrap(ByteBuf buf);

    /** Packets allocated and not yet released. */
    long outstanding();
}
