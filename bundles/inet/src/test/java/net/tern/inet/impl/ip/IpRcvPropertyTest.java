package net.tern.inet.impl.ip;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import net.tern.core.testing.FakeDevice;
import net.tern.inet.testing.InetTestBed;
import net.tern.inet.testing.RecordingProtocol;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.wire.InetChecksum;
import net.tern.wire.Ipv4Repr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random and mutated IPv4 (and ICMP) packets fed to {@code ip_rcv}: nothing escapes, nothing
 * leaks, and the counters account for every packet received. Each run is generated from a
 * fixed seed (shown in the test's name), so any failure replays exactly.
 */
class IpRcvPropertyTest {
    /** One packet to feed, and whether it comes in on the loopback link or a point-to-point one. */
    record Injected(byte[] bytes, boolean viaLoopback) {
        @Override
        public String toString() {
            return (viaLoopback ? "lo " : "eth0 ") + Arrays.toString(bytes);
        }
    }

    private static final String[] SOURCES = {"10.0.0.1", "10.0.0.7", "127.0.0.1", "0.0.0.0", "224.0.0.1",
        "255.255.255.255", "10.0.0.2", "192.0.2.1"};
    private static final String[] DESTINATIONS = {"10.0.0.2", "10.0.0.255", "10.0.0.3", "127.0.0.1",
        "224.0.0.1", "255.255.255.255", "0.0.0.0", "198.51.100.7"};

    /** Runs of random traffic, each from its own seed so a failure names the run that reproduces it. */
    private static final int RUNS = 300;
    private static final long BASE_SEED = 0x7e57_1905_c0de_0001L;

    static LongStream seeds() {
        return LongStream.range(0, RUNS).map(i -> BASE_SEED + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyPacketIsAccountedForAndNoneLeaks(long seed) throws Exception {
        List<Injected> traffic = traffic(new SplittableRandom(seed));
        InetTestBed bed = new InetTestBed();
        RecordingProtocol udp = new RecordingProtocol();
        RecordingProtocol other = new RecordingProtocol();
        long handlerErrorsBefore;
        try {
            Link lo = bed.loopback();
            FakeDevice eth0 = bed.fake("eth0", 1500, "10.0.0.2/24");
            bed.inet().addProtocol(udp, 17);
            bed.inet().addProtocol(other, 200);
            handlerErrorsBefore = bed.stack().dispatcher().handlerErrors();

            for (Injected packet : traffic) {
                if (packet.viaLoopback()) {
                    lo.transmit(bed.stack().packet(EtherType.IPV4, packet.bytes()));
                    bed.runUntilIdle();
                } else {
                    bed.inject(eth0, packet.bytes());
                }
                InetTestBed.drain(eth0);
            }
            bed.advance(31, TimeUnit.SECONDS); // every reassembly ends
            InetTestBed.drain(eth0);

            long received = bed.ip("InReceives");
            long outcomes = bed.ip("InDelivers") + bed.ip("InHdrErrors") + bed.ip("InAddrErrors")
                    + bed.ip("InUnknownProtos") + bed.ip("InDiscards") + bed.ipExt("InTruncatedPkts")
                    + bed.ip("ForwDatagrams") + bed.ipExt("InNoRoutes");
            assertThat(received + bed.ip("ReasmOKs"))
                    .as("received + reassembled = delivered + dropped + taken by reassembly")
                    .isEqualTo(outcomes + bed.ip("ReasmReqds"));
            assertThat(received).as("at least what was injected").isGreaterThanOrEqualTo(traffic.size());
            assertThat(bed.ip("InDiscards")).as("no fault inside ip_rcv").isZero();
            assertThat(bed.stack().dispatcher().handlerErrors()).isEqualTo(handlerErrorsBefore);
            assertThat(bed.ip("InDelivers"))
                    .isEqualTo(udp.delivered.size() + other.delivered.size() + bed.icmp("InMsgs"));
            assertThat(bed.inet().reassembly().queues()).isZero();
            assertThat(bed.inet().reassembly().memory()).isZero();
        } finally {
            bed.close();
        }
        assertThat(bed.stack().allocator().outstanding()).as("packets leaked").isZero();
    }

    /** 1 to 40 packets: a fifth pure noise, the rest well-formed datagrams, most then mutated. */
    private static List<Injected> traffic(SplittableRandom random) {
        int count = 1 + random.nextInt(40);
        List<Injected> traffic = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] bytes = random.nextInt(5) == 0 ? bytes(random, 80) : mutated(random);
            traffic.add(new Injected(bytes, random.nextInt(5) == 0));
        }
        return traffic;
    }

    private static byte[] bytes(SplittableRandom random, int maxLength) {
        byte[] b = new byte[random.nextInt(maxLength + 1)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    private static byte[] mutated(SplittableRandom random) {
        int[] protocols = {1, 17, 99, 200};
        byte[] valid = datagram(SOURCES[random.nextInt(SOURCES.length)], DESTINATIONS[random.nextInt(DESTINATIONS.length)],
                protocols[random.nextInt(protocols.length)], bytes(random, 300), random.nextInt(5), random.nextInt(256),
                random.nextInt(4));
        return mutate(valid, random.nextInt(7), random.nextInt(401), random.nextInt(256));
    }

    /** A well-formed datagram; protocol 1 carries an ICMP message whose type comes from the payload. */
    private static byte[] datagram(String src, String dst, int protocol, byte[] payload, int fragmentMode, int ttl,
            int id) {
        byte[] body = payload;
        if (protocol == 1) {
            int type = payload.length == 0 ? 8 : new int[] {0, 3, 8, 8, 11, 12, 13, 5, 42}[(payload[0] & 0xff) % 9];
            byte[] data = payload.length > 1 ? Arrays.copyOfRange(payload, 1, payload.length) : new byte[0];
            if (type == 3 || type == 11 || type == 12) {
                // Errors quote a datagram of ours: sometimes UDP, sometimes an echo request.
                data = InetTestBed.datagram(dst, src, (data.length & 1) == 0 ? 17 : 1,
                        InetTestBed.icmpMessage(8, 0, 0x01020304, data));
            }
            body = InetTestBed.icmpMessage(type, payload.length > 2 ? payload[2] & 3 : 0, 0x00070001, data);
        }
        Ipv4Repr.Builder h = Ipv4Repr.builder().source(InetTestBed.addr(src)).destination(InetTestBed.addr(dst))
                .protocol(protocol).payloadLength(body.length).ttl(ttl).identification(id);
        switch (fragmentMode) {
            case 1 -> h.moreFragments(true);
            case 2 -> h.fragmentOffset(8 * (body.length % 4));
            case 3 -> h.fragmentOffset(8 * (1 + body.length % 4)).moreFragments(true);
            case 4 -> h.dontFragment(true);
            default -> {
            }
        }
        return InetTestBed.datagram(h.build(), body);
    }

    private static byte[] mutate(byte[] packet, int kind, int position, int value) {
        byte[] p = packet.clone();
        switch (kind) {
            case 1 -> p[position % p.length] ^= (byte) (value | 1);
            case 2 -> p = Arrays.copyOf(p, position % (p.length + 1));
            case 3 -> p = Arrays.copyOf(p, p.length + 1 + position % 20);
            case 4 -> {
                p[0] = (byte) value;
                fixChecksum(p);
            }
            case 5 -> {
                p[2] = (byte) (position >>> 8);
                p[3] = (byte) position;
                fixChecksum(p);
            }
            case 6 -> {
                p[6] = (byte) value;
                p[7] = (byte) position;
                fixChecksum(p);
            }
            default -> {
            }
        }
        return p;
    }

    private static void fixChecksum(byte[] p) {
        ByteBuf buf = Unpooled.wrappedBuffer(p);
        buf.setShort(10, 0);
        buf.setShort(10, InetChecksum.checksum(buf, 0, 20));
    }
}
