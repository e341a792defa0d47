package net.tern.shell;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a capture's packets go: a pcap file, or one printed line each. Written only by the
 * command's thread.
 */
final class CaptureOutput implements AutoCloseable {
    private final String link;
    private final PcapWriter pcap;
    private final Path file;
    private final PacketSummary summary;
    private final StringBuilder lines = new StringBuilder();

    private CaptureOutput(String link, PcapWriter pcap, Path file, PacketSummary summary) {
        this.link = link;
        this.pcap = pcap;
        this.file = file;
        this.summary = summary;
    }

    static CaptureOutput pcap(String link, PcapWriter writer, Path file) {
        return new CaptureOutput(link, writer, file, null);
    }

    static CaptureOutput lines(String link, PacketSummary summary) {
        return new CaptureOutput(link, null, null, summary);
    }

    void write(List<CaptureRun.Record> records) {
        for (CaptureRun.Record r : records) {
            if (pcap != null) {
                try {
                    pcap.write(r.timestampMicros(), r.data(), r.originalLength());
                } catch (IOException e) {
                    throw new CommandFailedException("capture: " + file + ": write failed: " + e.getMessage(), e);
                }
            } else {
                lines.append(summary.line(r)).append('\n');
            }
        }
        if (pcap != null) {
            try {
                pcap.flush();
            } catch (IOException e) {
                throw new CommandFailedException("capture: " + file + ": write failed: " + e.getMessage(), e);
            }
        }
    }

    /** tcpdump's report: what it listened on, the packets (when printed), then the counts. */
    String report(CaptureRun run) {
        return "listening on " + link + ", link-type RAW (Raw IP), snapshot length "
                + PcapWriter.DEFAULT_SNAPLEN + " bytes\n"
                + lines
                + run.captured() + " packets captured\n"
                + run.receivedByFilter() + " packets received by filter\n"
                + run.dropped() + " packets dropped by kernel";
    }

    @Override
    public void close() {
        if (pcap != null) {
            try {
                pcap.close();
            } catch (IOException e) {
                throw new CommandFailedException("capture: " + file + ": close failed: " + e.getMessage(), e);
            }
        }
    }
}
