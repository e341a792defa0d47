package net.tern.inet6.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.TestStack;
import net.tern.inet6.impl.Inet6;
import net.tern.inet6.impl.Inet6Settings;
import net.tern.link.loopback.LoopbackDevice;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import net.tern.wire.Icmpv6Packet;
import net.tern.wire.Icmpv6Repr;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6Packet;

/**
 * IPv6 on the core's {@link TestStack} in virtual time, wired as {@code Inet6Init} wires it in
 * OSGi: {@code ipv6_rcv} as the handler of 0x86DD, addrconf as a link listener. Devices are the
 * real loopback and {@link FakeDevice}s (point-to-point, as the TUN); packets are built with
 * the wire classes.
 */
public class Inet6TestBed implements AutoCloseable {
    private final TestStack stack = new TestStack();
    private final Inet6 inet6;
    private final List<FakeDevice> fakes = new ArrayList<>();

    public Inet6TestBed() {
        this(Inet6Settings.defaults());
    }

    public Inet6TestBed(Inet6Settings settings) {
        this.inet6 = new Inet6(stack.clock(), stack.timers(), stack.allocator(), settings, new Random(42));
        stack.addPacketHandler(EtherType.IPV6, inet6.input());
        stack.addLinkListener(inet6.addrconf());
    }

    public TestStack stack() {
        return stack;
    }

    public Inet6 inet6() {
        return inet6;
    }

    /** Registers {@code lo}: it comes up with {@code ::1/128}. */
    public Link loopback() throws ErrnoException {
        return stack.register(new LoopbackDevice());
    }

    /** Registers a point-to-point fake device with {@code mtu} and gives it {@code addresses} ("fd00::2/64"). */
    public FakeDevice fake(String name, int mtu, String... addresses) throws ErrnoException {
        FakeDevice device = new FakeDevice(name, mtu, 65535, List.of());
        fakes.add(device);
        Link link = stack.register(device);
        for (String a : addresses) {
            int slash = a.indexOf('/');
            inet6.addrconf().add(link.index(), Ipv6Address.parse(a.substring(0, slash)),
                    Integer.parseInt(a.substring(slash + 1)));
        }
        return device;
    }

    public Link link(String name) {
        return stack.links().byName(name).orElseThrow();
    }

    /** Injects {@code bytes} as an IPv6 packet received by {@code device}, and runs until idle. */
    public void inject(FakeDevice device, byte[] bytes) {
        device.inject(stack.packet(EtherType.IPV6, bytes));
        stack.runUntilIdle();
    }

    /** What {@code device} transmitted, as byte arrays; the packets are released. */
    public static List<byte[]> drain(FakeDevice device) {
        List<byte[]> out = new ArrayList<>();
        Packet p;
        while ((p = device.takeTransmitted()) != null) {
            byte[] bytes = new byte[p.length()];
            p.buf().getBytes(p.buf().readerIndex(), bytes);
            p.release();
            out.add(bytes);
        }
        return out;
    }

    public void advance(long amount, TimeUnit unit) {
        stack.advance(amount, unit);
    }

    public long counter(String name) {
        return inet6.counter(name);
    }

    /** Packets allocated and not released. */
    public long outstanding() {
        return stack.allocator().outstanding();
    }

    @Override
    public void close() {
        inet6.close();
        stack.close();
        for (FakeDevice f : fakes) {
            f.releaseTransmitted();
        }
        stack.runUntilIdle();
    }

    // ---- building packets

    public static Ipv6Address addr(String text) {
        return Ipv6Address.parse(text);
    }

    /** A packet from {@code src} to {@code dst} whose payload starts with {@code nextHeader}'s bytes. */
    public static byte[] packet(String src, String dst, int nextHeader, byte[] payload) {
        return packet(src, dst, nextHeader, 64, payload);
    }

    public static byte[] packet(String src, String dst, int nextHeader, int hopLimit, byte[] payload) {
        ByteBuf buf = Unpooled.buffer(Ipv6Packet.HEADER_LENGTH + payload.length);
        Ipv6Packet.emitHeader(buf, 0, 0, 0, payload.length, nextHeader, hopLimit, addr(src), addr(dst));
        buf.setBytes(Ipv6Packet.HEADER_LENGTH, payload);
        byte[] out = new byte[Ipv6Packet.HEADER_LENGTH + payload.length];
        buf.getBytes(0, out);
        return out;
    }

    /** An ICMPv6 message, checksummed for {@code src} and {@code dst}. */
    public static byte[] icmp(String src, String dst, Icmpv6Repr repr, byte[] data) {
        ByteBuf buf = Unpooled.buffer(Icmpv6Packet.HEADER_LENGTH + data.length);
        buf.setBytes(Icmpv6Packet.HEADER_LENGTH, data);
        repr.emit(buf, 0, addr(src), addr(dst));
        byte[] out = new byte[Icmpv6Packet.HEADER_LENGTH + data.length];
        buf.getBytes(0, out);
        return out;
    }

    /** An echo request packet with {@code data}. */
    public static byte[] echoRequest(String src, String dst, int id, int seq, byte[] data) {
        return packet(src, dst, 58, icmp(src, dst, Icmpv6Repr.echoRequest(id, seq, data.length), data));
    }

    /** {@code first} then {@code rest}, as one array. */
    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    public static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    /** The header of a received packet. */
    public static Ipv6Packet ip(byte[] packet) {
        return Ipv6Packet.at(Unpooled.wrappedBuffer(packet), 0);
    }
}
