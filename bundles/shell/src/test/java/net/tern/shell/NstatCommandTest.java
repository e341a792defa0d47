package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.snmp.CounterGroup;
import net.tern.udp.testing.UdpTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PacketLeakCheck.class)
class NstatCommandTest {
    private UdpTestBed bed;
    private NstatCommand nstat;

    /** One echo request to itself through lo, and its reply: the counters then have something to say. */
    @BeforeEach
    void pingOnce() throws Exception {
        bed = new UdpTestBed(); // IPv4 with lo and the socket layer, which serves /proc/net/snmp
        nstat = new NstatCommand(bed.api());
        pingOnceMore();
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    @Test
    void printsTheNonZeroCountersByTheirNstatNamesInNstatsColumns() {
        assertThat(nstat.nstat().lines()).containsExactly(
                "#kernel",
                "IpInReceives                    2",
                "IpInDelivers                    2",
                "IpOutRequests                   2",
                "IcmpInMsgs                      2",
                "IcmpInEchos                     1",
                "IcmpInEchoReps                  1",
                "IcmpOutMsgs                     2",
                "IcmpOutEchos                    1",
                "IcmpOutEchoReps                 1");
    }

    @Test
    void theFirstCallShowsEverythingSinceStartAndTheNextOnlyWhatChanged() {
        String first = nstat.nstat();
        assertThat(first).contains("IcmpInEchos                     1");

        assertThat(nstat.nstat()).as("nothing happened since").isEqualTo("#kernel");
        pingOnceMore();
        assertThat(nstat.nstat("Icmp").lines()).containsExactly(
                "#kernel",
                "IcmpInMsgs                      2",
                "IcmpInEchos                     1",
                "IcmpInEchoReps                  1",
                "IcmpOutMsgs                     2",
                "IcmpOutEchos                    1",
                "IcmpOutEchoReps                 1");
        assertThat(nstat.nstat("Icmp")).as("a pattern limits the output, not the history").isEqualTo("#kernel");
        assertThat(nstat.nstat("Ip")).isEqualTo("#kernel");
    }

    @Test
    void dashAShowsAbsoluteValuesAndLeavesTheHistoryAlone() {
        nstat.nstat();
        pingOnceMore();

        assertThat(nstat.nstat("-a", "IcmpInEchos")).endsWith("\nIcmpInEchos                     2");
        assertThat(nstat.nstat("--ignore", "IcmpInEchos")).endsWith("\nIcmpInEchos                     2");
        assertThat(nstat.nstat("IcmpInEchos")).as("the delta since the last call that kept history")
                .endsWith("\nIcmpInEchos                     1");
    }

    @Test
    void dashRForgetsTheHistorySoDeltasStartAgainFromZero() {
        nstat.nstat();
        pingOnceMore();

        assertThat(nstat.nstat("-r", "IcmpInEchos")).endsWith("\nIcmpInEchos                     2");
        assertThat(nstat.nstat("IcmpInEchos")).as("-r started a new history").isEqualTo("#kernel");
        assertThat(nstat.nstat("--reset", "IcmpInEchos")).endsWith("\nIcmpInEchos                     2");
    }

    @Test
    void dashSPrintsWithoutUpdatingAndDashNUpdatesWithoutPrinting() {
        assertThat(nstat.nstat("-s", "IcmpInEchos")).endsWith("\nIcmpInEchos                     1");
        assertThat(nstat.nstat("-s", "IcmpInEchos")).as("-s kept no history").endsWith("\nIcmpInEchos                     1");

        assertThat(nstat.nstat("-n")).isEmpty();
        assertThat(nstat.nstat("IcmpInEchos")).as("-n took the history").isEqualTo("#kernel");
    }

    @Test
    void zerosShowTheCountersThatDidNotMoveSinceTheLastCall() {
        nstat.nstat();
        assertThat(nstat.nstat("-z", "IcmpInEchos")).endsWith("\nIcmpInEchos                     0");
    }

    /** One more echo request and reply through lo. */
    private void pingOnceMore() {
        assertThat(EchoPeer.pingThroughLo(bed, "-c", "1", "127.0.0.1").received()).isEqualTo(1);
    }

    @Test
    void zerosShowWithDashZ() {
        List<String> lines = nstat.nstat("-z").lines().toList();
        assertThat(lines).contains(
                "IpInHdrErrors                   0",
                "IpExtInNoRoutes                 0",
                "IcmpOutRateLimitHost            0",
                "IcmpInEchos                     1");
        long counters = bed.inet().snmp().snapshot().values().stream().mapToLong(m -> m.size()).sum();
        assertThat(lines).hasSize(1 + (int) counters);
        assertThat(nstat.nstat("-az")).isEqualTo(nstat.nstat("-a", "--zeros")).isEqualTo(nstat.nstat("-za"));
    }

    @Test
    void aPatternFiltersByPrefixOrGlob() {
        assertThat(nstat.nstat("-a", "IcmpOut").lines()).containsExactly(
                "#kernel",
                "IcmpOutMsgs                     2",
                "IcmpOutEchos                    1",
                "IcmpOutEchoReps                 1");
        assertThat(nstat.nstat("-a", "*EchoRep?").lines()).containsExactly(
                "#kernel",
                "IcmpInEchoReps                  1",
                "IcmpOutEchoReps                 1");
        assertThat(nstat.nstat("-az", "IpExt*", "IpIn[RD]e*").lines()).containsExactly(
                "#kernel",
                "IpInReceives                    2",
                "IpInDelivers                    2",
                "IpExtInNoRoutes                 0",
                "IpExtInTruncatedPkts            0",
                "IpExtInCsumErrors               0",
                "IpExtReasmOverlaps              0");
        assertThat(nstat.nstat("-a", "Tcp")).as("nothing matches").isEqualTo("#kernel");
    }

    @Test
    void aGroupRegisteredLaterShowsWithItsOwnNames() {
        CounterGroup udpLite = bed.inet().snmp().register("UdpLite", List.of("InDatagrams", "NoPorts", "InErrors", "OutDatagrams"));
        udpLite.adder("InDatagrams").add(12345678901L);

        assertThat(nstat.nstat("UdpLite").lines()).containsExactly(
                "#kernel",
                "UdpLiteInDatagrams              12345678901");
    }

    @Test
    void aNameLongerThanTheColumnKeepsASpaceBeforeItsValue() {
        CounterGroup ext = bed.inet().snmp().register("TcpExt", List.of("TCPSpuriousRtxHostQueuesAndMore"));
        ext.adder(0).increment();

        assertThat(nstat.nstat("TcpExt")).endsWith("\nTcpExtTCPSpuriousRtxHostQueuesAndMore 1");
    }

    @Test
    void anUnknownOptionIsRefusedWithTheUsageAndHelpPrintsIt() {
        assertThatThrownBy(() -> nstat.nstat("-x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("nstat: invalid option -- 'x'\nUsage:");
        assertThatThrownBy(() -> nstat.nstat("--json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("nstat: unrecognized option '--json'");
        assertThat(nstat.nstat("-h")).isEqualTo(NstatCommand.USAGE).contains("-a, --ignore", "-r, --reset", "-s, --noupdate", "-n, --nooutput", "-z, --zeros");
    }
}
