package net.tern.shell;

import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.testing.InetTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@code net:ip} per test over an {@link InetTestBed} with {@code lo} and {@code eth0}
 * (10.0.0.1/24, MTU 1500), closed after it, with the packet leak check on.
 */
@ExtendWith(PacketLeakCheck.class)
abstract class IpCommandTestBase {
    final InetTestBed bed = new InetTestBed();
    IpCommand ip;

    @BeforeEach
    void start() throws Exception {
        bed.loopback();
        bed.fake("eth0", 1500, "10.0.0.1/24");
        ip = new IpCommand(bed.stack().links(), bed.inet().fib());
    }

    @AfterEach
    void stop() {
        bed.close();
    }
}
