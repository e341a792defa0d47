package net.tern.shell;

import net.tern.core.testing.PacketLeakCheck;
import net.tern.netlink.testing.NetlinkWiring;
import net.tern.udp.testing.UdpTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@code net:ip} per test over a stack with {@code lo} and {@code eth0} (10.0.0.1/24, MTU
 * 1500) and the netlink family it talks to, closed after it, with the packet leak check on.
 */
@ExtendWith(PacketLeakCheck.class)
abstract class IpCommandTestBase {
    UdpTestBed bed;
    IpCommand ip;

    @BeforeEach
    void start() throws Exception {
        bed = new UdpTestBed();
        bed.fake("eth0", 1500, "10.0.0.1/24");
        NetlinkWiring.attach(bed.socketLayer(), bed.stack(), bed.inet().fib());
        ip = new IpCommand(bed.api());
    }

    @AfterEach
    void stop() {
        bed.close();
    }
}
