package net.tern.spi.whiteboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.tern.spi.whiteboard.SlotTable.Candidate;
import net.tern.spi.whiteboard.SlotTable.Change;
import org.junit.jupiter.api.Test;

class SlotTableTest {
    /** A service with a name, compared by identity as the table compares services. */
    private record Svc(String name) {
        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    private final SlotTable<Svc> table = new SlotTable<>(256);
    private final Svc a = new Svc("a");
    private final Svc b = new Svc("b");
    private final Svc c = new Svc("c");

    private static ServiceRank rank(int ranking, long order) {
        return new ServiceRank(ranking, order);
    }

    @Test
    void aSlotNobodyClaimedHasNoHolder() {
        assertThat(table.size()).isEqualTo(256);
        assertThat(table.get(17)).isNull();
        assertThat(table.candidates()).isEmpty();
        assertThat(table.candidates(17)).isEmpty();
    }

    @Test
    void keysOutsideTheTableHaveNoHolderAndCannotBeClaimed() {
        assertThat(table.get(-1)).isNull();
        assertThat(table.get(256)).isNull();
        assertThat(table.isKey(0)).isTrue();
        assertThat(table.isKey(255)).isTrue();
        assertThat(table.isKey(256)).isFalse();
        assertThat(table.isKey(-1)).isFalse();
        assertThatThrownBy(() -> table.add(256, a, rank(0, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256 is outside 0..255");
        assertThatThrownBy(() -> table.add(-1, a, rank(0, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(table.candidates()).isEmpty();
    }

    @Test
    void aTableNeedsAtLeastOneSlot() {
        assertThatThrownBy(() -> new SlotTable<Svc>(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theHighestRankingHoldsTheSlotThenTheOldest() {
        table.add(6, a, rank(0, 5));
        table.add(6, b, rank(10, 9));
        table.add(6, c, rank(10, 7));

        assertThat(table.get(6)).isSameAs(c);
        assertThat(table.candidates(6)).extracting(Candidate::service).containsExactly(c, b, a);
    }

    @Test
    void amongEqualRanksTheFirstAddedHoldsTheSlot() {
        table.add(6, a, rank(0, ServiceRank.UNKNOWN_ORDER));
        table.add(6, b, rank(0, ServiceRank.UNKNOWN_ORDER));

        assertThat(table.get(6)).isSameAs(a);
        assertThat(table.candidates(6)).extracting(Candidate::service).containsExactly(a, b);
    }

    @Test
    void theNextCandidateTakesOverWhenTheHolderLeaves() {
        table.add(17, a, rank(0, 1));
        table.add(17, b, rank(5, 2));
        table.add(17, c, rank(0, 3));

        table.remove(b);
        assertThat(table.get(17)).isSameAs(a);
        table.remove(a);
        assertThat(table.get(17)).isSameAs(c);
        table.remove(c);
        assertThat(table.get(17)).isNull();
        assertThat(table.candidates()).isEmpty();
    }

    @Test
    void addReportsTheHolderBeforeAndAfter() {
        Change<Svc> first = table.add(2, a, rank(0, 1));
        Change<Svc> reserve = table.add(2, b, rank(-5, 2));
        Change<Svc> takeover = table.add(2, c, rank(5, 3));

        assertThat(first).isEqualTo(new Change<>(2, null, a));
        assertThat(first.holderChanged()).isTrue();
        assertThat(reserve).isEqualTo(new Change<>(2, a, a));
        assertThat(reserve.holderChanged()).isFalse();
        assertThat(takeover).isEqualTo(new Change<>(2, a, c));
        assertThat(takeover.holderChanged()).isTrue();
    }

    @Test
    void theSameRegistrationAddedAgainHasItsRankingReplaced() {
        table.add(2, a, rank(0, 1));
        table.add(2, b, rank(-5, 2));

        Change<Svc> raised = table.add(2, b, rank(50, 2));
        assertThat(raised).isEqualTo(new Change<>(2, a, b));
        assertThat(table.candidates(2)).extracting(Candidate::service).containsExactly(b, a);

        Change<Svc> lowered = table.add(2, b, rank(-50, 2));
        assertThat(lowered).isEqualTo(new Change<>(2, b, a));
        assertThat(table.candidates(2)).containsExactly(new Candidate<>(2, a, rank(0, 1)),
                new Candidate<>(2, b, rank(-50, 2)));
    }

    @Test
    void oneServiceRegisteredTwiceForOneSlotStaysUntilBothRegistrationsLeave() {
        table.add(0x11, a, rank(0, 4));
        table.add(0x11, a, rank(0, 8));
        table.add(0x11, b, rank(-1, 9));

        assertThat(table.remove(a, 4)).containsExactly(new Candidate<>(0x11, a, rank(0, 4)));
        assertThat(table.get(0x11)).isSameAs(a);
        table.remove(a, 8);
        assertThat(table.get(0x11)).isSameAs(b);
    }

    @Test
    void aServiceInSeveralSlotsLeavesThemAll() {
        table.add(1, a, rank(0, 1));
        table.add(2, a, rank(0, 1));
        table.add(2, b, rank(0, 2));

        assertThat(table.remove(a)).extracting(Candidate::key).containsExactly(1, 2);
        assertThat(table.get(1)).isNull();
        assertThat(table.get(2)).isSameAs(b);
    }

    @Test
    void removeIfRemovesWhatItMatchesAndReturnsIt() {
        table.add(1, a, rank(0, 1));
        table.add(2, b, rank(3, 2));
        table.add(2, c, rank(3, 3));

        assertThat(table.removeIf(x -> x.rank().ranking() == 3)).extracting(Candidate::service).containsExactly(b, c);
        assertThat(table.removeIf(x -> x.key() == 99)).isEmpty();
        assertThat(table.get(2)).isNull();
        assertThat(table.get(1)).isSameAs(a);
    }

    @Test
    void removingAServiceThatIsNotThereChangesNothing() {
        table.add(1, a, rank(0, 1));

        assertThat(table.remove(b)).isEmpty();
        assertThat(table.remove(a, 2)).isEmpty();
        assertThat(table.get(1)).isSameAs(a);
    }

    @Test
    void candidatesListsEveryRegistrationByKeyThenPrecedence() {
        table.add(9, a, rank(0, 1));
        table.add(3, b, rank(0, 2));
        table.add(9, c, rank(1, 3));
        table.add(3, a, rank(-1, 1));

        assertThat(table.candidates()).containsExactly(
                new Candidate<>(3, b, rank(0, 2)),
                new Candidate<>(3, a, rank(-1, 1)),
                new Candidate<>(9, c, rank(1, 3)),
                new Candidate<>(9, a, rank(0, 1)));
        assertThatThrownBy(() -> table.candidates().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aSnapshotOfCandidatesDoesNotChangeWhenTheTableDoes() {
        table.add(9, a, rank(0, 1));
        var before = table.candidates();

        table.add(9, b, rank(0, 2));
        table.remove(a);

        assertThat(before).extracting(Candidate::service).containsExactly(a);
        assertThat(table.candidates()).extracting(Candidate::service).containsExactly(b);
    }

    @Test
    void aLargeTableServesKeysOnEveryPage() {
        SlotTable<Svc> ethertypes = new SlotTable<>(0x10000);
        ethertypes.add(0x0800, a, rank(0, 1));
        ethertypes.add(0x86dd, b, rank(0, 2));
        ethertypes.add(0xffff, c, rank(0, 3));
        ethertypes.add(0x0000, c, rank(0, 3));

        assertThat(ethertypes.get(0x0800)).isSameAs(a);
        assertThat(ethertypes.get(0x86dd)).isSameAs(b);
        assertThat(ethertypes.get(0xffff)).isSameAs(c);
        assertThat(ethertypes.get(0x0000)).isSameAs(c);
        assertThat(ethertypes.get(0x0806)).as("same page as 0x0800, never claimed").isNull();
        assertThat(ethertypes.get(0x1234)).as("a page never touched").isNull();
        assertThat(ethertypes.get(0x10000)).isNull();
    }

    @Test
    void aSmallTableOfSocketTypesWorksToo() {
        SlotTable<Svc> types = new SlotTable<>(16);
        types.add(15, a, rank(0, 1));

        assertThat(types.get(15)).isSameAs(a);
        assertThat(types.get(16)).isNull();
    }

    @Test
    void aReaderNeverFindsTheSlotFreeWhileAHigherRankedServiceReplacesTheHolder() throws Exception {
        SlotTable<Svc> slots = new SlotTable<>(256);
        slots.add(6, a, rank(0, 0));
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> freeSeen = reader.submit(() -> {
                int free = 0;
                while (!done.get()) {
                    if (slots.get(6) == null) {
                        free++;
                    }
                }
                return free;
            });
            Svc holder = a;
            for (int i = 1; i <= 20_000; i++) {
                Svc next = new Svc("v" + i);
                slots.add(6, next, rank(i, i)); // the update registers, then the old version leaves
                slots.remove(holder);
                holder = next;
            }
            done.set(true);

            assertThat(freeSeen.get(10, TimeUnit.SECONDS)).isZero();
            assertThat(slots.get(6)).isSameAs(holder);
            assertThat(slots.candidates(6)).hasSize(1);
        } finally {
            done.set(true);
            reader.shutdownNow();
        }
    }
}
