package net.tern.inet.impl.ip;

import static net.tern.inet.testing.InetTestBed.addr;
import static net.tern.inet.testing.InetTestBed.bytes;
import static net.tern.inet.testing.InetTestBed.datagram;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.impl.InetSettings;
import net.tern.inet.testing.InetTestBed;
import net.tern.inet.testing.RecordingProtocol;
import net.tern.wire.IcmpPacket;
import net.tern.wire.IcmpTypes;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.Ipv4Repr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PacketLeakCheck.class)
class IpInputTest {
    private static final int PROTO = 200;
    private InetTestBed bed = new InetTestBed();
    private final RecordingProtocol recorder = new RecordingProtocol();
    private FakeDevice eth0;

    @BeforeEach
    void setUp() throws Exception {
        bed.loopback();
        eth0 = bed.fake("eth0", 1500, "10.0.0.2/24");
        bed.inet().addProtocol(recorder, PROTO);
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    private byte[] valid() {
        return datagram("10.0.0.1", "10.0.0.2", PROTO, bytes(40, 1));
    }

    private void assertDroppedAs(byte[] packet, String counter) {
        long before = bed.ip(counter);
        bed.inject(eth0, packet);
        assertThat(bed.ip(counter)).as(counter).isEqualTo(before + 1);
        assertThat(bed.ip("InReceives")).isEqualTo(1);
        assertThat(bed.ip("InDelivers")).isZero();
        assertThat(recorder.delivered).isEmpty();
    }

    @Test
    void aValidDatagramIsDeliveredAtItsTransportHeader() {
        bed.inject(eth0, valid());

        assertThat(recorder.delivered).hasSize(1);
        assertThat(recorder.delivered.get(0).transport()).isEqualTo(bytes(40, 1));
        assertThat(recorder.delivered.get(0).ipHeader()).isEqualTo(Arrays.copyOf(valid(), 20));
        assertThat(bed.ip("InReceives")).isEqualTo(1);
        assertThat(bed.ip("InDelivers")).isEqualTo(1);
    }

    @Test
    void linkPaddingBeyondTheTotalLengthIsTrimmed() {
        byte[] padded = Arrays.copyOf(valid(), valid().length + 6);
        bed.inject(eth0, padded);
        assertThat(recorder.delivered).singleElement().extracting(RecordingProtocol.Delivery::transport)
                .isEqualTo(bytes(40, 1));
    }

    @Test
    void aPacketShorterThanAHeaderIsAHeaderError() {
        assertDroppedAs(Arrays.copyOf(valid(), 19), "InHdrErrors");
    }

    @Test
    void versionOtherThan4IsAHeaderError() {
        byte[] p = valid();
        p[0] = 0x65;
        assertDroppedAs(p, "InHdrErrors");
    }

    @Test
    void ihlBelow5IsAHeaderError() {
        byte[] p = valid();
        p[0] = 0x44;
        assertDroppedAs(p, "InHdrErrors");
    }

    @Test
    void aBadChecksumIsAHeaderAndChecksumError() {
        byte[] p = valid();
        p[11] ^= 0x01;
        assertDroppedAs(p, "InHdrErrors");
        assertThat(bed.ipExt("InCsumErrors")).isEqualTo(1);
    }

    @Test
    void totalLengthBeyondThePacketIsATruncatedPacket() {
        byte[] p = Arrays.copyOf(valid(), 50); // header says 60
        bed.inject(eth0, p);
        assertThat(bed.ipExt("InTruncatedPkts")).isEqualTo(1);
        assertThat(bed.ip("InReceives")).isEqualTo(1);
        assertThat(bed.ip("InDelivers")).isZero();
    }

    @Test
    void totalLengthBelowTheHeaderIsAHeaderError() {
        var buf = Unpooled.wrappedBuffer(valid());
        Ipv4Packet.at(buf, 0).setTotalLength(16).fillChecksum();
        assertDroppedAs(buf.array(), "InHdrErrors");
    }

    @Test
    void notForThisHostWithForwardingOffIsAnAddressError() {
        assertDroppedAs(datagram("10.0.0.1", "10.0.0.3", PROTO, bytes(8, 0)), "InAddrErrors");
        assertThat(InetTestBed.drain(eth0)).as("no ICMP for it").isEmpty();
    }

    @Test
    void martianSourcesAreAddressErrors() {
        assertDroppedAs(datagram("224.0.0.5", "10.0.0.2", PROTO, bytes(8, 0)), "InAddrErrors");
    }

    @Test
    void loopbackAddressesFromARealLinkAreMartians() {
        assertDroppedAs(datagram("127.0.0.1", "10.0.0.2", PROTO, bytes(8, 0)), "InAddrErrors");
    }

    @Test
    void broadcastToTheSubnetIsDelivered() {
        bed.inject(eth0, datagram("10.0.0.1", "10.0.0.255", PROTO, bytes(8, 0)));
        assertThat(recorder.delivered).hasSize(1);
    }

    @Test
    void unknownProtocolIsCountedAndAnsweredWithProtocolUnreachable() {
        byte[] sent = datagram("10.0.0.1", "10.0.0.2", 99, bytes(12, 3));
        bed.inject(eth0, sent);

        assertThat(bed.ip("InUnknownProtos")).isEqualTo(1);
        assertThat(bed.ip("InDelivers")).isZero();
        List<byte[]> out = InetTestBed.drain(eth0);
        assertThat(out).hasSize(1);
        var reply = Unpooled.wrappedBuffer(out.get(0));
        Ipv4Packet ip = Ipv4Packet.at(reply, 0);
        assertThat(ip.source()).isEqualTo(addr("10.0.0.2"));
        assertThat(ip.destination()).isEqualTo(addr("10.0.0.1"));
        assertThat(ip.protocol()).isEqualTo(1);
        IcmpPacket icmp = IcmpPacket.at(reply, 20);
        assertThat(icmp.type()).isEqualTo(IcmpTypes.DEST_UNREACH);
        assertThat(icmp.code()).isEqualTo(IcmpTypes.PROT_UNREACH);
        assertThat(icmp.verifyChecksum(out.get(0).length - 20)).isTrue();
        byte[] quoted = Arrays.copyOfRange(out.get(0), 28, out.get(0).length);
        assertThat(quoted).isEqualTo(sent);
        assertThat(bed.icmp("OutDestUnreachs")).isEqualTo(1);
    }

    @Test
    void ttlExpiryWhenForwardingIsAHeaderErrorAnsweredWithTimeExceeded() throws Exception {
        bed.close();
        bed = new InetTestBed(InetSettings.defaults().withForwarding(true));
        eth0 = bed.fake("eth0", 1500, "10.0.0.2/24");
        FakeDevice eth1 = bed.fake("eth1", 1500, "10.1.0.2/24");
        byte[] expiring = datagram(Ipv4Repr.builder().source(addr("10.0.0.1")).destination(addr("10.1.0.9"))
                .protocol(PROTO).payloadLength(8).ttl(1).build(), bytes(8, 0));

        bed.inject(eth0, expiring);

        assertThat(bed.ip("InHdrErrors")).isEqualTo(1);
        assertThat(InetTestBed.drain(eth1)).isEmpty();
        List<byte[]> back = InetTestBed.drain(eth0);
        assertThat(back).hasSize(1);
        IcmpPacket icmp = IcmpPacket.at(Unpooled.wrappedBuffer(back.get(0)), 20);
        assertThat(icmp.type()).isEqualTo(IcmpTypes.TIME_EXCEEDED);
        assertThat(icmp.code()).isEqualTo(IcmpTypes.EXC_TTL);
    }

    @Test
    void forwardingOnSendsTheDatagramOnWithTtlLessOne() throws Exception {
        bed.close();
        bed = new InetTestBed(InetSettings.defaults().withForwarding(true));
        eth0 = bed.fake("eth0", 1500, "10.0.0.2/24");
        FakeDevice eth1 = bed.fake("eth1", 1500, "10.1.0.2/24");

        bed.inject(eth0, datagram("10.0.0.1", "10.1.0.9", PROTO, bytes(8, 0)));

        List<byte[]> out = InetTestBed.drain(eth1);
        assertThat(out).hasSize(1);
        Ipv4Packet ip = Ipv4Packet.at(Unpooled.wrappedBuffer(out.get(0)), 0);
        assertThat(ip.ttl()).isEqualTo(63);
        assertThat(ip.verifyChecksum()).isTrue();
        assertThat(bed.ip("ForwDatagrams")).isEqualTo(1);
    }

    @Test
    void aThrowingHandlerDoesNotLeakOrStopInput() {
        bed.inet().addProtocol(new net.tern.spi.proto.NetProtocol() {
            @Override
            public void handler(net.tern.spi.net.Packet packet) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void errHandler(net.tern.spi.net.Packet quoted, int type, int code, int info) {
            }
        }, 201);
        bed.inject(eth0, datagram("10.0.0.1", "10.0.0.2", 201, bytes(8, 0)));
        bed.inject(eth0, valid());
        assertThat(recorder.delivered).hasSize(1);
        assertThat(bed.ip("InDelivers")).isEqualTo(2);
    }
}
