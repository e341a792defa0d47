package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET6;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_TCP;
import static net.tern.api.socket.SocketConstants.TCP_INFO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.TcpInfo;
import net.tern.core.packet.PooledPacketAllocator;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.VirtualTime;
import net.tern.inet6.ip.Icmp6ErrConvert;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketTap;
import net.tern.tcp.testing.Host;
import net.tern.tcp.testing.WireLink;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ICMPv6 errors reaching TCP connections ({@code tcp_v6_err}) between two hosts over a
 * point-to-point wire of MTU 1500, in virtual time: Packet Too Big lowers the sender's MSS to
 * the new path MTU (RFC 8201; MSS = MTU - 60), and a destination unreachable answering a SYN
 * fails the connect with {@code icmpv6_err_convert}'s errno. The errors are the peer host's
 * own ({@code icmpv6_send} about a packet it received), quoting a packet still in flight.
 */
@ExtendWith(PacketLeakCheck.class)
class TcpIpv6IcmpTest {
    private static final Ipv6Address A = Ipv6Address.parse("fd00:99::2");
    private static final Ipv6Address B = Ipv6Address.parse("fd00:99::1");

    private final VirtualTime time = new VirtualTime();
    private final PooledPacketAllocator allocator = new PooledPacketAllocator();
    private Host a;
    private Host b;
    private Link linkA;
    /** IPv6 packets host A transmitted, as bytes. */
    private final List<byte[]> sentByA = new ArrayList<>();

    @BeforeEach
    void setUp() throws ErrnoException {
        WireLink wire = new WireLink(time, allocator, 5, WireLink.Impairment.clean(1000), "wa", "10.0.0.1/24", "wb",
                "10.0.0.2/24", 1500);
        a = new Host(time, allocator, TcpSettings.defaults(), 1).withIpv6(2);
        b = new Host(time, allocator, TcpSettings.defaults(), 3).withIpv6(4);
        linkA = a.register(wire.a());
        Link linkB = b.register(wire.b());
        a.inet6().addrconf().add(linkA.index(), A, 64);
        b.inet6().addrconf().add(linkB.index(), B, 64);
        linkA.addTap((Link link, PacketTap.Direction direction, long nanos, int protocol, ByteBuf data) -> {
            if (direction == PacketTap.Direction.TRANSMIT && protocol == EtherType.IPV6) {
                byte[] bytes = new byte[data.readableBytes()];
                data.getBytes(data.readerIndex(), bytes);
                sentByA.add(bytes);
            }
        });
        time.runPending();
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
        time.advance(1, TimeUnit.SECONDS);                   // what was still on the wire arrives, and is freed
    }

    /** Host B answers the packet A sent, {@code bytes}, with an ICMPv6 error, as a router or B's own stack would. */
    private void errorFromB(byte[] bytes, int type, int code, int info) {
        Packet quoted = allocator.allocate(0, bytes.length);
        quoted.buf().writeBytes(bytes);
        b.inet6().transport().sendError(quoted, quoted.buf().readerIndex(), type, code, info);
        quoted.release();
    }

    private int connectAToB(int port) throws ErrnoException {
        int fd = a.api().socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertThatThrownBy(() -> a.api().connect(fd, new Inet6SockAddr(B.high(), B.low(), port)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINPROGRESS));
        return fd;
    }

    @Test
    void packetTooBigLowersTheMssToThePathMtuLessSixty() throws Exception {
        SocketApi apiB = b.api();
        int listener = apiB.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        apiB.bind(listener, Inet6SockAddr.parse("[::]:5001"));
        apiB.listen(listener, 4);
        int client = connectAToB(5001);
        time.advance(10, TimeUnit.MILLISECONDS);
        int server = apiB.accept(listener, SOCK_NONBLOCK).fd();
        TcpInfo before = a.api().getsockopt(client, SOL_TCP, TCP_INFO, TcpInfo.class);
        assertThat(before.pmtu()).isEqualTo(1500);
        assertThat(before.sndMss()).isEqualTo(1500 - 60 - 12);  // the timestamp option too

        byte[] data = new byte[200_000];
        new SplittableRandom(9).nextBytes(data);
        ByteBuffer out = ByteBuffer.wrap(data);
        sentByA.clear();
        a.api().send(client, out, 0);                            // segments on the wire, none delivered yet
        byte[] firstData = sentByA.stream().filter(p -> p.length == 1500).findFirst().orElseThrow();
        errorFromB(firstData, Icmpv6Types.PKT_TOOBIG, 0, 1280);

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(1 << 16);
        for (int rounds = 0; got.size() < data.length; rounds++) {
            assertThat(rounds).as("1 ms rounds of virtual time").isLessThan(60_000);
            if (out.hasRemaining()) {
                try {
                    a.api().send(client, out, 0);
                } catch (ErrnoException e) {
                    assertThat(e.errno()).isEqualTo(Errno.EAGAIN);
                }
            }
            time.advance(1, TimeUnit.MILLISECONDS);
            in.clear();
            try {
                apiB.recv(server, in, 0);
            } catch (ErrnoException e) {
                assertThat(e.errno()).isEqualTo(Errno.EAGAIN);
            }
            got.write(in.array(), 0, in.position());
        }
        assertThat(got.toByteArray()).isEqualTo(data);
        TcpInfo after = a.api().getsockopt(client, SOL_TCP, TCP_INFO, TcpInfo.class);
        assertThat(after.pmtu()).isEqualTo(1280);
        assertThat(after.sndMss()).isEqualTo(1280 - 60 - 12);
        assertThat(a.inet6().counter("Icmp6InPktTooBigs")).isEqualTo(1);
        List<byte[]> late = sentByA.subList(sentByA.size() / 2, sentByA.size());
        assertThat(late).allSatisfy(p -> {
            assertThat(p.length).isLessThanOrEqualTo(1280);
            assertThat(Ipv6Packet.at(io.netty.buffer.Unpooled.wrappedBuffer(p), 0).nextHeader()).as("not fragmented")
                    .isEqualTo(6);
        });
        a.api().close(client);
        apiB.close(server);
        apiB.close(listener);
        time.advance(100, TimeUnit.MILLISECONDS);
    }

