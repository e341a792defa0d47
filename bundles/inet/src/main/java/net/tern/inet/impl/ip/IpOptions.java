package net.tern.inet.impl.ip;

import io.netty.buffer.ByteBuf;

/**
 * IPv4 header options (RFC 791 3.1) as fragmentation needs them: which options are copied
 * into every fragment ({@code ip_options_fragment} keeps those with the copied flag and
 * turns the rest into NOPs).
 */
final class IpOptions {
    private static final int EOL = 0;
    private static final int NOP = 1;
    private static final int COPIED = 0x80;

    private IpOptions() {
    }

    /**
     * Writes the options of the header at {@code from} (of {@code headerLength} bytes) that
     * later fragments carry to {@code to}, padded with EOL to a multiple of 4, and returns
     * their length. Malformed options end the copy.
     */
    static int writeCopied(ByteBuf buf, int from, int headerLength, ByteBuf out, int to) {
        int i = from + 20;
        int end = from + headerLength;
        int written = 0;
        while (i < end) {
            int type = buf.getUnsignedByte(i);
            if (type == EOL) {
                break;
            }
            if (type == NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                break;
            }
            int length = buf.getUnsignedByte(i + 1);
            if (length < 2 || i + length > end) {
                break;
            }
            if ((type & COPIED) != 0) {
                out.setBytes(to + written, buf, i, length);
                written += length;
            }
            i += length;
        }
        int padded = (written + 3) & ~3;
        for (int p = written; p < padded; p++) {
            out.setByte(to + p, EOL);
        }
        return padded;
    }
}
