package net.tern.services;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.tern.api.socket.InetSockAddr;
import org.junit.jupiter.api.Test;

/**
 * Services whose protocol is not registered yet, or leaves: each socket waits for its
 * protocol and opens once it is there, without the loop spinning meanwhile.
 */
class ProtocolComingAndGoingTest {
    private static final ServiceSettings ECHO_AND_CHARGEN = new ServiceSettings(List.of(Service.ECHO, Service.CHARGEN),
            InetSockAddr.INADDR_ANY, 0, ServiceSettings.MAX_CONNECTIONS, ServiceSettings.BACKLOG);

    private static void assertEchoes(ServicesTestBed t, String line) throws Exception {
        int fd = t.connect(7);
        t.api().send(fd, ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)), 0);
        t.pump();
        assertThat(new String(t.readAtLeast(fd, line.length()), StandardCharsets.US_ASCII)).isEqualTo(line);
        t.api().close(fd);
        t.pump();
    }

    @Test
    void servicesConfiguredBeforeTcpIsRegisteredListenOnceItIs() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(ECHO_AND_CHARGEN, api -> api, false)) {
            assertThat(t.services().waiting()).containsExactly("echo (tcp)", "chargen (tcp)");
            assertThat(t.services().running()).isEmpty();
            assertThat(t.sockets()).extracting(SocketRow::protocol).containsExactly("udp"); // echo's UDP is there
            for (int i = 0; i < 3; i++) {
                assertThat(t.loop().runOnce(0)).as("nothing to do while TCP is missing").isZero();
            }
            assertThat(t.services().waiting()).hasSize(2);

            t.startTcp();
            t.loop().runOnce(0);
            assertThat(t.services().waiting()).isEmpty();
            assertThat(t.services().running()).containsExactly(Service.ECHO, Service.CHARGEN);
            assertEchoes(t, "after TCP came\r\n");
        }
    }

    @Test
    void aServiceWhoseSocketIsWithdrawnListensAgainWhenItsProtocolIsBack() throws Exception {
        try (ServicesTestBed t = new ServicesTestBed(ECHO_AND_CHARGEN, api -> api, true)) {
            assertEchoes(t, "before\r\n");
            t.stopTcp();
            t.pump();
            assertThat(t.sockets()).as("the TCP listeners are closed").extracting(SocketRow::protocol)
                    .containsExactly("udp");
            assertThat(t.services().waiting()).containsExactlyInAnyOrder("echo (tcp)", "chargen (tcp)");
            assertThat(t.loop().runOnce(0)).as("a withdrawn listener is not polled again").isZero();

            t.startTcp();
            t.pump();
            assertThat(t.services().running()).containsExactly(Service.ECHO, Service.CHARGEN);
            assertEchoes(t, "after TCP came back\r\n");
        }
    }
}
