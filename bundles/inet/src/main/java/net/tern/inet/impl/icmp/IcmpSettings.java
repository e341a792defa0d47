package net.tern.inet.impl.icmp;

import java.util.concurrent.TimeUnit;

/**
 * ICMP's sysctls ({@code net.ipv4.icmp_*}).
 *
 * @param echoIgnoreAll        {@code icmp_echo_ignore_all}
 * @param echoIgnoreBroadcasts {@code icmp_echo_ignore_broadcasts}
 * @param ratelimitNanos       {@code icmp_ratelimit}: per destination, one limited message per this; 0 turns it off
 * @param ratemask             {@code icmp_ratemask}: the types limited
 * @param msgsPerSec           {@code icmp_msgs_per_sec}; 0 turns the global limit off
 * @param msgsBurst            {@code icmp_msgs_burst}
 */
public record IcmpSettings(boolean echoIgnoreAll, boolean echoIgnoreBroadcasts, long ratelimitNanos, int ratemask,
        int msgsPerSec, int msgsBurst) {
    /** Linux's defaults: echo answered, broadcast echo ignored, 1 s, 0x1818, 1000/s, burst 50. */
    public static IcmpSettings defaults() {
        return new IcmpSettings(false, true, TimeUnit.MILLISECONDS.toNanos(1000), 0x1818, 1000, 50);
    }
}
