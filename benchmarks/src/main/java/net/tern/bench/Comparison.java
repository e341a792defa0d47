package net.tern.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs one workload over Tern and over the kernel alternately (warm-up rounds, then measured
 * rounds, tern, kernel, tern, kernel, ...), so both see the same machine load, and reports
 * each metric's median with its spread (min..max) and the ratio Tern/kernel of the medians.
 */
final class Comparison {
    /** One round of a workload on one stack: its metrics, in the order of {@code metrics}. */
    interface Workload {
        double[] run(Net net) throws Exception;
    }

    /** A metric's name and unit, e.g. "p50" in "us". */
    record Metric(String name, String unit) {
    }

    /** A metric's measured values on both stacks. */
    record Result(Metric metric, double[] tern, double[] kernel) {
        double ternMedian() {
            return median(tern);
        }

        double kernelMedian() {
            return median(kernel);
        }

        double ratio() {
            return ternMedian() / kernelMedian();
        }

        String line(String label) {
            return String.format(Locale.ROOT, "%-28s tern %s   kernel %s   tern/kernel %.2f",
                    label + " " + metric.name() + " (" + metric.unit() + ")", spread(tern), spread(kernel), ratio());
        }
    }

    private Comparison() {
    }

    static List<Result> run(String label, List<Metric> metrics, int warmups, int rounds, Net tern, Net kernel,
            Workload workload) throws Exception {
        for (int i = 0; i < warmups; i++) {
            workload.run(tern);
            workload.run(kernel);
        }
        double[][] ternValues = new double[metrics.size()][rounds];
        double[][] kernelValues = new double[metrics.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            // Alternate which goes first, so neither always runs right after the other's garbage.
            boolean ternFirst = round % 2 == 0;
            double[] first = workload.run(ternFirst ? tern : kernel);
            double[] second = workload.run(ternFirst ? kernel : tern);
            double[] t = ternFirst ? first : second;
            double[] k = ternFirst ? second : first;
            for (int m = 0; m < metrics.size(); m++) {
                ternValues[m][round] = t[m];
                kernelValues[m][round] = k[m];
            }
        }
        List<Result> results = new ArrayList<>();
        for (int m = 0; m < metrics.size(); m++) {
            Result result = new Result(metrics.get(m), ternValues[m], kernelValues[m]);
            System.out.println(result.line(label));
            results.add(result);
        }
        return results;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static String spread(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%s [%s..%s]", format(median(values)), format(sorted[0]),
                format(sorted[sorted.length - 1]));
    }

    static String format(double value) {
        double magnitude = Math.abs(value);
        if (magnitude >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (magnitude >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
