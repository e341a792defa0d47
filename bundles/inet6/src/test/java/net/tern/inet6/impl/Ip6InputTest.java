package net.tern.inet6.impl;

import static net.tern.inet6.testing.Inet6TestBed.bytes;
import static net.tern.inet6.testing.Inet6TestBed.concat;
import static net.tern.inet6.testing.Inet6TestBed.drain;
import static net.tern.inet6.testing.Inet6TestBed.echoRequest;
import static net.tern.inet6.testing.Inet6TestBed.icmp;
import static net.tern.inet6.testing.Inet6TestBed.ip;
import static net.tern.inet6.testing.Inet6TestBed.packet;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.List;
import net.tern.core.testing.FakeDevice;
import net.tern.inet6.addrconf.Inet6IfAddr;
import net.tern.inet6.testing.Inet6TestBed;
import net.tern.wire.Icmpv6Packet;
import net.tern.wire.Icmpv6Repr;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ipv6_rcv} and the extension-header walk, rule by rule of RFC 8200 (and RFC 5095, 4291). */
class Ip6InputTest {
    static final String PEER = "fd00::1";
    static final String US = "fd00::2";

    Inet6TestBed bed;
    FakeDevice tun;

    @BeforeEach
    void setUp() throws Exception {
        bed = new Inet6TestBed();
        bed.loopback();
        tun = bed.fake("tun0", 1500, US + "/64");
    }

    @AfterEach
    void tearDown() {
        bed.close();
        assertThat(bed.outstanding()).as("packets leaked").isZero();
    }

    /** The ICMPv6 message of a transmitted packet without extension headers. */
    static Icmpv6Packet icmpOf(byte[] packet) {
        return Icmpv6Packet.at(Unpooled.wrappedBuffer(packet), Ipv6Packet.HEADER_LENGTH);
    }

