package net.tern.inet6.impl;

import static net.tern.inet6.testing.Inet6TestBed.addr;
import static net.tern.inet6.testing.Inet6TestBed.bytes;
import static net.tern.inet6.testing.Inet6TestBed.concat;
import static net.tern.inet6.testing.Inet6TestBed.drain;
import static net.tern.inet6.testing.Inet6TestBed.icmp;
import static net.tern.inet6.testing.Inet6TestBed.ip;
import static net.tern.inet6.testing.Inet6TestBed.packet;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.core.testing.FakeDevice;
import net.tern.inet6.testing.Inet6TestBed;
import net.tern.wire.Icmpv6Packet;
import net.tern.wire.Icmpv6Repr;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6FragmentHeader;
import net.tern.wire.Ipv6Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fragmentation by the sender and bounded reassembly (RFC 8200 4.5, RFC 5722, RFC 6946). */
class FragmentationTest {
    static final String PEER = "fd00::1";
    static final String US = "fd00::2";

    Inet6TestBed bed;
    FakeDevice tun;

    @BeforeEach
    void setUp() throws Exception {
        bed = new Inet6TestBed(new Inet6Settings(64, Reassembly6.DEFAULT_TIMEOUT_NANOS, 64 * 1024,
                Pmtu6.DEFAULT_EXPIRES_NANOS, 0, 50));
        bed.loopback();
        tun = bed.fake("tun0", 1500, US + "/64");
    }

    @AfterEach
    void tearDown() {
        bed.close();
        assertThat(bed.outstanding()).as("packets leaked").isZero();
    }

    /** An echo request of {@code size} data bytes, as the upper-layer bytes to fragment. */
    static byte[] echo(int id, int size) {
        return icmp(PEER, US, Icmpv6Repr.echoRequest(id, 1, size), bytes(size, id));
    }

    /** A fragment: fixed header, fragment header, {@code data}. */
    static byte[] fragment(int ident, int offset, boolean more, byte[] data) {
        byte[] fh = new byte[8];
        ByteBuf b = Unpooled.wrappedBuffer(fh);
        b.writerIndex(0);
        Ipv6FragmentHeader.emit(b, 0, 58, offset, more, ident);
        return packet(PEER, US, 44, concat(fh, data));
    }

    static byte[] slice(byte[] a, int from, int to) {
        return Arrays.copyOfRange(a, from, Math.min(to, a.length));
    }

    /** Checks the fragments a packet was cut into and returns the upper-layer bytes they carry, in order. */
    static byte[] reassemble(List<byte[]> fragments, int mtu) {
        byte[] whole = new byte[0];
        int ident = -1;
        for (int i = 0; i < fragments.size(); i++) {
            byte[] f = fragments.get(i);
            assertThat(f.length).as("fragment %d within the MTU", i).isLessThanOrEqualTo(mtu);
            Ipv6Packet ip = ip(f);
            assertThat(ip.nextHeader()).isEqualTo(44);
            Ipv6FragmentHeader fh = Ipv6FragmentHeader.at(Unpooled.wrappedBuffer(f), 40);
            assertThat(fh.fragmentOffset()).isEqualTo(whole.length);
            assertThat(fh.moreFragments()).isEqualTo(i < fragments.size() - 1);
            if (ident == -1) {
                ident = fh.identification();
            }
            assertThat(fh.identification()).isEqualTo(ident);
            byte[] data = slice(f, 48, f.length);
            if (fh.moreFragments()) {
                assertThat(data.length % 8).isZero();
            }
            whole = concat(whole, data);
        }
        return whole;
    }

