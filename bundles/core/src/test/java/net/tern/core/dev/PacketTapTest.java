package net.tern.core.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketTap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PacketLeakCheck.class)
class PacketTapTest {
    /** What one tap call saw, copied out of the lent view. */
    record Seen(String link, PacketTap.Direction direction, long timestampNanos, int protocol, String hex) {
    }

    /** A tap that copies every packet, as a capture does. */
    static final class Recorder implements PacketTap {
        final List<Seen> seen = new ArrayList<>();

        @Override
        public synchronized void tap(Link link, Direction direction, long timestampNanos, int protocol, ByteBuf data) {
            seen.add(new Seen(link.name(), direction, timestampNanos, protocol, ByteBufUtil.hexDump(data)));
        }
    }

    private final TestStack stack = new TestStack();
    private final List<String> handled = new ArrayList<>();
    private final FakeDevice tun = new FakeDevice("tun0");
    private final FakeDevice other = new FakeDevice("tun1");
    private Link link;

    @BeforeEach
    void setUp() throws Exception {
        stack.addPacketHandler(EtherType.IPV4, packet -> {
            handled.add(ByteBufUtil.hexDump(packet.buf()));
            packet.release();
        });
        link = stack.register(tun);
        stack.register(other);
    }

    @AfterEach
    void close() {
        stack.close();
    }

    @Test
    void aTapSeesTransmittedPacketsWithTheirTimeAndTheDriverStillGetsThem() {
        Recorder tap = new Recorder();
        link.addTap(tap);
        stack.advance(5, TimeUnit.MILLISECONDS);

        assertThat(link.transmit(stack.packet(EtherType.IPV4, (byte) 0x45, (byte) 1, (byte) 2))).isTrue();

        assertThat(tap.seen).containsExactly(new Seen("tun0", PacketTap.Direction.TRANSMIT,
                stack.clock().nanoTime(), EtherType.IPV4, "450102"));
        Packet sent = tun.takeTransmitted();
        assertThat(ByteBufUtil.hexDump(sent.buf())).isEqualTo("450102");
        sent.release();
    }

    @Test
    void aTapSeesReceivedPacketsOnTheNetworkThreadBeforeDispatch() {
        Recorder tap = new Recorder();
        link.addTap(tap);
        stack.advance(7, TimeUnit.MILLISECONDS);
        long arrival = stack.clock().nanoTime();

        tun.inject(stack.packet(EtherType.IPV4, (byte) 0x45, (byte) 9));
        assertThat(tap.seen).as("taps run with dispatch, on the network thread").isEmpty();
        stack.runUntilIdle();

        assertThat(tap.seen).containsExactly(new Seen("tun0", PacketTap.Direction.RECEIVE, arrival, EtherType.IPV4, "4509"));
        assertThat(handled).containsExactly("4509");
    }

    @Test
    void aTapSeesOnlyItsOwnLink() {
        Recorder tap = new Recorder();
        link.addTap(tap);

        other.inject(stack.packet(EtherType.IPV4, (byte) 1));
        stack.runUntilIdle();
        stack.links().byName("tun1").orElseThrow().transmit(stack.packet(EtherType.IPV4, (byte) 2));

        assertThat(tap.seen).isEmpty();
        other.releaseTransmitted();
    }

    @Test
    void aRemovedTapSeesNothingMoreAndAddingTwiceDeliversOnce() {
        Recorder tap = new Recorder();
        link.addTap(tap);
        link.addTap(tap);
        link.transmit(stack.packet(EtherType.IPV4, (byte) 1));

        assertThat(link.removeTap(tap)).isTrue();
        assertThat(link.removeTap(tap)).as("already gone").isFalse();
        link.transmit(stack.packet(EtherType.IPV4, (byte) 2));
        tun.inject(stack.packet(EtherType.IPV4, (byte) 3));
        stack.runUntilIdle();

        assertThat(tap.seen).extracting(Seen::hex).containsExactly("01");
        tun.releaseTransmitted();
    }

    @Test
    void everyAttachedTapSeesEachPacket() {
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        link.addTap(first);
        link.addTap(second);

        tun.inject(stack.packet(EtherType.IPV4, (byte) 0x45));
        stack.runUntilIdle();

        assertThat(first.seen).extracting(Seen::hex).containsExactly("45");
        assertThat(second.seen).extracting(Seen::hex).containsExactly("45");
    }

    @Test
    void theViewIsReadOnlyAndATapCannotMoveThePacketsBytes() {
        List<Throwable> writeErrors = new ArrayList<>();
        link.addTap((l, direction, time, protocol, data) -> {
            data.skipBytes(1); // moves only the tap's own view
            try {
                data.setByte(0, 0);
            } catch (RuntimeException e) {
                writeErrors.add(e);
            }
        });

        tun.inject(stack.packet(EtherType.IPV4, (byte) 0x45, (byte) 0x46));
        stack.runUntilIdle();

        assertThat(writeErrors).hasSize(1);
        assertThat(handled).containsExactly("4546");
    }

    @Test
    void aTapThatThrowsIsCountedAndThePacketGoesOn() {
        link.addTap((l, direction, time, protocol, data) -> {
            throw new IllegalStateException("broken tap");
        });

        tun.inject(stack.packet(EtherType.IPV4, (byte) 0x45));
        stack.runUntilIdle();
        assertThat(link.transmit(stack.packet(EtherType.IPV4, (byte) 0x46))).isTrue();

        assertThat(handled).containsExactly("45");
        assertThat(tun.transmitted()).hasSize(1);
        assertThat(((CoreLink) link).tapFailures()).isEqualTo(2);
        tun.releaseTransmitted();
    }

    @Test
    void packetsDroppedBeforeTheWireAreNotTapped() throws Exception {
        Recorder tap = new Recorder();
        link.addTap(tap);
        link.setMtu(100);

        assertThat(link.transmit(stack.packet(EtherType.IPV4, new byte[101]))).isFalse();
        link.setUp(false);
        assertThat(link.transmit(stack.packet(EtherType.IPV4, (byte) 1))).isFalse();

        assertThat(tap.seen).isEmpty();
        assertThat(link.stats().txDropped.sum()).isEqualTo(2);
    }

    @Test
    void aNullTapIsRefused() {
        assertThatThrownBy(() -> link.addTap(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("tap");
    }
}
