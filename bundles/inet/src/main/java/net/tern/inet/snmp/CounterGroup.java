package net.tern.inet.snmp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * One group of counters ({@code Ip}, {@code Icmp}, ...): a fixed list of names, each with a
 * {@link LongAdder}. The data path looks a counter up once (by name, index or the enum
 * constant the group was registered with) and keeps the adder, so counting costs one
 * {@code increment()}.
 */
public final class CounterGroup {
    private final String name;
    private final List<String> names;
    private final LongAdder[] adders;
    private final Map<String, Integer> indexByName;

    /** A group of {@code counters} called {@code name}; the names must be distinct and non-empty. */
    public CounterGroup(String name, List<String> counters) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a counter group needs a name");
        }
        Objects.requireNonNull(counters, "counters");
        Map<String, Integer> index = new HashMap<>();
        List<String> copy = new ArrayList<>(counters.size());
        for (String counter : counters) {
            if (counter == null || counter.isEmpty()) {
                throw new IllegalArgumentException("group " + name + ": a counter needs a name");
            }
            if (index.putIfAbsent(counter, copy.size()) != null) {
                throw new IllegalArgumentException("group " + name + ": counter " + counter + " named twice");
            }
            copy.add(counter);
        }
        this.name = name;
        this.names = Collections.unmodifiableList(copy);
        this.indexByName = Map.copyOf(index);
        this.adders = new LongAdder[copy.size()];
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new LongAdder();
        }
    }

    /** The group's name: {@code Ip}. */
    public String name() {
        return name;
    }

    /** The counters' names, in order: {@code InReceives}, ... */
    public List<String> counterNames() {
        return names;
    }

    /** The counter's full name as {@code nstat} shows it: {@code IpInReceives}. */
    public String fullName(String counter) {
        return name + counter;
    }

    /** The counter at {@code index}. */
    public LongAdder adder(int index) {
        return adders[index];
    }

    /** The counter named {@code counter}; {@link IllegalArgumentException} if the group has none. */
    public LongAdder adder(String counter) {
        Integer index = indexByName.get(counter);
        if (index == null) {
            throw new IllegalArgumentException("group " + name + " has no counter " + counter);
        }
        return adders[index];
    }

    /** The counter of an enum constant, for groups registered with {@link SnmpCounters#register(String, Class)}. */
    public LongAdder adder(Enum<?> counter) {
        LongAdder adder = adders[counter.ordinal()];
        if (!names.get(counter.ordinal()).equals(counter.name())) {
            throw new IllegalArgumentException("group " + name + " was not registered with " + counter.getDeclaringClass());
        }
        return adder;
    }

    /** The value of the counter named {@code counter}. */
    public long get(String counter) {
        return adder(counter).sum();
    }

    /** Every counter's value now, in order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> values = new LinkedHashMap<>();
        for (int i = 0; i < adders.length; i++) {
            values.put(names.get(i), adders[i].sum());
        }
        return Collections.unmodifiableMap(values);
    }

    @Override
    public String toString() {
        return "CounterGroup[" + name + ", " + names.size() + " counters]";
    }
}
