package net.tern.api.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcNetSnmpTest {

    /** Three groups in the shape of Linux's /proc/net/snmp (its names; Tcp MaxConn is -1 there too). */
    private static final String LINUX = """
            Ip: Forwarding DefaultTTL InReceives InHdrErrors
            Ip: 1 64 8812 0
            Icmp: InMsgs InErrors
            Icmp: 45 0
            Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens
            Tcp: 1 200 120000 -1 310
            """;

    @Test
    void readsLinuxsTwoLinesPerGroupInOrderWithSignedValues() {
        Map<String, Map<String, Long>> groups = ProcNetSnmp.parse(LINUX);

        assertThat(groups.keySet()).containsExactly("Ip", "Icmp", "Tcp");
        assertThat(groups.get("Ip")).containsExactly(Map.entry("Forwarding", 1L), Map.entry("DefaultTTL", 64L),
                Map.entry("InReceives", 8812L), Map.entry("InHdrErrors", 0L));
        assertThat(groups.get("Tcp").get("MaxConn")).isEqualTo(-1L);
    }

    @Test
    void whatItWritesItReadsBack() {
        Map<String, Map<String, Long>> groups = new LinkedHashMap<>();
        groups.put("IpExt", Map.of("InNoRoutes", 3L));
        groups.put("TcpExt", new LinkedHashMap<>(Map.of("SyncookiesSent", 0L)));

        String text = ProcNetSnmp.format(groups);

        assertThat(text).isEqualTo("IpExt: InNoRoutes\nIpExt: 3\nTcpExt: SyncookiesSent\nTcpExt: 0\n");
        assertThat(ProcNetSnmp.parse(text)).isEqualTo(groups);
    }

    @Test
    void aBrokenPairIsNamed() {
        assertThatThrownBy(() -> ProcNetSnmp.parse("Ip: A B\nIp: 1\n")).hasMessageContaining("line 2: Ip names 2 counters but has 1 values");
        assertThatThrownBy(() -> ProcNetSnmp.parse("Ip: A\nIcmp: 1\n")).hasMessageContaining("the values of Ip are missing");
        assertThatThrownBy(() -> ProcNetSnmp.parse("Ip: A\nIp: x\n")).hasMessageContaining("IpA is not a number: x");
    }

    @Test
    void snmp6LinesGroupByTheNameUpToItsSixAndFormatBack() {
        String text = "Ip6InReceives                   \t12\nIp6InHdrErrors                  \t0\nIcmp6InType128                  \t3\n";
        Map<String, Map<String, Long>> groups = ProcNetSnmp.parseSnmp6(text);
        assertThat(groups.get("Ip6")).containsEntry("InReceives", 12L)
                .containsEntry("InHdrErrors", 0L);
        assertThat(groups.get("Icmp6")).containsEntry("InType128", 3L);
        assertThat(ProcNetSnmp.formatSnmp6(groups)).isEqualTo(text);
        assertThatThrownBy(() -> ProcNetSnmp.parseSnmp6("Ip6InReceives x\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
