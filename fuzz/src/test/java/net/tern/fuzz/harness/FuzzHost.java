package net.tern.fuzz.harness;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.packet.PacketLedger;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.TestStack;
import net.tern.inet.impl.Inet;
import net.tern.inet.impl.InetSettings;
import net.tern.socket.SocketLayer;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.IfAddress;
import net.tern.spi.net.Packet;
import net.tern.spi.proto.NetProtocol;
import net.tern.tcp.impl.Tcp;
import net.tern.tcp.impl.TcpInvariants;
import net.tern.tcp.impl.TcpMib;
import net.tern.tcp.impl.TcpSettings;
import net.tern.udp.impl.Udp;
import net.tern.udp.impl.UdpMib;
import net.tern.udp.impl.UdpSettings;

/**
 * One whole host for a fuzz input: the core ({@link TestStack}: virtual time, pooled packets,
 * receive dispatch), IPv4 ({@link Inet}: {@code ip_rcv}, reassembly, ICMP), UDP, TCP and the
 * socket layer, wired as the bundles wire them, with {@code tun0} at 10.0.0.1/24 (a
 * {@link FakeDevice}) and a peer at 10.0.0.2 whose datagrams the target {@link #inject injects}
 * through the real receive dispatch. Everything is seeded: the same input does the same thing.
 *
 * <p>{@link #check()} after each step asserts what must hold whatever arrived: no error logged
 * by the stack (its boundaries catch and log what a handler throws), the IP counters account
 * for every datagram received, TCP's for every segment delivered to it, ICMP's for every
 * message, and TCP's per-socket invariants ({@link TcpInvariants}). {@link #close()} closes
 * every descriptor the target opened (each close must succeed), lets virtual time run until
 * every connection has ended by its own timers, checks that no TCP socket or timer is left,
 * tears the stack down, and checks that every packet allocated was released.
 */
public final class FuzzHost implements AutoCloseable {
    public static final int LOCAL = 0x0a000001;
    public static final int PEER = 0x0a000002;
    /** Past every timer a silent peer leaves running: SYN and FIN retries, retries2 with backoff, TIME-WAIT, FIN-WAIT-2. */
    private static final long SETTLE_MINUTES = 60;

    /**
     * {@code -Dtern.fuzz.trace=true}: each step, datagram in and out, and the TCP sockets after
     * each check, printed to stdout (for reading what a saved input does; off while fuzzing).
     */
    public static final boolean TRACE = Boolean.getBoolean("tern.fuzz.trace");

    private final long liveBefore = PacketLedger.live();
    private final long sequenceBefore = PacketLedger.allocations();
    private final TestStack stack = new TestStack();
    private final Inet inet;
    private final Tcp tcp;
    private final Udp udp;
    private final SocketLayer sockets;
    private final FakeDevice tun0;
    private final Counting tcpIn;
    private final Counting udpIn;
    private final TreeSet<Integer> fds = new TreeSet<>();
    private final List<Integer> udpFds = new ArrayList<>();
    /** Datagrams UDP queued to sockets and the target read back: for UDP's count at the end. */
    private long udpRead;
    private boolean closed;

    /** TCP alone (protocol 17 then has no handler: IP answers protocol unreachable). */
    public FuzzHost(TcpSettings tcpSettings) throws ErrnoException {
        this(tcpSettings, false);
    }

    /** TCP, and UDP when {@code withUdp}. */
    public FuzzHost(TcpSettings tcpSettings, boolean withUdp) throws ErrnoException {
        RecordingLoggerProvider.takeErrors();
        Random random = new Random(7);
        inet = new Inet(stack.clock(), stack.timers(), stack.allocator(), InetSettings.defaults(), random);
        stack.addPacketHandler(EtherType.IPV4, inet.input());
        stack.addLinkListener(inet.fib());
        tcp = new Tcp(stack.clock(), stack.timers(), stack.networkThread(), stack.allocator(), inet.output(),
                inet.fib(), inet.snmp(), inet.localPorts(), tcpSettings, new Random(11));
        tcpIn = new Counting(tcp);
        inet.addProtocol(tcpIn, Wire.IPPROTO_TCP);
        inet.family().addProtoSw(tcp.protoSw(), 0, 1);
        if (withUdp) {
            udp = new Udp(inet.fib(), inet.output(), inet.icmp(), inet.snmp(), stack.allocator(),
                    inet.localPorts(), UdpSettings.defaults(), new SplittableRandom(13));
            udpIn = new Counting(udp.input());
            inet.addProtocol(udpIn, Wire.IPPROTO_UDP);
            inet.family().addProtoSw(udp.protoSw(), 0, 2);
        } else {
            udp = null;
            udpIn = new Counting(null);
        }
        sockets = new SocketLayer(stack.clock(), stack.timers());
        sockets.bindFamily(inet.family(), Map.of("family", SocketConstants.AF_INET));
        tun0 = new FakeDevice("tun0", 1500, 65535, List.of(IfAddress.parse("10.0.0.1/24")));
        stack.register(tun0);
        stack.runUntilIdle();
    }

