package net.tern.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The TCP rows (bulk 1 and 4 streams, request/response, connection rate) over a few subjects. */
final class TcpRows {
    private TcpRows() {
    }

    /**
     * Runs and prints the four rows over {@code subjects} (the first two: the measured and the
     * reference). Returns each metric's result by key: bulk, cpu_bulk, bulk4, cpu_bulk4, rr,
     * rr_p50, rr_p99, cpu_rr, cpu_app_rr (the client thread's CPU alone: the API's cost without
     * the network thread's), cps, cpu_cps.
     */
    static Map<String, Comparison.Result> run(int warmups, int rounds, long bulkMillis, long rrMillis, long cpsMillis,
            List<Net> subjects) throws Exception {
        Map<String, Comparison.Result> results = new LinkedHashMap<>();
        List<Comparison.Metric> bulkMetrics = List.of(new Comparison.Metric("throughput", "Gbit/s"),
                new Comparison.Metric("cpu", "us/MiB", true));
        put(results, List.of("bulk", "cpu_bulk"), Comparison.run("tcp bulk 1 stream", bulkMetrics, warmups, rounds,
                subjects, net -> TcpWorkloads.bulk(net, 1, bulkMillis)));
        put(results, List.of("bulk4", "cpu_bulk4"), Comparison.run("tcp bulk 4 streams", bulkMetrics, warmups,
                rounds, subjects, net -> TcpWorkloads.bulk(net, 4, bulkMillis)));
        put(results, List.of("rr", "rr_p50", "rr_p99", "cpu_rr", "cpu_app_rr"), Comparison.run("tcp rr 1 byte",
                List.of(new Comparison.Metric("rate", "round trips/s"), new Comparison.Metric("p50", "us", true),
                        new Comparison.Metric("p99", "us", true), new Comparison.Metric("cpu", "us/round trip", true),
                        new Comparison.Metric("client cpu", "us/round trip", true)),
                warmups, rounds, subjects, net -> TcpWorkloads.requestResponse(net, rrMillis)));
        put(results, List.of("cps", "cpu_cps"), Comparison.run("tcp connect/accept/close",
                List.of(new Comparison.Metric("rate", "conn/s"), new Comparison.Metric("cpu", "us/conn", true)),
                warmups, rounds, subjects, net -> TcpWorkloads.connectRate(net, cpsMillis, 8)));
        return results;
    }

    private static void put(Map<String, Comparison.Result> results, List<String> keys, List<Comparison.Result> row) {
        for (int i = 0; i < keys.size(); i++) {
            results.put(keys.get(i), row.get(i));
        }
    }
}
