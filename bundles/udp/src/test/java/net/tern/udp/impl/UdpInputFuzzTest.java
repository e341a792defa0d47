package net.tern.udp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_RCVBUF;
import static net.tern.udp.testing.UdpWire.addr;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.RecvResult;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.TestStack;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Packet;
import net.tern.udp.testing.UdpTestBed;
import net.tern.udp.testing.UdpWire;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated UDP datagrams, inside valid IPv4, fed to UDP's input: nothing escapes,
 * nothing leaks, and every datagram ends in exactly the counter (or socket) an independent
 * model of {@code __udp4_lib_rcv} predicts. The seed is printed with any failure; set
 * {@code -Dtern.fuzz.seed=N} to replay one.
 */
class UdpInputFuzzTest extends UdpTestBase {
    private static final long SEED = Long.getLong("tern.fuzz.seed", 0x7e570dd5L);
    private static final int PEER = addr("10.0.0.1");
    private static final int OTHER_PEER = addr("10.0.0.7");
    private static final int HOST = addr("10.0.0.2");
    private static final int SUBNET_BROADCAST = addr("10.0.0.255");
    private static final int LIMITED_BROADCAST = -1;

    /** How often the model predicted each outcome, so a weakened generator shows up. */
    private final Map<String, Integer> outcomes = new TreeMap<>();

    /** The sockets under test and the model of each one's receive queue. */
    private final class Target {
        final int fd;
        final int boundAddress;
        final int port;
        final int peerAddress;
        final int peerPort;
        final int rcvbuf;
        final Deque<byte[]> expectedPayloads = new ArrayDeque<>();
        final Deque<InetSockAddr> expectedSenders = new ArrayDeque<>();
        final Deque<Integer> expectedCharges = new ArrayDeque<>();
        int charged;

        Target(int boundAddress, int port, int peerAddress, int peerPort, boolean smallBuffer) throws ErrnoException {
            this.fd = bed.udpSocket();
            this.boundAddress = boundAddress;
            this.port = port;
            this.peerAddress = peerAddress;
            this.peerPort = peerPort;
            if (smallBuffer) {
                api.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 1);
            }
            this.rcvbuf = api.getsockopt(fd, SOL_SOCKET, SO_RCVBUF);
            api.bind(fd, new InetSockAddr(boundAddress, port));
            if (peerAddress != 0) {
                api.connect(fd, new InetSockAddr(peerAddress, peerPort));
            }
        }

