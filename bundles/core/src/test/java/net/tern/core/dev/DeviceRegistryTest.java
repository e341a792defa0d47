package net.tern.core.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkEvent;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PacketLeakCheck.class)
class DeviceRegistryTest {
    private final TestStack stack = new TestStack();
    private final List<String> events = new ArrayList<>();
    private final LinkListener recorder = (link, event) -> events.add(event + " " + link.name());

    @AfterEach
    void close() {
        stack.close();
    }

    @Test
    void givesIndexesFromOneAndNeverReusesThem() throws Exception {
        FakeDevice a = new FakeDevice("a0");
        FakeDevice b = new FakeDevice("b0");
        assertThat(stack.register(a).index()).isEqualTo(1);
        assertThat(stack.register(b).index()).isEqualTo(2);

        stack.unregister(a);
        Link again = stack.register(new FakeDevice("a0"));

        assertThat(again.index()).isEqualTo(3);
        assertThat(stack.links().links()).extracting(Link::index).containsExactly(2, 3);
        assertThat(stack.links().byIndex(1)).isEmpty();
        assertThat(stack.links().byName("a0")).containsSame(again);
    }

    @Test
    void refusesADuplicateNameWithEexist() throws Exception {
        stack.register(new FakeDevice("tun0"));
        FakeDevice second = new FakeDevice("tun0");

        assertThatThrownBy(() -> stack.register(second))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST))
                .hasMessageContaining("register_netdev(tun0)")
                .hasMessageContaining("taken by ifindex 1");
        assertThat(second.opens()).isZero();
        assertThat(stack.links().links()).hasSize(1);
    }

    @Test
    void aDuplicateServiceIsLoggedAndLeftUnregistered() throws Exception {
        stack.register(new FakeDevice("tun0"));
        FakeDevice second = new FakeDevice("tun0");

        stack.registry().bindNetDevice(second);
        stack.registry().unbindNetDevice(second); // leaving changes nothing: it never registered

        assertThat(second.opens()).isZero();
        assertThat(stack.links().byName("tun0")).map(Link::index).contains(1);
        assertThat(stack.links().byName("tun0").orElseThrow().isUp()).isTrue();
    }

    @Test
    void refusesBadNamesAndMtusWithEinval() {
        for (String bad : new String[] {"", "a/b", "eth 0", "eth:0", "..", "averyveryverylongname"}) {
            assertThatThrownBy(() -> stack.register(new FakeDevice(bad)))
                    .as("name '%s'", bad)
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        }
        assertThatThrownBy(() -> stack.register(new FakeDevice("small", 40, 1500, List.of())))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("MTU 40 outside 68..1500");
        assertThat(stack.links().links()).isEmpty();
    }

    @Test
    void bringsADeviceUpWhenItRegistersAndListenersHearIt() throws Exception {
        stack.addLinkListener(recorder);
        FakeDevice dev = new FakeDevice("tun0");

        Link link = stack.register(dev);

        assertThat(link.isUp()).isTrue();
        assertThat(dev.isOpen()).isTrue();
        assertThat(dev.context().link()).isSameAs(link);
        assertThat(link.flags()).isEqualTo(LinkFlags.IFF_POINTOPOINT | LinkFlags.IFF_NOARP | LinkFlags.IFF_UP
                | LinkFlags.IFF_RUNNING | LinkFlags.IFF_LOWER_UP);
        assertThat(link.type()).isEqualTo(LinkFlags.ARPHRD_NONE);
        assertThat(events).containsExactly("REGISTER tun0", "UP tun0");
    }

    @Test
    void setUpFalseStopsTheDeviceAndSetUpTrueOpensItAgain() throws Exception {
        FakeDevice dev = new FakeDevice("tun0");
        Link link = stack.register(dev);
        stack.addLinkListener(recorder);
        events.clear();

        link.setUp(false);
        assertThat(link.isUp()).isFalse();
        assertThat(dev.isOpen()).isFalse();
        assertThat(link.flags() & LinkFlags.IFF_UP).isZero();
        link.setUp(false); // already down: nothing happens

        link.setUp(true);
        assertThat(link.isUp()).isTrue();
        assertThat(dev.opens()).isEqualTo(2);
        assertThat(dev.stops()).isEqualTo(1);
        assertThat(events).containsExactly("DOWN tun0", "UP tun0");
    }

    @Test
    void aDeviceThatLeavesGoesDownThenUnregisters() throws Exception {
        FakeDevice dev = new FakeDevice("tun0");
        Link link = stack.register(dev);
        stack.addLinkListener(recorder);
        events.clear();

        stack.unregister(dev);

        assertThat(events).containsExactly("DOWN tun0", "UNREGISTER tun0");
        assertThat(dev.isOpen()).isFalse();
        assertThat(stack.links().links()).isEmpty();
        assertThatThrownBy(() -> link.setUp(true))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV))
                .hasMessageContaining("tun0 is no longer registered");
    }

    @Test
    void aLateListenerFirstHearsTheLinksAlreadyThere() throws Exception {
        stack.register(new FakeDevice("lo0"));
        Link down = stack.register(new FakeDevice("tun0"));
        down.setUp(false);

        stack.addLinkListener(recorder);

        assertThat(events).containsExactly("REGISTER lo0", "UP lo0", "REGISTER tun0");
        stack.register(new FakeDevice("tun1"));
        assertThat(events).endsWith("REGISTER tun1", "UP tun1");
    }

    @Test
    void aRemovedListenerHearsNothingMore() throws Exception {
        stack.addLinkListener(recorder);
        stack.removeLinkListener(recorder);

        stack.register(new FakeDevice("tun0"));

        assertThat(events).isEmpty();
    }

    @Test
    void aThrowingListenerDoesNotStopTheOthers() throws Exception {
        stack.addLinkListener((link, event) -> {
            throw new IllegalStateException("listener failed on purpose");
        });
        stack.addLinkListener(recorder);

        stack.register(new FakeDevice("tun0"));

        assertThat(events).containsExactly("REGISTER tun0", "UP tun0");
    }

    @Test
    void aDeviceThatFailsToOpenStaysRegisteredAndDown() throws Exception {
        FakeDevice dev = new FakeDevice("tun0");
        dev.failOpenWith(new ErrnoException(Errno.EBUSY, "open(/dev/net/tun)"));
        stack.addLinkListener(recorder);

        Link link = stack.register(dev);

        assertThat(link.isUp()).isFalse();
        assertThat(events).containsExactly("REGISTER tun0");
        assertThatThrownBy(() -> link.setUp(true))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY))
                .hasMessageContaining("ip link set tun0 up");
        dev.failOpenWith(null);
        link.setUp(true);
        assertThat(events).containsExactly("REGISTER tun0", "UP tun0");
    }

    @Test
    void mtuMustBeBetween68AndTheDeviceMaximum() throws Exception {
        Link link = stack.register(new FakeDevice("tun0", 1500, 9000, List.of()));
        stack.addLinkListener(recorder);
        events.clear();

        for (int bad : new int[] {67, 0, -1, 9001}) {
            assertThatThrownBy(() -> link.setMtu(bad))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
                    .hasMessageContaining("ip link set tun0 mtu " + bad)
                    .hasMessageContaining("68..9000");
        }
        assertThat(link.mtu()).isEqualTo(1500);
        link.setMtu(68);
        assertThat(link.mtu()).isEqualTo(68);
        link.setMtu(9000);
        assertThat(link.mtu()).isEqualTo(9000);
        link.setMtu(9000); // unchanged: no event
        assertThat(events).containsExactly("CHANGE_MTU tun0", "CHANGE_MTU tun0");
    }

    @Test
    void addressesStartWithTheDevicesAndChangeWithEvents() throws Exception {
        IfAddress initial = IfAddress.parse("10.0.0.1/24");
        Link link = stack.register(new FakeDevice("tun0", 1500, 1500, List.of(initial)));
        stack.addLinkListener(recorder);
        events.clear();
        IfAddress second = IfAddress.parse("10.0.1.1/24");

        assertThat(link.addresses()).containsExactly(initial);
        link.addAddress(second);
        assertThat(link.addresses()).containsExactly(initial, second);
        link.removeAddress(initial);
        assertThat(link.addresses()).containsExactly(second);
        assertThat(events).containsExactly("CHANGE_ADDR tun0", "CHANGE_ADDR tun0");
    }

    @Test
    void addingAnAddressTwiceIsEexistAndRemovingOneNotThereIsEaddrnotavail() throws Exception {
        Link link = stack.register(new FakeDevice("tun0"));
        IfAddress address = IfAddress.parse("10.0.0.1/24");
        link.addAddress(address);

        assertThatThrownBy(() -> link.addAddress(IfAddress.parse("10.0.0.1/24")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST))
                .hasMessageContaining("ip addr add 10.0.0.1/24 dev tun0");
        assertThatThrownBy(() -> link.removeAddress(IfAddress.parse("10.9.9.9/8")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRNOTAVAIL))
                .hasMessageContaining("ip addr del 10.9.9.9/8 dev tun0")
                .hasMessageContaining("not on tun0");
        assertThatThrownBy(() -> link.addAddress(null))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThat(link.addresses()).containsExactly(address);
    }

    @Test
    void transmitCountsAndHandsThePacketToTheDevice() throws Exception {
        FakeDevice dev = new FakeDevice("tun0");
        Link link = stack.register(dev);

        boolean sent = link.transmit(stack.packet(EtherType.IPV4, new byte[100]));

        assertThat(sent).isTrue();
        assertThat(link.stats().txPackets.sum()).isEqualTo(1);
        assertThat(link.stats().txBytes.sum()).isEqualTo(100);
        assertThat(dev.transmitted()).singleElement().satisfies(p -> assertThat(p.device()).isSameAs(link));
        dev.releaseTransmitted();
    }

    @Test
    void transmitOnALinkThatIsDownIsDroppedCountedAndReleased() throws Exception {
        FakeDevice dev = new FakeDevice("tun0");
        Link link = stack.register(dev);
        link.setUp(false);
        Packet packet = stack.packet(EtherType.IPV4, new byte[10]);

        assertThat(link.transmit(packet)).isFalse();

        assertThat(packet.isReleased()).isTrue();
        assertThat(link.stats().txDropped.sum()).isEqualTo(1);
        assertThat(link.stats().txPackets.sum()).isZero();
        assertThat(dev.transmitted()).isEmpty();
    }

    @Test
    void transmitLongerThanTheMtuIsDroppedCountedAndReleased() throws Exception {
        FakeDevice dev = new FakeDevice("tun0");
        Link link = stack.register(dev);
        link.setMtu(100);

        assertThat(link.transmit(stack.packet(EtherType.IPV4, new byte[100]))).isTrue();
        Packet tooLong = stack.packet(EtherType.IPV4, new byte[101]);
        assertThat(link.transmit(tooLong)).isFalse();

        assertThat(tooLong.isReleased()).isTrue();
        assertThat(link.stats().txDropped.sum()).isEqualTo(1);
        assertThat(link.stats().txPackets.sum()).isEqualTo(1);
        assertThat(dev.transmitted()).hasSize(1);
        dev.releaseTransmitted();
    }

    @Test
    void closeUnregistersEveryDevice() throws Exception {
        FakeDevice a = new FakeDevice("a0");
        FakeDevice b = new FakeDevice("b0");
        stack.register(a);
        stack.register(b);
        stack.addLinkListener(recorder);
        events.clear();

        stack.registry().close();

        assertThat(events).containsExactly("DOWN b0", "UNREGISTER b0", "DOWN a0", "UNREGISTER a0");
        assertThat(a.isOpen()).isFalse();
        assertThat(b.isOpen()).isFalse();
        assertThat(stack.links().links()).isEmpty();
    }
}
