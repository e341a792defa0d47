package net.tern.inet.impl.snmp;

import java.util.concurrent.atomic.LongAdder;
import net.tern.inet.snmp.CounterGroup;

/**
 * A registered {@link CounterGroup} seen through the enum that names its counters, so the
 * data path counts with {@code mib.inc(IpMib.InReceives)}: one array load and one
 * {@code LongAdder.increment()}.
 */
public final class EnumCounters<E extends Enum<E>> {
    private final CounterGroup group;
    private final LongAdder[] adders;

    public EnumCounters(CounterGroup group, Class<E> names) {
        this.group = group;
        E[] constants = names.getEnumConstants();
        this.adders = new LongAdder[constants.length];
        for (E constant : constants) {
            adders[constant.ordinal()] = group.adder(constant);
        }
    }

    public CounterGroup group() {
        return group;
    }

    public void inc(E counter) {
        adders[counter.ordinal()].increment();
    }

    public void add(E counter, long amount) {
        adders[counter.ordinal()].add(amount);
    }

    public long get(E counter) {
        return adders[counter.ordinal()].sum();
    }
}
