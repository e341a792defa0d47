package net.tern.nio;

import java.nio.channels.spi.SelectorProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The conformance suite over Tern's provider, on a Tern stack with its own loopback, in real time. */
class TernTransportConformanceTest extends TransportConformance {
    private static TernLoopback stack;

    @BeforeAll
    static void startStack() throws Exception {
        stack = new TernLoopback();
    }

    @AfterAll
    static void stopStack() {
        stack.close();
    }

    @Override
    SelectorProvider provider() {
        return stack.provider();
    }
}
