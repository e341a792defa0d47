package net.tern.inet.impl;

import java.util.concurrent.TimeUnit;
import net.tern.inet.impl.icmp.IcmpSettings;
import net.tern.inet.impl.ip.Reassembly;
import net.tern.inet.ip.InetConstants;

/**
 * IPv4's settings, Linux's {@code net.ipv4} sysctls: forwarding, the default TTL, the
 * reassembly limits and ICMP's settings.
 */
public record InetSettings(boolean forwarding, int defaultTtl, Reassembly.Limits reassembly, IcmpSettings icmp) {
    public InetSettings {
        if (defaultTtl < 1 || defaultTtl > 255) {
            throw new IllegalArgumentException("default TTL out of range 1..255: " + defaultTtl);
        }
    }

    /** Linux's defaults: a host ({@code ip_forward=0}), TTL 64, 30 s / 4 MiB reassembly, ICMP defaults. */
    public static InetSettings defaults() {
        return new InetSettings(false, InetConstants.DEFAULT_TTL, Reassembly.Limits.defaults(), IcmpSettings.defaults());
    }

    /** The settings of a configuration (see {@link InetInit.Config}). */
    static InetSettings of(InetInit.Config c) {
        return new InetSettings(c.ipForward(), c.ipDefaultTtl(),
                new Reassembly.Limits(TimeUnit.SECONDS.toNanos(c.ipfragTime()), c.ipfragHighThresh(),
                        c.ipfragSourceThresh()),
                new IcmpSettings(c.icmpEchoIgnoreAll(), c.icmpEchoIgnoreBroadcasts(),
                        TimeUnit.MILLISECONDS.toNanos(c.icmpRatelimit()), c.icmpRatemask(), c.icmpMsgsPerSec(),
                        c.icmpMsgsBurst()));
    }

    public InetSettings withForwarding(boolean on) {
        return new InetSettings(on, defaultTtl, reassembly, icmp);
    }

    public InetSettings withReassembly(Reassembly.Limits limits) {
        return new InetSettings(forwarding, defaultTtl, limits, icmp);
    }

    public InetSettings withIcmp(IcmpSettings settings) {
        return new InetSettings(forwarding, defaultTtl, reassembly, settings);
    }
}
