package net.tern.wire;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoded TCP header with its options (smoltcp's {@code TcpRepr}): immutable, parsed from
 * a checked {@link TcpPacket}, and emitted in front of data already in place with the
 * options laid out as Linux lays them out ({@link TcpOptions#write}) and the checksum
 * filled. The receive and send paths use the view and a reused {@link TcpOptions} instead,
 * which allocate nothing; this is for whoever wants a segment as a value: tests, peers that
 * script segments, tracers.
 *
 * @param sourcePort      0..65535
 * @param destinationPort 0..65535
 * @param seq             sequence number (32 bits, unsigned on the wire)
 * @param ack             acknowledgment number
 * @param flags           the eight flag bits ({@link TcpPacket#SYN}, ...)
 * @param window          the window field as sent (unscaled), 0..65535
 * @param urgentPointer   0..65535
 * @param options         the options ({@link Options#NONE} for none)
 * @param payloadLength   data bytes after the header
 */
public record TcpRepr(int sourcePort, int destinationPort, int seq, int ack, int flags, int window, int urgentPointer,
        Options options, int payloadLength) {

    public TcpRepr {
        Ports.check("source port", sourcePort);
        Ports.check("destination port", destinationPort);
        if (flags < 0 || flags > 0xff) {
            throw new IllegalArgumentException("flags out of range 0..255: " + flags);
        }
        if (window < 0 || window > 0xffff) {
            throw new IllegalArgumentException("window out of range 0..65535: " + window);
        }
        if (urgentPointer < 0 || urgentPointer > 0xffff) {
            throw new IllegalArgumentException("urgent pointer out of range 0..65535: " + urgentPointer);
        }
        if (options == null) {
            throw new IllegalArgumentException("options: null (Options.NONE for none)");
        }
        if (payloadLength < 0) {
            throw new IllegalArgumentException("payload length negative: " + payloadLength);
        }
    }

    /** A timestamp option's two values (RFC 7323 3). */
    public record Timestamp(int value, int echoReply) {
    }

    /** A SACK block: the first sequence number of the run and the one past it (RFC 2018 3). */
    public record SackBlock(int start, int end) {
    }

    /**
     * The options a segment carries.
     *
     * @param mss           maximum segment size, or -1 when absent
     * @param windowScale   window shift 0..14, or -1 when absent
     * @param sackPermitted SACK-permitted
     * @param timestamp     the timestamp, or null when absent
     * @param sackBlocks    SACK blocks, at most {@link TcpOptions#MAX_SACK_BLOCKS}
     */
    public record Options(int mss, int windowScale, boolean sackPermitted, Timestamp timestamp,
            List<SackBlock> sackBlocks) {
        /** No options at all. */
        public static final Options NONE = new Options(-1, -1, false, null, List.of());

        public Options {
            if (mss < -1 || mss > 0xffff) {
                throw new IllegalArgumentException("mss out of range 0..65535 (or -1): " + mss);
            }
            if (windowScale < -1 || windowScale > TcpOptions.MAX_WSCALE) {
                throw new IllegalArgumentException("window scale out of range 0..14 (or -1): " + windowScale);
            }
            sackBlocks = List.copyOf(sackBlocks);
            if (sackBlocks.size() > TcpOptions.MAX_SACK_BLOCKS) {
                throw new IllegalArgumentException("more than " + TcpOptions.MAX_SACK_BLOCKS + " SACK blocks: "
                        + sackBlocks.size());
            }
        }

        /** A copy of what {@code parsed} holds. */
        public static Options of(TcpOptions parsed) {
            List<SackBlock> blocks = new ArrayList<>(parsed.sackBlockCount);
            for (int b = 0; b < parsed.sackBlockCount; b++) {
                blocks.add(new SackBlock(parsed.sackBlocks[2 * b], parsed.sackBlocks[2 * b + 1]));
            }
            return new Options(parsed.mss, parsed.wscale, parsed.sackPermitted,
                    parsed.timestamp ? new Timestamp(parsed.tsVal, parsed.tsEcr) : null, blocks);
        }

        /** Puts these options into {@code into} (cleared first), ready for {@link TcpOptions#write}. */
        public TcpOptions copyTo(TcpOptions into) {
            into.clear();
            into.mss = mss;
            into.wscale = windowScale;
            into.sackPermitted = sackPermitted;
            if (timestamp != null) {
                into.timestamp = true;
                into.tsVal = timestamp.value();
                into.tsEcr = timestamp.echoReply();
            }
            for (SackBlock block : sackBlocks) {
                into.addSackBlock(block.start(), block.end());
            }
            return into;
        }
    }

    /**
     * Decodes a segment of {@code available} bytes that {@link TcpPacket#check} passed; one
     * that did not pass is refused with its defect. A malformed option list is not refused:
     * the options before the defect are kept, as Linux keeps them.
     */
    public static TcpRepr parse(TcpPacket packet, int available) {
        TcpPacket.Check check = packet.check(available);
        if (check != TcpPacket.Check.OK) {
            throw new IllegalArgumentException("malformed TCP segment: " + check);
        }
        TcpOptions options = new TcpOptions();
        packet.parseOptions(options);
        return new TcpRepr(packet.sourcePort(), packet.destinationPort(), packet.seq(), packet.ack(), packet.flags(),
                packet.window(), packet.urgentPointer(), Options.of(options), available - packet.headerLength());
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Bytes of header and options {@link #emit} writes: a multiple of 4, at most 60. */
    public int headerLength() {
        return TcpPacket.headerLength(options.copyTo(new TcpOptions()));
    }

    /**
     * Writes the header and options at absolute {@code index}, in front of the
     * {@link #payloadLength()} bytes of data already in place at
     * {@code index + headerLength()}, and fills the checksum with the pseudo-header of
     * {@code source} and {@code destination}.
     */
    public TcpPacket emit(ByteBuf buf, int index, int source, int destination) {
        TcpOptions written = options.copyTo(new TcpOptions());
        int headerLength = TcpPacket.emitHeader(buf, index, sourcePort, destinationPort, seq, ack, flags, window,
                written);
        buf.setShort(index + 18, urgentPointer);
        TcpPacket.fillChecksum(buf, index, headerLength + payloadLength, source, destination);
        return TcpPacket.at(buf, index);
    }
}
