package net.tern.tcp.impl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import net.tern.inet.testing.ComponentConfig;

/**
 * Linux's TCP sysctls as Tern's Config Admin properties (PID {@value TcpInit#PID}): a
 * {@code sysctl name=value} becomes the properties of {@link TcpInit.Config} that stand for it,
 * and {@link #settings()} builds the {@link TcpSettings} the component would build from such a
 * configuration. A sysctl Tern has no setting for is refused by name, so a script's environment
 * is either set as it says or the script fails saying why.
 */
public final class SysctlSettings {
    /** Each supported sysctl and how its value becomes properties. */
    private static final Map<String, BiConsumer<String, Map<String, Object>>> MAPPING = mapping();
    /**
     * Sysctls Tern has no setting for because it always behaves as one value of them: that value
     * is taken (the script states the environment Tern has), any other refused.
     */
    private static final Map<String, String> FIXED = Map.of(
            // SYN retransmissions back off from the first (1 s, 2 s, 4 s ...), without Linux 6.5's linear start.
            "net.ipv4.tcp_syn_linear_timeouts", "0",
            // A write is pushed when it is made: Tern has no qdisc or device queue whose pending
            // transmissions would let a small write wait for the next (Linux: 1, tcp_should_autocork).
            "net.ipv4.tcp_autocorking", "0");

    private final Map<String, Object> properties = new LinkedHashMap<>();

    /** The sysctls that map onto Tern's settings, by their Linux names. */
    public static Iterable<String> supported() {
        return MAPPING.keySet();
    }

