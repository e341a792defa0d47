package net.tern.link.loopback;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.Packet;
import net.tern.spi.net.Softnet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PacketLeakCheck.class)
class LoopbackDeviceTest {
    private final TestStack stack = new TestStack();
    private final LoopbackDevice device = new LoopbackDevice();
    private final List<byte[]> received = new ArrayList<>();
    private final List<Link> receivedOn = new ArrayList<>();
    private final List<Thread> receivedBy = new ArrayList<>();
    private Link lo;

    @BeforeEach
    void register() throws Exception {
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            byte[] bytes = new byte[packet.length()];
            packet.buf().getBytes(packet.buf().readerIndex(), bytes);
            received.add(bytes);
            receivedOn.add(packet.device());
            receivedBy.add(Thread.currentThread());
            packet.release();
        });
        lo = stack.register(device);
    }

    @AfterEach
    void close() {
        stack.close();
    }

    @Test
    void registersAsLoWithLoopbackTypeFlagsMtuAndAddress() {
        assertThat(lo.name()).isEqualTo("lo");
        assertThat(lo.index()).isEqualTo(1);
        assertThat(lo.type()).isEqualTo(LinkFlags.ARPHRD_LOOPBACK);
        assertThat(lo.isUp()).isTrue();
        assertThat(LinkFlags.toString(lo.flags())).isEqualTo("LOOPBACK,UP,LOWER_UP");
        assertThat(lo.mtu()).isEqualTo(65536);
        assertThat(lo.addresses()).containsExactly(IfAddress.parse("127.0.0.1/8"));
    }

    @Test
    void aTransmittedPacketReachesTheHandlerForItsTypeWithTheSameBytes() {
        byte[] payload = {0x45, 0, 0, 20, 1, 2, 3, 4, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1};

        assertThat(lo.transmit(stack.packet(EtherType.IPV4, payload))).isTrue();

        // Received inside transmit, on the sending thread: no network thread was run.
        assertThat(received).singleElement().isEqualTo(payload);
        assertThat(receivedOn).containsExactly(lo);
        assertThat(receivedBy).containsExactly(Thread.currentThread());
    }

    @Test
    void aPacketIsReceivedOnTheThreadThatSentIt() throws Exception {
        Thread sender = new Thread(() -> lo.transmit(stack.packet(EtherType.IPV4, new byte[20])), "sender");
        sender.start();
        sender.join(10_000);

        assertThat(received).hasSize(1);
        assertThat(receivedBy).containsExactly(sender);
    }

    @Test
    void countsBothDirections() {
        lo.transmit(stack.packet(EtherType.IPV4, new byte[100]));
        lo.transmit(stack.packet(EtherType.IPV4, new byte[50]));
        stack.runUntilIdle();

        assertThat(lo.stats().txPackets.sum()).isEqualTo(2);
        assertThat(lo.stats().txBytes.sum()).isEqualTo(150);
        assertThat(lo.stats().rxPackets.sum()).isEqualTo(2);
        assertThat(lo.stats().rxBytes.sum()).isEqualTo(150);
        assertThat(lo.stats().txDropped.sum()).isZero();
        assertThat(lo.stats().rxDropped.sum()).isZero();
    }

    @Test
    void aPacketOfUnknownTypeIsCountedAsAReceiveDrop() {
        Packet packet = stack.packet(EtherType.IPV6, new byte[40]);

        lo.transmit(packet);
        stack.runUntilIdle();

        assertThat(packet.isReleased()).isTrue();
        assertThat(received).isEmpty();
        assertThat(lo.stats().rxDropped.sum()).isEqualTo(1);
        assertThat(stack.unknownTypeDrops()).isEqualTo(1);
    }

    @Test
    void aTransmitWhileDownIsDroppedAndCounted() throws Exception {
        lo.setUp(false);
        Packet packet = stack.packet(EtherType.IPV4, new byte[10]);

        assertThat(lo.transmit(packet)).isFalse();
        stack.runUntilIdle();

        assertThat(packet.isReleased()).isTrue();
        assertThat(received).isEmpty();
        assertThat(lo.stats().txDropped.sum()).isEqualTo(1);
        assertThat(lo.stats().txPackets.sum()).isZero();
    }

    @Test
    void theStoppedDeviceItselfDropsAndCounts() throws Exception {
        lo.setUp(false);
        Packet packet = stack.packet(EtherType.IPV4, new byte[10]);

        device.transmit(packet); // a packet that reached the driver as it stopped

        assertThat(packet.isReleased()).isTrue();
        assertThat(lo.stats().txDropped.sum()).isEqualTo(1);
        stack.runUntilIdle();
        assertThat(received).isEmpty();
    }

    @Test
    void aDeviceNeverOpenedCountsItsDropsItself() {
        LoopbackDevice unopened = new LoopbackDevice();
        Packet packet = stack.packet(EtherType.IPV4, new byte[10]);

        unopened.transmit(packet);

        assertThat(packet.isReleased()).isTrue();
        assertThat(unopened.droppedBeforeOpen()).isEqualTo(1);
    }

    @Test
    void aPacketOverTheMtuIsDropped() {
        Packet tooLong = stack.packet(EtherType.IPV4, new byte[LoopbackDevice.MTU + 1]);
        Packet fits = stack.packet(EtherType.IPV4, new byte[LoopbackDevice.MTU]);

        assertThat(lo.transmit(tooLong)).isFalse();
        assertThat(lo.transmit(fits)).isTrue();
        stack.runUntilIdle();

        assertThat(tooLong.isReleased()).isTrue();
        assertThat(lo.stats().txDropped.sum()).isEqualTo(1);
        assertThat(received).singleElement().satisfies(b -> assertThat(b).hasSize(LoopbackDevice.MTU));
    }

    @Test
    void aPacketSentWhileReceivingIsReceivedAfterThePacketInHandNotInsideIt() {
        List<String> order = new ArrayList<>();
        stack.addPacketHandler(EtherType.ARP, packet -> {
            order.add("request received");
            packet.release();
            lo.transmit(stack.packet(EtherType.IPV4, new byte[20]));
            order.add("reply sent");
        });
        stack.removePacketHandler(stack.dispatcher().handlerFor(EtherType.IPV4));
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            order.add("reply received");
            packet.release();
        });

        lo.transmit(stack.packet(EtherType.ARP, new byte[28]));

        assertThat(order).containsExactly("request received", "reply sent", "reply received");
    }

    @Test
    void aSenderInsideReceiveProcessingQueuesAtMostTheBacklogLimitAndCountsTheRestAsDrops() {
        int[] echoes = {0};
        stack.addPacketHandler(EtherType.ARP, packet -> {
            packet.release();
            for (int i = 0; i < Softnet.MAX_BACKLOG + 5; i++) {
                lo.transmit(stack.packet(EtherType.IPV4, new byte[20]));
            }
        });
        stack.removePacketHandler(stack.dispatcher().handlerFor(EtherType.IPV4));
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            echoes[0]++;
            packet.release();
        });

        lo.transmit(stack.packet(EtherType.ARP, new byte[28]));

        assertThat(echoes[0]).isEqualTo(Softnet.MAX_BACKLOG);
        assertThat(lo.stats().rxDropped.sum()).isEqualTo(5);
        assertThat(stack.dispatcher().backlogDrops()).isEqualTo(5);
    }
}
