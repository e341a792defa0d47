package net.tern.inet.impl.icmp;

import static net.tern.inet.testing.InetTestBed.addr;
import static net.tern.inet.testing.InetTestBed.bytes;
import static net.tern.inet.testing.InetTestBed.datagram;
import static net.tern.inet.testing.InetTestBed.icmpMessage;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.impl.InetSettings;
import net.tern.inet.testing.InetTestBed;
import net.tern.inet.testing.RecordingOwner;
import net.tern.inet.testing.RecordingProtocol;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Packet;
import net.tern.spi.proto.ProtoSocket;
import net.tern.wire.IcmpPacket;
import net.tern.wire.IcmpTypes;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.Ipv4Repr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PacketLeakCheck.class)
class IcmpTest {
    private InetTestBed bed;
    private FakeDevice eth0;

    private void start(InetSettings settings) throws Exception {
        bed = new InetTestBed(settings);
        bed.loopback();
        eth0 = bed.fake("eth0", 1500, "10.0.0.2/24");
    }

    private void start() throws Exception {
        start(InetSettings.defaults());
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    private static byte[] echoRequest(String from, String to, int id, int seq, byte[] data) {
        return datagram(from, to, 1, icmpMessage(IcmpTypes.ECHO, 0, (id << 16) | seq, data));
    }

    private static IcmpPacket icmpOf(byte[] datagram) {
        return IcmpPacket.at(Unpooled.wrappedBuffer(datagram), 20);
    }

    @Test
    void anEchoRequestIsAnsweredWithTheSameIdentifierSequenceAndData() throws Exception {
        start();
        bed.inject(eth0, echoRequest("10.0.0.1", "10.0.0.2", 0x4242, 7, bytes(56, 0)));

        List<byte[]> out = InetTestBed.drain(eth0);
        assertThat(out).hasSize(1);
        Ipv4Packet ip = Ipv4Packet.at(Unpooled.wrappedBuffer(out.get(0)), 0);
        assertThat(ip.source()).isEqualTo(addr("10.0.0.2"));
        assertThat(ip.destination()).isEqualTo(addr("10.0.0.1"));
        IcmpPacket reply = icmpOf(out.get(0));
        assertThat(reply.type()).isEqualTo(IcmpTypes.ECHO_REPLY);
        assertThat(reply.identifier()).isEqualTo(0x4242);
        assertThat(reply.sequence()).isEqualTo(7);
        assertThat(reply.verifyChecksum(out.get(0).length - 20)).isTrue();
        assertThat(Arrays.copyOfRange(out.get(0), 28, out.get(0).length)).isEqualTo(bytes(56, 0));
        assertThat(bed.icmp("InMsgs")).isEqualTo(1);
        assertThat(bed.icmp("InEchos")).isEqualTo(1);
        assertThat(bed.icmp("OutMsgs")).isEqualTo(1);
        assertThat(bed.icmp("OutEchoReps")).isEqualTo(1);
    }

    @Test
    void aPingSocketHearsItsRepliesThroughLoopbackAndFromAPeer() throws Exception {
        start();
        ProtoSocket ping = pingSocket();
        ping.ops().sendmsg(ping, echo(1, bytes(32, 4)), new InetSockAddr(addr("127.0.0.1"), 0), 0);
        ping.ops().sendmsg(ping, echo(2, bytes(8, 5)), new InetSockAddr(addr("10.0.0.2"), 0), 0);
        bed.runUntilIdle();

        ByteBuffer first = ByteBuffer.allocate(64);
        MsgHeader from = new MsgHeader();
        assertThat(ping.ops().tryRecvmsg(ping, first, 0, from)).isEqualTo(8 + 32);
        assertThat(from.from).isEqualTo(new InetSockAddr(addr("127.0.0.1"), 0));
        assertThat(first.getShort(4) & 0xffff).isEqualTo(((InetSockAddr) ping.ops().getname(ping, false)).port());
        assertThat(first.getShort(6)).isEqualTo((short) 1);
        assertThat(Arrays.copyOfRange(first.array(), 8, 40)).isEqualTo(bytes(32, 4));
        assertThat(ping.ops().tryRecvmsg(ping, ByteBuffer.allocate(64), 0, from.reset())).isEqualTo(8 + 8);
        assertThat(from.from).isEqualTo(new InetSockAddr(addr("10.0.0.2"), 0));
        assertThat(bed.icmp("OutEchos")).isEqualTo(2);
        assertThat(bed.icmp("InEchoReps")).isEqualTo(2);
        ping.ops().release(ping);
        assertThat(bed.inet().icmp().pingSockets()).isZero();
    }

    @Test
    void echoToABroadcastAddressIsIgnored() throws Exception {
        start();
        bed.inject(eth0, echoRequest("10.0.0.1", "10.0.0.255", 1, 1, bytes(8, 0)));
        assertThat(InetTestBed.drain(eth0)).isEmpty();
        assertThat(bed.icmp("InErrors")).isEqualTo(1);
    }

    @Test
    void aBadChecksumIsCountedAndDropped() throws Exception {
        start();
        byte[] request = echoRequest("10.0.0.1", "10.0.0.2", 1, 1, bytes(8, 0));
        request[30] ^= 0x55;
        bed.inject(eth0, request);
        assertThat(InetTestBed.drain(eth0)).isEmpty();
        assertThat(bed.icmp("InCsumErrors")).isEqualTo(1);
        assertThat(bed.icmp("InErrors")).isEqualTo(1);
    }

    @Test
    void aMessageShorterThanItsHeaderIsAnError() throws Exception {
        start();
        bed.inject(eth0, datagram("10.0.0.1", "10.0.0.2", 1, new byte[] {(byte) 0xff, (byte) 0xff, 0, 0}));
        assertThat(bed.icmp("InErrors")).isEqualTo(1);
    }

    @Test
    void errorsAreRateLimitedPerDestinationInVirtualTime() throws Exception {
        start();
        for (int i = 0; i < 10; i++) {
            bed.inject(eth0, datagram("10.0.0.1", "10.0.0.2", 99, bytes(8, i)));
        }
        assertThat(InetTestBed.drain(eth0)).as("a burst of six").hasSize(6);
        assertThat(bed.icmp("OutRateLimitHost")).isEqualTo(4);

        bed.advance(999, TimeUnit.MILLISECONDS);
        bed.inject(eth0, datagram("10.0.0.1", "10.0.0.2", 99, bytes(8, 0)));
        assertThat(InetTestBed.drain(eth0)).isEmpty();

        bed.advance(1, TimeUnit.MILLISECONDS);
        bed.inject(eth0, datagram("10.0.0.1", "10.0.0.2", 99, bytes(8, 0)));
        bed.inject(eth0, datagram("10.0.0.1", "10.0.0.2", 99, bytes(8, 0)));
        assertThat(InetTestBed.drain(eth0)).as("one per second after the burst").hasSize(1);

        bed.inject(eth0, datagram("10.0.0.3", "10.0.0.2", 99, bytes(8, 0)));
        assertThat(InetTestBed.drain(eth0)).as("another destination has its own budget").hasSize(1);
    }

    @Test
    void theGlobalBudgetLimitsErrorsToAllDestinations() throws Exception {
        start(InetSettings.defaults().withIcmp(new IcmpSettings(false, true, 0, 0x1818, 10, 5)));
        for (int i = 1; i <= 8; i++) {
            bed.inject(eth0, datagram("10.0.0." + (10 + i), "10.0.0.2", 99, bytes(8, i)));
        }
        assertThat(InetTestBed.drain(eth0)).hasSize(5);
        assertThat(bed.icmp("OutRateLimitGlobal")).isEqualTo(3);

        bed.advance(100, TimeUnit.MILLISECONDS);
        bed.inject(eth0, datagram("10.0.0.50", "10.0.0.2", 99, bytes(8, 0)));
        bed.inject(eth0, datagram("10.0.0.51", "10.0.0.2", 99, bytes(8, 0)));
        assertThat(InetTestBed.drain(eth0)).as("10 per second refills one in 100 ms").hasSize(1);
    }

    @Test
    void echoRepliesAreNotRateLimited() throws Exception {
        start();
        for (int i = 0; i < 20; i++) {
            bed.inject(eth0, echoRequest("10.0.0.1", "10.0.0.2", 1, i, bytes(8, 0)));
        }
        assertThat(InetTestBed.drain(eth0)).hasSize(20);
    }

    @Test
    void anErrorGoesToTheErrHandlerOfTheProtocolItQuotes() throws Exception {
        start();
        RecordingProtocol udp = new RecordingProtocol();
        RecordingProtocol tcp = new RecordingProtocol();
        bed.inet().addProtocol(udp, 17);
        bed.inet().addProtocol(tcp, 6);
        byte[] sentUdp = datagram("10.0.0.2", "10.0.0.1", 17, bytes(16, 0));

        bed.inject(eth0, datagram("10.0.0.1", "10.0.0.2", 1,
                icmpMessage(IcmpTypes.DEST_UNREACH, IcmpTypes.PORT_UNREACH, 0, sentUdp)));

        assertThat(tcp.errors).isEmpty();
        assertThat(udp.errors).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(IcmpTypes.DEST_UNREACH);
            assertThat(e.code()).isEqualTo(IcmpTypes.PORT_UNREACH);
            assertThat(e.quoted()).isEqualTo(sentUdp);
        });
        assertThat(bed.icmp("InDestUnreachs")).isEqualTo(1);
    }

    @Test
    void fragmentationNeededCarriesTheNextHopMtu() throws Exception {
        start();
        RecordingProtocol tcp = new RecordingProtocol();
        bed.inet().addProtocol(tcp, 6);
        bed.inject(eth0, datagram("10.0.0.1", "10.0.0.2", 1,
                icmpMessage(IcmpTypes.DEST_UNREACH, IcmpTypes.FRAG_NEEDED, 1400,
                        datagram("10.0.0.2", "10.0.0.1", 6, bytes(20, 0)))));
        assertThat(tcp.errors).singleElement().extracting(RecordingProtocol.ErrorReport::info).isEqualTo(1400);
    }

    @Test
    void anErrorQuotingTooLittleIsAnInputError() throws Exception {
        start();
        RecordingProtocol udp = new RecordingProtocol();
        bed.inet().addProtocol(udp, 17);
        byte[] quoted = Arrays.copyOf(datagram("10.0.0.2", "10.0.0.1", 17, bytes(16, 0)), 24);
        bed.inject(eth0, datagram("10.0.0.1", "10.0.0.2", 1,
                icmpMessage(IcmpTypes.DEST_UNREACH, IcmpTypes.PORT_UNREACH, 0, quoted)));
        assertThat(udp.errors).isEmpty();
        assertThat(bed.icmp("InErrors")).isEqualTo(1);
    }

    @Test
    void anErrorQuotingAnEchoRequestReachesThePingSocket() throws Exception {
        start();
        ProtoSocket ping = pingSocket();
        ping.ops().setsockopt(ping, SocketConstants.SOL_IP, SocketConstants.IP_RECVERR, 1);
        ping.ops().bind(ping, new InetSockAddr(0, 4321));
        byte[] request = echoRequest("10.0.0.2", "10.9.9.9", 4321, 3, bytes(8, 0));
        bed.inject(eth0, datagram("10.0.0.1", "10.0.0.2", 1,
                icmpMessage(IcmpTypes.TIME_EXCEEDED, IcmpTypes.EXC_TTL, 0, request)));

        ByteBuffer quote = ByteBuffer.allocate(64);
        MsgHeader msg = new MsgHeader();
        assertThat(ping.ops().tryRecvmsg(ping, quote, SocketConstants.MSG_ERRQUEUE, msg)).isEqualTo(16);
        assertThat(msg.error.offender()).isEqualTo(addr("10.0.0.1"));
        assertThat(msg.error.type()).isEqualTo(IcmpTypes.TIME_EXCEEDED);
        assertThat(quote.getShort(6)).as("the request's sequence number").isEqualTo((short) 3);
        ping.ops().release(ping);
    }

    /** An ICMP ping socket of the family. */
    private ProtoSocket pingSocket() throws Exception {
        ProtoSocket sock = new ProtoSocket(SocketConstants.AF_INET, SocketConstants.SOCK_DGRAM, new RecordingOwner());
        bed.inet().family().create(sock, SocketConstants.IPPROTO_ICMP);
        return sock;
    }

    /** An echo request as an application writes it to a ping socket. */
    private static ByteBuffer echo(int sequence, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put((byte) IcmpTypes.ECHO).put((byte) 0).putShort((short) 0).putShort((short) 0).putShort((short) sequence)
                .put(data).flip();
        return b;
    }

    /** A received-looking packet holding {@code datagram}, its network header set, for icmp_send directly. */
    private Packet offending(byte[] datagram) {
        Packet p = bed.stack().packet(EtherType.IPV4, datagram);
        p.resetNetworkHeader();
        return p;
    }

    @Test
    void noErrorIsSentAboutAnIcmpErrorAFragmentOrABroadcast() throws Exception {
        start();
        Icmp icmp = bed.inet().icmp();
        byte[] anError = datagram("10.0.0.1", "10.0.0.2", 1, icmpMessage(IcmpTypes.DEST_UNREACH, 3, 0, bytes(28, 0)));
        byte[] aLaterFragment = datagram(Ipv4Repr.builder().source(addr("10.0.0.1")).destination(addr("10.0.0.2"))
                .protocol(99).payloadLength(8).fragmentOffset(8).build(), bytes(8, 0));
        byte[] toBroadcast = datagram("10.0.0.1", "10.0.0.255", 99, bytes(8, 0));
        byte[] fromNobody = datagram("0.0.0.0", "10.0.0.2", 99, bytes(8, 0));
        byte[] anEcho = datagram("10.0.0.1", "10.0.0.2", 1, icmpMessage(IcmpTypes.ECHO, 0, 0, bytes(8, 0)));

        for (byte[] d : List.of(anError, aLaterFragment, toBroadcast, fromNobody)) {
            Packet p = offending(d);
            assertThat(icmp.send(p, IcmpTypes.DEST_UNREACH, IcmpTypes.PROT_UNREACH, 0)).isFalse();
            p.release();
        }
        Packet echo = offending(anEcho);
        assertThat(icmp.send(echo, IcmpTypes.DEST_UNREACH, IcmpTypes.PROT_UNREACH, 0)).as("an echo may be answered")
                .isTrue();
        echo.release();
        bed.runUntilIdle();
        assertThat(InetTestBed.drain(eth0)).hasSize(1);
    }

    @Test
    void anErrorQuotesAtMost548BytesOfTheDatagram() throws Exception {
        start();
        bed.inject(eth0, datagram("10.0.0.1", "10.0.0.2", 99, bytes(1000, 0)));
        List<byte[]> out = InetTestBed.drain(eth0);
        assertThat(out).singleElement().extracting(b -> b.length).isEqualTo(576);
    }
}
