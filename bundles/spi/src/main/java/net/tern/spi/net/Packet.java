package net.tern.spi.net;

import io.netty.buffer.ByteBuf;

/**
 * A packet in flight ({@code struct sk_buff}): a pooled Netty {@link ByteBuf} whose readable
 * bytes are the packet's data, with headroom in front so each layer on the way out can
 * {@link #push} its header without copying, and the offsets of the network and transport
 * headers recorded on the way in.
 *
 * <p>Ownership moves with the packet: whoever holds it last calls {@link #release()} exactly
 * once (a transmit or receive handler that is given a packet owns it). A second release is
 * a bug and throws; the allocator counts packets never released, and tests fail on them.
 */
public final class Packet {
    /** Called once when a packet is released, so the allocator can track what is outstanding. */
    @FunctionalInterface
    public interface ReleaseHook {
        void released(Packet packet);
    }

    private static final ReleaseHook NO_HOOK = p -> { };

    private ByteBuf buf;
    private final ReleaseHook hook;
    private boolean released;
    private int protocol;
    private int networkHeader = -1;
    private int transportHeader = -1;
    private Link device;
    private long timestampNanos;
    private int ipSummed = CHECKSUM_NONE;
    private int csumStart;
    private int csumOffset;
    private int gsoType = GSO_NONE;
    private int gsoSize;

    /** {@code CHECKSUM_NONE}: the transport checksum, if any, is in the packet and unchecked. */
    public static final int CHECKSUM_NONE = 0;
    /** {@code CHECKSUM_UNNECESSARY}: the packet needs no checksum verification (it never left the host). */
    public static final int CHECKSUM_UNNECESSARY = 1;
    /**
     * {@code CHECKSUM_PARTIAL}: the transport checksum field ({@link #csumOffset()} bytes after
     * {@link #csumStart()}) holds only the pseudo-header's sum; the device completes it, or
     * {@code skb_checksum_help} does when the device cannot. Received so, the packet needs no
     * verification.
     */
    public static final int CHECKSUM_PARTIAL = 3;

    /** {@code skb_shinfo(skb)->gso_type} of a packet that is one segment: none. */
    public static final int GSO_NONE = 0;
    /** {@code SKB_GSO_TCPV4}: a TCP over IPv4 packet of several segments of {@link #gsoSize()} payload bytes. */
    public static final int GSO_TCPV4 = 1;
    /** {@code SKB_GSO_TCPV6}: a TCP over IPv6 packet of several segments of {@link #gsoSize()} payload bytes. */
    public static final int GSO_TCPV6 = 2;

    /** Wraps {@code buf}; prefer {@link PacketAllocator#allocate}, which tracks leaks. */
    public Packet(ByteBuf buf, ReleaseHook hook) {
        this.buf = buf;
        this.hook = hook == null ? NO_HOOK : hook;
    }

    /** The bytes; the packet's data are the readable bytes. */
    public ByteBuf buf() {
        return buf;
    }

    /**
     * What a packet costs beyond its buffer, as Linux adds the {@code sk_buff} and its
     * {@code skb_shared_info} to {@code truesize} ({@code SKB_TRUESIZE}: 256 and 320 bytes
     * on x86-64); here the {@code Packet} and its buffer's own objects.
     */
    public static final int OVERHEAD = 256;

    /**
     * {@code skb->truesize}: the memory this packet holds, which queues that keep it are
     * charged. That is its buffer's whole allocation, as Linux counts the slab size its head
     * was rounded up to ({@code kmalloc_size_roundup}): for a pooled buffer the pool's size
     * class, which may exceed the capacity asked for; plus {@link #OVERHEAD}. A tiny datagram
     * in a buffer sized for the MTU is charged what it holds, not what it carries.
     */
    public int truesize() {
        // A pooled buffer can be written up to its size class without reallocating; any other
        // buffer up to its capacity. Either way that end is fixed whatever the writer index.
        return buf.writerIndex() + buf.maxFastWritableBytes() + OVERHEAD;
    }

    /** The packet's length: its readable bytes. */
    public int length() {
        return buf.readableBytes();
    }

    /** Bytes free in front of the data, for headers to be pushed. */
    public int headroom() {
        return buf.readerIndex();
    }

    /**
     * {@code skb_push}: extends the data {@code n} bytes to the front, into the headroom, and
     * returns the index where the new header starts.
     */
    public int push(int n) {
        if (n < 0 || n > buf.readerIndex()) {
            throw new IllegalArgumentException("push " + n + " bytes with " + buf.readerIndex() + " of headroom");
        }
        int start = buf.readerIndex() - n;
        buf.readerIndex(start);
        return start;
    }

    /** {@code skb_pull}: drops {@code n} bytes from the front (a header consumed on the way in). */
    public void pull(int n) {
        buf.skipBytes(n);
    }

    /** {@code skb_trim}: cuts the data to {@code length} bytes (link padding, IP total length). */
    public void trim(int length) {
        if (length < 0 || length > buf.readableBytes()) {
            throw new IllegalArgumentException("trim to " + length + " of " + buf.readableBytes() + " bytes");
        }
        buf.writerIndex(buf.readerIndex() + length);
    }

    /** The link-layer packet type ({@code skb->protocol}), an ethertype such as {@link EtherType#IPV4}. */
    public int protocol() {
        return protocol;
    }

    public Packet protocol(int ethertype) {
        this.protocol = ethertype;
        return this;
    }

    /** Absolute index of the network header in {@link #buf()}, or -1 if not set. */
    public int networkHeader() {
        return networkHeader;
    }

