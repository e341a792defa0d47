package net.tern.udp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import net.tern.api.socket.SocketConstants;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.AllocationMeter;
import net.tern.core.testing.FakeDevice;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Packet;
import net.tern.udp.testing.UdpWire;
import org.junit.jupiter.api.Test;

/**
 * A datagram received allocates next to nothing on the network thread between the link and
 * the socket's queue ({@code netif_rx}, {@code ip_rcv}, {@code udp_rcv}, the checksum, the
 * socket lookup, {@code __udp_enqueue_schedule_skb}): the packet itself is queued, and the
 * sender is read from its headers when the datagram is read. Measured as the bytes the thread
 * that plays the network thread (a FastThreadLocalThread, as the real one is) allocates per
 * datagram over many batches, the datagrams built before each batch and read after it.
 * Nothing here is timed.
 */
class UdpReceiveAllocationTest extends UdpTestBase {
    private static final int BATCH = 64;
    private static final int WARM_UP_BATCHES = 100;
    private static final int MEASURED_BATCHES = 300;
    private static final int PAYLOAD = 1200;
    /**
     * The IPv4 header view {@code ip_rcv} makes (24 bytes) and a share of the backlog queue's
     * chunks: 24 to 25 bytes measured. A view of the buffer per checksum, a queue entry per
     * datagram and a key per socket lookup made 241 bytes.
     */
    private static final long BYTES_PER_DATAGRAM = 32;

    // Sites are not recorded: strict leak checking records a stack trace per packet.
    private final PooledPacketAllocator packets = new PooledPacketAllocator(PooledByteBufAllocator.DEFAULT, false);
    private final Packet[] batch = new Packet[BATCH];

    @Test
    void aDatagramQueuedForAReaderAllocatesNothingButTheIpHeaderView() throws Exception {
        FakeDevice eth = bed.fake("eth0", 1500, "10.0.0.2/24");
        int server = bound(at("0.0.0.0", 7000));
        api.setsockopt(server, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVBUF, 1 << 20);
        byte[] datagram = UdpWire.datagram("10.0.0.1", 5000, "10.0.0.2", 7000, UdpWire.bytes(PAYLOAD, 7));
        long[] allocated = new long[1];
        AllocationMeter.onFastThread("udp-receive-allocation", () -> {
            for (int i = 0; i < WARM_UP_BATCHES; i++) {
                fill(datagram);
                deliver(eth);
                read(server);
            }
            for (int i = 0; i < MEASURED_BATCHES; i++) {
                fill(datagram);
                long before = AllocationMeter.bytes();
                deliver(eth);
                allocated[0] += AllocationMeter.bytes() - before;
                read(server);
            }
        });
        long datagrams = (long) BATCH * MEASURED_BATCHES;
        assertThat(bed.udp("InDatagrams")).isEqualTo((long) BATCH * (WARM_UP_BATCHES + MEASURED_BATCHES));
        assertThat(bed.udp("InErrors")).isZero();
        assertThat(allocated[0] / datagrams).as("bytes allocated per datagram received over %d datagrams (%d in all)",
                datagrams, allocated[0]).isLessThanOrEqualTo(BYTES_PER_DATAGRAM);
    }

    private void fill(byte[] datagram) {
        for (int i = 0; i < BATCH; i++) {
            Packet p = packets.allocate(128, datagram.length);
            p.buf().writeBytes(datagram);
            batch[i] = p.protocol(EtherType.IPV4);
        }
    }

    private void deliver(FakeDevice eth) {
        for (Packet p : batch) {
            eth.inject(p);
        }
        bed.runUntilIdle();
    }

    private void read(int server) throws Exception {
        for (int i = 0; i < BATCH; i++) {
            assertThat(recv(server, 2000).returned()).isEqualTo(PAYLOAD);
        }
    }
}
