package net.tern.inet.impl;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import net.tern.inet.impl.icmp.IcmpSettings;
import net.tern.inet.impl.ip.Reassembly;
import net.tern.inet.ip.InetConstants;
import net.tern.inet.sock.LocalPortRange;

/**
 * IPv4's settings, Linux's {@code net.ipv4} sysctls: forwarding, the default TTL, the
 * reassembly limits, ICMP's settings and the ephemeral port range the transports share.
 */
public record InetSettings(boolean forwarding, int defaultTtl, Reassembly.Limits reassembly, IcmpSettings icmp,
        LocalPortRange.Range localPorts) {
    public InetSettings {
        Objects.requireNonNull(localPorts, "localPorts");
        if (defaultTtl < 1 || defaultTtl > 255) {
            throw new IllegalArgumentException("default TTL out of range 1..255: " + defaultTtl);
        }
    }

    /**
     * Linux's defaults: a host ({@code ip_forward=0}), TTL 64, 30 s / 4 MiB reassembly, ICMP
     * defaults, ephemeral ports 32768 to 60999.
     */
    public static InetSettings defaults() {
        return new InetSettings(false, InetConstants.DEFAULT_TTL, Reassembly.Limits.defaults(), IcmpSettings.defaults(),
                LocalPortRange.DEFAULT);
    }

    /** The settings of a configuration (see {@link InetInit.Config}). */
    static InetSettings of(InetInit.Config c) {
        return new InetSettings(c.ipForward(), c.ipDefaultTtl(),
                new Reassembly.Limits(TimeUnit.SECONDS.toNanos(c.ipfragTime()), c.ipfragHighThresh(),
                        c.ipfragSourceThresh()),
                new IcmpSettings(c.icmpEchoIgnoreAll(), c.icmpEchoIgnoreBroadcasts(),
                        TimeUnit.MILLISECONDS.toNanos(c.icmpRatelimit()), c.icmpRatemask(), c.icmpMsgsPerSec(),
                        c.icmpMsgsBurst()),
                LocalPortRange.Range.parse(c.ipLocalPortRange()));
    }

    public InetSettings withForwarding(boolean on) {
        return new InetSettings(on, defaultTtl, reassembly, icmp, localPorts);
    }

    public InetSettings withReassembly(Reassembly.Limits limits) {
        return new InetSettings(forwarding, defaultTtl, limits, icmp, localPorts);
    }

    public InetSettings withIcmp(IcmpSettings settings) {
        return new InetSettings(forwarding, defaultTtl, reassembly, settings, localPorts);
    }

    public InetSettings withLocalPorts(LocalPortRange.Range range) {
        return new InetSettings(forwarding, defaultTtl, reassembly, icmp, range);
    }
}
