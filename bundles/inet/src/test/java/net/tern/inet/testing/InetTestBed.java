package net.tern.inet.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.TestStack;
import net.tern.inet.impl.Inet;
import net.tern.inet.impl.InetSettings;
import net.tern.link.loopback.LoopbackDevice;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import net.tern.wire.IcmpPacket;
import net.tern.wire.IcmpRepr;
import net.tern.wire.Ipv4Address;
import net.tern.wire.Ipv4Repr;

/**
 * IPv4 on the core's {@link TestStack} in virtual time, wired as {@code InetInit} wires it in
 * OSGi: {@code ip_rcv} as the IPv4 packet handler, the FIB as a link listener. Devices are
 * the real loopback and {@link FakeDevice}s; packets are built with the wire classes.
 * Transport bundles' test beds extend it with their protocol and the socket layer on top.
 */
public class InetTestBed implements AutoCloseable {
    private final TestStack stack = new TestStack();
    private final Inet inet;
    private final List<FakeDevice> fakes = new ArrayList<>();

    public InetTestBed() {
        this(InetSettings.defaults());
    }

    public InetTestBed(InetSettings settings) {
        this(settings, new Random(42));
    }

    /** {@code random} drives IPv4's choices: IP identifications, echo identifiers. */
    public InetTestBed(InetSettings settings, Random random) {
        this.inet = new Inet(stack.clock(), stack.timers(), stack.allocator(), settings, random);
        stack.addPacketHandler(EtherType.IPV4, inet.input());
        stack.addLinkListener(inet.fib());
    }

    public TestStack stack() {
        return stack;
    }

    public Inet inet() {
        return inet;
    }

    private LoopbackDevice loopbackDevice;

    /** Registers {@code lo} (127.0.0.1/8, MTU 65536). */
    public Link loopback() throws ErrnoException {
        loopbackDevice = new LoopbackDevice();
        return stack.register(loopbackDevice);
    }

    /** Unregisters {@code lo}, as its bundle stopping would. */
    public void removeLoopback() {
        stack.unregister(loopbackDevice);
    }

    /** Registers a point-to-point fake device with {@code mtu} and {@code addresses} ("a.b.c.d/n"). */
    public FakeDevice fake(String name, int mtu, String... addresses) throws ErrnoException {
        List<IfAddress> list = new ArrayList<>();
        for (String a : addresses) {
            list.add(IfAddress.parse(a));
        }
        FakeDevice device = new FakeDevice(name, mtu, 65535, list);
        fakes.add(device);
        stack.register(device);
        return device;
    }

    public Link link(String name) {
        return stack.links().byName(name).orElseThrow();
    }

    /** Injects {@code bytes} as an IPv4 packet received by {@code device}, and runs until idle. */
    public void inject(FakeDevice device, byte[] bytes) {
        device.inject(stack.packet(EtherType.IPV4, bytes));
        stack.runUntilIdle();
    }

    /** Takes what {@code device} transmitted, as byte arrays, releasing the packets. */
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

    public void runUntilIdle() {
        stack.runUntilIdle();
    }

    public void advance(long amount, TimeUnit unit) {
        stack.advance(amount, unit);
    }

    public long ip(String counter) {
        return inet.counter("Ip", counter);
    }

    public long ipExt(String counter) {
        return inet.counter("IpExt", counter);
    }

    public long icmp(String counter) {
        return inet.counter("Icmp", counter);
    }

    /** Unregisters the devices, releases what fakes still hold and what reassembly holds. */
    @Override
    public void close() {
        stack.close();
        for (FakeDevice f : fakes) {
            f.releaseTransmitted();
        }
        inet.close();
        stack.runUntilIdle();
    }

    // ---- building datagrams

    public static int addr(String dotted) {
        return Ipv4Address.parse(dotted);
    }

    /** A datagram with a 20-byte header, fresh checksum, and {@code payload}. */
    public static byte[] datagram(String src, String dst, int protocol, byte[] payload) {
        return datagram(Ipv4Repr.builder().source(addr(src)).destination(addr(dst)).protocol(protocol)
                .payloadLength(payload.length).identification(0x1234).build(), payload);
    }

    public static byte[] datagram(Ipv4Repr header, byte[] payload) {
        ByteBuf buf = Unpooled.buffer(Ipv4Repr.LENGTH + payload.length);
        header.emit(buf, 0);
        buf.setBytes(Ipv4Repr.LENGTH, payload);
        byte[] out = new byte[Ipv4Repr.LENGTH + payload.length];
        buf.getBytes(0, out);
        return out;
    }

    /** An ICMP message of {@code type}/{@code code} with {@code rest} in bytes 4-7 and {@code data}, checksummed. */
    public static byte[] icmpMessage(int type, int code, int rest, byte[] data) {
        ByteBuf buf = Unpooled.buffer(IcmpPacket.HEADER_LENGTH + data.length);
        buf.setBytes(IcmpPacket.HEADER_LENGTH, data);
        new IcmpRepr(type, code, rest, data.length).emit(buf, 0);
        byte[] out = new byte[IcmpPacket.HEADER_LENGTH + data.length];
        buf.getBytes(0, out);
        return out;
    }

    public static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
