package net.tern.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a measured window of a workload cost the process: its CPU time (every thread, user and
 * system), the bytes its threads allocated on the heap, and which threads did the work (each
 * thread's share of the CPU the threads used, threads of one name with different numbers
 * counted together: {@code bulk-writer-0} and {@code bulk-writer-1} are {@code bulk-writer}).
 * Threads that end inside the window are not counted; the workloads' threads live through it.
 *
 * <p>{@link Comparison} names the subject before each round ({@link #subject}); the threads of
 * each subject's last measured round are kept for it to print beside the figures.
 */
final class WorkCost {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final Map<String, String> LAST_THREADS = new LinkedHashMap<>();
    private static String subject = "?";

    /** One window's cost. */
    record Sample(long cpuNanos, long allocatedBytes, String threads) {
    }

    private final long cpuStart;
    private final Map<Long, long[]> start;

    private WorkCost() {
        this.start = snapshot();
        this.cpuStart = ProcessCpu.nanos();
    }

    /** The window starts now. */
    static WorkCost start() {
        return new WorkCost();
    }

    /** The window ends now: what it cost, and the threads of it kept for the current subject. */
    Sample stop() {
        long cpu = ProcessCpu.nanos() - cpuStart;
        Map<Long, long[]> end = snapshot();
        long allocated = 0;
        Map<String, Long> cpuByName = new HashMap<>();
        long threadCpu = 0;
        Map<Long, String> names = names(end.keySet());
        for (Map.Entry<Long, long[]> e : end.entrySet()) {
            long[] before = start.getOrDefault(e.getKey(), new long[2]);
            long[] after = e.getValue();
            allocated += Math.max(0, after[1] - before[1]);
            long used = Math.max(0, after[0] - before[0]);
            threadCpu += used;
            String name = names.get(e.getKey());
            if (name != null && used > 0) {
                cpuByName.merge(group(name), used, Long::sum);
            }
        }
        String threads = describe(cpuByName, threadCpu);
        synchronized (LAST_THREADS) {
            LAST_THREADS.put(subject, threads);
        }
        return new Sample(cpu, allocated, threads);
    }

    /** The subject whose rounds run from now on. */
    static void subject(String name) {
        subject = name;
    }

    /** The threads of each subject's last measured window, then forgets them (one row's). */
    static Map<String, String> takeLastThreads() {
        synchronized (LAST_THREADS) {
            Map<String, String> copy = new LinkedHashMap<>(LAST_THREADS);
            LAST_THREADS.clear();
            return copy;
        }
    }

    /** Each live thread's {CPU nanoseconds, allocated bytes}. */
    private static Map<Long, long[]> snapshot() {
        long[] ids = THREADS.getAllThreadIds();
        long[] cpu = THREADS.getThreadCpuTime(ids);
        long[] allocated = THREADS.getThreadAllocatedBytes(ids);
        Map<Long, long[]> out = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (cpu[i] >= 0 && allocated[i] >= 0) {
                out.put(ids[i], new long[] {cpu[i], allocated[i]});
            }
        }
        return out;
    }

    private static Map<Long, String> names(Iterable<Long> ids) {
        List<Long> list = new ArrayList<>();
        ids.forEach(list::add);
        long[] array = list.stream().mapToLong(Long::longValue).toArray();
        Map<Long, String> out = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(array)) {
            if (info != null) {
                out.put(info.getThreadId(), info.getThreadName());
            }
        }
        return out;
    }

    /** A thread's name without its number: {@code bulk-writer-3} is {@code bulk-writer}. */
    static String group(String name) {
        String stripped = name.replaceAll("[-#]?\\d+$", "");
        return stripped.isEmpty() ? name : stripped;
    }

    /** The names with the largest shares, "tern-net 52%, bulk-writer 30%, others 3%". */
    private static String describe(Map<String, Long> cpuByName, long total) {
        if (total <= 0) {
            return "none measured";
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(cpuByName.entrySet());
        sorted.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        StringBuilder sb = new StringBuilder();
        long shown = 0;
        for (Map.Entry<String, Long> e : sorted) {
            long percent = Math.round(100.0 * e.getValue() / total);
            if (percent < 3 || sb.length() > 0 && sorted.indexOf(e) >= 5) {
                break;
            }
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(e.getKey()).append(' ').append(percent).append('%');
            shown += e.getValue();
        }
        long rest = Math.round(100.0 * (total - shown) / total);
        if (rest > 0) {
            sb.append(sb.length() > 0 ? ", " : "").append(String.format(Locale.ROOT, "others %d%%", rest));
        }
        return sb.toString();
    }
}
