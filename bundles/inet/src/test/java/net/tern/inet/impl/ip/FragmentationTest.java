package net.tern.inet.impl.ip;

import static net.tern.inet.testing.InetTestBed.addr;
import static net.tern.inet.testing.InetTestBed.bytes;
import static net.tern.inet.testing.InetTestBed.datagram;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.impl.InetSettings;
import net.tern.inet.ip.InetConstants;
import net.tern.inet.ip.TxParams;
import net.tern.inet.testing.InetTestBed;
import net.tern.inet.testing.RecordingProtocol;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Packet;
import net.tern.wire.IcmpPacket;
import net.tern.wire.IcmpTypes;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.Ipv4Repr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PacketLeakCheck.class)
class FragmentationTest {
    private static final int PROTO = 200;
    private InetTestBed bed;
    private final RecordingProtocol recorder = new RecordingProtocol();
    private FakeDevice eth0;

    private void start(InetSettings settings) throws ErrnoException {
        bed = new InetTestBed(settings);
        bed.loopback();
        eth0 = bed.fake("eth0", 1500, "10.0.0.2/24");
        bed.inet().addProtocol(recorder, PROTO);
    }

    private void start() throws ErrnoException {
        start(InetSettings.defaults());
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    /** The fragments of a datagram from {@code src} with {@code payload}, {@code size} payload bytes each (a multiple of 8). */
    static List<byte[]> fragments(String src, int id, byte[] payload, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int offset = 0; offset < payload.length; offset += size) {
            int length = Math.min(size, payload.length - offset);
            Ipv4Repr h = Ipv4Repr.builder().source(addr(src)).destination(addr("10.0.0.2")).protocol(PROTO)
                    .identification(id).payloadLength(length).fragmentOffset(offset)
                    .moreFragments(offset + length < payload.length).build();
            out.add(datagram(h, Arrays.copyOfRange(payload, offset, offset + length)));
        }
        return out;
    }

    private Packet payloadPacket(byte[] payload) {
        Packet p = bed.stack().allocator().allocate(InetConstants.MAX_IP_HEADROOM, payload.length);
        p.buf().writeBytes(payload);
        return p;
    }

    @Test
    void outputFragmentsToTheLinkMtu() throws Exception {
        start();
        byte[] payload = bytes(3000, 5);

        bed.inet().output().send(payloadPacket(payload), 0, addr("10.0.0.1"), TxParams.of(PROTO));

        List<byte[]> sent = InetTestBed.drain(eth0);
        assertThat(sent).extracting(b -> b.length).containsExactly(1500, 1500, 60);
        int id = Ipv4Packet.at(Unpooled.wrappedBuffer(sent.get(0)), 0).identification();
        int[] offsets = {0, 1480, 2960};
        byte[] joined = new byte[3000];
        for (int i = 0; i < 3; i++) {
            Ipv4Packet ip = Ipv4Packet.at(Unpooled.wrappedBuffer(sent.get(i)), 0);
            assertThat(ip.checkHeader(sent.get(i).length)).isEqualTo(Ipv4Packet.Check.OK);
            assertThat(ip.identification()).isEqualTo(id);
            assertThat(ip.fragmentOffset()).isEqualTo(offsets[i]);
            assertThat(ip.moreFragments()).isEqualTo(i < 2);
            assertThat(ip.source()).isEqualTo(addr("10.0.0.2"));
            System.arraycopy(sent.get(i), 20, joined, offsets[i], sent.get(i).length - 20);
        }
        assertThat(joined).isEqualTo(payload);
        assertThat(bed.ip("OutRequests")).isEqualTo(1);
        assertThat(bed.ip("FragOKs")).isEqualTo(1);
        assertThat(bed.ip("FragCreates")).isEqualTo(3);
    }

