package net.tern.bench;

import java.lang.management.ManagementFactory;

/**
 * The CPU time of the whole JVM (every thread, user and system), for a workload's CPU cost per
 * operation: on a shared machine a round's throughput follows the other tenants' load, while
 * the CPU spent per operation mostly does not, so the cost of one layer over another shows
 * there first. The kernel's loopback work done in this process's system calls counts too.
 */
final class ProcessCpu {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ProcessCpu() {
    }

    /** The machine's load average over the last minute. */
    static String loadAverage() {
        return String.format(java.util.Locale.ROOT, "%.2f", OS.getSystemLoadAverage());
    }

    /** Nanoseconds of CPU the calling thread has used so far (user and system). */
    static long threadNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /** Nanoseconds of CPU this process has used so far. */
    static long nanos() {
        return OS.getProcessCpuTime();
    }
}
