package net.tern.inet6.impl;

import static net.tern.inet6.testing.Inet6TestBed.addr;
import static net.tern.inet6.testing.Inet6TestBed.bytes;
import static net.tern.inet6.testing.Inet6TestBed.concat;
import static net.tern.inet6.testing.Inet6TestBed.drain;
import static net.tern.inet6.testing.Inet6TestBed.echoRequest;
import static net.tern.inet6.testing.Inet6TestBed.icmp;
import static net.tern.inet6.testing.Inet6TestBed.packet;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.core.testing.FakeDevice;
import net.tern.inet6.ip.Dst6;
import net.tern.inet6.testing.Inet6TestBed;
import net.tern.spi.net.Packet;
import net.tern.wire.Icmpv6Packet;
import net.tern.wire.Icmpv6Repr;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.Ipv6Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ICMPv6 (RFC 4443) and path-MTU discovery (RFC 8201). */
class Icmp6Test {
    static final String PEER = "fd00::1";
    static final String US = "fd00::2";

    Inet6TestBed bed;
    FakeDevice tun;

    void start(int errorsPerSecond) throws Exception {
        bed = new Inet6TestBed(new Inet6Settings(64, Reassembly6.DEFAULT_TIMEOUT_NANOS, Reassembly6.DEFAULT_HIGH_THRESH,
                Pmtu6.DEFAULT_EXPIRES_NANOS, errorsPerSecond, 50));
        bed.loopback();
        tun = bed.fake("tun0", 1500, US + "/64");
    }

    @AfterEach
    void tearDown() {
        bed.close();
        assertThat(bed.outstanding()).as("packets leaked").isZero();
    }

    /** Sends an echo request of {@code size} data bytes from this host to {@code to}, as a ping socket would. */
    void ping(String to, int size) throws Exception {
        Ip6Output out = bed.inet6().output();
        Dst6 dst = out.route(addr(to), 0);
        Ipv6Address from = out.source(dst, addr(to));
        Packet p = bed.stack().allocator().allocate(Ip6Output.HEADROOM, 8 + size);
        ByteBuf buf = p.buf();
        buf.writeZero(8);
        buf.writeBytes(bytes(size, 5));
        Icmpv6Repr.echoRequest(1, 1, size).emit(buf, buf.readerIndex(), from, addr(to));
        out.xmit(p, dst, from, addr(to), 58, -1, 0);
        bed.stack().runUntilIdle();
    }

    @Test
    void pingToTheLoopbackAddressIsAnsweredThroughLo() throws Exception {
        start(1000);
        List<Integer> replies = new ArrayList<>();
        bed.inet6().icmp().listener(new Icmp6Listener() {
            @Override
            public void echoReply(int identifier, int sequence, ByteBuf buf, int offset, int length, Ipv6Address from,
                    Ipv6Address to, int hopLimit) {
                replies.add(length);
                assertThat(from).isEqualTo(Ipv6Address.LOOPBACK);
            }
        });
        ping("::1", 56);
        ping("::1", 4000);
        assertThat(replies).containsExactly(56, 4000);
        assertThat(bed.counter("Icmp6InEchos")).isEqualTo(2);
        assertThat(bed.counter("Icmp6InEchoReplies")).isEqualTo(2);
        assertThat(bed.counter("Ip6FragOKs")).as("lo's MTU of 65536 needs no fragments").isZero();
    }

    @Test
    void pingToOwnUnicastAddressGoesThroughLoToo() throws Exception {
        start(1000);
        ping(US, 8);
        assertThat(drain(tun)).isEmpty();
        assertThat(bed.counter("Icmp6InEchoReplies")).isEqualTo(1);
    }

    @Test
    void withoutARouteSendingFailsWithEnetunreachAndCountsOutNoRoutes() throws Exception {
        start(1000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> bed.inet6().output().route(addr("2001:db8::1"), 0))
                .hasMessageContaining("no route");
        assertThat(bed.counter("Ip6OutNoRoutes")).isEqualTo(1);
    }

    @Test
    void aBadChecksumIsCountedAndDropped() throws Exception {
        start(1000);
        byte[] p = echoRequest(PEER, US, 1, 1, bytes(8, 0));
        p[p.length - 1] ^= 1;
        bed.inject(tun, p);
        assertThat(drain(tun)).isEmpty();
        assertThat(bed.counter("Icmp6InCsumErrors")).isEqualTo(1);
        assertThat(bed.counter("Icmp6InErrors")).isEqualTo(1);
    }

    /** A Packet Too Big from a router about a packet this host sent to {@code about}. */
    static byte[] packetTooBig(String router, String about, int mtu) {
        byte[] quoted = packet(US, about, 58, icmp(US, about, Icmpv6Repr.echoReply(1, 1, 8), bytes(8, 0)));
        return packet(router, US, 58, icmp(router, US, Icmpv6Repr.packetTooBig(mtu, quoted.length), quoted));
    }

