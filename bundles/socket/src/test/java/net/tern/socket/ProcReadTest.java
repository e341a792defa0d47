package net.tern.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.spi.proc.ProcFile;
import net.tern.spi.whiteboard.ServiceRank;
import org.junit.jupiter.api.Test;

/** {@code procRead}: the {@code /proc} files the protocols register, found by path. */
class ProcReadTest extends SocketLayerTestBase {

    @Test
    void aRegisteredFileIsReadNowAndAGoneOneIsEnoent() throws Exception {
        int[] reads = {0};
        ProcFile snmp = () -> "Ip: InReceives\nIp: " + (++reads[0]) + "\n";
        api.bindProcFile(snmp, Map.of(ProcFile.PATH, "net/snmp"));

        assertThat(api.procRead("net/snmp")).isEqualTo("Ip: InReceives\nIp: 1\n");
        assertThat(api.procRead("net/snmp")).as("each read is the file now").isEqualTo("Ip: InReceives\nIp: 2\n");
        assertThatThrownBy(() -> api.procRead("net/netstat")).isInstanceOf(ErrnoException.class)
                .extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.ENOENT);

        api.unbindProcFile(snmp, Map.of(ProcFile.PATH, "net/snmp"));
        assertThatThrownBy(() -> api.procRead("net/snmp")).isInstanceOf(ErrnoException.class)
                .extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.ENOENT);
    }

    @Test
    void theHigherRankingServesAPathAndTheOtherTakesOverWhenItLeaves() throws Exception {
        ProcFile older = () -> "older";
        ProcFile ranked = () -> "ranked";
        api.bindProcFile(older, Map.of(ProcFile.PATH, "net/snmp", ServiceRank.SERVICE_ID, 1L));
        Map<String, Object> rankedProps = Map.of(ProcFile.PATH, "net/snmp", ServiceRank.SERVICE_ID, 2L,
                ServiceRank.SERVICE_RANKING, 10);
        api.bindProcFile(ranked, rankedProps);
        assertThat(api.procRead("net/snmp")).isEqualTo("ranked");

        api.unbindProcFile(ranked, rankedProps);
        assertThat(api.procRead("net/snmp")).isEqualTo("older");
    }
}
