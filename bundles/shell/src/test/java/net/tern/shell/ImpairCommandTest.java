package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.link.loopback.LoopbackDevice;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Impairment;
import net.tern.spi.net.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PacketLeakCheck.class)
class ImpairCommandTest {
    private final TestStack stack = new TestStack();
    private final FakeDevice tun = new FakeDevice("tun0");
    private ImpairCommand command;
    private Link lo;
    private Link tun0;

    @BeforeEach
    void setUp() throws Exception {
        lo = stack.register(new LoopbackDevice());
        tun0 = stack.register(tun);
        command = NetlinkBed.impairCommand(stack);
    }

    @AfterEach
    void close() {
        tun.releaseTransmitted();
        stack.close();
    }

    @Test
    void theInteropScriptsLineSetsTheImpairmentAndPrintsNothing() {
        assertThat(command.impair("tun0", "loss", "2%", "duplicate", "1%", "reorder", "5%", "seed", "1")).isNull();
        assertThat(tun0.impairment()).isEqualTo(Impairment.parse("loss 2 duplicate 1 reorder 5 seed 1"));
        assertThat(lo.impairment()).isEqualTo(Impairment.NONE);
    }

    @Test
    void percentagesAndDelaysTakeOrLeaveTheirUnit() {
        command.impair("tun0", "loss", "2", "delay", "10");
        assertThat(tun0.impairment().lossPercent()).isEqualTo(2);
        assertThat(tun0.impairment().delayNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(10));
        command.impair("tun0", "delay", "10ms", "seed", "7");
        assertThat(tun0.impairment()).hasToString("delay 10ms seed 7");
    }

    @Test
    void offTakesItAway() {
        command.impair("tun0", "loss", "50%", "seed", "3");
        assertThat(command.impair("tun0", "off")).isNull();
        assertThat(tun0.impairment()).isEqualTo(Impairment.NONE);
    }

    @Test
    void listsEveryLinkWithItsImpairmentAndCounters() {
        command.impair("tun0", "loss", "100%", "seed", "1");
        tun0.transmit(stack.packet(EtherType.IPV4, new byte[20]));
        tun0.transmit(stack.packet(EtherType.IPV4, new byte[20]));

        assertThat(command.impair().lines().toList()).containsExactly(
                "dev   impairment        dropped  duplicated  reordered  delayed",
                "lo    off               0        0           0          0",
                "tun0  loss 100% seed 1  2        0           0          0");
        assertThat(command.impair("tun0").lines().toList()).containsExactly(
                "dev   impairment        dropped  duplicated  reordered  delayed",
                "tun0  loss 100% seed 1  2        0           0          0");
    }

    @Test
    void netLinksShowsTheImpairmentAsTcShowsNetem() {
        command.impair("tun0", "duplicate", "100%", "delay", "5ms", "seed", "2");
        tun0.transmit(stack.packet(EtherType.IPV4, new byte[20]));
        stack.advance(5, TimeUnit.MILLISECONDS);

        String out = NetlinkBed.linksCommand(stack).links();
        assertThat(out).contains(String.join("\n",
                "    TX:  40     2        0       0",
                "    netem duplicate 100% delay 5ms seed 2",
                "      dropped 0 duplicated 1 reordered 0 delayed 2"));
        assertThat(out).doesNotContain("netem off");
    }

    @Test
    void anUnknownDeviceIsRefusedAsTcRefusesIt() {
        assertThatThrownBy(() -> command.impair("eth9", "loss", "1%"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot find device \"eth9\"");
    }

    @Test
    void aBadWordIsRefusedWithTheReasonAndTheUsage() {
        assertThatThrownBy(() -> command.impair("tun0", "loss", "200%"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("net:impair: bad loss \"200%\": expected a percentage 0..100 such as 2 or 2%\n"
                        + "Usage: net:impair");
        assertThatThrownBy(() -> command.impair("tun0", "jitter", "3ms"))
                .hasMessageStartingWith("net:impair: unknown word \"jitter\"");
        assertThat(tun0.impairment()).isEqualTo(Impairment.NONE);
    }

    @Test
    void helpPrintsTheUsage() {
        assertThat(command.impair("help")).isEqualTo(ImpairCommand.USAGE);
    }
}
