package net.tern.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One metric of a TCP row through Tern's java.nio channels ({@code tern-nio}) against the same
 * through Tern's SocketApi ({@code tern}): what the java.nio adapter (bundles/nio) itself costs.
 */
record AdapterCost(String key, String label, Comparison.Result result) {
    /** Within 10% of the SocketApi's figure, on the worse side. */
    static final double GOAL = 0.10;
    /** The keys that go into the summary line (as nio_KEY). */
    static final Set<String> SUMMARY = Set.of("bulk", "cpu_bulk", "bulk4", "cpu_bulk4", "rr_p50", "cpu_rr", "cpu_app_rr", "cps",
            "cpu_cps");

    /** Every metric of {@link TcpRows}' results, in their order. */
    static List<AdapterCost> of(Map<String, Comparison.Result> tcpRows) {
        List<AdapterCost> costs = new ArrayList<>();
        tcpRows.forEach((key, result) -> costs.add(new AdapterCost(key, label(key), result)));
        return costs;
    }

    private static String label(String key) {
        if (key.contains("bulk4")) {
            return "tcp bulk 4 streams";
        }
        if (key.contains("bulk8")) {
            return "tcp bulk 8 streams";
        }
        if (key.contains("bulk")) {
            return "tcp bulk 1 stream";
        }
        if (key.contains("rr")) {
            return "tcp rr 1 byte";
        }
        return key.contains("cps") ? "tcp connect/accept/close" : key;
    }

    static void print(List<AdapterCost> costs) {
        System.out.println("java.nio adapter cost on tern (tern-nio/tern; goal: within 10%, rates >= 0.90,"
                + " latencies and CPU per operation <= 1.10):");
        for (AdapterCost cost : costs) {
            System.out.println("  " + cost.line());
        }
    }

    double ratio() {
        return result.ratio("tern-nio", "tern");
    }

    String line() {
        boolean met = result.within("tern-nio", "tern", GOAL);
        return String.format(Locale.ROOT, "%-40s tern-nio %s  tern %s  tern-nio/tern %.3f  %s",
                label + " " + result.metric().name() + " (" + result.metric().unit() + ")",
                Comparison.format(result.median("tern-nio")), Comparison.format(result.median("tern")), ratio(),
                met ? "within 10%" : "MISSES the 10% goal");
    }
}
