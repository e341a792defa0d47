package net.tern.udp.impl;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import net.tern.inet.snmp.CounterGroup;
import net.tern.inet.snmp.SnmpCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP's counters: the {@code Udp} group registered in IPv4's {@link SnmpCounters}, each
 * counter looked up once so counting costs one {@link LongAdder#increment()} from any thread.
 */
public final class UdpStats {
    /** The group's name, as {@code /proc/net/snmp} and {@code nstat} show it. */
    public static final String GROUP = "Udp";

    private static final Logger LOG = LoggerFactory.getLogger(UdpStats.class);

    private final SnmpCounters registry;
    private final CounterGroup group;
    private final boolean registered;
    private final LongAdder[] adders;

    /**
     * Registers the group in {@code registry}. If another UDP implementation holds the name
     * already, the counters still work but stay out of snapshots (and a warning says so).
     */
    public UdpStats(SnmpCounters registry) {
        this.registry = registry;
        CounterGroup g;
        boolean ok;
        try {
            g = registry.register(GROUP, UdpMib.class);
            ok = true;
        } catch (IllegalArgumentException taken) {
            LOG.warn("Counter group {} is registered already; this UDP's counters are not published: {}", GROUP,
                    taken.getMessage());
            g = new CounterGroup(GROUP, Arrays.stream(UdpMib.values()).map(Enum::name).toList());
            ok = false;
        }
        this.group = g;
        this.registered = ok;
        UdpMib[] names = UdpMib.values();
        this.adders = new LongAdder[names.length];
        for (UdpMib name : names) {
            adders[name.ordinal()] = g.adder(name);
        }
    }

    public void inc(UdpMib counter) {
        adders[counter.ordinal()].increment();
    }

    public long get(UdpMib counter) {
        return adders[counter.ordinal()].sum();
    }

    public CounterGroup group() {
        return group;
    }

    /** Takes the group out of the registry (the bundle is stopping). */
    public void unregister() {
        if (registered) {
            registry.unregister(group);
        }
    }
}
