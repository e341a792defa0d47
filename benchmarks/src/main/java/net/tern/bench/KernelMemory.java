package net.tern.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the kernel's own side of idle connections costs and how many a process may hold: the
 * descriptor limit (two descriptors per connection with both ends in this process), the TCP
 * buffer memory {@code /proc/net/sockstat} counts ({@code TCP: ... mem PAGES}), and the slab
 * memory in use ({@code /proc/slabinfo}, active objects times object size over every cache,
 * which holds the sockets, their files, inodes and dentries; readable as root). Both are the
 * whole machine's, so other processes' activity shows as noise.
 */
final class KernelMemory {
    private KernelMemory() {
    }

    /** This process's open-descriptor limit ({@code RLIMIT_NOFILE}), or -1 when unknown. */
    static long descriptorLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            return os.getMaxFileDescriptorCount();
        }
        return -1;
    }

    /** Descriptors this process has open now, or 0 when unknown. */
    static long openDescriptors() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            return os.getOpenFileDescriptorCount();
        }
        return 0;
    }

    /** TCP's buffer memory in bytes ({@code /proc/net/sockstat}'s TCP mem, in pages), or -1. */
    static long tcpBufferBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/sockstat"))) {
                if (line.startsWith("TCP:")) {
                    String[] f = line.trim().split("\\s+");
                    for (int i = 1; i + 1 < f.length; i++) {
                        if (f[i].equals("mem")) {
                            return Long.parseLong(f[i + 1]) * 4096;
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Slab memory in use, bytes (every cache's active objects times object size), or -1 when unreadable. */
    static long slabBytes() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/slabinfo"));
            long total = 0;
            for (String line : lines) {
                if (line.startsWith("slabinfo") || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                total += Long.parseLong(f[1]) * Long.parseLong(f[3]);
            }
            return total;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
