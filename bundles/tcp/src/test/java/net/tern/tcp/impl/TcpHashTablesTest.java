package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.tern.inet.sock.LocalPortRange;
import org.junit.jupiter.api.Test;

class TcpHashTablesTest {
    private static final int LOOPBACK = 0x7f000001;

    private static TimeWaitSock timeWait(int port, int remotePort) {
        return new TimeWaitSock(new ConnKey(LOOPBACK, port, LOOPBACK, remotePort), 0, 0, 65535, 0, false, 0, 0L, 0, 60_000L, 0L);
    }

    @Test
    void releasesEveryOwnerOfAPortSharedByManyInAnyOrder() {
        TcpHashTables tables = new TcpHashTables(new LocalPortRange(new LocalPortRange.Range(32768, 60999)), () -> 0);
        List<TimeWaitSock> owners = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            TimeWaitSock tw = timeWait(8080, 40000 + i);
            tables.addOwner(tw, 8080);
            owners.add(tw);
        }
        TimeWaitSock elsewhere = timeWait(9090, 40000);
        tables.addOwner(elsewhere, 9090);

        SplittableRandom random = new SplittableRandom(11);
        while (owners.size() > 1) {
            TimeWaitSock leaving = owners.remove(random.nextInt(owners.size()));
            tables.release(leaving, 8080);
            assertThat(leaving.ownerSlot()).isEqualTo(PortOwner.NOT_LISTED);
            assertThat(tables.boundPorts()).isEqualTo(2);
        }
        tables.release(owners.get(0), 8080);

        assertThat(tables.boundPorts()).isEqualTo(1);
        assertThat(elsewhere.ownerSlot()).isZero();
    }

    @Test
    void releasingAnOwnerTwiceOrUnderAnotherPortChangesNothing() {
        TcpHashTables tables = new TcpHashTables(new LocalPortRange(new LocalPortRange.Range(32768, 60999)), () -> 0);
        TimeWaitSock first = timeWait(8080, 40000);
        TimeWaitSock second = timeWait(8080, 40001);
        tables.addOwner(first, 8080);
        tables.addOwner(second, 8080);

        tables.release(first, 9090);
        tables.release(first, 8080);
        tables.release(first, 8080);

        assertThat(tables.boundPorts()).isEqualTo(1);
        assertThat(second.ownerSlot()).isZero();
        tables.release(second, 8080);
        assertThat(tables.boundPorts()).isZero();
    }
}
