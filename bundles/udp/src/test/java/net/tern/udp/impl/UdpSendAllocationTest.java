package net.tern.udp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import net.tern.api.socket.InetSockAddr;
import net.tern.core.testing.AllocationMeter;
import net.tern.core.testing.FakeDevice;
import net.tern.spi.net.NetdevFeatures;
import org.junit.jupiter.api.Test;

/**
 * {@code udp_sendmsg} in steady state allocates nothing per datagram on the sending thread:
 * the route is the socket's cached one while the routing tables stay as they were
 * ({@code sk_dst_cache} and {@code rt_genid}), the transmit parameters are the socket's, the
 * header is written from values and the packet and its buffer come from the pools. Measured
 * with the thread's allocated-bytes counter around batches of sends whose packets the device
 * keeps and the test releases after each batch; nothing is timed.
 */
class UdpSendAllocationTest extends UdpTestBase {
    private static final int BATCH = 64;
    private static final int CALLS = 20_000;
    /** Less than a byte per datagram: the JIT's and the pools' one-off work, never a per-call object. */
    private static final long MOST_BYTES_IN_ALL = CALLS;

    @Test
    void aConnectedSocketSendsWithoutAllocating() throws Exception {
        FakeDevice eth = bed.fake("eth0", 1500, "10.0.0.2/24");
        int fd = bound(at("10.0.0.2", 5000));
        api.connect(fd, at("10.0.0.1", 6000));
        ByteBuffer datagram = ByteBuffer.allocateDirect(64);
        long bytes = allocatedBySends(eth, () -> api.send(fd, datagram.clear(), 0));
        assertThat(bytes).as("bytes allocated by %d sends on a connected socket", CALLS).isLessThan(MOST_BYTES_IN_ALL);
        assertThat(bed.udp("OutDatagrams")).isEqualTo(4L * CALLS);
    }

    @Test
    void sendtoWithAnAddressSendsWithoutAllocatingAlsoOnADeviceThatOffloadsChecksums() throws Exception {
        FakeDevice eth = bed.fake("eth0", 1500, "10.0.0.2/24");
        eth.features(NetdevFeatures.NETIF_F_HW_CSUM);
        int fd = bound(at("10.0.0.2", 5000));
        InetSockAddr to = at("10.0.0.1", 6000);
        ByteBuffer datagram = ByteBuffer.allocateDirect(64);
        long bytes = allocatedBySends(eth, () -> api.sendto(fd, datagram.clear(), 0, to));
        assertThat(bytes).as("bytes allocated by %d sendto calls", CALLS).isLessThan(MOST_BYTES_IN_ALL);
        assertThat(bed.udp("OutDatagrams")).isEqualTo(4L * CALLS);
    }

    /**
     * The least bytes the calling thread allocated over {@value #CALLS} calls of {@code send}
     * (each to send 64 bytes), after as many to warm up; the device's packets are released
     * every {@value #BATCH} sends, as a driver frees what it has sent.
     */
    private long allocatedBySends(FakeDevice eth, AllocationMeter.Call send) throws Exception {
        int[] sent = new int[1];
        long bytes = AllocationMeter.leastAllocated("send", CALLS, 64, () -> {
            Object n = send.call();
            if (++sent[0] % BATCH == 0) {
                eth.releaseTransmitted();
            }
            return n;
        });
        eth.releaseTransmitted();
        return bytes;
    }
}
