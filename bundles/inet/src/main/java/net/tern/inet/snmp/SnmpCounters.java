package net.tern.inet.snmp;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The registry of counter groups ({@code /proc/net/snmp}, {@code /proc/net/netstat}). Each
 * protocol registers its group once, when it starts (IPv4 registers {@code Ip}, {@code IpExt}
 * and {@code Icmp}; UDP would register {@code Udp}), keeps the {@link CounterGroup} and
 * counts into it on its data path, and unregisters it when it stops. Readers take
 * {@link #snapshot()}s; a counter's full name is its group's name followed by its own, as
 * {@code nstat} prints them ({@code IpInReceives}).
 *
 * <p>Thread-safe: counters are {@link java.util.concurrent.atomic.LongAdder}s, counted from
 * any thread without a lock; registration is rare and synchronised.
 */
@ProviderType
public interface SnmpCounters {
    /**
     * Registers a group with its counters, in the order snapshots list them. Throws
     * {@link IllegalArgumentException} if a group of that name is registered already, or the
     * names are empty or repeated.
     */
    CounterGroup register(String group, List<String> counters);

    /** Registers a group whose counters are named, in order, by the constants of {@code names}. */
    default <E extends Enum<E>> CounterGroup register(String group, Class<E> names) {
        E[] constants = names.getEnumConstants();
        String[] counterNames = new String[constants.length];
        for (int i = 0; i < constants.length; i++) {
            counterNames[i] = constants[i].name();
        }
        return register(group, List.of(counterNames));
    }

    /** Removes {@code group}; its counters no longer show in snapshots. Does nothing if it is gone. */
    void unregister(CounterGroup group);

    /** The group registered under {@code name}, if any. */
    Optional<CounterGroup> group(String name);

    /** The registered groups' names, in registration order. */
    List<String> groups();

    /** Every group's counters now: group name, then counter name to value, both in order. */
    Map<String, Map<String, Long>> snapshot();
}
