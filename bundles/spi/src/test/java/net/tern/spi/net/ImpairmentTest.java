package net.tern.spi.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ImpairmentTest {
    @Test
    void parsesNetemWordsWithOrWithoutUnits() {
        Impairment i = Impairment.parse("loss 2% duplicate 1 reorder 5% delay 10ms seed 7");
        assertThat(i).isEqualTo(new Impairment(2, 1, 5, TimeUnit.MILLISECONDS.toNanos(10), OptionalLong.of(7)));
        assertThat(Impairment.parse(List.of("delay", "10")).delayNanos()).isEqualTo(10_000_000L);
        assertThat(Impairment.parse("delay 500us").delayNanos()).isEqualTo(500_000L);
        assertThat(Impairment.parse("delay 1s").delayNanos()).isEqualTo(1_000_000_000L);
        assertThat(Impairment.parse("loss 0.5%").lossPercent()).isEqualTo(0.5);
    }

    @Test
    void printsInNetemWordsAndReadsBackTheSame() {
        Impairment i = Impairment.parse("seed 1 reorder 5% loss 2%");
        assertThat(i).hasToString("loss 2% reorder 5% seed 1");
        assertThat(Impairment.parse(i.toString())).isEqualTo(i);
        assertThat(Impairment.parse("loss 0.25 delay 1.5ms")).hasToString("loss 0.25% delay 1500us");
    }

    @Test
    void offEmptyAndAllZeroMeanNone() {
        assertThat(Impairment.parse("off")).isEqualTo(Impairment.NONE);
        assertThat(Impairment.parse("  ")).isEqualTo(Impairment.NONE);
        assertThat(Impairment.parse((String) null)).isEqualTo(Impairment.NONE);
        assertThat(Impairment.parse("loss 0% seed 3").isNone()).isTrue();
        assertThat(Impairment.NONE).hasToString("off");
    }

    @Test
    void refusesBadWordsNamingTheProblem() {
        assertThatThrownBy(() -> Impairment.parse("loss 101%")).hasMessage(
                "bad loss \"101%\": expected a percentage 0..100 such as 2 or 2%");
        assertThatThrownBy(() -> Impairment.parse("loss -1")).hasMessageContaining("bad loss \"-1\"");
        assertThatThrownBy(() -> Impairment.parse("loss abc")).hasMessageContaining("bad loss \"abc\"");
        assertThatThrownBy(() -> Impairment.parse("delay 10min")).hasMessageContaining("bad delay \"10min\"");
        assertThatThrownBy(() -> Impairment.parse("delay 61s")).hasMessageContaining("bad delay \"61s\"");
        assertThatThrownBy(() -> Impairment.parse("seed x")).hasMessage("bad seed \"x\": expected a whole number");
        assertThatThrownBy(() -> Impairment.parse("jitter 5ms")).hasMessage(
                "unknown word \"jitter\": expected loss, duplicate, reorder, delay, seed or limit");
        assertThatThrownBy(() -> Impairment.parse("loss")).hasMessage("\"loss\" needs a value");
        assertThatThrownBy(() -> Impairment.parse("loss 1 loss 2")).hasMessage("\"loss\" given twice");
    }

    @Test
    void aQueueLimitIsNetemsLimitAndZeroIsAnImpairmentOfItsOwn() {
        Impairment full = Impairment.parse("limit 0");
        assertThat(full.limit()).isZero();
        assertThat(full.isNone()).as("a queue that holds nothing drops every packet").isFalse();
        assertThat(full).hasToString("limit 0");
        assertThat(Impairment.parse(full.toString())).isEqualTo(full);
        assertThat(Impairment.parse("loss 1%").limit()).isEqualTo(Impairment.DEFAULT_LIMIT);
        assertThat(Impairment.parse("delay 10ms limit 5")).hasToString("delay 10ms limit 5");
        assertThat(Impairment.parse("limit 5").isNone()).as("nothing waits in the queue without a delay").isTrue();
        assertThatThrownBy(() -> Impairment.parse("limit -1")).hasMessage(
                "bad limit \"-1\": expected a number of packets, 0 or more");
        assertThatThrownBy(() -> Impairment.parse("limit x")).hasMessageContaining("bad limit \"x\"");
    }
}
