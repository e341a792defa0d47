package net.tern.inet6.impl;

import static net.tern.inet6.testing.Inet6TestBed.bytes;
import static net.tern.inet6.testing.Inet6TestBed.drain;
import static net.tern.inet6.testing.Inet6TestBed.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.tern.core.testing.FakeDevice;
import net.tern.inet6.testing.Inet6TestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /proc/net/snmp6}'s {@code Ip6} and {@code Icmp6} counters under Linux's names, in its order, and the ECN counts. */
class Snmp6NamesTest {
    /**
     * The names of Linux 6.18's {@code /proc/net/snmp6} (this machine's), its per-type
     * {@code Icmp6InType}/{@code OutType} lines left out, in its order.
     */
    private static final List<String> LINUX = List.of("Ip6InReceives", "Ip6InHdrErrors", "Ip6InTooBigErrors",
            "Ip6InNoRoutes", "Ip6InAddrErrors", "Ip6InUnknownProtos", "Ip6InTruncatedPkts", "Ip6InDiscards",
            "Ip6InDelivers", "Ip6OutForwDatagrams", "Ip6OutRequests", "Ip6OutDiscards", "Ip6OutNoRoutes",
            "Ip6ReasmTimeout", "Ip6ReasmReqds", "Ip6ReasmOKs", "Ip6ReasmFails", "Ip6FragOKs", "Ip6FragFails",
            "Ip6FragCreates", "Ip6InMcastPkts", "Ip6OutMcastPkts", "Ip6InOctets", "Ip6OutOctets", "Ip6InMcastOctets",
            "Ip6OutMcastOctets", "Ip6InBcastOctets", "Ip6OutBcastOctets", "Ip6InNoECTPkts", "Ip6InECT1Pkts",
            "Ip6InECT0Pkts", "Ip6InCEPkts", "Ip6OutTransmits", "Icmp6InMsgs", "Icmp6InErrors", "Icmp6OutMsgs",
            "Icmp6OutErrors", "Icmp6InCsumErrors", "Icmp6OutRateLimitHost", "Icmp6InDestUnreachs", "Icmp6InPktTooBigs",
            "Icmp6InTimeExcds", "Icmp6InParmProblems", "Icmp6InEchos", "Icmp6InEchoReplies", "Icmp6InGroupMembQueries",
            "Icmp6InGroupMembResponses", "Icmp6InGroupMembReductions", "Icmp6InRouterSolicits",
            "Icmp6InRouterAdvertisements", "Icmp6InNeighborSolicits", "Icmp6InNeighborAdvertisements",
            "Icmp6InRedirects", "Icmp6InMLDv2Reports", "Icmp6OutDestUnreachs", "Icmp6OutPktTooBigs",
            "Icmp6OutTimeExcds", "Icmp6OutParmProblems", "Icmp6OutEchos", "Icmp6OutEchoReplies",
            "Icmp6OutGroupMembQueries", "Icmp6OutGroupMembResponses", "Icmp6OutGroupMembReductions",
            "Icmp6OutRouterSolicits", "Icmp6OutRouterAdvertisements", "Icmp6OutNeighborSolicits",
            "Icmp6OutNeighborAdvertisements", "Icmp6OutRedirects", "Icmp6OutMLDv2Reports");

    private Inet6TestBed bed;
    private FakeDevice tun;

    @BeforeEach
    void setUp() throws Exception {
        bed = new Inet6TestBed();
        bed.loopback();
        tun = bed.fake("tun0", 1500, "fd00::2/64");
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    @Test
    void theCountersAreLinuxsByNameAndOrder() {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Map<String, Long>> group : bed.inet6().snmp().snapshot().entrySet()) {
            for (String name : group.getValue().keySet()) {
                if (!name.startsWith("InType") && !name.startsWith("OutType")) {
                    names.add(group.getKey() + name);
                }
            }
        }
        assertThat(names).containsExactlyElementsOf(LINUX);
    }

    @Test
    void receivedPacketsCountByTheirEcnCodepointAndEachTransmissionCounts() {
        for (int ecn = 0; ecn < 4; ecn++) {
            byte[] request = echoRequest("fd00::1", "fd00::2", 1, ecn, bytes(56, ecn));
            request[1] |= (byte) (ecn << 4); // the traffic class's low two bits, RFC 3168's ECN field
            bed.inject(tun, request);
        }
        drain(tun);
        assertThat(bed.counter("Ip6InNoECTPkts")).isEqualTo(1);
        assertThat(bed.counter("Ip6InECT1Pkts")).isEqualTo(1);
        assertThat(bed.counter("Ip6InECT0Pkts")).isEqualTo(1);
        assertThat(bed.counter("Ip6InCEPkts")).isEqualTo(1);
        assertThat(bed.counter("Ip6OutTransmits")).isEqualTo(4);
        assertThat(bed.counter("Icmp6OutEchoReplies")).isEqualTo(4);
    }
}
