package net.tern.udp.impl;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.ip.InetConstants;
import net.tern.inet.sock.ProtoMemory;
import net.tern.udp.testing.UdpTestBed;
import net.tern.wire.UdpPacket;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * UDP's stack-wide memory ({@code udp_mem}, here 4, 8 and 12 pages) as Linux's
 * {@code __udp_enqueue_schedule_skb} and {@code __sk_mem_raise_allocated} apply it to a
 * protocol without a pressure state: past min, a socket's queue grows only while it holds less
 * than {@code udp_rmem_min}; past max, no socket's does. Each refusal is counted in
 * {@code MemErrors} and {@code InErrors}, not {@code RcvbufErrors} (the sockets' own buffers
 * are far from full), and reading gives the pages back.
 */
class UdpMemoryTest extends UdpTestBase {
    private static final ProtoMemory.Limits UDP_MEM = new ProtoMemory.Limits(4, 8, 12);
    private static final int PAGE = ProtoMemory.PAGE_SIZE;
    private static final int PAYLOAD = 1000;

    @Override
    UdpTestBed newBed() throws ErrnoException {
        return new UdpTestBed(new UdpSettings(
                UDP_MEM, UdpSettings.DEFAULT_RMEM_MIN), 42);
    }

    @Test
    void pastMinOnlyASocketUnderItsMinimumGrowsAndPastMaxNone() throws Exception {
        ProtoMemory pool = bed.udp().prot().memory();
        int truesize = bed.truesize(InetConstants.MAX_IP_HEADROOM + UdpPacket.HEADER_LENGTH + PAYLOAD);
        int client = bed.udpSocket();
        int first = bound(lo(7000));

        int sent = send(client, 7000, 20);
        UdpSock a = sockOf(7000);
        assertThat(a.queued()).isPositive();
        // It took pages freely up to min, then one more grant while under udp_rmem_min at most.
        assertThat(a.memory().held()).isLessThanOrEqualTo((UDP_MEM.min() + 1) * PAGE);
        assertThat(a.rmemAlloc()).isEqualTo(a.queued() * truesize).isGreaterThanOrEqualTo(UdpSettings.DEFAULT_RMEM_MIN);
        long refusedA = sent - a.queued();
        assertThat(refusedA).isPositive();
        assertThat(bed.udp("MemErrors")).isEqualTo(refusedA);
        assertThat(bed.udp("InErrors")).isEqualTo(refusedA);
        assertThat(bed.udp("RcvbufErrors")).isZero();
        assertThat(a.drops()).isEqualTo(refusedA);

        // Other sockets, holding nothing, still get their minimum past min, until max.
        List<UdpSock> others = new ArrayList<>();
        for (int port = 7001; port <= 7010; port++) {
            bound(lo(port));
            send(client, port, 20);
            others.add(sockOf(port));
            assertThat(pool.allocatedPages()).isLessThanOrEqualTo(UDP_MEM.max());
        }
        assertThat(others.get(0).queued()).as("the second socket, under its minimum past min").isPositive();
        assertThat(others.get(others.size() - 1).queued()).as("a socket past max, though under its minimum")
                .isZero();
        assertThat(pool.allocatedPages()).isEqualTo(UDP_MEM.max());

        // Reading gives the pages back, and the socket has room again.
        int queuedA = a.queued();
        for (int i = 0; i < queuedA; i++) {
            assertThat(recv(first, 2000).returned()).isEqualTo(PAYLOAD);
        }
        assertThat(errnoOf(() -> recv(first, 2000))).isEqualTo(Errno.EAGAIN);
        assertThat(a.memory().held()).isLessThan(PAGE);
        assertThat(pool.allocatedPages()).isLessThan(UDP_MEM.max());
        long refusedBefore = bed.udp("MemErrors");
        send(client, 7000, 1);
        assertThat(a.queued()).isEqualTo(1);
        assertThat(bed.udp("MemErrors")).isEqualTo(refusedBefore);
    }

    @Test
    void closingGivesEverythingBack() throws Exception {
        ProtoMemory pool = bed.udp().prot().memory();
        int sockets = pool.sockets();
        int client = bed.udpSocket();
        int server = bound(lo(7000));
        assertThat(pool.sockets()).isEqualTo(sockets + 2);
        send(client, 7000, 5);
        assertThat(pool.allocatedPages()).isPositive();

        api.close(server);
        assertThat(pool.allocatedPages()).isZero();
        assertThat(pool.sockets()).isEqualTo(sockets + 1);
    }

    private int send(int client, int port, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            sendTo(client, new byte[PAYLOAD], lo(port));
        }
        bed.runUntilIdle();
        return count;
    }

    private UdpSock sockOf(int port) {
        UdpSock sk = bed.udp().table().lookup(LOOPBACK, 1, LOOPBACK, port);
        assertThat(sk).isNotNull();
        return sk;
    }
}
