package net.tern.inet.impl.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import net.tern.inet.snmp.CounterGroup;
import org.junit.jupiter.api.Test;

class SnmpRegistryTest {
    private enum Udp { InDatagrams, NoPorts, InErrors, OutDatagrams }

    private final SnmpRegistry registry = new SnmpRegistry();

    @Test
    void groupsCountAndSnapshotInOrder() {
        CounterGroup ip = registry.register("Ip", List.of("InReceives", "InDelivers"));
        CounterGroup udp = registry.register("Udp", Udp.class);
        ip.adder("InReceives").add(3);
        udp.adder(Udp.NoPorts).increment();
        new EnumCounters<>(udp, Udp.class).inc(Udp.OutDatagrams);

        Map<String, Map<String, Long>> snapshot = registry.snapshot();

        assertThat(snapshot.keySet()).containsExactly("Ip", "Udp");
        assertThat(snapshot.get("Ip")).containsExactly(Map.entry("InReceives", 3L), Map.entry("InDelivers", 0L));
        assertThat(snapshot.get("Udp")).containsExactly(Map.entry("InDatagrams", 0L), Map.entry("NoPorts", 1L),
                Map.entry("InErrors", 0L), Map.entry("OutDatagrams", 1L));
        assertThat(ip.fullName("InReceives")).isEqualTo("IpInReceives");
    }

    @Test
    void aNameIsRegisteredOnceAndFreedByUnregister() {
        CounterGroup first = registry.register("Udp", Udp.class);
        assertThatThrownBy(() -> registry.register("Udp", Udp.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Udp");
        registry.unregister(first);
        assertThat(registry.groups()).isEmpty();
        assertThat(registry.group("Udp")).isEmpty();
        assertThat(registry.register("Udp", Udp.class)).isNotSameAs(first);
    }

    @Test
    void badGroupsAreRefused() {
        assertThatThrownBy(() -> registry.register("X", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.register("X", List.of("A", "A"))).isInstanceOf(IllegalArgumentException.class);
        CounterGroup g = registry.register("Y", List.of("A"));
        assertThatThrownBy(() -> g.adder("B")).isInstanceOf(IllegalArgumentException.class);
    }
}
