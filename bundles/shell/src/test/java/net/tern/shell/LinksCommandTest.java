package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PacketLeakCheck.class)
class LinksCommandTest {
    private final TestStack stack = new TestStack();

    @AfterEach
    void closeStack() {
        stack.close();
    }

    @Test
    void printsEachLinkAsIpDoesWithAddressesAndCounters() throws Exception {
        FakeDevice tun = new FakeDevice("tun0", 1500, 9000,
                List.of(IfAddress.parse("10.0.0.1/24"), IfAddress.parse("10.0.1.1/24")));
        Link link = stack.register(tun);
        // Two packets in with no handler for their type (counted, then dropped), one out.
        tun.inject(stack.packet(EtherType.IPV4, new byte[100]));
        tun.inject(stack.packet(EtherType.IPV4, new byte[20]));
        stack.runUntilIdle();
        link.transmit(stack.packet(EtherType.IPV4, new byte[60]));
        tun.releaseTransmitted();

        String out = NetlinkBed.linksCommand(stack).links();

        assertThat(out.lines().toList()).containsExactly(
                "1: tun0: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1500 state UP",
                "    inet 10.0.0.1/24",
                "    inet 10.0.1.1/24",
                "         bytes  packets  errors  dropped",
                "    RX:  120    2        0       2",
                "    TX:  60     1        0       0");
    }

    @Test
    void aDownLinkSaysDown() throws Exception {
        Link link = stack.register(new FakeDevice("eth9"));
        link.setUp(false);
        assertThat(NetlinkBed.linksCommand(stack).links()).startsWith("1: eth9: <POINTOPOINT,NOARP> mtu");
        assertThat(NetlinkBed.linksCommand(stack).links().lines().findFirst().orElseThrow()).endsWith("state DOWN");
    }

    @Test
    void saysSoWhenNoLinkIsRegistered() {
        assertThat(NetlinkBed.linksCommand(stack).links()).isEqualTo("no links registered");
    }
}