    /** {@code skb_reset_network_header}: the network header starts at the data now. */
    public void resetNetworkHeader() {
        this.networkHeader = buf.readerIndex();
    }

    /** Absolute index of the transport header in {@link #buf()}, or -1 if not set. */
    public int transportHeader() {
        return transportHeader;
    }

    /** {@code skb_reset_transport_header}: the transport header starts at the data now. */
    public void resetTransportHeader() {
        this.transportHeader = buf.readerIndex();
    }

    /** The device the packet arrived on, or leaves by; {@code null} until set. */
    public Link device() {
        return device;
    }

    public Packet device(Link device) {
        this.device = device;
        return this;
    }

    /** When the packet arrived, on the stack's {@link Clock}. */
    public long timestampNanos() {
        return timestampNanos;
    }

    public Packet timestampNanos(long nanos) {
        this.timestampNanos = nanos;
        return this;
    }

    /**
     * A released packet made new around {@code buf} (its marks, device and time forgotten),
     * for an allocator that keeps the packets released to it and hands them out again, as
     * the kernel's {@code skbuff_head_cache} does {@code sk_buff}s: allocating then makes no
     * object. Only the allocator the packet was released to may call it.
     *
     * @throws IllegalStateException if the packet is not released
     */
    public Packet reuse(ByteBuf buf) {
        if (!released) {
            throw new IllegalStateException("reuse of a packet not released: " + this);
        }
        this.buf = buf;
        released = false;
        protocol = 0;
        networkHeader = -1;
        transportHeader = -1;
        device = null;
        timestampNanos = 0;
        ipSummed = CHECKSUM_NONE;
        csumStart = 0;
        csumOffset = 0;
        gsoType = GSO_NONE;
        gsoSize = 0;
        return this;
    }

    /** {@code skb->ip_summed}: {@link #CHECKSUM_NONE}, {@link #CHECKSUM_UNNECESSARY} or {@link #CHECKSUM_PARTIAL}. */
    public int ipSummed() {
        return ipSummed;
    }

    /** Sets {@code skb->ip_summed}; {@link #checksumPartial} for {@link #CHECKSUM_PARTIAL}. */
    public Packet ipSummed(int value) {
        this.ipSummed = value;
        return this;
    }

    /**
     * The transport header at absolute index {@code start} carries, {@code offset} bytes in,
     * only its pseudo-header's sum: {@link #CHECKSUM_PARTIAL} ({@code skb->csum_start},
     * {@code skb->csum_offset}).
     */
    public Packet checksumPartial(int start, int offset) {
        this.ipSummed = CHECKSUM_PARTIAL;
        this.csumStart = start;
        this.csumOffset = offset;
        return this;
    }

    /** Absolute index in {@link #buf()} where the checksummed bytes start ({@link #CHECKSUM_PARTIAL} only). */
    public int csumStart() {
        return csumStart;
    }

    /** The checksum field's offset from {@link #csumStart()} ({@link #CHECKSUM_PARTIAL} only). */
    public int csumOffset() {
        return csumOffset;
    }

    /**
     * {@code skb_csum_unnecessary}: the transport checksum need not be verified, because the
     * packet was marked so or still carries a partial one (it was made on this host and came
     * back through loopback).
     */
    public boolean csumUnnecessary() {
        return ipSummed == CHECKSUM_UNNECESSARY || ipSummed == CHECKSUM_PARTIAL;
    }

    /**
     * Takes {@code from}'s checksum state for a copy of its data made into this packet (their
     * data start at the same byte): a partial checksum's start moves with the data.
     */
    public Packet copyChecksumState(Packet from) {
        this.ipSummed = from.ipSummed;
        this.csumStart = from.csumStart - from.buf.readerIndex() + buf.readerIndex();
        this.csumOffset = from.csumOffset;
        return this;
    }

    /**
     * Marks the packet as one that stands for several TCP segments ({@code skb_is_gso}):
     * {@code type} {@link #GSO_TCPV4} or {@link #GSO_TCPV6}, each segment carrying {@code size}
     * payload bytes but the last ({@code skb_shinfo(skb)->gso_size}). A device with
     * {@link NetdevFeatures#NETIF_F_TSO} cuts it (or hands it on whole to a peer that takes
     * such packets); for any other the core cuts it into segments before the driver sees it.
     * {@link #GSO_NONE} makes it one segment again.
     */
    public Packet gso(int type, int size) {
        this.gsoType = type;
        this.gsoSize = type == GSO_NONE ? 0 : size;
        return this;
    }

    /** {@code skb_shinfo(skb)->gso_type}: {@link #GSO_NONE} for a packet that is one segment. */
    public int gsoType() {
        return gsoType;
    }

    /** {@code skb_shinfo(skb)->gso_size}: the payload bytes of each segment, 0 when not {@link #isGso()}. */
    public int gsoSize() {
        return gsoSize;
    }

    /** {@code skb_is_gso}. */
    public boolean isGso() {
        return gsoType != GSO_NONE;
    }

    /** Whether {@link #release()} has been called. */
    public boolean isReleased() {
        return released;
    }

    /** {@code kfree_skb}: returns the memory to the pool. Exactly once per packet. */
    public void release() {
        if (released) {
            throw new IllegalStateException("packet released twice: " + this);
        }
        released = true;
        buf.release();
        hook.released(this);
    }

    @Override
    public String toString() {
        return "Packet[len=" + (released ? -1 : buf.readableBytes()) + ", proto=0x"
                + Integer.toHexString(protocol) + (device == null ? "" : ", dev=" + device.name())
                + (gsoType == GSO_NONE ? "" : ", gso=" + gsoType + "x" + gsoSize) + "]";
    }
}
