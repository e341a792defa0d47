package net.tern.wire;

import io.netty.buffer.ByteBuf;

/**
 * The TCP options Tern reads and writes ({@code struct tcp_options_received} and
 * {@code struct tcp_out_options}): MSS, window scale (RFC 7323 2), SACK-permitted and SACK
 * blocks (RFC 2018), timestamps (RFC 7323 3). Mutable and reusable: the input path parses
 * into one instance per segment, the output path fills one per segment sent.
 *
 * <p>{@link #write} lays options out as Linux's {@code tcp_options_write} does, so a SYN
 * reads {@code <mss 1460,sackOK,TS val .. ecr ..,nop,wscale 7>}: MSS; SACK-permitted merged
 * with the timestamp into one word when both are sent (else NOP,NOP before either); NOP then
 * window scale; NOP,NOP before SACK blocks. Every option is word aligned.
 */
public final class TcpOptions {
    public static final int KIND_EOL = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WSCALE = 3;
    public static final int KIND_SACK_PERM = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMP = 8;

    /** The largest window shift RFC 7323 allows. */
    public static final int MAX_WSCALE = 14;
    /** Bytes of the aligned timestamp option (NOP, NOP, kind, len, val, ecr). */
    public static final int TIMESTAMP_ALIGNED_LENGTH = 12;
    /** The most SACK blocks that fit next to a timestamp (40 - 12 - 4 = 24 bytes). */
    public static final int MAX_SACK_BLOCKS = 4;

    /** The MSS, or -1 when absent. */
    public int mss = -1;
    /** The window shift, or -1 when absent. */
    public int wscale = -1;
    public boolean sackPermitted;
    public boolean timestamp;
    public int tsVal;
    public int tsEcr;
    /** SACK blocks as (start, end) pairs. */
    public final int[] sackBlocks = new int[2 * MAX_SACK_BLOCKS];
    public int sackBlockCount;

    public TcpOptions clear() {
        mss = -1;
        wscale = -1;
        sackPermitted = false;
        timestamp = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlockCount = 0;
        return this;
    }

    /**
     * Parses {@code length} bytes of options at {@code index} ({@code tcp_parse_options}).
     * MSS, window scale and SACK-permitted count only on a SYN, as RFC 9293 and RFC 7323 say;
     * unknown kinds are skipped by their length (RFC 9293 3.1). A malformed list (a length
     * below 2, or an option past the end) ends the parse there with the defect, the options
     * before it kept, as Linux stops and keeps the segment.
     */
    TcpPacket.Check parse(ByteBuf buf, int index, int length, boolean syn) {
        clear();
        int i = index;
        int end = index + length;
        while (i < end) {
            int kind = buf.getUnsignedByte(i);
            if (kind == KIND_EOL) {
                return TcpPacket.Check.OK;
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return TcpPacket.Check.OPTION_PAST_END;
            }
            int len = buf.getUnsignedByte(i + 1);
            if (len < 2) {
                return TcpPacket.Check.BAD_OPTION_LENGTH;
            }
            if (i + len > end) {
                return TcpPacket.Check.OPTION_PAST_END;
            }
            switch (kind) {
                case KIND_MSS -> {
                    if (len == 4 && syn) {
                        mss = buf.getUnsignedShort(i + 2);
                    }
                }
                case KIND_WSCALE -> {
                    if (len == 3 && syn) {
                        // RFC 7323 2.3: a shift above 14 is used as 14.
                        wscale = Math.min(buf.getUnsignedByte(i + 2), MAX_WSCALE);
                    }
                }
                case KIND_SACK_PERM -> {
                    if (len == 2 && syn) {
                        sackPermitted = true;
                    }
                }
                case KIND_TIMESTAMP -> {
                    if (len == 10) {
                        timestamp = true;
                        tsVal = buf.getInt(i + 2);
                        tsEcr = buf.getInt(i + 6);
                    }
                }
                case KIND_SACK -> {
                    if (len >= 10 && (len - 2) % 8 == 0 && !syn) {
                        int blocks = Math.min((len - 2) / 8, MAX_SACK_BLOCKS);
                        for (int b = 0; b < blocks; b++) {
                            sackBlocks[2 * b] = buf.getInt(i + 2 + 8 * b);
                            sackBlocks[2 * b + 1] = buf.getInt(i + 6 + 8 * b);
                        }
                        sackBlockCount = blocks;
                    }
                }
                default -> {
                    // Unknown options are skipped by their length (RFC 9293 3.1).
                }
            }
            i += len;
        }
        return TcpPacket.Check.OK;
    }

