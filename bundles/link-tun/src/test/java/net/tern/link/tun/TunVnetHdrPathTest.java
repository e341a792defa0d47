package net.tern.link.tun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.NetdevFeatures;
import net.tern.spi.net.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The data path of a TUN file opened with {@code IFF_VNET_HDR}, over a packet socket pair
 * standing in for it: each packet the kernel writes has a {@code virtio_net_hdr} in front,
 * which marks the packet (one TCP packet of several segments goes up whole; a partial or
 * checked checksum is not verified again), and each packet the stack writes gets one.
 */
@ExtendWith(PacketLeakCheck.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TunVnetHdrPathTest {
    private static final long WAIT_MILLIS = 5_000;
    private static final int MTU = 1400;

    /** What the handler saw of a received packet. */
    private record Seen(byte[] bytes, int ipSummed, int csumStart, int csumOffset, int gsoType, int gsoSize) {
    }

    private final TestStack stack = new TestStack();
    private final List<Seen> received = new CopyOnWriteArrayList<>();
    private SocketPair pair;
    private TunDevice device;
    private Link link;

    @BeforeEach
    void open() throws Exception {
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            byte[] bytes = new byte[packet.length()];
            int data = packet.buf().readerIndex();
            packet.buf().getBytes(data, bytes);
            received.add(new Seen(bytes, packet.ipSummed(), packet.csumStart() - data, packet.csumOffset(),
                    packet.gsoType(), packet.gsoSize()));
            packet.release();
        });
        pair = new SocketPair();
        int offloads = TunFile.TUN_F_CSUM | TunFile.TUN_F_TSO4;
        device = new TunDevice(TunSettings.of("tun0").withMtu(MTU),
                s -> new TunFile(s.name(), pair.deviceFd, true, offloads));
        link = stack.register(device);
    }

    @AfterEach
    void close() {
        stack.close();
        pair.close();
    }

    @Test
    void theDeviceOffersSegmentationAndChecksumOffload() {
        assertThat(link.features() & (NetdevFeatures.NETIF_F_TSO | NetdevFeatures.NETIF_F_TSO6
                | NetdevFeatures.NETIF_F_HW_CSUM)).isEqualTo(NetdevFeatures.NETIF_F_TSO | NetdevFeatures.NETIF_F_TSO6
                        | NetdevFeatures.NETIF_F_HW_CSUM);
    }

    @Test
    void aTcpPacketOfSeveralSegmentsGoesUpWholeWithItsPartialChecksum() {
        byte[] ip = tcpPacket(20 + 32 + 3 * 1448);
        byte[] hdr = {VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, 52, 0, (byte) 0xa8, 0x05, 20, 0, 16, 0};

        pair.send(concat(hdr, ip));

        awaitOnNetworkThread(() -> !received.isEmpty());
        Seen seen = received.get(0);
        assertThat(seen.bytes()).as("one packet, longer than the MTU, header taken off").isEqualTo(ip);
        assertThat(seen.gsoType()).isEqualTo(Packet.GSO_TCPV4);
        assertThat(seen.gsoSize()).isEqualTo(1448);
        assertThat(seen.ipSummed()).isEqualTo(Packet.CHECKSUM_PARTIAL);
        assertThat(seen.csumStart()).isEqualTo(20);
        assertThat(seen.csumOffset()).isEqualTo(16);
        assertThat(link.stats().rxErrors.sum()).isZero();
    }

    @Test
    void aSmallPacketTheKernelCheckedIsNotCheckedAgain() {
        byte[] ip = tcpPacket(60);
        byte[] hdr = {VirtioNetHdr.F_DATA_VALID, 0, 0, 0, 0, 0, 0, 0, 0, 0};

        pair.send(concat(hdr, ip));
        pair.send(concat(new byte[VirtioNetHdr.SIZE], ip));

        awaitOnNetworkThread(() -> received.size() == 2);
        assertThat(received.get(0).bytes()).isEqualTo(ip);
        assertThat(received.get(0).ipSummed()).isEqualTo(Packet.CHECKSUM_UNNECESSARY);
        assertThat(received.get(0).gsoType()).isEqualTo(Packet.GSO_NONE);
        assertThat(received.get(1).ipSummed()).as("no flags: verified as usual").isEqualTo(Packet.CHECKSUM_NONE);
    }

    @Test
    void packetsNotAskedForOrOverTheMtuAreCountedAndDropped() {
        byte[] udpGso = {0, VirtioNetHdr.GSO_UDP_L4, 28, 0, 100, 0, 0, 0, 0, 0};
        byte[] oneSegmentTooLong = new byte[VirtioNetHdr.SIZE];
        byte[] checksumOutside = {VirtioNetHdr.F_NEEDS_CSUM, 0, 0, 0, 0, 0, 60, 0, 16, 0};
        byte[] ip = tcpPacket(60);

        pair.send(concat(udpGso, tcpPacket(400)));
        pair.send(concat(oneSegmentTooLong, tcpPacket(MTU + 1)));
        pair.send(concat(checksumOutside, ip));
        pair.send(new byte[5]);
        pair.send(concat(new byte[VirtioNetHdr.SIZE], ip));

        awaitOnNetworkThread(() -> !received.isEmpty());
        assertThat(received).singleElement().satisfies(s -> assertThat(s.bytes()).isEqualTo(ip));
        assertThat(link.stats().rxErrors.sum()).isEqualTo(4);
    }

    @Test
    void aTransmittedPacketGetsItsHeaderInFront() {
        byte[] ip = tcpPacket(100);
        Packet partial = stack.packet(EtherType.IPV4, ip);
        partial.checksumPartial(partial.buf().readerIndex() + 20, 16);
        Packet plain = stack.packet(EtherType.IPV4, ip);

        assertThat(link.transmit(partial)).isTrue();
        assertThat(link.transmit(plain)).isTrue();

        byte[] first = pair.receive((int) WAIT_MILLIS);
        assertThat(Arrays.copyOf(first, VirtioNetHdr.SIZE)).containsExactly(VirtioNetHdr.F_NEEDS_CSUM, 0, 0, 0, 0, 0,
                20, 0, 16, 0);
        assertThat(Arrays.copyOfRange(first, VirtioNetHdr.SIZE, first.length)).isEqualTo(ip);
        byte[] second = pair.receive((int) WAIT_MILLIS);
        assertThat(Arrays.copyOf(second, VirtioNetHdr.SIZE)).containsOnly(0);
        assertThat(Arrays.copyOfRange(second, VirtioNetHdr.SIZE, second.length)).isEqualTo(ip);
    }

    /** An IPv4 TCP packet of {@code length} bytes (20-byte IP header, 32-byte TCP header), payload numbered. */
    private static byte[] tcpPacket(int length) {
        byte[] p = new byte[length];
        p[0] = 0x45;
        p[2] = (byte) (length >>> 8);
        p[3] = (byte) length;
        p[8] = 64;
        p[9] = 6;
        byte[] addresses = {10, 77, 0, 1, 10, 77, 0, 2};
        System.arraycopy(addresses, 0, p, 12, 8);
        if (length >= 52) {
            p[20 + 12] = (byte) (8 << 4);
        }
        for (int i = 52; i < length; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private void awaitOnNetworkThread(BooleanSupplier done) {
        TunDeviceTest.awaitOnNetworkThread(stack, done);
    }
}
