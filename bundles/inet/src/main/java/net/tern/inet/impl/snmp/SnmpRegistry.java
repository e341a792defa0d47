package net.tern.inet.impl.snmp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.tern.inet.snmp.CounterGroup;
import net.tern.inet.snmp.SnmpCounters;

/**
 * The {@link SnmpCounters} registry: groups by name, in registration order. Counting goes
 * straight to a group's adders; only registration and snapshots take the lock.
 */
public final class SnmpRegistry implements SnmpCounters {
    private final Map<String, CounterGroup> groups = new LinkedHashMap<>();

    @Override
    public synchronized CounterGroup register(String group, List<String> counters) {
        if (groups.containsKey(group)) {
            throw new IllegalArgumentException("counter group " + group + " is registered already");
        }
        if (counters == null || counters.isEmpty()) {
            throw new IllegalArgumentException("counter group " + group + " has no counters");
        }
        CounterGroup created = new CounterGroup(group, counters);
        groups.put(group, created);
        return created;
    }

    @Override
    public synchronized void unregister(CounterGroup group) {
        if (group != null) {
            groups.remove(group.name(), group);
        }
    }

    @Override
    public synchronized Optional<CounterGroup> group(String name) {
        return Optional.ofNullable(groups.get(name));
    }

    @Override
    public synchronized List<String> groups() {
        return List.copyOf(groups.keySet());
    }

    @Override
    public Map<String, Map<String, Long>> snapshot() {
        List<CounterGroup> all;
        synchronized (this) {
            all = new ArrayList<>(groups.values());
        }
        Map<String, Map<String, Long>> result = new LinkedHashMap<>();
        for (CounterGroup g : all) {
            result.put(g.name(), g.snapshot());
        }
        return Collections.unmodifiableMap(result);
    }
}