    @Test
    void dontFragmentAndTooBigIsEmsgsize() throws Exception {
        start();
        assertThatThrownBy(() -> bed.inet().output().send(payloadPacket(bytes(1481, 0)), 0, addr("10.0.0.1"),
                TxParams.of(PROTO).withDontFragment(true)))
                .isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errno.EMSGSIZE));
        assertThat(InetTestBed.drain(eth0)).isEmpty();
        assertThat(bed.ip("FragFails")).isEqualTo(1);
    }

    @Test
    void aDatagramOver65535BytesIsEmsgsize() throws Exception {
        start();
        assertThatThrownBy(() -> bed.inet().output().send(payloadPacket(new byte[65516]), 0, addr("10.0.0.1"),
                TxParams.of(PROTO)))
                .isInstanceOf(ErrnoException.class)
                .satisfies(e -> assertThat(((ErrnoException) e).errno()).isEqualTo(Errno.EMSGSIZE));
    }

    /**
     * A fragment is charged its whole buffer, not its bytes: 16 bytes of fragment in the
     * buffer a TUN read allocates for an MTU of 1500 (128 bytes of headroom and 1501 of room:
     * the pool's 1792-byte size class) cost as much as a full-sized one, so a flood of tiny
     * fragments meets ipfrag_high_thresh as soon as full-sized ones would.
     */
    @Test
    void aFragmentIsChargedItsWholeBuffer() throws Exception {
        start();
        byte[] tiny = fragments("10.0.0.1", 8, bytes(100, 3), 16).get(0);
        Packet packet = bed.stack().allocator().allocate(128, 1501);
        packet.buf().writeBytes(tiny);
        packet.protocol(EtherType.IPV4);
        int truesize = packet.truesize();
        assertThat(truesize).isEqualTo(1792 + Packet.OVERHEAD);

        eth0.inject(packet);
        bed.stack().runUntilIdle();

        assertThat(bed.inet().reassembly().memory()).isEqualTo(truesize + Reassembly.QUEUE_OVERHEAD);
        bed.advance(30, TimeUnit.SECONDS);
        assertThat(bed.inet().reassembly().memory()).isZero();
    }

    @Test
    void reassemblesInOrder() throws Exception {
        start();
        byte[] payload = bytes(4000, 9);
        for (byte[] f : fragments("10.0.0.1", 7, payload, 1480)) {
            bed.inject(eth0, f);
        }
        assertThat(recorder.delivered).singleElement().extracting(RecordingProtocol.Delivery::transport).isEqualTo(payload);
        assertThat(bed.ip("ReasmReqds")).isEqualTo(3);
        assertThat(bed.ip("ReasmOKs")).isEqualTo(1);
        assertThat(bed.ip("InDelivers")).isEqualTo(1);
        assertThat(bed.inet().reassembly().queues()).isZero();
        assertThat(bed.inet().reassembly().memory()).isZero();
    }

    @Test
    void reassemblesReversed() throws Exception {
        start();
        byte[] payload = bytes(5000, 3);
        List<byte[]> parts = fragments("10.0.0.1", 8, payload, 1000);
        Collections.reverse(parts);
        for (byte[] f : parts) {
            bed.inject(eth0, f);
        }
        assertThat(recorder.delivered).singleElement().extracting(RecordingProtocol.Delivery::transport).isEqualTo(payload);
        byte[] header = recorder.delivered.get(0).ipHeader();
        Ipv4Packet ip = Ipv4Packet.at(Unpooled.wrappedBuffer(header), 0);
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.totalLength()).isEqualTo(5020);
        assertThat(ip.verifyChecksum()).isTrue();
    }

    @Test
    void anExactDuplicateIsDroppedAloneAndTheDatagramStillCompletes() throws Exception {
        start();
        byte[] payload = bytes(3000, 1);
        List<byte[]> parts = fragments("10.0.0.1", 9, payload, 1000);
        bed.inject(eth0, parts.get(0));
        bed.inject(eth0, parts.get(1));
        bed.inject(eth0, parts.get(1));
        bed.inject(eth0, parts.get(2));
        assertThat(recorder.delivered).singleElement().extracting(RecordingProtocol.Delivery::transport).isEqualTo(payload);
        assertThat(bed.ip("ReasmFails")).isZero();
    }

    @Test
    void overlappingFragmentsDiscardTheWholeDatagramAndItsLaterFragments() throws Exception {
        start();
        byte[] payload = bytes(3000, 1);
        List<byte[]> parts = fragments("10.0.0.1", 10, payload, 1000);
        Ipv4Repr overlapping = Ipv4Repr.builder().source(addr("10.0.0.1")).destination(addr("10.0.0.2"))
                .protocol(PROTO).identification(10).payloadLength(1000).fragmentOffset(504).moreFragments(true).build();

        bed.inject(eth0, parts.get(0));
        bed.inject(eth0, datagram(overlapping, Arrays.copyOfRange(payload, 504, 1504)));
        bed.inject(eth0, parts.get(1));
        bed.inject(eth0, parts.get(2));

        assertThat(recorder.delivered).isEmpty();
        assertThat(bed.ipExt("ReasmOverlaps")).isEqualTo(1);
        assertThat(bed.ip("ReasmFails")).isEqualTo(1);
        assertThat(bed.inet().reassembly().fragmentsHeld()).isZero();

        bed.advance(30, TimeUnit.SECONDS);

        assertThat(bed.ip("ReasmTimeout")).as("a discarded datagram does not time out again").isZero();
        assertThat(bed.inet().reassembly().queues()).isZero();
        assertThat(bed.inet().reassembly().memory()).isZero();
        assertThat(InetTestBed.drain(eth0)).as("no time exceeded for it").isEmpty();
    }

    @Test
    void aMissingLastFragmentTimesOutAfter30SecondsWithTimeExceeded() throws Exception {
        start();
        byte[] payload = bytes(3000, 1);
        List<byte[]> parts = fragments("10.0.0.1", 11, payload, 1000);
        bed.inject(eth0, parts.get(0));
        bed.inject(eth0, parts.get(1));

        bed.advance(29_999, TimeUnit.MILLISECONDS);
        assertThat(bed.ip("ReasmTimeout")).isZero();

        bed.advance(1, TimeUnit.MILLISECONDS);

        assertThat(bed.ip("ReasmTimeout")).isEqualTo(1);
        assertThat(bed.ip("ReasmFails")).isEqualTo(1);
        assertThat(bed.inet().reassembly().queues()).isZero();
        assertThat(bed.inet().reassembly().memory()).isZero();
        List<byte[]> sent = InetTestBed.drain(eth0);
        assertThat(sent).hasSize(1);
        IcmpPacket icmp = IcmpPacket.at(Unpooled.wrappedBuffer(sent.get(0)), 20);
        assertThat(icmp.type()).isEqualTo(IcmpTypes.TIME_EXCEEDED);
        assertThat(icmp.code()).isEqualTo(IcmpTypes.EXC_FRAGTIME);
        assertThat(Arrays.copyOfRange(sent.get(0), 28, 48)).as("quotes the first fragment's header")
                .isEqualTo(Arrays.copyOf(parts.get(0), 20));
        assertThat(recorder.delivered).isEmpty();
    }

    @Test
    void withoutTheFirstFragmentATimeoutSendsNoIcmp() throws Exception {
        start();
        List<byte[]> parts = fragments("10.0.0.1", 12, bytes(3000, 1), 1000);
        bed.inject(eth0, parts.get(1));
        bed.inject(eth0, parts.get(2));

        bed.advance(30, TimeUnit.SECONDS);

        assertThat(bed.ip("ReasmTimeout")).isEqualTo(1);
        assertThat(InetTestBed.drain(eth0)).isEmpty();
    }

    @Test
    void aFloodOfIncompleteDatagramsCannotGrowMemoryPastTheCaps() throws Exception {
        long high = 64 * 1024;
        long perSource = 16 * 1024;
        start(InetSettings.defaults().withReassembly(new Reassembly.Limits(TimeUnit.SECONDS.toNanos(30), high, perSource)));
        Reassembly reassembly = bed.inet().reassembly();
        long maxSeen = 0;
        for (int source = 1; source <= 20; source++) {
            for (int id = 0; id < 50; id++) {
                bed.inject(eth0, fragments("10.0.1." + source, id, bytes(2000, id), 1000).get(0));
                maxSeen = Math.max(maxSeen, reassembly.memory());
                assertThat(reassembly.memoryOf(addr("10.0.1." + source))).isLessThanOrEqualTo(perSource);
            }
        }
        assertThat(maxSeen).isLessThanOrEqualTo(high);
        assertThat(bed.ip("ReasmFails")).as("refused fragments").isPositive();
        assertThat(bed.ip("ReasmReqds")).isEqualTo(1000);

        bed.advance(30, TimeUnit.SECONDS);
        assertThat(reassembly.memory()).isZero();
        assertThat(reassembly.queues()).isZero();
    }

    @Test
    void oneSourceFloodingLeavesRoomForOthers() throws Exception {
        start(InetSettings.defaults().withReassembly(
                new Reassembly.Limits(TimeUnit.SECONDS.toNanos(30), 256 * 1024, 16 * 1024)));
        for (int id = 0; id < 200; id++) {
            bed.inject(eth0, fragments("10.0.0.66", id, bytes(2000, id), 1000).get(0));
        }
        byte[] payload = bytes(3000, 4);
        for (byte[] f : fragments("10.0.0.1", 1, payload, 1000)) {
            bed.inject(eth0, f);
        }
        assertThat(recorder.delivered).singleElement().extracting(RecordingProtocol.Delivery::transport).isEqualTo(payload);
    }

    @Test
    void fragmentsSentThroughLoopbackAreReassembledOnTheWayIn() throws Exception {
        start();
        bed.link("lo").setMtu(1500);
        byte[] payload = bytes(6000, 2);

        bed.inet().output().send(payloadPacket(payload), 0, addr("127.0.0.1"), TxParams.of(PROTO));
        bed.runUntilIdle();

        assertThat(recorder.delivered).singleElement().extracting(RecordingProtocol.Delivery::transport).isEqualTo(payload);
        assertThat(bed.ip("FragCreates")).isEqualTo(5);
        assertThat(bed.ip("ReasmOKs")).isEqualTo(1);
    }
}
