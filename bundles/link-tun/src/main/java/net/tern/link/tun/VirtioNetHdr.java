package net.tern.link.tun;

import io.netty.buffer.ByteBuf;
import net.tern.spi.net.Packet;

/**
 * {@code struct virtio_net_hdr} ({@code include/uapi/linux/virtio_net.h}), the 10 bytes in
 * front of every packet read from or written to a TUN file opened with {@code IFF_VNET_HDR}:
 *
 * <pre>
 * offset 0  u8    flags        NEEDS_CSUM (1), DATA_VALID (2)
 * offset 1  u8    gso_type     NONE (0), TCPV4 (1), UDP (3), TCPV6 (4), UDP_L4 (5); ECN (0x80)
 * offset 2  le16  hdr_len      bytes of headers (IP and TCP) in front of the first segment's payload
 * offset 4  le16  gso_size     payload bytes of each segment
 * offset 6  le16  csum_start   where the checksummed bytes start, from the packet's first byte
 * offset 8  le16  csum_offset  the checksum field's offset from csum_start
 * </pre>
 *
 * The 16-bit fields are little-endian: a TUN's header is in the byte order of a virtio 1.0
 * device ({@code tun_is_little_endian}), whatever the machine's. Decoding reads into this
 * object, which one reader thread reuses; encoding writes from values.
 */
final class VirtioNetHdr {
    /** {@code sizeof(struct virtio_net_hdr)}, the size set with {@code TUNSETVNETHDRSZ}. */
    static final int SIZE = 10;

    /** {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}: the checksum at csum_start/csum_offset holds only the pseudo-header's sum. */
    static final int F_NEEDS_CSUM = 1;
    /** {@code VIRTIO_NET_HDR_F_DATA_VALID}: the kernel checked the checksum already. */
    static final int F_DATA_VALID = 2;

    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    static final int GSO_UDP_L4 = 5;
    /** {@code VIRTIO_NET_HDR_GSO_ECN}: the packet's first segment has CWR set. */
    static final int GSO_ECN = 0x80;

    private static final int IPV6_HEADER_LENGTH = 40;

    int flags;
    int gsoType;
    int hdrLen;
    int gsoSize;
    int csumStart;
    int csumOffset;

    /** Reads the header at {@code index} of {@code buf} into this object. */
    VirtioNetHdr decode(ByteBuf buf, int index) {
        flags = buf.getUnsignedByte(index);
        gsoType = buf.getUnsignedByte(index + 1);
        hdrLen = buf.getUnsignedShortLE(index + 2);
        gsoSize = buf.getUnsignedShortLE(index + 4);
        csumStart = buf.getUnsignedShortLE(index + 6);
        csumOffset = buf.getUnsignedShortLE(index + 8);
        return this;
    }

    /** Writes a header of these values at {@code index} of {@code buf}. */
    static void encode(ByteBuf buf, int index, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart,
            int csumOffset) {
        buf.setByte(index, flags);
        buf.setByte(index + 1, gsoType);
        buf.setShortLE(index + 2, hdrLen);
        buf.setShortLE(index + 4, gsoSize);
        buf.setShortLE(index + 6, csumStart);
        buf.setShortLE(index + 8, csumOffset);
    }

    /**
     * {@code virtio_net_hdr_from_skb}: the header for {@code packet} (data at its IP header),
     * written at {@code index} of {@code out}: its partial checksum as NEEDS_CSUM, and when it
     * stands for several TCP segments, their type, size and the length of the headers in
     * front ({@code hdr_len}, IP and TCP, as the kernel's own {@code skb_headlen} would give).
     */
    static void encode(Packet packet, ByteBuf out, int index) {
        ByteBuf buf = packet.buf();
        int data = buf.readerIndex();
        int flags = 0;
        int csumStart = 0;
        int csumOffset = 0;
        if (packet.ipSummed() == Packet.CHECKSUM_PARTIAL) {
            flags = F_NEEDS_CSUM;
            csumStart = packet.csumStart() - data;
            csumOffset = packet.csumOffset();
        }
        int gsoType = GSO_NONE;
        int hdrLen = 0;
        int gsoSize = 0;
        if (packet.isGso()) {
            gsoType = packet.gsoType() == Packet.GSO_TCPV6 ? GSO_TCPV6 : GSO_TCPV4;
            gsoSize = packet.gsoSize();
            // The TCP header starts where the checksum does, or after the IP header; its
            // data offset gives its length.
            int first = buf.getUnsignedByte(data);
            int tcp = flags != 0 ? csumStart : (first >>> 4) == 4 ? (first & 0x0f) << 2 : IPV6_HEADER_LENGTH;
            hdrLen = tcp + ((buf.getUnsignedByte(data + tcp + 12) >>> 4) << 2);
        }
        encode(out, index, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
    }

    /** The packet's {@link Packet#gsoType()} for this header's gso_type, ECN bit aside; -1 for none Tern takes whole. */
    int packetGsoType() {
        switch (gsoType & ~GSO_ECN) {
            case GSO_NONE:
                return Packet.GSO_NONE;
            case GSO_TCPV4:
                return Packet.GSO_TCPV4;
            case GSO_TCPV6:
                return Packet.GSO_TCPV6;
            default:
                return -1;
        }
    }
}