    public SocketApi api() {
        return sockets;
    }

    public Tcp tcp() {
        return tcp;
    }

    public Inet inet() {
        return inet;
    }

    public TestStack stack() {
        return stack;
    }

    /** A socket the host closes at the end; UDP ones are drained first. */
    public int socket(int type) throws ErrnoException {
        int fd = sockets.socket(SocketConstants.AF_INET, type | SocketConstants.SOCK_NONBLOCK, 0);
        fds.add(fd);
        if (type == SocketConstants.SOCK_DGRAM) {
            udpFds.add(fd);
        }
        return fd;
    }

    /** Takes note of a descriptor accept() gave, to close it at the end. */
    public void adopt(int fd) {
        fds.add(fd);
    }

    /** Closes {@code fd} now, as the application would; it must succeed. */
    public void closeFd(int fd) throws ErrnoException {
        trace("close(" + fd + ")");
        if (fds.remove(fd)) {
            if (udpFds.remove(Integer.valueOf(fd))) {
                drainUdp(fd);
            }
            sockets.close(fd);
        }
    }

    /** A datagram from the wire on tun0, then the stack runs until idle (time stays). */
    public void inject(byte[] datagram) {
        trace("in  " + Wire.describe(datagram));
        Packet packet = stack.allocator().allocate(TestStack.DEFAULT_HEADROOM, datagram.length);
        packet.buf().writeBytes(datagram);
        tun0.inject(packet.protocol(EtherType.IPV4));
        stack.runUntilIdle();
    }

    /** What the host sent since the last call, oldest first, as bytes (the packets are released). */
    public List<byte[]> sent() {
        stack.runUntilIdle();
        List<byte[]> out = new ArrayList<>();
        Packet p;
        while ((p = tun0.takeTransmitted()) != null) {
            try {
                byte[] bytes = new byte[p.length()];
                p.buf().getBytes(p.buf().readerIndex(), bytes);
                out.add(bytes);
                trace("out " + Wire.describe(bytes));
            } finally {
                p.release();
            }
        }
        return out;
    }

    /** Moves virtual time on; what is sent meanwhile is discarded. */
    public void advance(long millis) {
        trace("advance " + millis + " ms");
        stack.advance(millis, TimeUnit.MILLISECONDS);
        tun0.releaseTransmitted();
    }

    /** Prints {@code line} when {@link #TRACE} is on. */
    public static void trace(String line) {
        if (TRACE) {
            System.out.println(line);
        }
    }

    /** The invariants that hold after any input; throws {@link AssertionError} naming the broken one. */
    public void check() {
        if (TRACE) {
            trace("  at " + stack.time().nanoTime() / 1_000_000 + " ms: " + TcpInvariants.describe(tcp.sockets()));
        }
        List<String> errors = RecordingLoggerProvider.takeErrors();
        if (!errors.isEmpty()) {
            throw new AssertionError("the stack logged " + errors.size() + " error(s); first:\n" + errors.get(0));
        }
        checkIpAccounting();
        // Every segment counts in InSegs, bad or not, as tcp_v4_rcv counts it before any check;
        // InErrs (bad data offsets, bad checksums, SYNs challenged on an established connection)
        // is a part of those.
        long inSegs = tcp.counters().get(TcpMib.InSegs);
        long inErrs = tcp.counters().get(TcpMib.InErrs);
        if (inSegs != tcpIn.delivered || inErrs > inSegs) {
            throw new AssertionError("TCP was handed " + tcpIn.delivered + " segments, but InSegs = " + inSegs
                    + " and InErrs = " + inErrs);
        }
        long icmpDelivered = ip("InDelivers") - tcpIn.delivered - udpIn.delivered;
        long icmpIn = inet.counter("Icmp", "InMsgs");
        if (icmpIn != icmpDelivered) {
            throw new AssertionError("ICMP was handed " + icmpDelivered + " messages, but IcmpInMsgs = " + icmpIn);
        }
        long icmpErrors = inet.counter("Icmp", "InErrors");
        if (icmpErrors > icmpIn || inet.counter("Icmp", "InCsumErrors") > icmpErrors) {
            throw new AssertionError("ICMP InErrors " + icmpErrors + " / InCsumErrors "
                    + inet.counter("Icmp", "InCsumErrors") + " beyond InMsgs " + icmpIn);
        }
        if (udp == null) {
            TcpInvariants.check(tcp);
            return;
        }
        long udpDropped = udp(UdpMib.NoPorts) + udp(UdpMib.InErrors) + udp(UdpMib.IgnoredMulti);
        if (udpDropped > udpIn.delivered || udp(UdpMib.InCsumErrors) > udp(UdpMib.InErrors)
                || udp(UdpMib.RcvbufErrors) > udp(UdpMib.InErrors)) {
            throw new AssertionError("UDP counters beyond the " + udpIn.delivered + " datagrams handed to it: "
                    + udp.stats().group().snapshot());
        }
        TcpInvariants.check(tcp);
    }

