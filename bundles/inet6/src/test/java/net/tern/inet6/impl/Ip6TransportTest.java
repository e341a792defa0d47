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
import java.util.ArrayList;
import java.util.List;
import net.tern.core.testing.FakeDevice;
import net.tern.inet6.ip.Dst6;
import net.tern.inet6.ip.Ip6Protocol;
import net.tern.inet6.ip.Ip6Transport;
import net.tern.inet6.testing.Inet6TestBed;
import net.tern.spi.net.Packet;
import net.tern.wire.Icmpv6Packet;
import net.tern.wire.Icmpv6Repr;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6ExtHeader;
import net.tern.wire.Ipv6Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What IPv6 offers transports: output, source choice, ICMPv6 errors sent, and errors delivered to a protocol. */
class Ip6TransportTest {
    static final String PEER = "fd00::1";
    static final String US = "fd00::2";
    static final int PROTO = 253; // RFC 3692's experimental number, served by no protocol of the stack

    Inet6TestBed bed;
    FakeDevice tun;
    Ip6Transport transport;
    final List<String> heard = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        bed = new Inet6TestBed();
        bed.loopback();
        tun = bed.fake("tun0", 1500, US + "/64");
        transport = bed.inet6().transport();
        bed.inet6().protocols().add(PROTO, new Ip6Protocol() {
            @Override
            public void receive(Packet packet, int header, int transport, Ipv6Address source, Ipv6Address destination) {
                heard.add("receive " + source + " " + destination + " " + packet.buf().getInt(transport));
                packet.release();
            }

            @Override
            public void err(int type, int code, int info, ByteBuf buf, int header, int transport, int end) {
                heard.add("err " + type + "/" + code + " " + info + " " + Ipv6Packet.at(buf, header).destination() + " "
                        + buf.getInt(transport) + " " + (end - transport));
            }
        });
    }

    @AfterEach
    void tearDown() {
        bed.close();
        assertThat(bed.outstanding()).as("packets leaked").isZero();
    }

    @Test
    void aTransportSendsFromTheSourceTheRouteChoosesAndKnowsThisHostsAddresses() throws Exception {
        Dst6 dst = transport.route(addr(PEER), 0);
        Ipv6Address source = transport.source(dst, addr(PEER));
        assertThat(source).isEqualTo(addr(US));
        assertThat(dst.mtu()).isEqualTo(1500);
        Packet p = bed.stack().allocator().allocate(Ip6Transport.HEADROOM, 8);
        p.buf().writeInt(0x01020304).writeInt(0);
        transport.xmit(p, dst, source, addr(PEER), PROTO, -1, 0);
        bed.stack().runUntilIdle();
        List<byte[]> out = drain(tun);
        assertThat(out).hasSize(1);
        Ipv6Packet sent = ip(out.get(0));
        assertThat(sent.nextHeader()).isEqualTo(PROTO);
        assertThat(sent.hopLimit()).isEqualTo(transport.hopLimit());
        assertThat(sent.source()).isEqualTo(addr(US));
        assertThat(transport.isLocal(addr(US))).isTrue();
        assertThat(transport.isLocal(Ipv6Address.LOOPBACK)).isTrue();
        assertThat(transport.isLocal(addr(PEER))).isFalse();
    }

    @Test
    void aProtocolReceivesItsPackets() {
        bed.inject(tun, packet(PEER, US, PROTO, new byte[] {0, 0, 0, 42, 0, 0, 0, 0}));
        assertThat(heard).containsExactly("receive " + PEER + " " + US + " 42");
    }

    /**
     * icmpv6_notify: a Packet Too Big quoting a packet of the protocol behind a destination
     * options header reaches the protocol's error handler at its own header, after the path
     * MTU went down (RFC 8201 4).
     */
    @Test
    void anErrorQuotingTheProtocolsPacketPastItsExtensionHeadersReachesItsHandler() throws Exception {
        byte[] options = new byte[8];
        options[0] = (byte) PROTO;          // next header; Hdr Ext Len 0; a PadN of 4 fills the rest
        options[2] = 1;
        options[3] = 4;
        byte[] quoted = packet(US, PEER, Ipv6ExtHeader.DESTINATION_OPTIONS,
                concat(options, new byte[] {0, 0, 0, 7, 0, 0, 0, 0}, bytes(1400, 1)));
        byte[] quote = new byte[1280 - 48];
        System.arraycopy(quoted, 0, quote, 0, quote.length);
        bed.inject(tun, packet(PEER, US, 58, icmp(PEER, US, Icmpv6Repr.packetTooBig(1280, quote.length), quote)));
        assertThat(heard).containsExactly("err " + Icmpv6Types.PKT_TOOBIG + "/0 1280 " + PEER + " 7 "
                + (quote.length - 48));
        assertThat(transport.route(addr(PEER), 0).mtu()).isEqualTo(1280);
    }

    /** A quote that stops inside the protocol's first 8 bytes tells it nothing. */
    @Test
    void anErrorQuotingLessThanEightBytesOfTheProtocolIsNotDelivered() {
        byte[] quote = packet(US, PEER, PROTO, new byte[] {0, 0, 0, 7});
        bed.inject(tun, packet(PEER, US, 58, icmp(PEER, US, Icmpv6Repr.destinationUnreachable(4, quote.length), quote)));
        assertThat(heard).isEmpty();
    }

    /** icmpv6_send for a transport: port unreachable about a received packet, quoting it. */
    @Test
    void aTransportAnswersWithAnIcmpv6Error() {
        byte[] received = packet(PEER, US, 17, bytes(16, 3));
        Packet invoking = bed.stack().packet(net.tern.spi.net.EtherType.IPV6, received);
        transport.sendError(invoking, invoking.buf().readerIndex(), Icmpv6Types.DEST_UNREACH,
                Icmpv6Types.PORT_UNREACH, 0);
        invoking.release();
        bed.stack().runUntilIdle();
        List<byte[]> out = drain(tun);
        assertThat(out).hasSize(1);
        Ipv6Packet reply = ip(out.get(0));
        assertThat(reply.destination()).isEqualTo(addr(PEER));
        Icmpv6Packet icmp = Icmpv6Packet.at(io.netty.buffer.Unpooled.wrappedBuffer(out.get(0)), Ipv6Packet.HEADER_LENGTH);
        assertThat(icmp.type()).isEqualTo(Icmpv6Types.DEST_UNREACH);
        assertThat(icmp.code()).isEqualTo(Icmpv6Types.PORT_UNREACH);
        assertThat(out.get(0).length).isEqualTo(Ipv6Packet.HEADER_LENGTH + 8 + received.length);
    }
}
