package net.tern.inet6.impl;

import java.util.concurrent.TimeUnit;

/**
 * IPv6's settings, as Linux's {@code net.ipv6} sysctls: {@code conf.all.hop_limit},
 * {@code ip6frag_time}, {@code ip6frag_high_thresh}, {@code route.mtu_expires}, and the ICMP
 * error rate ({@code icmp_msgs_per_sec}, {@code icmp_msgs_burst}).
 */
public record Inet6Settings(int hopLimit, long fragTimeoutNanos, long fragHighThresh, long mtuExpiresNanos,
        int icmpMsgsPerSec, int icmpMsgsBurst) {
    public Inet6Settings {
        if (hopLimit < 1 || hopLimit > 255) {
            throw new IllegalArgumentException("hop limit out of range 1..255: " + hopLimit);
        }
        if (fragTimeoutNanos <= 0 || fragHighThresh <= 0 || mtuExpiresNanos <= 0) {
            throw new IllegalArgumentException("reassembly time, memory and MTU expiry must be positive");
        }
    }

    public static Inet6Settings defaults() {
        return new Inet6Settings(64, Reassembly6.DEFAULT_TIMEOUT_NANOS, Reassembly6.DEFAULT_HIGH_THRESH,
                Pmtu6.DEFAULT_EXPIRES_NANOS, 1000, 50);
    }

    static Inet6Settings of(Inet6Init.Config c) {
        return new Inet6Settings(c.hopLimit(), TimeUnit.SECONDS.toNanos(c.ip6fragTime()), c.ip6fragHighThresh(),
                TimeUnit.SECONDS.toNanos(c.mtuExpires()), c.icmpMsgsPerSec(), c.icmpMsgsBurst());
    }
}
