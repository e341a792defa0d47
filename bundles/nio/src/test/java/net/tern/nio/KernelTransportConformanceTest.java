package net.tern.nio;

import java.nio.channels.spi.SelectorProvider;

/** The conformance suite over the JDK's own provider: the kernel's loopback, the reference. */
class KernelTransportConformanceTest extends TransportConformance {
    @Override
    SelectorProvider provider() {
        return SelectorProvider.provider();
    }
}