    /** Adds a SACK block; ignored beyond {@link #MAX_SACK_BLOCKS}. */
    public void addSackBlock(int start, int end) {
        if (sackBlockCount < MAX_SACK_BLOCKS) {
            sackBlocks[2 * sackBlockCount] = start;
            sackBlocks[2 * sackBlockCount + 1] = end;
            sackBlockCount++;
        }
    }

    /** The bytes {@link #write} produces: a multiple of 4, at most 40. */
    public int length() {
        int n = 0;
        if (mss >= 0) {
            n += 4;
        }
        if (timestamp) {
            n += 12;
        } else if (sackPermitted) {
            n += 4;
        }
        if (wscale >= 0) {
            n += 4;
        }
        if (sackBlockCount > 0) {
            n += 4 + 8 * sackBlocksThatFit(n);
        }
        return n;
    }

    private int sackBlocksThatFit(int used) {
        return Math.min(sackBlockCount, (40 - used - 4) / 8);
    }

    /** Writes the options at {@code index} in Linux's order; returns the bytes written. */
    public int write(ByteBuf buf, int index) {
        int i = index;
        if (mss >= 0) {
            buf.setInt(i, (KIND_MSS << 24) | (4 << 16) | (mss & 0xffff));
            i += 4;
        }
        if (timestamp) {
            if (sackPermitted) {
                buf.setInt(i, (KIND_SACK_PERM << 24) | (2 << 16) | (KIND_TIMESTAMP << 8) | 10);
            } else {
                buf.setInt(i, (KIND_NOP << 24) | (KIND_NOP << 16) | (KIND_TIMESTAMP << 8) | 10);
            }
            buf.setInt(i + 4, tsVal);
            buf.setInt(i + 8, tsEcr);
            i += 12;
        } else if (sackPermitted) {
            buf.setInt(i, (KIND_NOP << 24) | (KIND_NOP << 16) | (KIND_SACK_PERM << 8) | 2);
            i += 4;
        }
        if (wscale >= 0) {
            buf.setInt(i, (KIND_NOP << 24) | (KIND_WSCALE << 16) | (3 << 8) | wscale);
            i += 4;
        }
        if (sackBlockCount > 0) {
            int blocks = sackBlocksThatFit(i - index);
            buf.setInt(i, (KIND_NOP << 24) | (KIND_NOP << 16) | (KIND_SACK << 8) | (2 + 8 * blocks));
            i += 4;
            for (int b = 0; b < blocks; b++) {
                buf.setInt(i, sackBlocks[2 * b]);
                buf.setInt(i + 4, sackBlocks[2 * b + 1]);
                i += 8;
            }
        }
        return i - index;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<");
        if (mss >= 0) {
            sb.append("mss ").append(mss).append(',');
        }
        if (sackPermitted) {
            sb.append("sackOK,");
        }
        if (timestamp) {
            sb.append("TS val ").append(Integer.toUnsignedString(tsVal)).append(" ecr ")
                    .append(Integer.toUnsignedString(tsEcr)).append(',');
        }
        if (wscale >= 0) {
            sb.append("wscale ").append(wscale).append(',');
        }
        for (int b = 0; b < sackBlockCount; b++) {
            sb.append("sack ").append(Integer.toUnsignedString(sackBlocks[2 * b])).append(':')
                    .append(Integer.toUnsignedString(sackBlocks[2 * b + 1])).append(',');
        }
        if (sb.length() > 1) {
            sb.setLength(sb.length() - 1);
        }
        return sb.append('>').toString();
    }
}
