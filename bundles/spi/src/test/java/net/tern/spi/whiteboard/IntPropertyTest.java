package net.tern.spi.whiteboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class IntPropertyTest {
    private final IntProperty ethertype = new IntProperty("ethertype", 0, 0xffff);
    private final IntProperty protocol = new IntProperty("protocol", 0, 255);

    @Test
    void readsAnIntegerProperty() {
        assertThat(ethertype.read(Map.of("ethertype", 0x0800))).hasValue(0x0800);
    }

    @Test
    void readsOtherNumberTypes() {
        assertThat(protocol.read(Map.of("protocol", 17L))).hasValue(17);
        assertThat(protocol.read(Map.of("protocol", (short) 6))).hasValue(6);
        assertThat(protocol.read(Map.of("protocol", (byte) 1))).hasValue(1);
        assertThat(protocol.read(Map.of("protocol", BigInteger.valueOf(132)))).hasValue(132);
    }

    @Test
    void readsDecimalStringsWithSurroundingBlanks() {
        assertThat(protocol.read(Map.of("protocol", "17"))).hasValue(17);
        assertThat(protocol.read(Map.of("protocol", " 6\t"))).hasValue(6);
    }

    @Test
    void readsHexadecimalStringsWithEitherPrefixCase() {
        assertThat(ethertype.read(Map.of("ethertype", "0x0800"))).hasValue(0x0800);
        assertThat(ethertype.read(Map.of("ethertype", "0X86dd"))).hasValue(0x86dd);
        assertThat(protocol.read(Map.of("protocol", "0x11"))).hasValue(17);
    }

    @Test
    void theBoundsAreInclusive() {
        assertThat(ethertype.read(Map.of("ethertype", 0))).hasValue(0);
        assertThat(ethertype.read(Map.of("ethertype", "0xffff"))).hasValue(0xffff);
    }

    @Test
    void valuesOutOfRangeAreEmpty() {
        assertThat(protocol.read(Map.of("protocol", 256))).isEmpty();
        assertThat(protocol.read(Map.of("protocol", -1))).isEmpty();
        assertThat(ethertype.read(Map.of("ethertype", "0x10000"))).isEmpty();
        assertThat(ethertype.read(Map.of("ethertype", "0x-1"))).isEmpty();
        assertThat(protocol.read(Map.of("protocol", (1L << 32) + 6))).as("not cut to an int").isEmpty();
    }

    @Test
    void wholeFloatingPointValuesAreNumbersButFractionsAreNot() {
        assertThat(protocol.read(Map.of("protocol", 17.0))).hasValue(17);
        assertThat(protocol.read(Map.of("protocol", new BigDecimal("6.00")))).hasValue(6);
        assertThat(protocol.read(Map.of("protocol", 17.5))).isEmpty();
        assertThat(protocol.read(Map.of("protocol", 6.5f))).isEmpty();
        assertThat(protocol.read(Map.of("protocol", Double.NaN))).isEmpty();
        assertThat(protocol.read(Map.of("protocol", Double.POSITIVE_INFINITY))).isEmpty();
    }

    @Test
    void hugeValuesAreOutOfRangeNotWrappedIntoIt() {
        assertThat(protocol.read(Map.of("protocol", BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(6))))).isEmpty();
        assertThat(protocol.read(Map.of("protocol", new BigDecimal("1e30")))).isEmpty();
        assertThat(protocol.read(Map.of("protocol", "18446744073709551622"))).isEmpty();
    }

    @Test
    void valuesThatAreNotNumbersAreEmpty() {
        assertThat(ethertype.read(Map.of("ethertype", "ipv4"))).isEmpty();
        assertThat(ethertype.read(Map.of("ethertype", ""))).isEmpty();
        assertThat(ethertype.read(Map.of("ethertype", "0x"))).isEmpty();
        assertThat(ethertype.read(Map.of("ethertype", "0x08g0"))).isEmpty();
        assertThat(ethertype.read(Map.of("ethertype", true))).isEmpty();
        assertThat(ethertype.read(Map.of("ethertype", new int[] {0x0800}))).isEmpty();
    }

    @Test
    void aMissingPropertyOrMapIsEmpty() {
        Map<String, Object> nullValue = new HashMap<>();
        nullValue.put("protocol", null);

        assertThat(protocol.read(Map.of("family", 2))).isEmpty();
        assertThat(protocol.read(nullValue)).isEmpty();
        assertThat(protocol.read(null)).isEmpty();
    }

    @Test
    void parseReadsAValueWithoutAMap() {
        assertThat(protocol.parse(17)).isEqualTo(OptionalInt.of(17));
        assertThat(protocol.parse(null)).isEmpty();
    }

    @Test
    void anEmptyRangeIsRefused() {
        assertThatThrownBy(() -> new IntProperty("family", 5, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("family")
                .hasMessageContaining("5..4");
    }
}
