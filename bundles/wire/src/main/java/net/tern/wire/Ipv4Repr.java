package net.tern.wire;

import io.netty.buffer.ByteBuf;

/**
 * A decoded IPv4 header without options (smoltcp's {@code Ipv4Repr}): what a sender decides,
 * written to the wire by {@link #emit}. Built with {@link #builder()}.
 *
 * @param source          source address, host order
 * @param destination     destination address, host order
 * @param protocol        the carried protocol ({@code IPPROTO_*})
 * @param payloadLength   bytes after the header
 * @param ttl             time to live, 0..255
 * @param tos             type of service (DSCP and ECN)
 * @param identification  the datagram's identification
 * @param dontFragment    DF
 * @param moreFragments   MF
 * @param fragmentOffset  offset of this fragment's payload, in bytes (a multiple of 8)
 */
public record Ipv4Repr(int source, int destination, int protocol, int payloadLength, int ttl, int tos,
        int identification, boolean dontFragment, boolean moreFragments, int fragmentOffset) {

    public Ipv4Repr {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol out of range 0..255: " + protocol);
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("ttl out of range 0..255: " + ttl);
        }
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("tos out of range 0..255: " + tos);
        }
        if (payloadLength < 0 || payloadLength > Ipv4Packet.MAX_TOTAL_LENGTH - Ipv4Packet.MIN_HEADER_LENGTH) {
            throw new IllegalArgumentException("payload length out of range 0..65515: " + payloadLength);
        }
        if (identification < 0 || identification > 0xffff) {
            throw new IllegalArgumentException("identification out of range 0..65535: " + identification);
        }
        if ((fragmentOffset & 7) != 0 || fragmentOffset < 0 || fragmentOffset / 8 > Ipv4Packet.OFFSET_MASK) {
            throw new IllegalArgumentException("fragment offset must be a multiple of 8 in 0..65528: " + fragmentOffset);
        }
    }

    /** Bytes {@link #emit} writes. */
    public static final int LENGTH = Ipv4Packet.MIN_HEADER_LENGTH;

    /** Decodes the header a view shows (options are skipped, not kept). */
    public static Ipv4Repr parse(Ipv4Packet packet) {
        return new Ipv4Repr(packet.source(), packet.destination(), packet.protocol(), packet.payloadLength(),
                packet.ttl(), packet.tos(), packet.identification(), packet.dontFragment(),
                packet.moreFragments(), packet.fragmentOffset());
    }

    /** Writes the 20-byte header at absolute {@code index}, checksum filled; returns the view over it. */
    public Ipv4Packet emit(ByteBuf buf, int index) {
        int word = (dontFragment ? Ipv4Packet.FLAG_DF : 0) | (moreFragments ? Ipv4Packet.FLAG_MF : 0)
                | (fragmentOffset / 8);
        Ipv4Packet.emitHeader(buf, index, tos, LENGTH + payloadLength, identification, word, ttl, protocol, source,
                destination);
        return Ipv4Packet.at(buf, index);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link Ipv4Repr}; TTL defaults to 64, everything else to 0 or false. */
    public static final class Builder {
        private int source;
        private int destination;
        private int protocol;
        private int payloadLength;
        private int ttl = 64;
        private int tos;
        private int identification;
        private boolean dontFragment;
        private boolean moreFragments;
        private int fragmentOffset;

        public Builder source(int address) {
            this.source = address;
            return this;
        }

        public Builder destination(int address) {
            this.destination = address;
            return this;
        }

        public Builder protocol(int protocol) {
            this.protocol = protocol;
            return this;
        }

        public Builder payloadLength(int length) {
            this.payloadLength = length;
            return this;
        }

        public Builder ttl(int ttl) {
            this.ttl = ttl;
            return this;
        }

        public Builder tos(int tos) {
            this.tos = tos;
            return this;
        }

        public Builder identification(int id) {
            this.identification = id;
            return this;
        }

        public Builder dontFragment(boolean df) {
            this.dontFragment = df;
            return this;
        }

        public Builder moreFragments(boolean mf) {
            this.moreFragments = mf;
            return this;
        }

        public Builder fragmentOffset(int offsetBytes) {
            this.fragmentOffset = offsetBytes;
            return this;
        }

        public Ipv4Repr build() {
            return new Ipv4Repr(source, destination, protocol, payloadLength, ttl, tos, identification,
                    dontFragment, moreFragments, fragmentOffset);
        }
    }
}
