package net.tern.tcp.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import net.tern.api.socket.TcpInfo;
import org.junit.jupiter.api.Test;

/** The expressions of {@code %{ }%} blocks. */
class InfoExpressionTest {
    private static final Map<String, Double> VARS = Map.of("tcpi_snd_cwnd", 10.0, "tcpi_rto", 300000.0,
            "tcpi_options", 7.0, "TCPI_OPT_SACK", 2.0, "TCP_ESTABLISHED", 1.0, "tcpi_state", 1.0);

    private static double eval(String expression) {
        return InfoExpression.evaluate(expression, VARS);
    }

    @Test
    void arithmeticFollowsPythonPrecedence() {
        assertThat(eval("1 + 2 * 3")).isEqualTo(7);
        assertThat(eval("(1 + 2) * 3")).isEqualTo(9);
        assertThat(eval("7 // 2")).isEqualTo(3);
        assertThat(eval("7 / 2")).isEqualTo(3.5);
        assertThat(eval("-7 % 3")).isEqualTo(2);
        assertThat(eval("-tcpi_snd_cwnd + 0x10")).isEqualTo(6);
        assertThat(eval("tcpi_options & TCPI_OPT_SACK")).isEqualTo(2);
        assertThat(eval("1 | 2 | 4 == 7")).isEqualTo(1);
    }

    @Test
    void comparisonsChainAndCombineWithBooleans() {
        assertThat(eval("tcpi_snd_cwnd == 10")).isEqualTo(1);
        assertThat(eval("5 < tcpi_snd_cwnd <= 10")).isEqualTo(1);
        assertThat(eval("5 < tcpi_snd_cwnd < 10")).isEqualTo(0);
        assertThat(eval("tcpi_rto >= 200000 and tcpi_rto != 0")).isEqualTo(1);
        assertThat(eval("tcpi_snd_cwnd == 1 or tcpi_state == TCP_ESTABLISHED")).isEqualTo(1);
        assertThat(eval("not tcpi_snd_cwnd > 10")).isEqualTo(1);
    }

    @Test
    void checkReportsTheFailedAssertionWithItsValues() {
        assertThat(InfoExpression.check("assert tcpi_snd_cwnd == 10\nassert tcpi_rto > 0  # fine", VARS)).isNull();
        assertThat(InfoExpression.check("assert tcpi_snd_cwnd == 10; assert tcpi_rto < 1000, 'rto too big'", VARS))
                .isEqualTo("assertion failed: tcpi_rto < 1000 ('rto too big') where tcpi_rto = 300000");
        assertThatThrownBy(() -> InfoExpression.check("tcpi_rto := 1", VARS))
                .hasMessageContaining("statements are 'assert EXPR', 'name = EXPR' and 'print(...)'");
        assertThatThrownBy(() -> eval("tcpi_rto +")).hasMessageContaining("expected a number, a name or '('");
    }

    @Test
    void everyTcpInfoFieldIsATcpiName() {
        TcpInfo info = new TcpInfo(1, 0, 0, 0, 0, 7, 7, 8, 300000, 40000, 1448, 1460, 0, 0, 0, 0, 1, 2, 3, 1500, 0,
                100000, 50000, Integer.MAX_VALUE, 10, 1460, 3, 0, 0, 0, 1000, 2000, 5, 6, 0, 90000, 1, 2, 0, 0, 0, 1000, 0,
                4, 2, 65535, 131072, "reno");
        Map<String, Double> vars = InfoExpression.variables(info);
        assertThat(vars).containsEntry("tcpi_snd_cwnd", 10.0).containsEntry("tcpi_rcv_wscale", 8.0)
                .containsEntry("tcpi_last_ack_recv", 3.0).containsEntry("tcpi_bytes_received", 2000.0)
                .containsEntry("tcpi_min_rtt", 90000.0).containsEntry("tcpi_reord_seen", 2.0)
                .containsEntry("tcpi_dsack_dups", 4.0).containsEntry("tcpi_rcv_wnd", 131072.0)
                .containsEntry("tcpi_ca_state", 0.0).containsEntry("TCP_CA_Loss", 4.0)
                .containsEntry("TCP_LISTEN", 10.0).doesNotContainKey("tcpi_congestion");
    }

    @Test
    void assignmentsAndPrintRunInOrderWithTheAssertions() {
        Map<String, Double> vars = new java.util.HashMap<>(VARS);
        java.util.List<String> printed = new java.util.ArrayList<>();
        assertThat(InfoExpression.run("""
                cwnd = tcpi_snd_cwnd * 2   # a name for later
                print("cwnd", cwnd, tcpi_rto / 1000)
                assert cwnd == 20; assert cwnd != tcpi_snd_cwnd
                """, vars, printed)).isNull();
        assertThat(printed).containsExactly("cwnd 20 300");
        assertThat(vars).containsEntry("cwnd", 20.0);
        assertThat(InfoExpression.run("assert cwnd < tcpi_snd_cwnd, 'halved?'", vars, printed))
                .isEqualTo("assertion failed: cwnd < tcpi_snd_cwnd ('halved?') where cwnd = 20, tcpi_snd_cwnd = 10");
        assertThatThrownBy(() -> InfoExpression.run("import os", vars, printed))
                .hasMessageContaining("statements are 'assert EXPR', 'name = EXPR' and 'print(...)'");
    }
}
