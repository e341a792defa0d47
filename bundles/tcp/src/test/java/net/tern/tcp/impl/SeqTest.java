package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeqTest {
    @Test
    void orderingHoldsAcrossTheWrap() {
        assertThat(Seq.before(0xfffffff0, 0x10)).isTrue();
        assertThat(Seq.after(0x10, 0xfffffff0)).isTrue();
        assertThat(Seq.between(0, 0xffffff00, 0x100)).isTrue();
        assertThat(Seq.between(0x200, 0xffffff00, 0x100)).isFalse();
        assertThat(Seq.max(0xfffffffe, 3)).isEqualTo(3);
        assertThat(Seq.distance(0xfffffffe, 3)).isEqualTo(5);
    }

    @Test
    void numbersBeforeTheLowEndAreNotBetween() {
        // Linux's between() compares the u32 differences: below low is outside, however far.
        assertThat(Seq.between(5, 10, 20)).isFalse();
        assertThat(Seq.between(9, 10, 10)).isFalse();
        assertThat(Seq.between(0xfffffff0, 0x10, 0x20)).isFalse();
        assertThat(Seq.between(10, 10, 10)).isTrue();
        assertThat(Seq.between(20, 10, 20)).isTrue();
        assertThat(Seq.between(21, 10, 20)).isFalse();
    }

    @Test
    void randomNumbersOutsideTheRangeAreNotBetween_seed7() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            int low = random.nextInt();
            int span = random.nextInt(0, 1 << 20);
            int outside = random.nextInt(1, Integer.MAX_VALUE);
            assertThat(Seq.between(low - outside, low, low + span)).as("%d before %d", outside, low).isFalse();
            assertThat(Seq.between(low + span + outside, low, low + span)).as("%d after %d", outside, low + span)
                    .isFalse();
        }
    }

    @Test
    void randomPairsWithinHalfTheSpaceCompareLikeTheirDifference_seed42() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 10_000; i++) {
            int a = random.nextInt();
            int d = random.nextInt(1, Integer.MAX_VALUE);
            assertThat(Seq.before(a, a + d)).isTrue();
            assertThat(Seq.after(a + d, a)).isTrue();
            assertThat(Seq.between(a + d / 2, a, a + d)).isTrue();
        }
    }
}