    @Test
    void rfc8201packetTooBigLowersThePathMtuAndPacketsAreCutToIt() throws Exception {
        start(1000);
        bed.inject(tun, packetTooBig("fd00::fe", PEER, 1300));
        assertThat(bed.counter("Icmp6InPktTooBigs")).isEqualTo(1);
        assertThat(bed.inet6().output().route(addr(PEER), 0).mtu()).isEqualTo(1300);
        bed.inject(tun, echoRequest(PEER, US, 1, 1, bytes(1400, 0)));
        List<byte[]> out = drain(tun);
        assertThat(out).hasSize(2);
        assertThat(out.get(0).length).isLessThanOrEqualTo(1300);
    }

    @Test
    void rfc8201aReportBelow1280IsDiscardedAndOneAboveTheEstimateNeverRaisesIt() throws Exception {
        start(1000);
        bed.inject(tun, packetTooBig("fd00::fe", PEER, 1000));
        assertThat(bed.inet6().output().route(addr(PEER), 0).mtu()).isEqualTo(1500);
        bed.inject(tun, packetTooBig("fd00::fe", PEER, 1400));
        bed.inject(tun, packetTooBig("fd00::fe", PEER, 1450));
        assertThat(bed.inet6().output().route(addr(PEER), 0).mtu()).isEqualTo(1400);
    }

    @Test
    void rfc8201aLearnedMtuExpiresAfterTenMinutes() throws Exception {
        start(1000);
        bed.inject(tun, packetTooBig("fd00::fe", PEER, 1280));
        bed.advance(9, TimeUnit.MINUTES);
        assertThat(bed.inet6().output().route(addr(PEER), 0).mtu()).isEqualTo(1280);
        bed.advance(61, TimeUnit.SECONDS);
        assertThat(bed.inet6().output().route(addr(PEER), 0).mtu()).isEqualTo(1500);
    }

    @Test
    void rfc4443_2_4eNoErrorAboutAnError() throws Exception {
        start(1000);
        // An ICMPv6 error behind a routing header with segments left: would earn a Parameter Problem.
        byte[] routing = new byte[24];
        routing[0] = 58;
        routing[1] = 2;
        routing[3] = 1;
        byte[] error = icmp(PEER, US, Icmpv6Repr.destinationUnreachable(Icmpv6Types.PORT_UNREACH, 0), new byte[0]);
        bed.inject(tun, packet(PEER, US, 43, concat(routing, error)));
        assertThat(drain(tun)).isEmpty();
        assertThat(bed.counter("Ip6InHdrErrors")).isEqualTo(1);
    }

    @Test
    void rfc4443_2_4eNoErrorToAMulticastDestinationExceptForUnknownOptions() throws Exception {
        start(1000);
        bed.inject(tun, packet("fe80::1", "ff02::1", 253, new byte[8]));
        assertThat(drain(tun)).isEmpty();
        bed.inject(tun, packet("fe80::1", "ff02::1", 60, concat(new byte[] {59, 0, (byte) 0x9e, 4, 0, 0, 0, 0})));
        assertThat(drain(tun)).hasSize(1);
    }

    @Test
    void rfc4443_2_4fErrorsAreRateLimited() throws Exception {
        start(10);
        for (int i = 0; i < 80; i++) {
            bed.inject(tun, packet(PEER, US, 253, new byte[8]));
        }
        assertThat(drain(tun)).hasSize(50);
        assertThat(bed.counter("Icmp6OutRateLimitHost")).isEqualTo(30);
        bed.advance(1, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
            bed.inject(tun, packet(PEER, US, 253, new byte[8]));
        }
        assertThat(drain(tun)).hasSize(10);
    }

    @Test
    void rfc4443_2_4cAnErrorQuotesAsMuchAsFitsIn1280() throws Exception {
        start(1000);
        bed.inject(tun, packet(PEER, US, 253, new byte[3000]));
        byte[] err = drain(tun).get(0);
        assertThat(err).hasSize(1280);
        assertThat(Icmpv6Packet.at(Unpooled.wrappedBuffer(err), 40).check(1240, addr(US), addr(PEER)))
                .isEqualTo(Icmpv6Packet.Check.OK);
    }

    @Test
    void neighbourDiscoveryIsCountedAndIgnored() throws Exception {
        start(1000);
        byte[] ns = icmp("fe80::1", "ff02::1:ff00:2", new Icmpv6Repr(Icmpv6Types.NEIGHBOR_SOLICIT, 0, 0, 16),
                bytes(16, 0));
        bed.inject(tun, packet("fe80::1", "ff02::1:ff00:2", 58, 255, ns));
        assertThat(drain(tun)).isEmpty();
        assertThat(bed.counter("Icmp6InNeighborSolicits")).isEqualTo(1);
    }

    @Test
    void errorsReachTheListenerWithTheQuotedPacket() throws Exception {
        start(1000);
        List<Integer> codes = new ArrayList<>();
        bed.inet6().icmp().listener(new Icmp6Listener() {
            @Override
            public void error(int type, int code, int info, ByteBuf buf, int offset, int length) {
                codes.add(code);
            }
        });
        byte[] quoted = packet(US, PEER, 17, new byte[16]);
        bed.inject(tun, packet(PEER, US, 58, icmp(PEER, US,
                Icmpv6Repr.destinationUnreachable(Icmpv6Types.PORT_UNREACH, quoted.length), quoted)));
        assertThat(codes).containsExactly(Icmpv6Types.PORT_UNREACH);
        assertThat(bed.counter("Icmp6InDestUnreachs")).isEqualTo(1);
    }
}
