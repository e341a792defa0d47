package net.tern.link.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.NetDeviceContext;
import net.tern.spi.net.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The driver's data path over a packet socket pair in place of the TUN file: the reader,
 * the version-nibble dispatch, transmit, stop and the interface going away, without root.
 */
@ExtendWith(PacketLeakCheck.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TunDeviceTest {
    private static final long WAIT_MILLIS = 5_000;
    private static final byte[] IPV4 = {0x45, 0, 0, 24, 0, 1, 0, 0, 64, 17, 0, 0, 10, 77, 0, 1, 10, 77, 0, 2, 1, 2, 3, 4};
    private static final byte[] IPV6 = new byte[40];

    static {
        IPV6[0] = 0x60;
    }

    private final TestStack stack = new TestStack();
    private final List<byte[]> received = new CopyOnWriteArrayList<>();
    private final List<String> receivedOn = new CopyOnWriteArrayList<>();
    private SocketPair pair;
    private TunDevice device;
    private Link link;

    @BeforeEach
    void open() throws Exception {
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            byte[] bytes = new byte[packet.length()];
            packet.buf().getBytes(packet.buf().readerIndex(), bytes);
            received.add(bytes);
            receivedOn.add(packet.device().name());
            packet.release();
        });
        pair = new SocketPair();
        device = new TunDevice(TunSettings.of("tun0").withMtu(1400), s -> new TunFile(s.name(), pair.deviceFd));
        link = stack.register(device);
    }

    @AfterEach
    void close() {
        stack.close();
        pair.close();
    }

    @Test
    void opensReceivingWhenTheLinkComesUp() {
        assertThat(link.isUp()).isTrue();
        assertThat(device.isReceiving()).isTrue();
        assertThat(link.mtu()).isEqualTo(1400);
    }

    @Test
    void aPacketTheKernelWritesArrivesAsIpv4WithTheSameBytes() {
        pair.send(IPV4);

        awaitOnNetworkThread(() -> !received.isEmpty());
        assertThat(received).singleElement().isEqualTo(IPV4);
        assertThat(receivedOn).containsExactly("tun0");
        assertThat(link.stats().rxPackets.sum()).isEqualTo(1);
        assertThat(link.stats().rxBytes.sum()).isEqualTo(IPV4.length);
    }

    @Test
    void eachReadIsOnePacket() {
        byte[] second = IPV4.clone();
        second[23] = 9;

        pair.send(IPV4);
        pair.send(second);

        awaitOnNetworkThread(() -> received.size() == 2);
        assertThat(received).containsExactly(IPV4, second);
    }

    @Test
    void aPacketOfNeitherIpVersionIsCountedAsAnRxErrorAndDropped() {
        byte[] version5 = IPV6.clone();
        version5[0] = 0x50;
        pair.send(version5);
        pair.send(IPV4); // read after the other one, so once it arrives the other one was handled

        awaitOnNetworkThread(() -> !received.isEmpty());
        assertThat(received).singleElement().isEqualTo(IPV4);
        assertThat(link.stats().rxErrors.sum()).isEqualTo(1);
        assertThat(link.stats().rxPackets.sum()).isEqualTo(1);
    }

    @Test
    void anIpv6PacketGoesToTheHandlerOfEthertype86dd() {
        List<byte[]> ipv6 = new CopyOnWriteArrayList<>();
        stack.addPacketHandler(EtherType.IPV6, packet -> {
            byte[] bytes = new byte[packet.length()];
            packet.buf().getBytes(packet.buf().readerIndex(), bytes);
            ipv6.add(bytes);
            packet.release();
        });
        pair.send(IPV6);
        pair.send(IPV4);

        awaitOnNetworkThread(() -> !received.isEmpty());
        assertThat(ipv6).singleElement().isEqualTo(IPV6);
        assertThat(link.stats().rxErrors.sum()).isZero();
    }

    @Test
    void aPacketLongerThanTheMtuIsCountedAsAnRxErrorAndDropped() {
        byte[] tooLong = new byte[1401];
        tooLong[0] = 0x45;

        pair.send(tooLong);
        pair.send(IPV4);

        awaitOnNetworkThread(() -> !received.isEmpty());
        assertThat(received).singleElement().isEqualTo(IPV4);
        assertThat(link.stats().rxErrors.sum()).isEqualTo(1);
    }

    @Test
    void aTransmittedPacketIsOneWriteWithItsBytes() {
        byte[] other = IPV4.clone();
        other[20] = 7;

        assertThat(link.transmit(stack.packet(EtherType.IPV4, IPV4))).isTrue();
        assertThat(link.transmit(stack.packet(EtherType.IPV4, other))).isTrue();

        assertThat(pair.receive((int) WAIT_MILLIS)).isEqualTo(IPV4);
        assertThat(pair.receive((int) WAIT_MILLIS)).isEqualTo(other);
        assertThat(link.stats().txPackets.sum()).isEqualTo(2);
        assertThat(link.stats().txErrors.sum()).isZero();
    }

    @Test
    void aNonIpPacketIsNotWrittenButCountedAsATxDrop() {
        Packet arp = stack.packet(EtherType.ARP, new byte[28]);

        link.transmit(arp);

        assertThat(arp.isReleased()).isTrue();
        assertThat(link.stats().txDropped.sum()).isEqualTo(1);
        assertThat(pair.receive(50)).isNull();
    }

    @Test
    void aFailedWriteIsCountedAsATxError() {
        // A datagram larger than the socket's send buffer is refused (EMSGSIZE), as a TUN refuses
        // a write it cannot take; closing the peer instead would also end the reader, and
        // with it the link.
        byte[] huge = new byte[1 << 21];
        System.arraycopy(IPV4, 0, huge, 0, IPV4.length);
        Packet packet = stack.packet(EtherType.IPV4, huge);
        device.transmit(packet);

        assertThat(packet.isReleased()).isTrue();
        assertThat(link.stats().txErrors.sum()).isEqualTo(1);
    }

    @Test
    void stoppingEndsTheReaderAndClosesTheFile() throws Exception {
        link.setUp(false);

        assertThat(device.isReceiving()).isFalse();
        assertThat(pair.peerEvents() & LibC.POLLHUP).as("the driver's end is closed").isNotZero();
        Packet late = stack.packet(EtherType.IPV4, IPV4);
        device.transmit(late);
        assertThat(late.isReleased()).isTrue();
        assertThat(link.stats().txDropped.sum()).isEqualTo(1);
    }

    @Test
    void theDeviceCanBeOpenedAgainAfterStopping() throws Exception {
        link.setUp(false);
        pair.close();
        pair = new SocketPair();

        link.setUp(true);
        pair.send(IPV4);

        awaitOnNetworkThread(() -> !received.isEmpty());
        assertThat(received).singleElement().isEqualTo(IPV4);
    }

    @Test
    void openingTwiceIsRefused() {
        // The core's link is also the context it opened the device with.
        assertThatThrownBy(() -> device.open((NetDeviceContext) link))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY))
                .hasMessageContaining("already open");
    }

    @Test
    void whenTheInterfaceGoesAwayTheReaderStopsAndTheStackRunsOn() throws Exception {
        pair.closePeer();

        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        while (device.isReceiving() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(device.isReceiving()).isFalse();
        // The link is taken down (its routes go) and the loss counted; nothing threw.
        while (link.isUp() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(link.isUp()).isFalse();
        assertThat(link.stats().rxErrors.sum()).isEqualTo(1);
        stack.runUntilIdle();
        assertThat(stack.links().byName("tun0")).isPresent();
    }

    /** Lets the network thread (the test's, in virtual time) run until {@code done}, bounded. */
    private void awaitOnNetworkThread(BooleanSupplier done) {
        awaitOnNetworkThread(stack, done);
    }

    /** Lets {@code stack}'s network thread (the test's, in virtual time) run until {@code done}, bounded. */
    static void awaitOnNetworkThread(TestStack stack, BooleanSupplier done) {
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            stack.runUntilIdle();
            Thread.onSpinWait();
        }
        stack.runUntilIdle();
        assertThat(done.getAsBoolean()).as("reached within %d ms", WAIT_MILLIS).isTrue();
    }
}
