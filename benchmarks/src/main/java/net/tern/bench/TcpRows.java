package net.tern.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The TCP rows (bulk 1, 4 and 8 streams, request/response, connection rate) over a few subjects. */
final class TcpRows {
    private TcpRows() {
    }

    /**
     * Runs and prints the five rows over {@code subjects} (the first two: the measured and the
     * reference). Returns each metric's result by key: bulk, cpu_bulk, alloc_bulk, bulk4,
     * cpu_bulk4, alloc_bulk4, bulk8, cpu_bulk8, alloc_bulk8, rr, rr_p50, rr_p99, cpu_rr,
     * cpu_app_rr (the client thread's CPU alone: the API's cost without the network thread's),
     * alloc_rr, cps, cpu_cps, alloc_cps. Each row is followed by the threads that ran it.
     */
    static Map<String, Comparison.Result> run(int warmups, int rounds, long bulkMillis, long rrMillis, long cpsMillis,
            List<Net> subjects) throws Exception {
        Map<String, Comparison.Result> results = runBulk(warmups, rounds, bulkMillis, subjects);
        put(results, List.of("rr", "rr_p50", "rr_p99", "cpu_rr", "cpu_app_rr", "alloc_rr"), Comparison.run(
                "tcp rr 1 byte", List.of(new Comparison.Metric("rate", "round trips/s"),
                        new Comparison.Metric("p50", "us", true), new Comparison.Metric("p99", "us", true),
                        new Comparison.Metric("cpu", "us/round trip", true),
                        new Comparison.Metric("client cpu", "us/round trip", true),
                        new Comparison.Metric("alloc", "B/round trip", true)),
                warmups, rounds, subjects, net -> TcpWorkloads.requestResponse(net, rrMillis)));
        results.putAll(runConnectRate(warmups, rounds, cpsMillis, subjects));
        return results;
    }

    /** The connection-rate row alone: keys cps, cpu_cps, alloc_cps. */
    static Map<String, Comparison.Result> runConnectRate(int warmups, int rounds, long cpsMillis, List<Net> subjects)
            throws Exception {
        Map<String, Comparison.Result> results = new LinkedHashMap<>();
        put(results, List.of("cps", "cpu_cps", "alloc_cps"), Comparison.run("tcp connect/accept/close",
                List.of(new Comparison.Metric("rate", "conn/s"), new Comparison.Metric("cpu", "us/conn", true),
                        new Comparison.Metric("alloc", "B/conn", true)),
                warmups, rounds, subjects, net -> TcpWorkloads.connectRate(net, cpsMillis, 8)));
        return results;
    }

    /** The bulk rows alone (1, 4 and 8 streams): keys bulk, cpu_bulk, alloc_bulk, bulk4, ..., alloc_bulk8. */
    static Map<String, Comparison.Result> runBulk(int warmups, int rounds, long bulkMillis, List<Net> subjects)
            throws Exception {
        Map<String, Comparison.Result> results = new LinkedHashMap<>();
        List<Comparison.Metric> bulkMetrics = List.of(new Comparison.Metric("throughput", "Gbit/s"),
                new Comparison.Metric("cpu", "us/MiB", true), new Comparison.Metric("alloc", "B/MiB", true));
        for (int streams : new int[] {1, 4, 8}) {
            String key = streams == 1 ? "bulk" : "bulk" + streams;
            put(results, List.of(key, "cpu_" + key, "alloc_" + key), Comparison.run("tcp bulk " + streams
                    + (streams == 1 ? " stream" : " streams"), bulkMetrics, warmups, rounds, subjects,
                    net -> TcpWorkloads.bulk(net, streams, bulkMillis)));
        }
        return results;
    }

    private static void put(Map<String, Comparison.Result> results, List<String> keys, List<Comparison.Result> row) {
        for (int i = 0; i < keys.size(); i++) {
            results.put(keys.get(i), row.get(i));
        }
    }
}