    @Test
    void aLargeEchoIsReassembledAndItsReplyFragmentedToTheLinkMtu() {
        byte[] echo = echo(9, 4000);
        bed.inject(tun, fragment(77, 0, true, slice(echo, 0, 1448)));
        bed.inject(tun, fragment(77, 1448, true, slice(echo, 1448, 2896)));
        assertThat(drain(tun)).isEmpty();
        bed.inject(tun, fragment(77, 2896, false, slice(echo, 2896, echo.length)));
        List<byte[]> out = drain(tun);
        assertThat(out).hasSize(3);
        byte[] reply = reassemble(out, 1500);
        assertThat(reply.length).isEqualTo(echo.length);
        Icmpv6Packet icmp = Icmpv6Packet.at(Unpooled.wrappedBuffer(reply), 0);
        assertThat(icmp.type()).isEqualTo(Icmpv6Types.ECHO_REPLY);
        assertThat(icmp.check(reply.length, addr(US), addr(PEER))).isEqualTo(Icmpv6Packet.Check.OK);
        assertThat(slice(reply, 8, reply.length)).isEqualTo(bytes(4000, 9));
        assertThat(bed.counter("Ip6ReasmReqds")).isEqualTo(3);
        assertThat(bed.counter("Ip6ReasmOKs")).isEqualTo(1);
        assertThat(bed.counter("Ip6FragOKs")).isEqualTo(1);
        assertThat(bed.counter("Ip6FragCreates")).isEqualTo(3);
        assertThat(bed.inet6().reassembly().memory()).isZero();
    }

    @Test
    void fragmentsMayComeInAnyOrder() {
        byte[] echo = echo(2, 3000);
        bed.inject(tun, fragment(5, 2000, false, slice(echo, 2000, echo.length)));
        bed.inject(tun, fragment(5, 1000, true, slice(echo, 1000, 2000)));
        bed.inject(tun, fragment(5, 0, true, slice(echo, 0, 1000)));
        assertThat(reassemble(drain(tun), 1500)).hasSize(echo.length);
    }

    @Test
    void rfc6946anAtomicFragmentIsTakenWhole() {
        bed.inject(tun, fragment(1, 0, false, echo(4, 16)));
        assertThat(drain(tun)).hasSize(1);
        assertThat(bed.counter("Ip6ReasmReqds")).isZero();
    }

    @Test
    void rfc5722overlappingFragmentsDropTheWholeDatagramAndItsLaterFragments() {
        byte[] echo = echo(2, 3000);
        bed.inject(tun, fragment(6, 0, true, slice(echo, 0, 1000)));
        bed.inject(tun, fragment(6, 992, true, slice(echo, 992, 2000)));
        assertThat(bed.counter("Ip6ReasmFails")).isEqualTo(1);
        bed.inject(tun, fragment(6, 1000, true, slice(echo, 1000, 2000)));
        bed.inject(tun, fragment(6, 2000, false, slice(echo, 2000, echo.length)));
        assertThat(drain(tun)).isEmpty();
        assertThat(bed.inet6().reassembly().memory()).isZero();
        bed.advance(61, TimeUnit.SECONDS);
        assertThat(drain(tun)).as("no Time Exceeded for a datagram dropped on purpose").isEmpty();
        assertThat(bed.inet6().reassembly().queues()).isZero();
    }

    @Test
    void anExactDuplicateIsDroppedAloneAndTheDatagramStillCompletes() {
        byte[] echo = echo(2, 2000);
        bed.inject(tun, fragment(8, 0, true, slice(echo, 0, 1000)));
        bed.inject(tun, fragment(8, 0, true, slice(echo, 0, 1000)));
        bed.inject(tun, fragment(8, 1000, false, slice(echo, 1000, echo.length)));
        assertThat(reassemble(drain(tun), 1500)).hasSize(echo.length);
        assertThat(bed.counter("Ip6ReasmFails")).isZero();
    }

    @Test
    void rfc8200_4_5aTimedOutReassemblyWithItsFirstFragmentSendsTimeExceededCode1() {
        byte[] echo = echo(2, 2000);
        bed.inject(tun, fragment(9, 0, true, slice(echo, 0, 1000)));
        bed.advance(59, TimeUnit.SECONDS);
        assertThat(drain(tun)).isEmpty();
        bed.advance(2, TimeUnit.SECONDS);
        List<byte[]> out = drain(tun);
        assertThat(out).hasSize(1);
        Icmpv6Packet err = Icmpv6Packet.at(Unpooled.wrappedBuffer(out.get(0)), 40);
        assertThat(err.type()).isEqualTo(Icmpv6Types.TIME_EXCEED);
        assertThat(err.code()).isEqualTo(Icmpv6Types.EXC_FRAGTIME);
        assertThat(ip(slice(out.get(0), 48, out.get(0).length)).nextHeader()).as("quotes the first fragment")
                .isEqualTo(44);
        assertThat(bed.counter("Ip6ReasmTimeout")).isEqualTo(1);
        assertThat(bed.inet6().reassembly().memory()).isZero();
    }

