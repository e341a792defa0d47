package net.tern.shell;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes the classic libpcap file format (the one {@code tcpdump -w} writes and every reader
 * takes): a 24-byte file header, then per packet a 16-byte record header and the captured
 * bytes. Everything is written big-endian; the magic number {@code a1b2c3d4} tells a reader
 * the byte order, and that timestamps are in microseconds.
 *
 * <p>Layout (see the {@code pcap-savefile(5)} manual page):
 * <pre>
 * file:   magic u32 | version_major u16 (2) | version_minor u16 (4) | thiszone i32 (0)
 *         | sigfigs u32 (0) | snaplen u32 | linktype u32
 * record: ts_sec u32 | ts_usec u32 | incl_len u32 | orig_len u32 | incl_len bytes
 * </pre>
 */
final class PcapWriter implements AutoCloseable {
    static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    static final int VERSION_MAJOR = 2;
    static final int VERSION_MINOR = 4;
    /** tcpdump's default snapshot length since 4.99: whole packets, even 64 KiB jumbo ones. */
    static final int DEFAULT_SNAPLEN = 262144;
    /** {@code LINKTYPE_RAW}: the packet starts with its IPv4 or IPv6 header, as on loopback and TUN. */
    static final int LINKTYPE_RAW = 101;
    static final int FILE_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;

    private final DataOutputStream out;
    private final int snaplen;

    /** Writes the file header to {@code out} at once. */
    PcapWriter(OutputStream out, int snaplen, int linkType) throws IOException {
        if (snaplen <= 0) {
            throw new IllegalArgumentException("pcap: snapshot length must be positive: " + snaplen);
        }
        this.out = new DataOutputStream(out);
        this.snaplen = snaplen;
        this.out.writeInt(MAGIC_MICROSECONDS);
        this.out.writeShort(VERSION_MAJOR);
        this.out.writeShort(VERSION_MINOR);
        this.out.writeInt(0); // thiszone: timestamps are UTC
        this.out.writeInt(0); // sigfigs: always 0
        this.out.writeInt(snaplen);
        this.out.writeInt(linkType);
    }

    /**
     * One packet: {@code data} holds what was captured (cut to the snapshot length here if
     * longer), {@code originalLength} what the packet measured on the wire.
     */
    void write(long timestampMicros, byte[] data, int originalLength) throws IOException {
        if (timestampMicros < 0) {
            throw new IllegalArgumentException("pcap: timestamp before the epoch: " + timestampMicros + " us");
        }
        int included = Math.min(data.length, snaplen);
        out.writeInt((int) (timestampMicros / 1_000_000));
        out.writeInt((int) (timestampMicros % 1_000_000));
        out.writeInt(included);
        out.writeInt(Math.max(originalLength, included));
        out.write(data, 0, included);
    }

    void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