        boolean takesUnicast(int source, int sourcePort, int destination, int destinationPort) {
            return destinationPort == port && (boundAddress == 0 || boundAddress == destination)
                    && (peerAddress == 0 || (peerAddress == source && peerPort == sourcePort));
        }
    }

    private FakeDevice eth;
    private Target wildcard;
    private Target specific;
    private Target loopbackOnly;
    private Target connected;
    private Target[] targets;

    @BeforeEach
    void setUp() throws ErrnoException {
        eth = bed.fake("eth0", 1500, "10.0.0.2/24");
        wildcard = new Target(0, 5000, 0, 0, true);
        specific = new Target(HOST, 5001, 0, 0, true);
        loopbackOnly = new Target(InetSockAddr.INADDR_LOOPBACK, 5002, 0, 0, false);
        connected = new Target(HOST, 5003, PEER, 4000, false);
        targets = new Target[] {wildcard, specific, loopbackOnly, connected};
    }

    @Test
    void randomDatagramsHandedToUdpRcvAreAllAccountedFor() throws Exception {
        run(SEED, 20_000, false);
    }

    @Test
    void randomDatagramsThroughIpRcvAreAllAccountedFor() throws Exception {
        run(SEED + 1, 5_000, true);
    }

    private void run(long seed, int iterations, boolean throughIp) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < iterations; i++) {
            int source = random.nextInt(4) == 0 ? OTHER_PEER : PEER;
            int destination = switch (random.nextInt(20)) {
                case 0 -> SUBNET_BROADCAST;
                case 1 -> LIMITED_BROADCAST;
                default -> HOST;
            };
            byte[] segment = mutate(random, validSegment(random, source, destination), source, destination);
            String what = "seed " + seed + " iteration " + i + ": UDP from "
                    + InetSockAddr.formatAddress(source) + " to " + InetSockAddr.formatAddress(destination) + " "
                    + HexFormat.of().formatHex(segment);

            Map<UdpMib, Long> before = counters();
            Map<UdpMib, Long> expected = expect(source, destination, segment);
            String outcome = expected.isEmpty() ? "queued"
                    : expected.containsKey(UdpMib.InCsumErrors) ? "InCsumErrors"
                    : expected.containsKey(UdpMib.RcvbufErrors) ? "RcvbufErrors"
                    : expected.keySet().iterator().next().name();
            outcomes.merge(outcome, 1, Integer::sum);
            byte[] ip = UdpWire.ipv4(source, destination, UdpWire.IPPROTO_UDP, segment);
            if (throughIp) {
                bed.inject(eth, ip);
            } else {
                bed.udp().input().handler(received(bed.stack(), ip));
                bed.runUntilIdle();
            }
            UdpTestBed.drain(eth); // ICMP port unreachables
            Map<UdpMib, Long> after = counters();
            for (UdpMib counter : UdpMib.values()) {
                assertThat(after.get(counter) - before.get(counter)).as("%s: Udp%s", what, counter)
                        .isEqualTo(expected.getOrDefault(counter, 0L));
            }
            if (random.nextInt(32) == 0 || i == iterations - 1) {
                drainAndCheck(what);
            }
        }
        long queued = 0;
        for (Target t : targets) {
            queued += t.expectedPayloads.size();
        }
        assertThat(queued).as("seed %d: everything was read", seed).isZero();
        assertThat(outcomes).as("seed %d: every outcome was exercised", seed)
                .containsOnlyKeys("InErrors", "InCsumErrors", "NoPorts", "IgnoredMulti", "RcvbufErrors", "queued")
                .allSatisfy((outcome, count) -> assertThat(count).as(outcome).isGreaterThan(iterations / 500));
        if (throughIp) {
            assertThat(bed.ip("InDiscards")).as("seed %d: nothing escaped the handler", seed).isZero();
            assertThat(bed.ip("InDelivers")).as("seed %d", seed).isEqualTo(iterations);
        }
    }

    /** A packet as {@code ip_rcv} hands it on: network header set, data at the UDP header. */
    private static Packet received(TestStack stack, byte[] ip) {
        Packet p = stack.packet(EtherType.IPV4, ip);
        p.resetNetworkHeader();
        p.pull(UdpWire.IP_HEADER);
        p.resetTransportHeader();
        return p;
    }

    private Map<UdpMib, Long> counters() {
        Map<UdpMib, Long> values = new EnumMap<>(UdpMib.class);
        for (UdpMib counter : UdpMib.values()) {
            values.put(counter, bed.udp().stats().get(counter));
        }
        return values;
    }

    private static byte[] validSegment(SplittableRandom random, int source, int destination) {
        int sourcePort = random.nextInt(3) == 0 ? random.nextInt(65536) : 4000;
        int destinationPort = random.nextInt(4) == 0 ? random.nextInt(65536) : 5000 + random.nextInt(5);
        byte[] payload = new byte[random.nextInt(10) == 0 ? random.nextInt(1400) : random.nextInt(64)];
        random.nextBytes(payload);
        return UdpWire.segment(source, sourcePort, destination, destinationPort, payload, random.nextInt(10) != 0);
    }

    private static byte[] mutate(SplittableRandom random, byte[] segment, int source, int destination) {
        byte[] s = segment;
        switch (random.nextInt(10)) {
            case 0, 1, 2 -> {
                // left valid
            }
            case 3 -> {
                int flips = 1 + random.nextInt(3);
                for (int k = 0; k < flips && s.length > 0; k++) {
                    s[random.nextInt(s.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 4 -> UdpWire.putShort(s, 4, random.nextInt(s.length + 12));
            case 5 -> s = Arrays.copyOf(s, random.nextInt(s.length + 1));
            case 6 -> {
                byte[] padded = Arrays.copyOf(s, s.length + 1 + random.nextInt(16));
                for (int k = s.length; k < padded.length; k++) {
                    padded[k] = (byte) random.nextInt(256);
                }
                s = padded;
            }
            case 7 -> UdpWire.putShort(s, 6, 0);
            case 8 -> {
                s = new byte[random.nextInt(40)];
                random.nextBytes(s);
            }
            default -> {
                // A header error with the checksum made right for it, so only the header is wrong.
                UdpWire.putShort(s, 4, random.nextBoolean() ? random.nextInt(8) : s.length + 1 + random.nextInt(8));
                UdpWire.putShort(s, 6, 0);
                int sum = ~UdpWire.onesComplementSum(source, destination, s) & 0xffff;
                UdpWire.putShort(s, 6, sum == 0 ? 0xffff : sum);
            }
        }
        return s;
    }

    /** The model: which counters the datagram moves, and which socket's queue it joins. */
    private Map<UdpMib, Long> expect(int source, int destination, byte[] segment) {
        Map<UdpMib, Long> delta = new EnumMap<>(UdpMib.class);
        if (segment.length < 8) {
            delta.put(UdpMib.InErrors, 1L);
            return delta;
        }
        int length = UdpWire.getShort(segment, 4);
        if (length > segment.length || length < 8) {
            delta.put(UdpMib.InErrors, 1L);
            return delta;
        }
        byte[] datagram = Arrays.copyOf(segment, length);
        if (!UdpWire.checksumOk(source, destination, datagram)) {
            delta.put(UdpMib.InCsumErrors, 1L);
            delta.put(UdpMib.InErrors, 1L);
            return delta;
        }
        int sourcePort = UdpWire.getShort(datagram, 0);
        int destinationPort = UdpWire.getShort(datagram, 2);
        byte[] payload = Arrays.copyOfRange(datagram, 8, length);
        // The packet holding it: IP's headroom in front of the IPv4 header and the whole segment.
        int truesize = bed.truesize(TestStack.DEFAULT_HEADROOM + UdpWire.IP_HEADER + segment.length);
        Target receiver = null;
        if (destination == SUBNET_BROADCAST || destination == LIMITED_BROADCAST) {
            for (Target t : targets) {
                boolean member = t.port == destinationPort && t.boundAddress == 0 && t.peerAddress == 0;
                if (member) {
                    receiver = t;
                }
            }
            if (receiver == null) {
                delta.put(UdpMib.IgnoredMulti, 1L);
                return delta;
            }
        } else {
            for (Target t : targets) {
                if (t.takesUnicast(source, sourcePort, destination, destinationPort)) {
                    receiver = t;
                }
            }
            if (receiver == null) {
                delta.put(UdpMib.NoPorts, 1L);
                return delta;
            }
        }
        if (receiver.charged > receiver.rcvbuf) {
            delta.put(UdpMib.RcvbufErrors, 1L);
            delta.put(UdpMib.InErrors, 1L);
            return delta;
        }
        receiver.charged += truesize;
        receiver.expectedPayloads.add(payload);
        receiver.expectedSenders.add(new InetSockAddr(source, sourcePort));
        receiver.expectedCharges.add(truesize);
        return delta;
    }

    private void drainAndCheck(String what) throws ErrnoException {
        for (Target t : targets) {
            while (!t.expectedPayloads.isEmpty()) {
                ByteBuffer dst = ByteBuffer.allocate(2000);
                long inBefore = bed.udp().stats().get(UdpMib.InDatagrams);
                RecvResult r = api.recvfrom(t.fd, dst, 0);
                assertThat(Arrays.copyOf(dst.array(), r.bytes())).as("%s: payload at port %d", what, t.port)
                        .isEqualTo(t.expectedPayloads.poll());
                assertThat(r.from()).as("%s: sender at port %d", what, t.port).isEqualTo(t.expectedSenders.poll());
                assertThat(bed.udp().stats().get(UdpMib.InDatagrams) - inBefore).isEqualTo(1);
                t.charged -= t.expectedCharges.poll();
            }
            assertThat(errnoOf(() -> api.recvfrom(t.fd, ByteBuffer.allocate(10), 0)).name())
                    .as("%s: nothing more at port %d", what, t.port).isEqualTo("EAGAIN");
        }
    }
}
