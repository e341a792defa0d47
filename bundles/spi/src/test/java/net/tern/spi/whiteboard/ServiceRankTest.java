package net.tern.spi.whiteboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceRankTest {

    @Test
    void theHigherRankingComesFirst() {
        ServiceRank high = new ServiceRank(10, 9);
        ServiceRank low = new ServiceRank(-1, 1);

        assertThat(high.outranks(low)).isTrue();
        assertThat(low.outranks(high)).isFalse();
        assertThat(high.compareTo(low)).isNegative();
        assertThat(low.compareTo(high)).isPositive();
    }

    @Test
    void onEqualRankingsTheLowerOrderComesFirst() {
        ServiceRank older = new ServiceRank(3, 4);
        ServiceRank younger = new ServiceRank(3, 5);

        assertThat(older.outranks(younger)).isTrue();
        assertThat(younger.outranks(older)).isFalse();
    }

    @Test
    void equalRanksOutrankNeitherOther() {
        ServiceRank a = new ServiceRank(0, 7);
        ServiceRank b = new ServiceRank(0, 7);

        assertThat(a.compareTo(b)).isZero();
        assertThat(a.outranks(b)).isFalse();
    }

    @Test
    void extremeRankingsCompareWithoutOverflow() {
        assertThat(new ServiceRank(Integer.MAX_VALUE, 0).outranks(new ServiceRank(Integer.MIN_VALUE, 0))).isTrue();
        assertThat(new ServiceRank(0, Long.MIN_VALUE).outranks(new ServiceRank(0, Long.MAX_VALUE))).isTrue();
    }

    @Test
    void sortingPutsTheServiceThatServesFirst() {
        List<ServiceRank> ranks = new ArrayList<>(List.of(new ServiceRank(0, 2), new ServiceRank(5, 9),
                new ServiceRank(0, 1), new ServiceRank(-3, 0)));

        ranks.sort(null);

        assertThat(ranks).containsExactly(new ServiceRank(5, 9), new ServiceRank(0, 1), new ServiceRank(0, 2),
                new ServiceRank(-3, 0));
    }

    @Test
    void ofReadsTheRankingAndServiceIdProperties() {
        ServiceRank rank = ServiceRank.of(Map.of("service.ranking", 7, "service.id", 42L, "family", 2));

        assertThat(rank).isEqualTo(new ServiceRank(7, 42));
    }

    @Test
    void aRankingThatIsNotAnIntegerCountsAsZero() {
        assertThat(ServiceRank.of(Map.of("service.ranking", 7L, "service.id", 1L)).ranking()).isZero();
        assertThat(ServiceRank.of(Map.of("service.ranking", "7", "service.id", 1L)).ranking()).isZero();
    }

    @Test
    void withoutAServiceIdTheOrderIsBehindEveryKnownOne() {
        Map<String, Object> noId = new HashMap<>();
        noId.put("service.ranking", 2);

        assertThat(ServiceRank.of(noId)).isEqualTo(new ServiceRank(2, ServiceRank.UNKNOWN_ORDER));
        assertThat(ServiceRank.of(Map.of("service.id", 1_000_000L)).outranks(ServiceRank.of(Map.of()))).isTrue();
        assertThat(ServiceRank.of(null)).isEqualTo(new ServiceRank(0, ServiceRank.UNKNOWN_ORDER));
    }

    @Test
    void anyNumberServesAsServiceIdInPlainUnitUse() {
        assertThat(ServiceRank.of(Map.of("service.id", 12)).order()).isEqualTo(12L);
    }
}