    @Test
    void rfc8200_4_5aTimeoutWithoutTheFirstFragmentSendsNothing() {
        byte[] echo = echo(2, 2000);
        bed.inject(tun, fragment(10, 1000, false, slice(echo, 1000, echo.length)));
        bed.advance(61, TimeUnit.SECONDS);
        assertThat(drain(tun)).isEmpty();
        assertThat(bed.counter("Ip6ReasmTimeout")).isEqualTo(1);
    }

    @Test
    void rfc8200_4_5aNonFinalFragmentNotAMultipleOf8IsAParameterProblemAtThePayloadLength() {
        bed.inject(tun, fragment(11, 0, true, slice(echo(3, 1200), 0, 1001)));
        Icmpv6Packet err = Icmpv6Packet.at(Unpooled.wrappedBuffer(drain(tun).get(0)), 40);
        assertThat(err.type()).isEqualTo(Icmpv6Types.PARAMPROB);
        assertThat(err.code()).isEqualTo(Icmpv6Types.HDR_FIELD);
        assertThat(err.pointer()).isEqualTo(4);
    }

    @Test
    void rfc8200_4_5aFragmentEndingBeyond65535IsAParameterProblemAtTheOffset() {
        bed.inject(tun, fragment(12, 65000, false, slice(echo(3, 1200), 0, 1000)));
        Icmpv6Packet err = Icmpv6Packet.at(Unpooled.wrappedBuffer(drain(tun).get(0)), 40);
        assertThat(err.pointer()).isEqualTo(42);
    }

    @Test
    void reassemblyMemoryIsCappedAndWhatExceedsItDropped() {
        // 64 KiB in all: fragments of many incomplete datagrams fill it; then new ones are refused.
        for (int ident = 0; ident < 60; ident++) {
            bed.inject(tun, fragment(1000 + ident, 0, true, new byte[1024]));
        }
        assertThat(bed.inet6().reassembly().memory()).isLessThanOrEqualTo(64 * 1024);
        assertThat(bed.counter("Ip6ReasmFails")).isPositive();
        bed.advance(61, TimeUnit.SECONDS);
        drain(tun);
        assertThat(bed.inet6().reassembly().memory()).isZero();
    }

    @Test
    void aFragmentDisagreeingWithTheKnownEndKillsTheDatagram() {
        byte[] echo = echo(2, 2000);
        bed.inject(tun, fragment(13, 1000, false, slice(echo, 1000, echo.length)));
        bed.inject(tun, fragment(13, 2000, true, new byte[16]));
        assertThat(bed.counter("Ip6ReasmFails")).isEqualTo(1);
        bed.inject(tun, fragment(13, 0, true, slice(echo, 0, 1000)));
        assertThat(drain(tun)).isEmpty();
    }

    @Test
    void thePayloadWithinTheMtuGoesWhole() {
        bed.inject(tun, packet(PEER, US, 58, echo(3, 1452)));
        List<byte[]> out = drain(tun);
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).hasSize(1500);
        bed.inject(tun, packet(PEER, US, 58, echo(3, 1453)));
        assertThat(drain(tun)).hasSize(2);
    }

    @Test
    void identificationsDifferBetweenDatagrams() {
        bed.inject(tun, packet(PEER, US, 58, echo(3, 2000)));
        bed.inject(tun, packet(PEER, US, 58, echo(3, 2000)));
        List<byte[]> out = drain(tun);
        int first = Ipv6FragmentHeader.at(Unpooled.wrappedBuffer(out.get(0)), 40).identification();
        int second = Ipv6FragmentHeader.at(Unpooled.wrappedBuffer(out.get(2)), 40).identification();
        assertThat(first).isNotEqualTo(second);
        assertThat(Ipv6Address.parse(US)).isEqualTo(ip(out.get(2)).source());
    }
}
