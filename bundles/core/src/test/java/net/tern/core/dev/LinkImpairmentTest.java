package net.tern.core.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Impairment;
import net.tern.spi.net.ImpairmentStats;
import net.tern.spi.net.Link;
import net.tern.spi.net.NetXmit;
import net.tern.spi.net.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** netem on a link's transmit path, in virtual time: packets carry their sequence number. */
@ExtendWith(PacketLeakCheck.class)
class LinkImpairmentTest {
    private TestStack stack = new TestStack();
    private FakeDevice tun = new FakeDevice("tun0");
    private Link link;

    @BeforeEach
    void register() throws Exception {
        link = stack.register(tun);
    }

    @AfterEach
    void close() {
        tun.releaseTransmitted();
        stack.close();
        tun.releaseTransmitted();
    }

    /** Sends packets numbered {@code from .. from+count-1}. */
    private void send(int from, int count) {
        for (int i = from; i < from + count; i++) {
            Packet p = stack.allocator().allocate(TestStack.DEFAULT_HEADROOM, 4);
            p.buf().writeInt(i);
            link.transmit(p.protocol(EtherType.IPV4));
        }
    }

    /** The numbers of the packets the driver got, in the order it got them (releasing them). */
    private List<Integer> received() {
        List<Integer> ids = new ArrayList<>();
        Packet p;
        while ((p = tun.takeTransmitted()) != null) {
            ids.add(p.buf().getInt(p.buf().readerIndex()));
            p.release();
        }
        return ids;
    }

    /** One run of {@code count} packets through {@code impairment} on a fresh stack, flushed. */
    private List<Integer> run(String impairment, int count) throws Exception {
        link.setImpairment(Impairment.parse(impairment));
        send(0, count);
        stack.advance(1, TimeUnit.SECONDS);
        return received();
    }

    private void freshStack() throws Exception {
        close();
        stack = new TestStack();
        tun = new FakeDevice("tun0");
        link = stack.register(tun);
    }

