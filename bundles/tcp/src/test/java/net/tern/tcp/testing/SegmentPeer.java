package net.tern.tcp.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.VirtualTime;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Packet;
import net.tern.tcp.impl.TcpSettings;
import net.tern.wire.IcmpPacket;
import net.tern.wire.InetChecksum;
import net.tern.wire.Ipv4Repr;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6Packet;

/**
 * The segment-level fixture: one {@link Host} (10.0.0.1/24 on {@code tun0}) and a scripted
 * peer at 10.0.0.2 on the other end of a {@link FakeDevice}. A test (or a script driver)
 * {@link #inject injects} crafted segments, {@link #emitted() collects} what the stack sent
 * (decoded, stamped with the virtual time), and {@link #advance advances} virtual time;
 * socket calls go through {@link #api()}.
 */
public final class SegmentPeer implements AutoCloseable {
    public static final String LOCAL = "10.0.0.1";
    public static final String REMOTE = "10.0.0.2";
    /** The stack's IPv6 address on tun0 (packetdrill's default local address), with {@link #withIpv6()}. */
    public static final Ipv6Address LOCAL6 = Ipv6Address.parse("fd3d:fa7b:d17d::1");
    /** The scripted peer's IPv6 address, on tun0's /64. */
    public static final Ipv6Address REMOTE6 = Ipv6Address.parse("fd3d:fa7b:d17d::2");

    private final VirtualTime time = new VirtualTime();
    private final PooledPacketAllocator allocator = new PooledPacketAllocator();
    private final Host host;
    private final FakeDevice device;

    public SegmentPeer() throws ErrnoException {
        this(TcpSettings.defaults(), 1500);
    }

    public SegmentPeer(TcpSettings settings, int mtu) throws ErrnoException {
        this.host = new Host(time, allocator, settings, 7);
        this.device = new FakeDevice("tun0", mtu, 65535, List.of(IfAddress.parse(LOCAL + "/24")));
        host.register(device);
        time.runPending();
    }

    /**
     * IPv6 as well: the AF_INET6 family with TCP over it, and {@link #LOCAL6}/64 on tun0, for
     * segments to and from {@link #REMOTE6} ({@link #injectRaw6}).
     */
    public SegmentPeer withIpv6() throws ErrnoException {
        host.withIpv6(11);
        host.inet6().addrconf().add(host.link("tun0").index(), LOCAL6, 64);
        time.runPending();
        return this;
    }

    /**
     * Injects raw TCP bytes from {@link #REMOTE6} to {@link #LOCAL6} in an IPv6 packet, with a
     * correct checksum over the IPv6 pseudo-header (RFC 8200 8.1).
     */
    public void injectRaw6(byte[] tcpBytes) {
        int length = Ipv6Packet.HEADER_LENGTH + tcpBytes.length;
        Packet packet = allocator.allocate(128, length);
        ByteBuf buf = packet.buf();
        int at = buf.writerIndex();
        buf.writerIndex(at + length);
        Ipv6Packet.emitHeader(buf, at, 0, 0, tcpBytes.length, 6, 64, REMOTE6, LOCAL6);
        buf.setBytes(at + Ipv6Packet.HEADER_LENGTH, tcpBytes);
        if (tcpBytes.length >= 20) {
            int tcp = at + Ipv6Packet.HEADER_LENGTH;
            buf.setShort(tcp + 16, 0);
            buf.setShort(tcp + 16, InetChecksum.transportChecksum6(buf, tcp, tcpBytes.length, REMOTE6, LOCAL6, 6));
        }
        device.inject(packet.protocol(EtherType.IPV6));
        time.runPending();
    }

    /** The device the stack sends through, to give it offload features or take its packets whole. */
    public FakeDevice device() {
        return device;
    }

    public Host host() {
        return host;
    }

    public SocketApi api() {
        return host.api();
    }

    public VirtualTime time() {
        return time;
    }

    /** A segment from the peer (10.0.0.2:{@code port}) to be completed with {@code to(...)}. */
    public static Seg.Builder from(int port) {
        return Seg.from(REMOTE, port);
    }

    /**
     * Injects raw TCP bytes (header and payload, whatever they hold) from the peer in an IPv4
     * datagram, with a correct TCP checksum unless {@code breakChecksum}.
     */
    public void injectRaw(byte[] tcpBytes, boolean breakChecksum) {
        ByteBuf ip = Unpooled.buffer(20 + tcpBytes.length);
        Ipv4Repr.builder().source(InetSockAddr.parseAddress(REMOTE)).destination(InetSockAddr.parseAddress(LOCAL))
                .protocol(6).payloadLength(tcpBytes.length).build().emit(ip, 0);
        ip.setBytes(20, tcpBytes);
        if (tcpBytes.length >= 20) {
            net.tern.wire.TcpPacket.fillChecksum(ip, 20, tcpBytes.length,
                    InetSockAddr.parseAddress(REMOTE), InetSockAddr.parseAddress(LOCAL));
            if (breakChecksum) {
                ip.setShort(20 + 16, ip.getUnsignedShort(20 + 16) ^ 0x5a5a);
            }
        }
        Packet packet = allocator.allocate(128, 20 + tcpBytes.length);
        packet.buf().writeBytes(ip, 0, 20 + tcpBytes.length);
        device.inject(packet.protocol(EtherType.IPV4));
        time.runPending();
    }

