package net.tern.inet.impl.snmp;

import java.util.LinkedHashMap;
import java.util.Map;
import net.tern.api.socket.ProcNetSnmp;
import net.tern.inet.snmp.SnmpCounters;
import net.tern.spi.proc.ProcFile;

/**
 * {@code /proc/net/snmp} ({@code snmp_seq_show}: the MIB groups, {@code Ip}, {@code Icmp},
 * {@code Udp}, {@code Tcp}) and {@code /proc/net/netstat} ({@code netstat_seq_show}: Linux's
 * extensions, the groups named {@code ...Ext}), in {@link ProcNetSnmp}'s two-line format, from
 * the counters registered now, in registration order.
 */
public final class SnmpProcFile implements ProcFile {
    /** The path of the MIB groups. */
    public static final String SNMP = "net/snmp";
    /** The path of the extension groups. */
    public static final String NETSTAT = "net/netstat";

    private final SnmpCounters counters;
    private final boolean extensions;

    private SnmpProcFile(SnmpCounters counters, boolean extensions) {
        this.counters = counters;
        this.extensions = extensions;
    }

    /** {@code /proc/net/snmp} over {@code counters}. */
    public static SnmpProcFile snmp(SnmpCounters counters) {
        return new SnmpProcFile(counters, false);
    }

    /** {@code /proc/net/netstat} over {@code counters}. */
    public static SnmpProcFile netstat(SnmpCounters counters) {
        return new SnmpProcFile(counters, true);
    }

    /** {@link #SNMP} or {@link #NETSTAT}. */
    public String path() {
        return extensions ? NETSTAT : SNMP;
    }

    @Override
    public String read() {
        Map<String, Map<String, Long>> shown = new LinkedHashMap<>();
        counters.snapshot().forEach((group, values) -> {
            if (group.endsWith("Ext") == extensions) {
                shown.put(group, values);
            }
        });
        return ProcNetSnmp.format(shown);
    }
}
