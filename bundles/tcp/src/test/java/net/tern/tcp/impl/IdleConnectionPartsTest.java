package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.tern.inet.sock.SkState;
import net.tern.tcp.testing.LoopbackHost;
import org.junit.jupiter.api.Test;

/**
 * What an idle connection holds: parts a connection needs only once data flows (RACK's state,
 * made when data is first acknowledged) are absent after the handshake and at an end that only
 * receives, although every segment it takes carries an ACK, and present once data was
 * acknowledged. The idle-connection
 * memory the benchmarks report depends on it.
 */
class IdleConnectionPartsTest {
    @Test
    void rackStateIsMadeByAcknowledgedDataOnly() throws Exception {
        try (LoopbackHost lo = new LoopbackHost()) {
            int[] pair = lo.connectPair(lo.listen(80, 8), 80);
            lo.runUntilIdle();
            List<TcpSock> established = established(lo);
            assertThat(established).as("both ends established").hasSize(2);
            assertThat(established).allSatisfy(sk -> assertThat(sk.rtx().rackIfMade()).as("RACK state of an idle end").isNull());

            lo.sendAll(pair[0], "data".getBytes(StandardCharsets.US_ASCII), 1000);
            lo.runUntilIdle();
            assertThat(new String(lo.readAvailable(pair[1]), StandardCharsets.US_ASCII)).isEqualTo("data");
            TcpSock sender = established(lo).stream().filter(sk -> sk.num() != 80).findFirst().orElseThrow();
            TcpSock receiver = established(lo).stream().filter(sk -> sk.num() == 80).findFirst().orElseThrow();
            assertThat(sender.rtx().rackIfMade()).as("RACK state once data was acknowledged").isNotNull();
            assertThat(sender.rtx().delivered()).as("segments delivered").isPositive();
            assertThat(receiver.rtx().rackIfMade()).as("RACK state of an end that only received (its ACK field moved nothing)")
                    .isNull();
        }
    }

    private static List<TcpSock> established(LoopbackHost lo) {
        return lo.host().tcp().sockets().stream().filter(s -> s.state() == SkState.ESTABLISHED).toList();
    }
}
