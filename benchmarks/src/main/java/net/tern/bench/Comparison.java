package net.tern.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one workload over each of a few subjects (stacks, or one stack through two APIs)
 * alternately: warm-up rounds, then measured rounds in which each subject takes its turn and
 * the one that goes first rotates, so all see the same machine load and none always runs
 * right after another's garbage. Reports each metric's median per subject with its spread
 * (min..max) and the ratios of the medians; then, for a workload that measures its window with
 * {@link WorkCost}, the threads that ran each subject's last measured round and their shares.
 */
final class Comparison {
    /** One round of a workload on one subject: its metrics, in the order of {@code metrics}. */
    interface Workload<T> {
        double[] run(T subject) throws Exception;
    }

    /** A metric's name and unit, e.g. "p50" in "us"; whether a lower value is the better one. */
    record Metric(String name, String unit, boolean lowerIsBetter) {
        Metric(String name, String unit) {
            this(name, unit, false);
        }
    }

    /** A metric's measured values, {@code values[i]} those of the subject {@code names.get(i)}. */
    record Result(Metric metric, List<String> names, double[][] values) {
        /** Two subjects: the first is the one measured ({@code tern}), the second the reference. */
        Result(Metric metric, double[] tern, double[] reference) {
            this(metric, List.of("tern", "kernel"), new double[][] {tern, reference});
        }

        double median(String name) {
            return Comparison.median(values[index(name)]);
        }

        /** The first subject's median over the second's (Tern over the kernel). */
        double ratio() {
            return ratio(names.get(0), names.get(1));
        }

        double ratio(String numerator, String denominator) {
            return median(numerator) / median(denominator);
        }

        /**
         * Whether {@code name}'s median is within {@code fraction} of {@code reference}'s, on
         * the worse side: a rate at least (1 - fraction) of it, a latency at most (1 + fraction).
         */
        boolean within(String name, String reference, double fraction) {
            double ratio = ratio(name, reference);
            return metric.lowerIsBetter() ? ratio <= 1 + fraction : ratio >= 1 - fraction;
        }

        private int index(String name) {
            int i = names.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("no subject " + name + " in " + names);
            }
            return i;
        }

        /**
         * The label and metric, every subject's median and spread, the first subject's ratio
         * to the second, and each further subject's ratio to the second.
         */
        String line(String label) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s",
                    label + " " + metric.name() + " (" + metric.unit() + ")"));
            for (int i = 0; i < names.size(); i++) {
                line.append(' ').append(names.get(i)).append(' ').append(spread(values[i])).append("  ");
            }
            String reference = names.get(1);
            for (int i = 0; i < names.size(); i++) {
                if (i != 1) {
                    line.append(String.format(Locale.ROOT, " %s/%s %.2f", names.get(i), reference,
                            ratio(names.get(i), reference)));
                }
            }
            return line.toString();
        }
    }

    private Comparison() {
    }

    /** Runs and prints {@code workload} over {@code subjects}; the first two are the measured and the reference. */
    static <T extends Net> List<Result> run(String label, List<Metric> metrics, int warmups, int rounds,
            List<T> subjects, Workload<? super T> workload) throws Exception {
        int n = subjects.size();
        for (int i = 0; i < warmups; i++) {
            for (T subject : subjects) {
                WorkCost.subject(subject.name());
                workload.run(subject);
            }
        }
        WorkCost.takeLastThreads();
        double[][][] values = new double[metrics.size()][n][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int turn = 0; turn < n; turn++) {
                int s = (round + turn) % n;
                WorkCost.subject(subjects.get(s).name());
                double[] measured = workload.run(subjects.get(s));
                for (int m = 0; m < metrics.size(); m++) {
                    values[m][s][round] = measured[m];
                }
            }
        }
        List<String> names = subjects.stream().map(Net::name).toList();
        List<Result> results = new ArrayList<>();
        for (int m = 0; m < metrics.size(); m++) {
            Result result = new Result(metrics.get(m), names, values[m]);
            System.out.println(result.line(label));
            results.add(result);
        }
        Map<String, String> threads = WorkCost.takeLastThreads();
        if (!threads.isEmpty()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s", label + " threads"));
            threads.forEach((name, share) -> line.append(' ').append(name).append(": ").append(share).append(";"));
            System.out.println(line);
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