    /**
     * {@code ip_rcv}'s account (see IpInput): each datagram received ends in one drop counter,
     * in reassembly (each fragment counted in ReasmReqds, each datagram made of them in
     * ReasmOKs), or in delivery (InDelivers, InUnknownProtos); forwarding is off.
     */
    private void checkIpAccounting() {
        long received = ip("InReceives");
        long accounted = ip("InHdrErrors") + inet.counter("IpExt", "InTruncatedPkts") + ip("InAddrErrors")
                + inet.counter("IpExt", "InNoRoutes") + ip("InDiscards") + ip("ForwDatagrams") + ip("ReasmReqds")
                + ip("InDelivers") + ip("InUnknownProtos") - ip("ReasmOKs");
        if (received != accounted) {
            throw new AssertionError("IpInReceives " + received + " but the outcomes add up to " + accounted + ": "
                    + inet.snmp().group("Ip").orElseThrow().snapshot() + " "
                    + inet.snmp().group("IpExt").orElseThrow().snapshot());
        }
    }

    private long ip(String name) {
        return inet.counter("Ip", name);
    }

    private long udp(UdpMib counter) {
        return udp.stats().get(counter);
    }

    private void drainUdp(int fd) throws ErrnoException {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        for (int i = 0; i < 100_000; i++) {
            buf.clear();
            try {
                sockets.recvfrom(fd, buf, 0);
                udpRead++;
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return;
                }
                // A pending error (ICMP port unreachable on a connected socket) is reported once.
            }
        }
        throw new AssertionError("UDP socket " + fd + " still readable after 100000 reads");
    }

    /**
     * The end of every input: closes what is open, lets the connections finish, checks that
     * nothing is left, tears down, and checks the packet ledger.
     */
    @Override
    public void close() throws ErrnoException {
        if (closed) {
            return;
        }
        closed = true;
        AssertionError failure = null;
        try {
            check();
            for (Integer fd : new ArrayList<>(fds)) {
                closeFd(fd);
            }
            stack.runUntilIdle();
            long udpAccounted = udp == null ? 0 : udp(UdpMib.NoPorts) + udp(UdpMib.InErrors) + udp(UdpMib.IgnoredMulti)
                    + udp(UdpMib.InDatagrams);
            if (udpAccounted != udpIn.delivered) {
                throw new AssertionError("UDP was handed " + udpIn.delivered + " datagrams; once every socket was read"
                        + " dry, NoPorts + InErrors + IgnoredMulti + InDatagrams = " + udpAccounted + " ("
                        + udp.stats().group().snapshot() + ", " + udpRead + " read)");
            }
            stack.advance(SETTLE_MINUTES, TimeUnit.MINUTES);
            tun0.releaseTransmitted();
            check();
            if (!tcp.sockets().isEmpty()) {
                throw new AssertionError(SETTLE_MINUTES + " minutes after every descriptor was closed, TCP still"
                        + " holds " + TcpInvariants.describe(tcp.sockets()));
            }
            TcpInvariants.checkNothingLeft(tcp);
            if (stack.time().pendingTimers() != 0) {
                throw new AssertionError(stack.time().pendingTimers() + " timer(s) still pending with no socket"
                        + " left: " + stack.time());
            }
        } catch (AssertionError e) {
            failure = e;
        } finally {
            tcp.close();
            if (udp != null) {
                udp.shutdown();
            }
            stack.close();
            inet.close();
            tun0.releaseTransmitted();
            stack.runUntilIdle();
        }
        if (failure != null) {
            throw failure;
        }
        long leaked = PacketLedger.live() - liveBefore;
        if (leaked != 0) {
            StringBuilder sb = new StringBuilder(leaked + " packet(s) not released");
            for (PacketLedger.Allocation a : PacketLedger.liveSince(sequenceBefore)) {
                sb.append('\n').append(a.describe());
            }
            if (!PacketLedger.strictFromSystemProperty()) {
                sb.append("\n(replay with -D").append(PacketLedger.PROPERTY).append("=strict to see where they were"
                        + " allocated)");
            }
            throw new AssertionError(sb.toString());
        }
        List<String> errors = RecordingLoggerProvider.takeErrors();
        if (!errors.isEmpty()) {
            throw new AssertionError("the stack logged " + errors.size() + " error(s) while closing; first:\n"
                    + errors.get(0));
        }
    }

    /** Counts what IP hands a protocol, to hold its counters to it. */
    private static final class Counting implements NetProtocol {
        private final NetProtocol target;
        long delivered;

        Counting(NetProtocol target) {
            this.target = target;
        }

        /** {@code target} null: none registered (never handed anything). */
        @Override
        public void handler(Packet packet) {
            delivered++;
            target.handler(packet);
        }

        @Override
        public void errHandler(Packet quoted, int type, int code, int info) {
            target.errHandler(quoted, type, code, info);
        }
    }
}