    byte[] onlyTransmitted() {
        List<byte[]> out = drain(tun);
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @Test
    void anEchoRequestToOurAddressIsAnsweredFromIt() {
        bed.inject(tun, echoRequest(PEER, US, 7, 1, bytes(56, 1)));
        byte[] reply = onlyTransmitted();
        assertThat(ip(reply).source()).isEqualTo(Ipv6Address.parse(US));
        assertThat(ip(reply).destination()).isEqualTo(Ipv6Address.parse(PEER));
        Icmpv6Packet icmp = icmpOf(reply);
        assertThat(icmp.type()).isEqualTo(Icmpv6Types.ECHO_REPLY);
        assertThat(icmp.identifier()).isEqualTo(7);
        assertThat(icmp.check(reply.length - 40, Ipv6Address.parse(US), Ipv6Address.parse(PEER)))
                .isEqualTo(Icmpv6Packet.Check.OK);
        assertThat(bed.counter("Ip6InReceives")).isEqualTo(1);
        assertThat(bed.counter("Ip6InDelivers")).isEqualTo(1);
        assertThat(bed.counter("Icmp6InEchos")).isEqualTo(1);
        assertThat(bed.counter("Icmp6OutEchoReplies")).isEqualTo(1);
        assertThat(bed.counter("Ip6OutRequests")).isEqualTo(1);
    }

    @Test
    void aLinkLocalAddressIsMadeWhenTheLinkComesUpAndAnswers() {
        Ipv6Address linkLocal = bed.inet6().addrconf().addresses(bed.link("tun0").index()).stream()
                .map(Inet6IfAddr::address).filter(Ipv6Address::isLinkLocal).findFirst().orElseThrow();
        bed.inject(tun, echoRequest("fe80::1", linkLocal.toString(), 1, 1, bytes(8, 0)));
        assertThat(ip(onlyTransmitted()).source()).isEqualTo(linkLocal);
    }

    @Test
    void wrongVersionAndShortHeadersAreHeaderErrors() {
        byte[] p = echoRequest(PEER, US, 1, 1, bytes(8, 0));
        p[0] = 0x40;
        bed.inject(tun, p);
        bed.inject(tun, new byte[20]);
        assertThat(bed.counter("Ip6InHdrErrors")).isEqualTo(2);
        assertThat(drain(tun)).isEmpty();
    }

    @Test
    void aPayloadLengthBeyondTheBytesIsTruncated() {
        byte[] p = echoRequest(PEER, US, 1, 1, bytes(8, 0));
        bed.inject(tun, java.util.Arrays.copyOf(p, p.length - 4));
        assertThat(bed.counter("Ip6InTruncatedPkts")).isEqualTo(1);
        assertThat(drain(tun)).isEmpty();
    }

    @Test
    void bytesAfterThePayloadLengthAreIgnored() {
        byte[] p = concat(echoRequest(PEER, US, 1, 1, bytes(8, 0)), new byte[6]);
        bed.inject(tun, p);
        assertThat(icmpOf(onlyTransmitted()).type()).isEqualTo(Icmpv6Types.ECHO_REPLY);
    }

    @Test
    void aPacketForAnotherHostIsAnAddressErrorAndNotForwarded() {
        bed.inject(tun, echoRequest(PEER, "fd00::99", 1, 1, bytes(8, 0)));
        assertThat(bed.counter("Ip6InAddrErrors")).isEqualTo(1);
        assertThat(drain(tun)).isEmpty();
    }

    @Test
    void rfc4291MulticastSourceAndLoopbackFromOutsideAreDropped() {
        bed.inject(tun, echoRequest("ff02::1", US, 1, 1, bytes(8, 0)));
        bed.inject(tun, echoRequest(PEER, "::1", 1, 1, bytes(8, 0)));
        bed.inject(tun, echoRequest("::1", US, 1, 1, bytes(8, 0)));
        assertThat(bed.counter("Ip6InHdrErrors")).isEqualTo(3);
        assertThat(drain(tun)).isEmpty();
    }

    @Test
    void anEchoToAllNodesIsAnsweredFromAUnicastAddress() {
        bed.inject(tun, echoRequest("fe80::1", "ff02::1", 1, 1, bytes(8, 0)));
        byte[] reply = onlyTransmitted();
        assertThat(ip(reply).source().isLinkLocal()).isTrue();
        assertThat(bed.counter("Ip6InMcastPkts")).isEqualTo(1);
    }

    // ---- RFC 8200 4: extension headers

    /** A destination options header (8 bytes, PadN) or hop-by-hop header in front of {@code rest}. */
    static byte[] optionsHeader(int nextHeader, int optionType) {
        // next header, length 0 (8 bytes), an option of type optionType and length 4.
        return new byte[] {(byte) nextHeader, 0, (byte) optionType, 4, 0, 0, 0, 0};
    }

    static byte[] echoPayload(int id) {
        return icmp(PEER, US, Icmpv6Repr.echoRequest(id, 1, 8), bytes(8, 0));
    }

    @Test
    void hopByHopAndDestinationOptionsThatMaySkipAreWalkedToTheUpperLayer() {
        byte[] payload = concat(optionsHeader(60, 0x1e), optionsHeader(58, 0x05), echoPayload(3));
        bed.inject(tun, packet(PEER, US, 0, payload));
        assertThat(icmpOf(onlyTransmitted()).identifier()).isEqualTo(3);
    }

    @Test
    void rfc8200_4_2anUnknownOptionOfAction10IsAParameterProblemCode2PointingAtIt() {
        byte[] payload = concat(optionsHeader(58, 0x80 | 0x1e), echoPayload(3));
        bed.inject(tun, packet(PEER, US, 60, payload));
        Icmpv6Packet err = icmpOf(onlyTransmitted());
        assertThat(err.type()).isEqualTo(Icmpv6Types.PARAMPROB);
        assertThat(err.code()).isEqualTo(Icmpv6Types.UNK_OPTION);
        assertThat(err.pointer()).isEqualTo(42);
        assertThat(bed.counter("Ip6InHdrErrors")).isEqualTo(1);
    }

    @Test
    void rfc8200_4_2action01DiscardsSilentlyAndAction11SpeaksOnlyToUnicast() {
        bed.inject(tun, packet(PEER, US, 60, concat(optionsHeader(58, 0x40 | 0x1e), echoPayload(3))));
        bed.inject(tun, packet("fe80::1", "ff02::1", 60, concat(optionsHeader(58, 0xc0 | 0x1e), echoPayload(3))));
        assertThat(drain(tun)).isEmpty();
        bed.inject(tun, packet(PEER, US, 60, concat(optionsHeader(58, 0xc0 | 0x1e), echoPayload(3))));
        assertThat(icmpOf(onlyTransmitted()).code()).isEqualTo(Icmpv6Types.UNK_OPTION);
        assertThat(bed.counter("Ip6InHdrErrors")).isEqualTo(3);
    }

    @Test
    void anOptionRunningPastItsHeaderIsAHeaderError() {
        byte[] bad = {58, 0, 0x1e, 9, 0, 0, 0, 0};
        bed.inject(tun, packet(PEER, US, 60, concat(bad, echoPayload(3))));
        assertThat(bed.counter("Ip6InHdrErrors")).isEqualTo(1);
        assertThat(drain(tun)).isEmpty();
    }

    @Test
    void rfc8200_4_1aHopByHopHeaderNotFirstIsAnUnrecognizedNextHeader() {
        byte[] payload = concat(optionsHeader(0, 0x1e), optionsHeader(58, 0x1e), echoPayload(3));
        bed.inject(tun, packet(PEER, US, 60, payload));
        Icmpv6Packet err = icmpOf(onlyTransmitted());
        assertThat(err.type()).isEqualTo(Icmpv6Types.PARAMPROB);
        assertThat(err.code()).isEqualTo(Icmpv6Types.UNK_NEXTHDR);
        assertThat(err.pointer()).isEqualTo(40);
        assertThat(bed.counter("Ip6InUnknownProtos")).isEqualTo(1);
    }

    /** A routing header of {@code type} with {@code segmentsLeft} and one address (24 bytes). */
    static byte[] routingHeader(int type, int segmentsLeft) {
        byte[] h = new byte[24];
        h[0] = 58;
        h[1] = 2;
        h[2] = (byte) type;
        h[3] = (byte) segmentsLeft;
        return h;
    }

    @Test
    void rfc5095routingType0WithSegmentsLeftIsRefusedWithAParameterProblemAtTheType() {
        bed.inject(tun, packet(PEER, US, 43, concat(routingHeader(0, 1), echoPayload(3))));
        Icmpv6Packet err = icmpOf(onlyTransmitted());
        assertThat(err.type()).isEqualTo(Icmpv6Types.PARAMPROB);
        assertThat(err.code()).isEqualTo(Icmpv6Types.HDR_FIELD);
        assertThat(err.pointer()).isEqualTo(42);
        assertThat(bed.counter("Ip6InHdrErrors")).isEqualTo(1);
    }

    @Test
    void rfc8200_4_4aRoutingHeaderWithNoSegmentsLeftIsIgnored() {
        bed.inject(tun, packet(PEER, US, 43, concat(routingHeader(0, 0), echoPayload(4))));
        assertThat(icmpOf(onlyTransmitted()).identifier()).isEqualTo(4);
    }

    @Test
    void anUnknownNextHeaderIsAParameterProblemCode1PointingAtTheField() {
        bed.inject(tun, packet(PEER, US, 253, new byte[8]));
        Icmpv6Packet err = icmpOf(onlyTransmitted());
        assertThat(err.code()).isEqualTo(Icmpv6Types.UNK_NEXTHDR);
        assertThat(err.pointer()).isEqualTo(6);
        assertThat(bed.counter("Ip6InUnknownProtos")).isEqualTo(1);
        assertThat(bed.counter("Icmp6OutParmProblems")).isEqualTo(1);
    }

    @Test
    void noNextHeaderEndsThePacketQuietly() {
        bed.inject(tun, packet(PEER, US, 59, new byte[8]));
        assertThat(drain(tun)).isEmpty();
        assertThat(bed.counter("Ip6InHdrErrors") + bed.counter("Ip6InUnknownProtos")).isZero();
    }

    @Test
    void anExtensionHeaderRunningPastThePacketIsAHeaderError() {
        bed.inject(tun, packet(PEER, US, 60, new byte[] {58, 3, 1, 0}));
        assertThat(bed.counter("Ip6InHdrErrors")).isEqualTo(1);
    }
}