    /**
     * IPV6_UNICAST_HOPS and IPV6_TCLASS set before connect go on the SYN and what follows
     * (ip6_xmit with np->hop_limit, np->tclass); an accepted socket takes its listener's.
     */
    @Test
    void hopLimitAndTrafficClassGoOnEverySegment() throws Exception {
        SocketApi apiB = b.api();
        int listener = apiB.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        apiB.setsockopt(listener, net.tern.api.socket.SocketConstants.SOL_IPV6,
                net.tern.api.socket.SocketConstants.IPV6_TCLASS, 0x48);
        apiB.bind(listener, Inet6SockAddr.parse("[::]:5003"));
        apiB.listen(listener, 4);
        int fd = a.api().socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
        a.api().setsockopt(fd, net.tern.api.socket.SocketConstants.SOL_IPV6,
                net.tern.api.socket.SocketConstants.IPV6_UNICAST_HOPS, 9);
        a.api().setsockopt(fd, net.tern.api.socket.SocketConstants.SOL_IPV6,
                net.tern.api.socket.SocketConstants.IPV6_TCLASS, 0x20);
        sentByA.clear();
        assertThatThrownBy(() -> a.api().connect(fd, new Inet6SockAddr(B.high(), B.low(), 5003)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINPROGRESS));
        time.advance(10, TimeUnit.MILLISECONDS);
        int server = apiB.accept(listener, SOCK_NONBLOCK).fd();
        assertThat(apiB.getsockopt(server, net.tern.api.socket.SocketConstants.SOL_IPV6,
                net.tern.api.socket.SocketConstants.IPV6_TCLASS)).isEqualTo(0x48);
        assertThat(sentByA).hasSizeGreaterThanOrEqualTo(2);                // SYN, ACK
        assertThat(sentByA).allSatisfy(p -> {
            Ipv6Packet ip = Ipv6Packet.at(io.netty.buffer.Unpooled.wrappedBuffer(p), 0);
            assertThat(ip.hopLimit()).isEqualTo(9);
            assertThat(ip.trafficClass()).isEqualTo(0x20);
        });
        a.api().close(fd);
        apiB.close(server);
        apiB.close(listener);
        time.advance(100, TimeUnit.MILLISECONDS);
    }

    /** icmpv6_err_convert: a port unreachable answering the SYN fails the connect with ECONNREFUSED. */
    @Test
    void anUnreachableAnsweringTheSynFailsTheConnect() throws Exception {
        sentByA.clear();
        int client = connectAToB(5002);
        assertThat(sentByA).hasSize(1);
        errorFromB(sentByA.get(0), Icmpv6Types.DEST_UNREACH, Icmpv6Types.PORT_UNREACH, 0);
        time.advance(5, TimeUnit.MILLISECONDS);
        assertThatThrownBy(() -> a.api().connect(client, new Inet6SockAddr(B.high(), B.low(), 5002)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNREFUSED));
        a.api().close(client);
    }

    @Test
    void theErrnosOfIcmpv6ErrorsAreLinuxs() {
        assertThat(Icmp6ErrConvert.errno(Icmpv6Types.DEST_UNREACH, Icmpv6Types.NOROUTE)).isEqualTo(Errno.ENETUNREACH);
        assertThat(Icmp6ErrConvert.errno(Icmpv6Types.DEST_UNREACH, Icmpv6Types.ADM_PROHIBITED)).isEqualTo(Errno.EACCES);
        assertThat(Icmp6ErrConvert.errno(Icmpv6Types.DEST_UNREACH, Icmpv6Types.ADDR_UNREACH)).isEqualTo(Errno.EHOSTUNREACH);
        assertThat(Icmp6ErrConvert.errno(Icmpv6Types.DEST_UNREACH, Icmpv6Types.PORT_UNREACH)).isEqualTo(Errno.ECONNREFUSED);
        assertThat(Icmp6ErrConvert.errno(Icmpv6Types.PARAMPROB, 0)).isEqualTo(Errno.EPROTO);
        assertThat(Icmp6ErrConvert.errno(Icmpv6Types.TIME_EXCEED, 0)).isEqualTo(Errno.EHOSTUNREACH);
    }
}
