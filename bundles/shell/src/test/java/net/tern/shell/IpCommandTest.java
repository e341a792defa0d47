package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.Test;

class IpCommandTest extends IpCommandTestBase {

    @Test
    void noArgumentsThrowTheUsageAndHelpPrintsIt() {
        assertThatThrownBy(() -> ip.ip()).isInstanceOf(IllegalArgumentException.class).hasMessage(IpCommand.USAGE);
        assertThat(ip.ip("help")).isEqualTo(IpCommand.USAGE).startsWith("Usage: net:ip [ OPTIONS ] OBJECT");
        assertThat(ip.ip("-help")).isEqualTo(IpCommand.USAGE);
    }

    @Test
    void anUnknownObjectOrOptionPointsToHelp() {
        assertThatThrownBy(() -> ip.ip("link"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Object \"link\" is unknown, try \"net:ip help\".");
        assertThatThrownBy(() -> ip.ip("-7", "addr"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Option \"-7\" is unknown, try \"net:ip -help\".");
    }

    @Test
    void theIpv4OptionIsAcceptedSinceIpv4IsTheOnlyFamily() {
        assertThat(ip.ip("-4", "route")).isEqualTo(ip.ip("route"));
    }

    /** The arguments as the Gogo shell passes them: words, some of which it first reads as numbers. */
    @Test
    void gogoCallsTheCommandWithTheWordsTyped() throws Exception {
        CommandProcessorImpl processor = new CommandProcessorImpl();
        processor.addCommand("net", ip, "ip");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out);
        try {
            assertThat(session.execute("net:ip route add 10.9.0.0/16 dev eth0 metric 5")).isNull();
            assertThat(session.execute("net:ip r")).isEqualTo(String.join("\n",
                    "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1",
                    "10.9.0.0/16 dev eth0 scope link metric 5"));
            assertThat((String) session.execute("net:ip addr show lo")).startsWith("1: lo: <LOOPBACK,UP,LOWER_UP>");
            assertThatThrownBy(() -> session.execute("net:ip route add default via 10.0.0.254 metric 1 metric 2"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Error: duplicate \"metric\": \"2\" is the second value.");
        } finally {
            session.close();
            processor.stop();
        }
    }
}
