package net.tern.launcher;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The memory bound this JVM runs under, as {@code conf/jvm.options} and the environment set
 * it, read back from the JVM itself so that what is printed is what holds: the heap's
 * maximum, direct memory's (where the stack's packets live), class metadata's and compiled
 * code's, and the collector.
 */
record MemoryLimits(long heapMax, long directMax, long metaspaceMax, long codeCacheMax, String collector) {
    /** What {@link #size} prints as unlimited: HotSpot's "no limit" is {@code max_uintx}, rounded to an alignment. */
    static final long UNLIMITED = Long.MAX_VALUE;

    /** HotSpot's flag for each collector, and the name printed for it. */
    private static final List<String[]> COLLECTORS = List.of(new String[] {"UseG1GC", "G1"},
            new String[] {"UseSerialGC", "Serial"}, new String[] {"UseParallelGC", "Parallel"},
            new String[] {"UseZGC", "Z"}, new String[] {"UseShenandoahGC", "Shenandoah"},
            new String[] {"UseEpsilonGC", "Epsilon"});

    /** This JVM's limits. */
    static MemoryLimits current() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        // -Xmx itself: Runtime.maxMemory() leaves out a survivor space with some collectors.
        long heap = option(hotspot, "MaxHeapSize");
        // MaxDirectMemorySize 0 means "as large as the heap's maximum" (jdk.internal.misc.VM.maxDirectMemory).
        long direct = option(hotspot, "MaxDirectMemorySize");
        String collector = "unknown";
        for (String[] c : COLLECTORS) {
            if ("true".equals(flag(hotspot, c[0]))) {
                collector = c[1];
            }
        }
        return new MemoryLimits(heap, direct == 0 ? heap : direct, option(hotspot, "MaxMetaspaceSize"),
                option(hotspot, "ReservedCodeCacheSize"), collector);
    }

    /** A size flag's value in bytes; {@link #UNLIMITED} when it has no limit; -1 when the JVM has no such flag. */
    private static long option(HotSpotDiagnosticMXBean hotspot, String name) {
        String value = flag(hotspot, name);
        if (value == null) {
            return -1;
        }
        try {
            // An unlimited size_t flag reads as -1 or as 2^64 less its alignment.
            long bytes = value.startsWith("-") ? Long.parseLong(value) : Long.parseUnsignedLong(value);
            return bytes < 0 ? UNLIMITED : bytes;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String flag(HotSpotDiagnosticMXBean hotspot, String name) {
        try {
            return hotspot.getVMOption(name).getValue();
        } catch (IllegalArgumentException noSuchFlag) {
            return null;
        }
    }

    /** {@code heap 256 MiB, direct memory 256 MiB, metaspace 96 MiB, code cache 64 MiB, collector G1}. */
    String describe() {
        return "heap " + size(heapMax) + ", direct memory " + size(directMax) + ", metaspace " + size(metaspaceMax)
                + ", code cache " + size(codeCacheMax) + ", collector " + collector;
    }

    /** {@code bytes} for people: whole GiB or MiB where exact, else MiB rounded; huge values are "unlimited". */
    static String size(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        if (bytes >= UNLIMITED / 2) {
            return "unlimited";
        }
        if (bytes >= (1L << 30) && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= (1L << 20)) {
            return Math.round(bytes / (double) (1L << 20)) + " MiB";
        }
        return bytes + " bytes";
    }
}
