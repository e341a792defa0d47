package net.tern.socket;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.tern.spi.proc.ProcFile;
import net.tern.spi.whiteboard.ServiceRank;

/**
 * The {@code /proc} files registered now, each under its path; where two claim one path,
 * the higher ranking, then the older, serves it (the other waits in reserve). Registration is
 * rare and reads are a command's, so one lock is enough.
 */
final class ProcFiles {
    private record Entry(ProcFile file, String path, ServiceRank rank) {
    }

    private final List<Entry> entries = new ArrayList<>();

    /** Adds {@code file} under its {@link ProcFile#PATH} property, replacing its earlier registration. */
    synchronized void add(ProcFile file, Map<String, ?> properties) {
        remove(file);
        Object path = properties.get(ProcFile.PATH);
        if (path instanceof String p && !p.isEmpty()) {
            entries.add(new Entry(file, p, ServiceRank.of(properties)));
        }
    }

    synchronized void remove(ProcFile file) {
        entries.removeIf(e -> e.file() == file);
    }

    /** The file serving {@code path}, or null. */
    synchronized ProcFile get(String path) {
        Entry best = null;
        for (Entry e : entries) {
            if (e.path().equals(path) && (best == null || e.rank().outranks(best.rank()))) {
                best = e;
            }
        }
        return best == null ? null : best.file();
    }
}