    /** Injects {@code seg} as received on tun0 and runs the stack until idle. */
    public void inject(Seg seg) {
        byte[] bytes = seg.toDatagram();
        Packet packet = allocator.allocate(128, bytes.length);
        packet.buf().writeBytes(bytes);
        device.inject(packet.protocol(EtherType.IPV4));
        time.runPending();
    }

    /** Injects an IPv4 datagram built already ({@link Seg#toDatagram()}), for floods that send the same segments again. */
    public void inject(byte[] datagram) {
        Packet packet = allocator.allocate(128, datagram.length);
        packet.buf().writeBytes(datagram);
        device.inject(packet.protocol(EtherType.IPV4));
        time.runPending();
    }

    /** Releases what the stack sent since the last call without decoding it; returns how many datagrams. */
    public int discardEmitted() {
        time.runPending();
        int n = 0;
        Packet p;
        while ((p = device.takeTransmitted()) != null) {
            p.release();
            n++;
        }
        return n;
    }

    /**
     * Injects an ICMP error of {@code type}/{@code code} from the peer about {@code offending}
     * (a segment the stack sent), quoting its IP header and first 8 bytes as routers do.
     */
    public void injectIcmpError(int type, int code, int info, Seg offending) {
        byte[] quoted = Arrays.copyOf(offending.toDatagram(), 28);
        ByteBuf icmp = Unpooled.buffer(8 + quoted.length);
        IcmpPacket.emitHeader(icmp, 0, type, code, info);
        icmp.setBytes(8, quoted);
        IcmpPacket.at(icmp, 0).fillChecksum(8 + quoted.length);
        byte[] message = new byte[8 + quoted.length];
        icmp.getBytes(0, message);
        ByteBuf ip = Unpooled.buffer(20 + message.length);
        Ipv4Repr.builder().source(InetSockAddr.parseAddress(REMOTE))
                .destination(InetSockAddr.parseAddress(LOCAL)).protocol(1)
                .payloadLength(message.length).build().emit(ip, 0);
        ip.setBytes(20, message);
        Packet packet = allocator.allocate(128, 20 + message.length);
        packet.buf().writeBytes(ip, 0, 20 + message.length);
        device.inject(packet.protocol(EtherType.IPV4));
        time.runPending();
    }

    /** An IPv4 datagram the stack sent, byte for byte, and the virtual time it was collected at. */
    public record Datagram(byte[] bytes, long atNanos) {
        public Seg toSeg() {
            return Seg.parse(Unpooled.wrappedBuffer(bytes), 0, atNanos);
        }
    }

    /** What the stack sent since the last call, oldest first; the packets are released. */
    public List<Seg> emitted() {
        List<Seg> out = new ArrayList<>();
        for (Datagram d : emittedDatagrams()) {
            out.add(d.toSeg());
        }
        return out;
    }

    /**
     * What the stack sent since the last call as raw datagrams (a script harness compares
     * option lists byte for byte), oldest first; the packets are released.
     */
    public List<Datagram> emittedDatagrams() {
        time.runPending();
        List<Datagram> out = new ArrayList<>();
        Packet p;
        while ((p = device.takeTransmitted()) != null) {
            try {
                ByteBuf buf = p.buf();
                byte[] bytes = new byte[buf.readableBytes()];
                buf.getBytes(buf.readerIndex(), bytes);
                out.add(new Datagram(bytes, time.nanoTime()));
            } finally {
                p.release();
            }
        }
        return out;
    }

    /** The one segment sent since the last call; fails if there were none or several. */
    public Seg emittedOne() {
        List<Seg> segs = emitted();
        if (segs.size() != 1) {
            throw new AssertionError("expected one segment, got " + segs.size() + ": " + segs);
        }
        return segs.get(0);
    }

    /** Advances virtual time, collecting what was sent on the way with its send time. */
    public List<Seg> advanceCollecting(long amount, TimeUnit unit) {
        List<Seg> out = new ArrayList<>();
        long end = time.nanoTime() + unit.toNanos(amount);
        while (time.nanoTime() < end) {
            long step = Math.min(TimeUnit.MILLISECONDS.toNanos(1), end - time.nanoTime());
            time.advance(step, TimeUnit.NANOSECONDS);
            out.addAll(emitted());
        }
        return out;
    }

    public void advance(long amount, TimeUnit unit) {
        time.advance(amount, unit);
    }

    @Override
    public void close() {
        host.close();
        device.releaseTransmitted();
        time.runPending();
    }
}
