package net.tern.inet6.impl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import net.tern.api.socket.ProcNetSnmp;
import net.tern.spi.proc.ProcFile;

/**
 * IPv6's counters and their file, {@code /proc/net/snmp6} ({@code snmp6_seq_show}): the
 * {@code Ip6} group, then {@code Icmp6} with a per-type line for each message type seen
 * ({@code Icmp6InType128}), one counter a line. Counting is one {@code LongAdder} increment.
 */
public final class Snmp6 implements ProcFile {
    private final LongAdder[] ip = adders(Ip6Mib.values().length);
    private final LongAdder[] icmp = adders(Icmp6Mib.values().length);
    private final LongAdder[] icmpInType = adders(256);
    private final LongAdder[] icmpOutType = adders(256);

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    public void inc(Ip6Mib counter) {
        ip[counter.ordinal()].increment();
    }

    public void add(Ip6Mib counter, long amount) {
        ip[counter.ordinal()].add(amount);
    }

    public void inc(Icmp6Mib counter) {
        icmp[counter.ordinal()].increment();
    }

    /** An ICMPv6 message of {@code type} received: {@code Icmp6InMsgs}, its type's counters. */
    public void icmpIn(int type) {
        inc(Icmp6Mib.InMsgs);
        Icmp6Mib named = Icmp6Mib.in(type);
        if (named != null) {
            inc(named);
        }
        icmpInType[type & 0xff].increment();
    }

    /** An ICMPv6 message of {@code type} sent: {@code Icmp6OutMsgs}, its type's counters. */
    public void icmpOut(int type) {
        inc(Icmp6Mib.OutMsgs);
        Icmp6Mib named = Icmp6Mib.out(type);
        if (named != null) {
            inc(named);
        }
        icmpOutType[type & 0xff].increment();
    }

    public long get(Ip6Mib counter) {
        return ip[counter.ordinal()].sum();
    }

    public long get(Icmp6Mib counter) {
        return icmp[counter.ordinal()].sum();
    }

    /** The counters by group ({@code Ip6}, {@code Icmp6}), in Linux's order. */
    public Map<String, Map<String, Long>> snapshot() {
        Map<String, Long> ip6 = new LinkedHashMap<>();
        for (Ip6Mib m : Ip6Mib.values()) {
            ip6.put(m.name(), get(m));
        }
        Map<String, Long> icmp6 = new LinkedHashMap<>();
        for (Icmp6Mib m : Icmp6Mib.values()) {
            icmp6.put(m.name(), get(m));
        }
        for (int t = 0; t < 256; t++) {
            long n = icmpInType[t].sum();
            if (n != 0) {
                icmp6.put("InType" + t, n);
            }
        }
        for (int t = 0; t < 256; t++) {
            long n = icmpOutType[t].sum();
            if (n != 0) {
                icmp6.put("OutType" + t, n);
            }
        }
        Map<String, Map<String, Long>> groups = new LinkedHashMap<>();
        groups.put("Ip6", ip6);
        groups.put("Icmp6", icmp6);
        return groups;
    }

    /** The value of {@code Ip6<name>} or {@code Icmp6<name>} by its full name, for tests and diagnostics. */
    public long counter(String fullName) {
        for (Map.Entry<String, Map<String, Long>> g : snapshot().entrySet()) {
            if (fullName.startsWith(g.getKey())) {
                Long v = g.getValue().get(fullName.substring(g.getKey().length()));
                if (v != null) {
                    return v;
                }
            }
        }
        throw new IllegalArgumentException("no IPv6 counter " + fullName);
    }

    @Override
    public String read() {
        return ProcNetSnmp.formatSnmp6(snapshot());
    }
}
