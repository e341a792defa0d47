package net.tern.spi.net;

import org.osgi.annotation.versioning.ProviderType;

/** What the core gives a device when it opens: the way to hand in received packets. */
@ProviderType
public interface NetDeviceContext {
    /** The link this device is registered as. */
    Link link();

    /**
     * {@code netif_rx}: hands a received packet to the stack. It is counted, queued and
     * dispatched by packet type on the {@link NetworkThread}; the stack owns it from here.
     * Safe to call from any thread, including the network thread itself.
     */
    void receive(Packet packet);

    /** The device's counters, for what only the driver sees (drops in its own queue, write errors). */
    LinkStats stats();

    /** Where the driver gets packets for what it receives. */
    PacketAllocator allocator();
}
