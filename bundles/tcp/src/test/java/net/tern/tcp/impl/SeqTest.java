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