    /**
     * Takes {@code name=value} ({@code value} as sysctl writes it: a number, or numbers separated by
     * blanks for {@code tcp_rmem}, {@code tcp_wmem}, {@code tcp_mem}).
     *
     * @throws IllegalArgumentException naming the sysctl when Tern has no setting for it or the
     *                                  value is not one it can take
     */
    public SysctlSettings set(String name, String value) {
        String v = value.strip();
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            v = v.substring(1, v.length() - 1).strip();
        }
        String fixed = FIXED.get(name);
        if (fixed != null) {
            if (!fixed.equals(v)) {
                throw new IllegalArgumentException("Tern has no setting for " + name + ": it always behaves as " + name
                        + "=" + fixed);
            }
            return this;
        }
        BiConsumer<String, Map<String, Object>> apply = MAPPING.get(name);
        if (apply == null) {
            throw new IllegalArgumentException("Tern has no setting for " + name + " (supported: "
                    + String.join(", ", MAPPING.keySet()) + "; fixed: " + String.join(", ", FIXED.keySet()) + ")");
        }
        try {
            apply.accept(v, properties);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes numbers, not \"" + v + "\"");
        }
        return this;
    }

    /** The Config Admin properties set so far. */
    public Map<String, Object> properties() {
        return Map.copyOf(properties);
    }

    /** The settings {@code TcpInit} builds from these properties (its defaults for the rest). */
    public TcpSettings settings() {
        return TcpInit.settings(ComponentConfig.of(TcpInit.Config.class, properties));
    }

    private static Map<String, BiConsumer<String, Map<String, Object>>> mapping() {
        Map<String, BiConsumer<String, Map<String, Object>>> m = new LinkedHashMap<>();
        m.put("net.core.somaxconn", (v, p) -> p.put("somaxconn", Integer.parseInt(v)));
        m.put("net.ipv4.tcp_syn_retries", (v, p) -> p.put("tcpSynRetries", Integer.parseInt(v)));
        m.put("net.ipv4.tcp_synack_retries", (v, p) -> p.put("tcpSynackRetries", Integer.parseInt(v)));
        m.put("net.ipv4.tcp_retries2", (v, p) -> p.put("tcpRetries2", Integer.parseInt(v)));
        m.put("net.ipv4.tcp_fin_timeout", (v, p) -> p.put("tcpFinTimeoutMillis", Long.parseLong(v) * 1000));
        m.put("net.ipv4.tcp_syncookies", (v, p) -> p.put("tcpSyncookies", flag("net.ipv4.tcp_syncookies", v)));
        m.put("net.ipv4.tcp_timestamps", (v, p) -> p.put("tcpTimestamps", flag("net.ipv4.tcp_timestamps", v)));
        m.put("net.ipv4.tcp_window_scaling", (v, p) -> p.put("tcpWindowScaling", flag("net.ipv4.tcp_window_scaling", v)));
        m.put("net.ipv4.tcp_sack", (v, p) -> p.put("tcpSack", flag("net.ipv4.tcp_sack", v)));
        m.put("net.ipv4.tcp_rmem", (v, p) -> {
            int[] r = triple("net.ipv4.tcp_rmem", v);
            p.put("tcpRmemMin", r[0]);
            p.put("tcpRmemDefault", r[1]);
            p.put("tcpRmemMax", r[2]);
        });
        m.put("net.ipv4.tcp_wmem", (v, p) -> {
            int[] w = triple("net.ipv4.tcp_wmem", v);
            p.put("tcpWmemMin", w[0]);
            p.put("tcpWmemDefault", w[1]);
            p.put("tcpWmemMax", w[2]);
        });
        m.put("net.ipv4.tcp_moderate_rcvbuf", (v, p) -> p.put("tcpModerateRcvbuf", Integer.parseInt(v)));
        m.put("net.ipv4.tcp_mem", (v, p) -> {
            triple("net.ipv4.tcp_mem", v);
            p.put("tcpMem", v);
        });
        m.put("net.ipv4.tcp_adv_win_scale", (v, p) -> p.put("tcpAdvWinScale", Integer.parseInt(v)));
        m.put("net.ipv4.tcp_notsent_lowat", (v, p) -> p.put("tcpNotsentLowat", Long.parseLong(v)));
        m.put("net.ipv4.tcp_keepalive_time", (v, p) -> p.put("tcpKeepaliveTime", Integer.parseInt(v)));
        m.put("net.ipv4.tcp_keepalive_intvl", (v, p) -> p.put("tcpKeepaliveIntvl", Integer.parseInt(v)));
        m.put("net.ipv4.tcp_keepalive_probes", (v, p) -> p.put("tcpKeepaliveProbes", Integer.parseInt(v)));
        m.put("net.ipv4.tcp_congestion_control", (v, p) -> p.put("tcpCongestionControl", v));
        m.put("net.ipv4.tcp_challenge_ack_limit", (v, p) -> p.put("tcpChallengeAckLimit", Integer.parseInt(v)));
        m.put("net.ipv4.tcp_invalid_ratelimit", (v, p) -> p.put("tcpInvalidRatelimitMillis", Long.parseLong(v)));
        // 1: RACK (RFC 8985), Linux's default; 0: the RFC 6675 duplicate ACK rule. Linux's other bits
        // (2 static reordering window, 4 no DupThresh) are not Tern's.
        m.put("net.ipv4.tcp_recovery", (v, p) -> {
            int n = Integer.parseInt(v);
            if (n != 0 && n != 1) {
                throw new IllegalArgumentException("net.ipv4.tcp_recovery: Tern takes 0 or 1 (RACK), not " + n);
            }
            p.put("tcpRecovery", n);
        });
        // 3 or 4: tail loss probes (Linux's default 3); 0 to 2: none.
        m.put("net.ipv4.tcp_early_retrans", (v, p) -> {
            int n = Integer.parseInt(v);
            if (n < 0 || n > 4) {
                throw new IllegalArgumentException("net.ipv4.tcp_early_retrans: takes 0 to 4, not " + n);
            }
            p.put("tcpEarlyRetrans", n);
        });
        m.put("net.ipv4.tcp_slow_start_after_idle", (v, p) -> p.put("tcpSlowStartAfterIdle", Integer.parseInt(v)));
        m.put("net.ipv4.tcp_min_tso_segs", (v, p) -> p.put("tcpMinTsoSegs", Integer.parseInt(v)));
        m.put("net.ipv4.tcp_rto_min_us", (v, p) -> {
            long micros = Long.parseLong(v);
            if (micros % 1000 != 0) {
                throw new IllegalArgumentException("net.ipv4.tcp_rto_min_us: Tern's least RTO is in whole milliseconds, not "
                        + micros + " us");
            }
            p.put("tcpRtoMinMillis", micros / 1000);
        });
        return m;
    }

    private static boolean flag(String name, String v) {
        int n = Integer.parseInt(v);
        if (n != 0 && n != 1) {
            throw new IllegalArgumentException(name + ": Tern takes 0 or 1, not " + n);
        }
        return n == 1;
    }

    private static int[] triple(String name, String v) {
        String[] parts = v.split("\\s+");
        if (parts.length != 3) {
            throw new IllegalArgumentException(name + " takes three numbers (min default max), not \"" + v + "\"");
        }
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }
}
