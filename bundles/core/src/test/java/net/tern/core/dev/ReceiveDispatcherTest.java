package net.tern.core.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.NetDeviceContext;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Constants;

@ExtendWith(PacketLeakCheck.class)
class ReceiveDispatcherTest {
    private final TestStack stack = new TestStack();
    private final FakeDevice dev = new FakeDevice("tun0");
    private Link link;

    /** A handler that keeps what it gets, then releases it, as a protocol's input would. */
    private static final class Recorder implements PacketHandler {
        final List<String> seen = new ArrayList<>();
        final String name;

        Recorder(String name) {
            this.name = name;
        }

        @Override
        public void receive(Packet packet) {
            seen.add(name + ":" + packet.protocol() + ":" + packet.length());
            packet.release();
        }
    }

    @BeforeEach
    void register() throws Exception {
        link = stack.register(dev);
    }

    @AfterEach
    void close() {
        stack.close();
    }

    @Test
    void receivedPacketsReachTheHandlerForTheirTypeOnTheNetworkThread() {
        List<String> seen = new ArrayList<>();
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            byte[] bytes = new byte[packet.length()];
            packet.buf().getBytes(packet.buf().readerIndex(), bytes);
            seen.add("ipv4 " + new String(bytes) + " on " + packet.device().name()
                    + " network-thread=" + stack.networkThread().inNetworkThread());
            packet.release();
        });
        stack.addPacketHandler(EtherType.ARP, packet -> {
            seen.add("arp");
            packet.release();
        });

        dev.inject(stack.packet(EtherType.IPV4, "hello".getBytes()));
        dev.inject(stack.packet(EtherType.ARP, new byte[28]));
        assertThat(seen).as("nothing is dispatched until the network thread runs").isEmpty();
        stack.runUntilIdle();

        assertThat(seen).containsExactly("ipv4 hello on tun0 network-thread=true", "arp");
        assertThat(stack.dispatcher().delivered()).isEqualTo(2);
    }

    @Test
    void receiveCountsPacketsAndBytesAndStampsDeviceAndTime() {
        List<Packet> stamped = new ArrayList<>();
        List<Long> stamps = new ArrayList<>();
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            stamped.add(packet);
            stamps.add(packet.timestampNanos());
            packet.release();
        });
        stack.advance(3, TimeUnit.MILLISECONDS);

        dev.inject(stack.packet(EtherType.IPV4, new byte[60]));
        dev.inject(stack.packet(EtherType.IPV4, new byte[40]));
        stack.runUntilIdle();

        assertThat(link.stats().rxPackets.sum()).isEqualTo(2);
        assertThat(link.stats().rxBytes.sum()).isEqualTo(100);
        assertThat(stamped).allSatisfy(p -> assertThat(p.device()).isSameAs(link));
        assertThat(stamps).containsOnly(TimeUnit.MILLISECONDS.toNanos(3));
    }

    @Test
    void aPacketOfUnknownTypeIsCountedAsDroppedAndReleased() {
        Packet packet = stack.packet(0x88b5, new byte[10]);

        dev.inject(packet);
        stack.runUntilIdle();

        assertThat(packet.isReleased()).isTrue();
        assertThat(stack.unknownTypeDrops()).isEqualTo(1);
        assertThat(link.stats().rxDropped.sum()).isEqualTo(1);
        assertThat(link.stats().rxPackets.sum()).isEqualTo(1);
    }

    @Test
    void theHighestRankingHandlerWinsAndTheNextTakesOverWhenItLeaves() {
        Recorder low = new Recorder("low");
        Recorder high = new Recorder("high");
        Recorder tie = new Recorder("tie");
        stack.addPacketHandler(EtherType.IPV4, 0, low);
        stack.addPacketHandler(EtherType.IPV4, 10, high);
        stack.addPacketHandler(EtherType.IPV4, 0, tie); // same ranking as low, but newer: low keeps it

        dev.inject(stack.packet(EtherType.IPV4, new byte[1]));
        stack.runUntilIdle();
        stack.removePacketHandler(high);
        dev.inject(stack.packet(EtherType.IPV4, new byte[2]));
        stack.runUntilIdle();
        stack.removePacketHandler(low);
        dev.inject(stack.packet(EtherType.IPV4, new byte[3]));
        stack.runUntilIdle();

        assertThat(high.seen).containsExactly("high:2048:1");
        assertThat(low.seen).containsExactly("low:2048:2");
        assertThat(tie.seen).containsExactly("tie:2048:3");
    }

    @Test
    void handlersRegisteredAsServicesAreFoundByTheirEthertypeProperty() {
        ReceiveDispatcher dispatcher = new ReceiveDispatcher();
        Recorder viaInteger = new Recorder("int");
        Recorder viaHexString = new Recorder("hex");
        Recorder ranked = new Recorder("ranked");
        Recorder broken = new Recorder("broken");
        dispatcher.bindPacketHandler(viaInteger, Map.of(PacketHandler.ETHERTYPE, 0x0800, Constants.SERVICE_ID, 5L));
        dispatcher.bindPacketHandler(viaHexString, Map.of(PacketHandler.ETHERTYPE, "0x0806", Constants.SERVICE_ID, 6L));
        dispatcher.bindPacketHandler(broken, Map.of(PacketHandler.ETHERTYPE, "ipv4", Constants.SERVICE_ID, 7L));
        dispatcher.bindPacketHandler(ranked, Map.of(PacketHandler.ETHERTYPE, 0x0800, Constants.SERVICE_ID, 8L,
                Constants.SERVICE_RANKING, 5));

        assertThat(dispatcher.handlerFor(EtherType.IPV4)).isSameAs(ranked);
        assertThat(dispatcher.handlerFor(EtherType.ARP)).isSameAs(viaHexString);
        dispatcher.unbindPacketHandler(ranked, Map.of(PacketHandler.ETHERTYPE, 0x0800, Constants.SERVICE_ID, 8L));
        assertThat(dispatcher.handlerFor(EtherType.IPV4)).isSameAs(viaInteger);
        assertThat(dispatcher.handlerFor(EtherType.IPV6)).isNull();
        assertThat(dispatcher.handlerFor(-1)).isNull();
        assertThat(dispatcher.handlerFor(0x10000)).isNull();
    }

    @Test
    void aPacketArrivingOnALinkThatIsDownIsDroppedAndCounted() throws Exception {
        Recorder handler = new Recorder("ipv4");
        stack.addPacketHandler(EtherType.IPV4, handler);
        NetDeviceContext context = dev.context();
        link.setUp(false);
        Packet packet = stack.packet(EtherType.IPV4, new byte[10]);

        context.receive(packet);
        stack.runUntilIdle();

        assertThat(packet.isReleased()).isTrue();
        assertThat(handler.seen).isEmpty();
        assertThat(link.stats().rxDropped.sum()).isEqualTo(1);
        assertThat(link.stats().rxPackets.sum()).isZero();
        assertThat(stack.dispatcher().linkDownDrops()).isEqualTo(1);
    }

    @Test
    void aPacketQueuedWhenItsLinkGoesDownIsDroppedAtDispatch() throws Exception {
        Recorder handler = new Recorder("ipv4");
        stack.addPacketHandler(EtherType.IPV4, handler);

        dev.inject(stack.packet(EtherType.IPV4, new byte[10]));
        link.setUp(false);
        stack.runUntilIdle();

        assertThat(handler.seen).isEmpty();
        assertThat(link.stats().rxDropped.sum()).isEqualTo(1);
        assertThat(stack.dispatcher().linkDownDrops()).isEqualTo(1);
    }

    @Test
    void aThrowingHandlerIsCountedAndItsPacketReleased() {
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            throw new IllegalStateException("handler failed on purpose");
        });
        Packet packet = stack.packet(EtherType.IPV4, new byte[10]);

        dev.inject(packet);
        stack.runUntilIdle();

        assertThat(packet.isReleased()).isTrue();
        assertThat(stack.dispatcher().handlerErrors()).isEqualTo(1);
    }
}