    private static List<Integer> range(int count) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(i);
        }
        return ids;
    }

    @Test
    void withoutImpairmentEveryPacketGoesStraightThroughInOrder() {
        assertThat(link.impairment()).isEqualTo(Impairment.NONE);
        send(0, 1000);
        assertThat(received()).isEqualTo(range(1000));
        assertThat(link.impairmentStats().isZero()).isTrue();
    }

    @Test
    void turnedOffItNeitherDropsNorDuplicatesNorReorders() throws Exception {
        link.setImpairment(Impairment.parse("loss 50% duplicate 50% reorder 50% seed 3"));
        send(0, 100);
        stack.advance(1, TimeUnit.SECONDS);
        received();
        ImpairmentStats before = link.impairmentStats();
        long dropped = before.dropped.sum();
        long duplicated = before.duplicated.sum();
        long reordered = before.reordered.sum();

        link.setImpairment(Impairment.NONE);
        send(100, 1000);

        assertThat(received()).isEqualTo(range(1100).subList(100, 1100));
        assertThat(link.impairment()).isEqualTo(Impairment.NONE);
        assertThat(link.impairmentStats().dropped.sum()).isEqualTo(dropped);
        assertThat(link.impairmentStats().duplicated.sum()).isEqualTo(duplicated);
        assertThat(link.impairmentStats().reordered.sum()).isEqualTo(reordered);
    }

    @Test
    void theSameSeedGivesTheSameScheduleAndAnotherSeedAnother() throws Exception {
        List<Integer> first = run("loss 2% duplicate 1% reorder 5% delay 3ms seed 7", 2000);
        freshStack();
        List<Integer> again = run("loss 2% duplicate 1% reorder 5% delay 3ms seed 7", 2000);
        freshStack();
        List<Integer> other = run("loss 2% duplicate 1% reorder 5% delay 3ms seed 8", 2000);

        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(first).isNotEqualTo(range(2000));
    }

    @Test
    void settingTheSameImpairmentAgainRestartsItsSchedule() throws Exception {
        List<Integer> first = run("loss 10% reorder 10% seed 11", 500);
        List<Integer> second = run("loss 10% reorder 10% seed 11", 500);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void ratesComeCloseToWhatWasAskedOverManyPackets() throws Exception {
        int n = 20_000;
        List<Integer> out = run("loss 2% duplicate 1% reorder 5% seed 1", n);
        ImpairmentStats s = link.impairmentStats();

        assertThat(100.0 * s.dropped.sum() / n).isBetween(1.7, 2.3);
        long kept = n - s.dropped.sum();
        assertThat(100.0 * s.duplicated.sum() / kept).isBetween(0.8, 1.2);
        assertThat(100.0 * s.reordered.sum() / (kept + s.duplicated.sum())).isBetween(4.5, 5.5);
        assertThat(out).hasSize((int) (kept + s.duplicated.sum()));
        assertThat(link.stats().txPackets.sum()).isEqualTo(out.size());
    }

    @Test
    void aReorderedPacketArrivesAfterALaterOneAndEachCountedIsOvertaken() throws Exception {
        List<Integer> out = run("reorder 20% seed 5", 1000);

        assertThat(out).containsExactlyInAnyOrderElementsOf(range(1000));
        // A packet is out of order when one sent after it arrived before it.
        int overtaken = 0;
        int highest = -1;
        for (int id : out) {
            if (id < highest) {
                overtaken++;
            }
            highest = Math.max(highest, id);
        }
        assertThat(overtaken).isEqualTo(link.impairmentStats().reordered.sum()).isGreaterThan(150);
    }

    @Test
    void aHeldPacketThatNothingOvertakesLeavesAloneAfterTheHoldLimit() throws Exception {
        link.setImpairment(Impairment.parse("reorder 100% seed 1"));
        send(0, 3);
        stack.advance(LinkImpairment.MAX_HOLD_MILLIS - 1, TimeUnit.MILLISECONDS);
        assertThat(tun.transmitted()).isEmpty();

        stack.advance(1, TimeUnit.MILLISECONDS);
        assertThat(received()).containsExactly(0, 1, 2);
        assertThat(link.impairmentStats().reordered.sum()).isZero();
    }

    @Test
    void delayHoldsEveryPacketOnTheStackTimerAndKeepsTheOrder() throws Exception {
        link.setImpairment(Impairment.parse("delay 10ms"));
        send(0, 3);
        stack.advance(5, TimeUnit.MILLISECONDS);
        send(3, 2);

        stack.advance(4, TimeUnit.MILLISECONDS);
        assertThat(tun.transmitted()).isEmpty();
        stack.advance(1, TimeUnit.MILLISECONDS);
        assertThat(received()).containsExactly(0, 1, 2);
        stack.advance(5, TimeUnit.MILLISECONDS);
        assertThat(received()).containsExactly(3, 4);
        assertThat(link.impairmentStats().delayed.sum()).isEqualTo(5);
    }

    @Test
    void duplicateSendsAnIdenticalSecondCopy() throws Exception {
        link.setImpairment(Impairment.parse("duplicate 100% seed 2"));
        send(0, 3);
        assertThat(received()).containsExactly(0, 0, 1, 1, 2, 2);
        assertThat(link.impairmentStats().duplicated.sum()).isEqualTo(3);
    }

    @Test
    void lossDropsAndReleasesButTheSenderIsToldTheLinkTookIt() throws Exception {
        link.setImpairment(Impairment.parse("loss 100%"));
        Packet p = stack.packet(EtherType.IPV4, new byte[10]);
        assertThat(link.transmit(p)).isTrue();
        assertThat(p.isReleased()).isTrue();
        assertThat(tun.transmitted()).isEmpty();
        assertThat(link.impairmentStats().dropped.sum()).isEqualTo(1);
        assertThat(link.stats().txPackets.sum()).isZero();
    }

    @Test
    void goingDownDropsWhatIsHeldOrDelayedWithoutLeaking() throws Exception {
        link.setImpairment(Impairment.parse("delay 20ms seed 4"));
        send(0, 5);
        link.setImpairment(Impairment.parse("reorder 100% seed 4"));
        send(5, 2);
        assertThat(((CoreLink) link).impairmentQueued()).isEqualTo(7);

        link.setUp(false);

        assertThat(((CoreLink) link).impairmentQueued()).isZero();
        assertThat(link.stats().txDropped.sum()).isEqualTo(7);
        stack.advance(1, TimeUnit.SECONDS);
        assertThat(tun.transmitted()).isEmpty();
        assertThat(link.impairment().toString()).isEqualTo("reorder 100% seed 4");
    }

    @Test
    void replacingTheImpairmentSendsHeldPacketsAtOnce() throws Exception {
        link.setImpairment(Impairment.parse("reorder 100% seed 9"));
        send(0, 2);
        link.setImpairment(Impairment.parse("loss 1% seed 9"));
        assertThat(received()).containsExactly(0, 1);
    }

    @Test
    void withoutASeedTheLinkPicksOneAndShowsIt() throws Exception {
        link.setImpairment(Impairment.parse("loss 2%"));
        assertThat(link.impairment().seed()).isPresent();
        assertThat(link.impairment().toString()).matches("loss 2% seed -?\\d+");
    }

    @Test
    void anUnregisteredLinkRefusesAnImpairment() {
        stack.unregister(tun);
        assertThatThrownBy(() -> link.setImpairment(Impairment.parse("loss 1%")))
                .isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errno.ENODEV))
                .hasMessageContaining("tc qdisc replace dev tun0 root netem loss 1%");
    }

    @Test
    void tapsSeeWhatLeavesTheImpairment() throws Exception {
        List<Integer> tapped = new ArrayList<>();
        link.addTap((l, direction, time, protocol, data) -> tapped.add(data.getInt(data.readerIndex())));
        link.setImpairment(Impairment.parse("duplicate 100% seed 1"));
        send(0, 2);
        assertThat(tapped).containsExactly(0, 0, 1, 1);
        received();
    }

    /** A packet numbered {@code id}. */
    private Packet numbered(int id) {
        Packet p = stack.allocator().allocate(TestStack.DEFAULT_HEADROOM, 4);
        p.buf().writeInt(id);
        return p.protocol(EtherType.IPV4);
    }

    @Test
    void aFullQueueDropsAndTellsTheSenderWhileALossOnPurposeDoesNot() throws Exception {
        // netem's limit counts what waits in its queue: with a delay, the third of three
        // packets sent at once finds two waiting and a limit of 2.
        link.setImpairment(Impairment.parse("delay 10ms limit 2"));
        assertThat(link.xmit(numbered(0))).isEqualTo(NetXmit.SUCCESS);
        assertThat(link.xmit(numbered(1))).isEqualTo(NetXmit.SUCCESS);
        assertThat(link.xmit(numbered(2))).isEqualTo(NetXmit.DROP);
        assertThat(link.transmit(numbered(3))).as("transmit answers whether it was taken").isFalse();
        stack.advance(1, TimeUnit.SECONDS);
        assertThat(received()).containsExactly(0, 1);
        assertThat(link.impairmentStats().dropped.sum()).isEqualTo(2);

        // limit 0: nothing fits, every packet is dropped and the sender told so.
        link.setImpairment(Impairment.parse("limit 0"));
        for (int i = 0; i < 5; i++) {
            assertThat(link.xmit(numbered(10 + i))).isEqualTo(NetXmit.DROP);
        }
        assertThat(received()).isEmpty();

        // A loss on purpose is the wire's: taken, as netem reports it, even by a full queue
        // (netem decides the loss before it tests its limit).
        link.setImpairment(Impairment.parse("loss 100% seed 1"));
        assertThat(link.xmit(numbered(20))).isEqualTo(NetXmit.SUCCESS);
        link.setImpairment(Impairment.parse("loss 100% limit 0 seed 1"));
        assertThat(link.xmit(numbered(21))).isEqualTo(NetXmit.SUCCESS);
        assertThat(received()).isEmpty();

        link.setImpairment(Impairment.NONE);
        assertThat(link.xmit(numbered(30))).isEqualTo(NetXmit.SUCCESS);
        assertThat(received()).containsExactly(30);
    }

    @Test
    void aLinkThatIsDownRefusesWithAnErrno() throws Exception {
        link.setUp(false);
        assertThat(link.xmit(numbered(0))).isEqualTo(-Errno.ENETDOWN.number());
        assertThat(received()).isEmpty();
    }
}
