package net.tern.udp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET6;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.RecvResult;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.FakeDevice;
import net.tern.inet6.impl.Inet6;
import net.tern.inet6.impl.Inet6Settings;
import net.tern.spi.net.EtherType;
import net.tern.udp.testing.UdpTestBed;
import net.tern.wire.Icmpv6Packet;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.InetChecksum;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6Packet;
import net.tern.wire.UdpPacket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * UDP over IPv6 ({@code udpv6_prot}) beside IPv4's on one UDP, in virtual time: datagrams
 * over {@code ::1} with their senders' IPv6 names; the checksum mandatory both ways (RFC 8200
 * 8.1); ICMPv6 port unreachable for a port nobody has, and a connected socket hearing it
 * (ECONNREFUSED); IPv6 leaving while IPv4 sockets run.
 */
class UdpIpv6Test {
    private static final Ipv6Address US = Ipv6Address.parse("fd00:99::2");
    private static final Ipv6Address PEER = Ipv6Address.parse("fd00:99::1");

    private UdpTestBed bed;
    private SocketApi api;
    private Inet6 inet6;
    private UdpIpv6 udp6;
    private FakeDevice tun;

    @BeforeEach
    void setUp() throws ErrnoException {
        bed = new UdpTestBed();
        api = bed.api();
        inet6 = new Inet6(bed.stack().clock(), bed.stack().timers(), bed.stack().allocator(), Inet6Settings.defaults(),
                new Random(7));
        bed.stack().addPacketHandler(EtherType.IPV6, inet6.input());
        bed.stack().addLinkListener(inet6.addrconf());
        tun = bed.fake("tun0", 1500, "10.99.0.2/24");
        inet6.addrconf().add(bed.link("tun0").index(), US, 64);
        udp6 = new UdpIpv6(bed.udp(), inet6.transport(), bed.inet().fib(), bed.stack().allocator());
        udp6.start();
        inet6.protocols().add(17, udp6);
        inet6.family().addProtoSw(udp6.protoSw(), 0, 1);
        bed.socketLayer().bindFamily(inet6.family(), Map.of("family", 10));
        bed.runUntilIdle();
    }

    @AfterEach
    void tearDown() {
        bed.close();
        inet6.close();
    }

    /**
     * udp_diag lists AF_INET6 sockets by their IPv6 addresses and IPV6_V6ONLY, beside the
     * AF_INET ones: a dual-stack [::], an IPV6_V6ONLY [::], a connected one; unbound, none.
     */
    @Test
    void diagListsIpv6SocketsByTheirAddressesBesideIpv4Ones() throws Exception {
        int dual = socket6();
        api.bind(dual, Inet6SockAddr.parse("[::]:5353"));
        int only = socket6();
        api.setsockopt(only, SocketConstants.SOL_IPV6, SocketConstants.IPV6_V6ONLY, 1);
        api.bind(only, Inet6SockAddr.parse("[::]:5354"));
        int connected = socket6();
        api.bind(connected, Inet6SockAddr.parse("[fd00:99::2]:33000"));
        api.connect(connected, Inet6SockAddr.parse("[fd00:99::1]:53"));
        socket6();
        int four = api.socket(SocketConstants.AF_INET, SOCK_DGRAM, 0);
        api.bind(four, new InetSockAddr(0, 5355));
        assertThat(bed.udp().diag().dump())
                .extracting(m -> m.family() + " " + m.state() + " " + m.localName() + " " + m.peerName() + " fd "
                        + m.fd() + " v6only " + m.v6only())
                .containsExactlyInAnyOrder("10 7 [::]:5353 [::]:0 fd " + dual + " v6only false",
                        "10 7 [::]:5354 [::]:0 fd " + only + " v6only true",
                        // bound to an IPv6 address: v6-only, as __inet6_bind makes it
                        "10 1 [fd00:99::2]:33000 [fd00:99::1]:53 fd " + connected + " v6only true",
                        "2 7 0.0.0.0:5355 0.0.0.0:0 fd " + four + " v6only false");
    }

    private int socket6() throws ErrnoException {
        return api.socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    }

    private long udp(UdpMib counter) {
        return bed.udp().stats().get(counter);
    }

    /** A datagram from the peer to {@code port} over tun0, its checksum as given (null: the right one). */
    private byte[] datagramFromPeer(int port, byte[] payload, Integer checksum) {
        int length = UdpPacket.HEADER_LENGTH + payload.length;
        ByteBuf buf = Unpooled.buffer(Ipv6Packet.HEADER_LENGTH + length);
        Ipv6Packet.emitHeader(buf, 0, 0, 0, length, 17, 64, PEER, US);
        UdpPacket.writeHeader(buf, Ipv6Packet.HEADER_LENGTH, 4000, port, length);
        buf.setBytes(Ipv6Packet.HEADER_LENGTH + UdpPacket.HEADER_LENGTH, payload);
        int sum = InetChecksum.transportChecksum6(buf, Ipv6Packet.HEADER_LENGTH, length, PEER, US, 17);
        buf.setShort(Ipv6Packet.HEADER_LENGTH + UdpPacket.CHECKSUM_OFFSET, checksum != null ? checksum : sum);
        byte[] out = new byte[Ipv6Packet.HEADER_LENGTH + length];
        buf.getBytes(0, out);
        return out;
    }

    private void inject(byte[] packet) {
        tun.inject(bed.stack().packet(EtherType.IPV6, packet));
        bed.runUntilIdle();
    }

    @Test
    void datagramsOverIpv6CarryTheirSendersIpv6Names() throws Exception {
        int server = socket6();
        api.bind(server, Inet6SockAddr.parse("[::1]:5000"));
        int client = socket6();
        api.sendto(client, ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)), 0,
                Inet6SockAddr.parse("[::1]:5000"));
        bed.runUntilIdle();
        ByteBuffer in = ByteBuffer.allocate(64);
        RecvResult got = api.recvfrom(server, in, 0);
        assertThat(new String(in.array(), 0, got.bytes(), StandardCharsets.US_ASCII)).isEqualTo("hello");
        Inet6SockAddr clientName = (Inet6SockAddr) api.getsockname(client);
        assertThat(clientName.port()).as("autobound").isPositive();
        assertThat(got.from()).isEqualTo(new Inet6SockAddr(0, 1, clientName.port()));
        assertThat(udp(UdpMib.OutDatagrams)).isEqualTo(1);
        assertThat(udp(UdpMib.InDatagrams)).isEqualTo(1);
    }

    /** RFC 8200 8.1: a datagram out carries a checksum over the IPv6 pseudo-header that verifies. */
    @Test
    void aDatagramSentCarriesAChecksumThatVerifies() throws Exception {
        int client = socket6();
        api.sendto(client, ByteBuffer.wrap(new byte[100]), 0, new Inet6SockAddr(PEER.high(), PEER.low(), 53));
        bed.runUntilIdle();
        List<byte[]> out = UdpTestBed.drain(tun);
        assertThat(out).hasSize(1);
        ByteBuf buf = Unpooled.wrappedBuffer(out.get(0));
        Ipv6Packet ip = Ipv6Packet.at(buf, 0);
        assertThat(ip.source()).isEqualTo(US);
        assertThat(ip.nextHeader()).isEqualTo(17);
        assertThat(UdpPacket.at(buf, Ipv6Packet.HEADER_LENGTH).checksum()).isNotZero();
        assertThat(InetChecksum.verifyTransport6(buf, Ipv6Packet.HEADER_LENGTH, 108, US, PEER, 17)).isTrue();
    }

    /** udp6_csum_init: a zero checksum (none) is an error over IPv6, dropped and counted, as is a wrong one. */
    @Test
    void aDatagramWithoutAChecksumOrAWrongOneIsDroppedAndCounted() throws Exception {
        int server = socket6();
        api.bind(server, Inet6SockAddr.parse("[::]:5000"));
        inject(datagramFromPeer(5000, "none".getBytes(), 0));
        inject(datagramFromPeer(5000, "bad".getBytes(), 0x1234));
        assertThat(udp(UdpMib.InCsumErrors)).isEqualTo(2);
        assertThat(udp(UdpMib.InErrors)).isEqualTo(2);
        assertThatThrownBy(() -> api.recv(server, ByteBuffer.allocate(64), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
        inject(datagramFromPeer(5000, "good".getBytes(), null));
        ByteBuffer in = ByteBuffer.allocate(64);
        RecvResult got = api.recvfrom(server, in, 0);
        assertThat(got.bytes()).isEqualTo(4);
        assertThat(got.from()).isEqualTo(new Inet6SockAddr(PEER.high(), PEER.low(), 4000));
    }

    /** A datagram to a port nobody has: NoPorts, and ICMPv6 destination unreachable, port unreachable (code 4). */
    @Test
    void aDatagramToAClosedPortIsAnsweredWithPortUnreachable() {
        inject(datagramFromPeer(5999, "anyone?".getBytes(), null));
        assertThat(udp(UdpMib.NoPorts)).isEqualTo(1);
        List<byte[]> out = UdpTestBed.drain(tun);
        assertThat(out).hasSize(1);
        Icmpv6Packet icmp = Icmpv6Packet.at(Unpooled.wrappedBuffer(out.get(0)), Ipv6Packet.HEADER_LENGTH);
        assertThat(icmp.type()).isEqualTo(Icmpv6Types.DEST_UNREACH);
        assertThat(icmp.code()).isEqualTo(Icmpv6Types.PORT_UNREACH);
        assertThat(inet6.counter("Icmp6OutDestUnreachs")).isEqualTo(1);
    }

    /** __udp6_lib_err: a connected socket hears the port unreachable its datagram drew (ECONNREFUSED), once. */
    @Test
    void aConnectedSocketHearsPortUnreachable() throws Exception {
        int client = socket6();
        api.connect(client, Inet6SockAddr.parse("[::1]:5998"));
        api.send(client, ByteBuffer.wrap("x".getBytes()), 0);
        bed.runUntilIdle();
        assertThatThrownBy(() -> api.recv(client, ByteBuffer.allocate(16), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNREFUSED));
        assertThatThrownBy(() -> api.recv(client, ByteBuffer.allocate(16), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
        assertThat(api.getpeername(client)).isEqualTo(Inet6SockAddr.parse("[::1]:5998"));
    }

    /** An IPv6 socket refuses IPv4 addresses, and [::] takes IPv4's port (no IPV6_V6ONLY). */
    @Test
    void addressesAndPortsAcrossTheFamilies() throws Exception {
        int s6 = socket6();
        assertThatThrownBy(() -> api.bind(s6, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 5000)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAFNOSUPPORT));
        api.bind(s6, Inet6SockAddr.parse("[::]:5000"));
        int s4 = bed.udpSocket();
        assertThatThrownBy(() -> api.bind(s4, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 5000)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE));
        int loop6 = socket6();
        api.bind(loop6, Inet6SockAddr.parse("[::1]:5001"));
        api.bind(s4, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 5001));
    }

    /** IPV6_V6ONLY lets [::] share its port with 0.0.0.0, in either order (Linux 6.18 here, real sockets). */
    @Test
    void v6onlyLetsTheIpv6WildcardShareItsPortWithIpv4() throws Exception {
        int s6 = socket6();
        api.setsockopt(s6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_V6ONLY, 1);
        api.bind(s6, Inet6SockAddr.parse("[::]:5100"));
        int s4 = bed.udpSocket();
        api.bind(s4, new InetSockAddr(0, 5100));
        int first4 = bed.udpSocket();
        api.bind(first4, new InetSockAddr(0, 5101));
        int then6 = socket6();
        assertThatThrownBy(() -> api.bind(then6, Inet6SockAddr.parse("[::]:5101")))
                .as("without IPV6_V6ONLY").isInstanceOfSatisfying(ErrnoException.class,
                        e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE));
        api.setsockopt(then6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_V6ONLY, 1);
        api.bind(then6, Inet6SockAddr.parse("[::]:5101"));
    }

    /** IPv6 leaving: its sockets are withdrawn (ECONNABORTED), IPv4's carry on. */
    @Test
    void ipv6LeavingWithdrawsItsSocketsAndLeavesIpv4s() throws Exception {
        int s6 = socket6();
        api.bind(s6, Inet6SockAddr.parse("[::1]:5000"));
        int s4 = bed.udpSocket();
        api.bind(s4, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 5000));
        inet6.family().removeProtoSw(udp6.protoSw(), 1);                 // as UdpV6Init leaves, before AF_INET6 goes
        assertThat(udp6.stop()).isEqualTo(1);
        inet6.protocols().remove(17, udp6);
        bed.socketLayer().unbindFamily(inet6.family(), Map.of("family", 10));
        assertThatThrownBy(() -> api.recv(s6, ByteBuffer.allocate(16), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNABORTED));
        int c4 = bed.udpSocket();
        api.sendto(c4, ByteBuffer.wrap("v4".getBytes()), 0, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 5000));
        bed.runUntilIdle();
        assertThat(api.recv(s4, ByteBuffer.allocate(16), 0)).isEqualTo(2);
    }

    // ---- dual-stack sockets: each behaviour as Linux 6.18 here shows it (real sockets in a namespace)

    private static final InetSockAddr LOOP_V4 = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 0);

    private static Inet6SockAddr mapped(int v4, int port) {
        Ipv6Address a = net.tern.inet.sock.InetSock.v4Mapped(v4);
        return new Inet6SockAddr(a.high(), a.low(), port);
    }

    private static void assertErrno(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Errno errno) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(errno));
    }

    /** [::] without IPV6_V6ONLY takes IPv4's datagrams, their senders named ::ffff:a.b.c.d. */
    @Test
    void theIpv6WildcardReceivesIpv4DatagramsFromMappedSenders() throws Exception {
        int s6 = socket6();
        api.bind(s6, Inet6SockAddr.parse("[::]:6000"));
        int s4 = bed.udpSocket();
        api.sendto(s4, ByteBuffer.wrap("v4".getBytes()), 0, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 6000));
        bed.runUntilIdle();
        ByteBuffer in = ByteBuffer.allocate(16);
        RecvResult got = api.recvfrom(s6, in, 0);
        assertThat(got.bytes()).isEqualTo(2);
        int port4 = ((InetSockAddr) api.getsockname(s4)).port();
        assertThat(got.from()).isEqualTo(mapped(InetSockAddr.INADDR_LOOPBACK, port4));
        assertThat(api.getsockname(s6)).isEqualTo(Inet6SockAddr.parse("[::]:6000"));
    }

    /**
     * connect() to ::ffff:127.0.0.1 associates over IPv4: both names mapped, datagrams both
     * ways, others' datagrams not taken; IPv6 peers are then EAFNOSUPPORT.
     */
    @Test
    void connectToAMappedPeerWorksOverIpv4() throws Exception {
        int peer = bed.udpSocket();
        api.bind(peer, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 6001));
        int s6 = socket6();
        api.bind(s6, Inet6SockAddr.parse("[::]:0"));
        int port6 = ((Inet6SockAddr) api.getsockname(s6)).port();
        api.connect(s6, mapped(InetSockAddr.INADDR_LOOPBACK, 6001));
        assertThat(api.getsockname(s6)).isEqualTo(mapped(InetSockAddr.INADDR_LOOPBACK, port6));
        assertThat(api.getpeername(s6)).isEqualTo(mapped(InetSockAddr.INADDR_LOOPBACK, 6001));
        api.send(s6, ByteBuffer.wrap("out".getBytes()), 0);
        bed.runUntilIdle();
        RecvResult atPeer = api.recvfrom(peer, ByteBuffer.allocate(16), 0);
        assertThat(atPeer.bytes()).isEqualTo(3);
        assertThat(atPeer.from()).isEqualTo(new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, port6));
        int stranger = bed.udpSocket();
        api.sendto(stranger, ByteBuffer.wrap("no".getBytes()), 0, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, port6));
        api.sendto(peer, ByteBuffer.wrap("back".getBytes()), 0, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, port6));
        bed.runUntilIdle();
        RecvResult back = api.recvfrom(s6, ByteBuffer.allocate(16), 0);
        assertThat(back.bytes()).as("only the peer's datagram").isEqualTo(4);
        assertThat(back.from()).isEqualTo(mapped(InetSockAddr.INADDR_LOOPBACK, 6001));
        assertErrno(() -> api.recv(s6, ByteBuffer.allocate(16), 0), Errno.EAGAIN);
        assertErrno(() -> api.sendto(s6, ByteBuffer.wrap("x".getBytes()), 0, Inet6SockAddr.parse("[::1]:9")),
                Errno.EAFNOSUPPORT);
        assertErrno(() -> api.connect(s6, Inet6SockAddr.parse("[::1]:9")), Errno.EAFNOSUPPORT);
        assertThat(api.getsockname(s6)).isEqualTo(mapped(InetSockAddr.INADDR_LOOPBACK, port6));
    }

    /** A datagram sent from [::] to a mapped peer leaves over IPv4; the socket's name stays [::]. */
    @Test
    void sendtoAMappedPeerGoesOverIpv4AndLeavesTheNameAlone() throws Exception {
        int peer = bed.udpSocket();
        api.bind(peer, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 6002));
        int s6 = socket6();
        api.sendto(s6, ByteBuffer.wrap("hi".getBytes()), 0, mapped(InetSockAddr.INADDR_LOOPBACK, 6002));
        bed.runUntilIdle();
        Inet6SockAddr name = (Inet6SockAddr) api.getsockname(s6);
        assertThat(name.high()).isZero();
        assertThat(name.low()).as("still ::").isZero();
        RecvResult got = api.recvfrom(peer, ByteBuffer.allocate(16), 0);
        assertThat(got.from()).isEqualTo(new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, name.port()));
    }

    /** IPV6_V6ONLY, or a bound IPv6 address, refuses mapped peers (ENETUNREACH) and takes no IPv4. */
    @Test
    void anIpv6OnlySocketRefusesMappedPeers() throws Exception {
        int only = socket6();
        api.setsockopt(only, SocketConstants.SOL_IPV6, SocketConstants.IPV6_V6ONLY, 1);
        api.bind(only, Inet6SockAddr.parse("[::]:6003"));
        assertErrno(() -> api.sendto(only, ByteBuffer.wrap("x".getBytes()), 0, mapped(InetSockAddr.INADDR_LOOPBACK, 9)),
                Errno.ENETUNREACH);
        assertErrno(() -> api.connect(only, mapped(InetSockAddr.INADDR_LOOPBACK, 9)), Errno.ENETUNREACH);
        int s4 = bed.udpSocket();
        long noPorts = udp(UdpMib.NoPorts);
        api.sendto(s4, ByteBuffer.wrap("v4".getBytes()), 0, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 6003));
        bed.runUntilIdle();
        assertThat(udp(UdpMib.NoPorts)).isEqualTo(noPorts + 1);
        int loop6 = socket6();
        api.bind(loop6, Inet6SockAddr.parse("[::1]:0"));
        assertThat(api.getsockopt(loop6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_V6ONLY)).isEqualTo(1);
        assertErrno(() -> api.sendto(loop6, ByteBuffer.wrap("x".getBytes()), 0, mapped(InetSockAddr.INADDR_LOOPBACK, 9)),
                Errno.ENETUNREACH);
    }

    /**
     * Bound to ::ffff:127.0.0.1: the IPv4 side alone (IPv6 peers EAFNOSUPPORT), an address
     * not this host's EADDRNOTAVAIL, ports conflicting with IPv4's and [::]'s as on Linux.
     */
    @Test
    void aSocketBoundToAMappedAddressIsIpv4s() throws Exception {
        int s6 = socket6();
        api.bind(s6, mapped(InetSockAddr.INADDR_LOOPBACK, 6004));
        assertThat(api.getsockname(s6)).isEqualTo(mapped(InetSockAddr.INADDR_LOOPBACK, 6004));
        assertErrno(() -> api.sendto(s6, ByteBuffer.wrap("x".getBytes()), 0, Inet6SockAddr.parse("[::1]:9")),
                Errno.EAFNOSUPPORT);
        int s4 = bed.udpSocket();
        api.sendto(s4, ByteBuffer.wrap("v4".getBytes()), 0, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 6004));
        bed.runUntilIdle();
        assertThat(api.recvfrom(s6, ByteBuffer.allocate(16), 0).from())
                .isEqualTo(mapped(InetSockAddr.INADDR_LOOPBACK, ((InetSockAddr) api.getsockname(s4)).port()));
        assertErrno(() -> api.bind(socket6(), mapped(0x0a090909, 0)), Errno.EADDRNOTAVAIL);
        assertErrno(() -> api.bind(bed.udpSocket(), new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 6004)), Errno.EADDRINUSE);
        assertErrno(() -> api.bind(socket6(), Inet6SockAddr.parse("[::]:6004")), Errno.EADDRINUSE);
        api.bind(bed.udpSocket(), new InetSockAddr(0x0a630002, 6004));       // 10.99.0.2: another IPv4 address
        api.bind(socket6(), Inet6SockAddr.parse("[::1]:6004"));
        api.bind(socket6(), mapped(InetSockAddr.INADDR_LOOPBACK, 6008));
        int only = socket6();
        api.setsockopt(only, SocketConstants.SOL_IPV6, SocketConstants.IPV6_V6ONLY, 1);
        api.bind(only, Inet6SockAddr.parse("[::]:6008"));
        int first4 = bed.udpSocket();
        api.bind(first4, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 6005));
        assertErrno(() -> api.bind(socket6(), mapped(InetSockAddr.INADDR_LOOPBACK, 6005)), Errno.EADDRINUSE);
    }

    /** Both on one port with SO_REUSEADDR: an IPv4 datagram goes to the IPv4 socket, whichever bound first. */
    @Test
    void anIpv4SocketGoesBeforeADualStackOne() throws Exception {
        for (boolean v4First : new boolean[] {true, false}) {
            int port = v4First ? 6006 : 6007;
            int s4 = bed.udpSocket();
            int s6 = socket6();
            api.setsockopt(s4, SocketConstants.SOL_SOCKET, SocketConstants.SO_REUSEADDR, 1);
            api.setsockopt(s6, SocketConstants.SOL_SOCKET, SocketConstants.SO_REUSEADDR, 1);
            if (v4First) {
                api.bind(s4, new InetSockAddr(0, port));
                api.bind(s6, Inet6SockAddr.parse("[::]:" + port));
            } else {
                api.bind(s6, Inet6SockAddr.parse("[::]:" + port));
                api.bind(s4, new InetSockAddr(0, port));
            }
            api.sendto(bed.udpSocket(), ByteBuffer.wrap("d".getBytes()), 0, new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, port));
            bed.runUntilIdle();
            assertThat(api.recv(s4, ByteBuffer.allocate(4), 0)).isEqualTo(1);
            assertErrno(() -> api.recv(s6, ByteBuffer.allocate(4), 0), Errno.EAGAIN);
        }
    }

    /**
     * IPV6_UNICAST_HOPS and IPV6_TCLASS: 64 and 0 by default, -1..255 taken (-1 the default),
     * EINVAL beyond; IPv6 datagrams carry them, IPv4 ones from the same socket IP_TTL.
     */
    @Test
    void hopLimitAndTrafficClass() throws Exception {
        int s6 = socket6();
        assertThat(api.getsockopt(s6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_UNICAST_HOPS)).isEqualTo(64);
        assertThat(api.getsockopt(s6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_TCLASS)).isEqualTo(0);
        for (int bad : new int[] {256, -2}) {
            assertErrno(() -> api.setsockopt(s6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_UNICAST_HOPS, bad), Errno.EINVAL);
            assertErrno(() -> api.setsockopt(s6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_TCLASS, bad), Errno.EINVAL);
        }
        api.setsockopt(s6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_TCLASS, -1);
        assertThat(api.getsockopt(s6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_TCLASS)).isEqualTo(0);
        api.setsockopt(s6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_UNICAST_HOPS, 5);
        api.setsockopt(s6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_TCLASS, 0x20);
        api.setsockopt(s6, SocketConstants.SOL_IP, net.tern.inet.ip.InetConstants.IP_TTL, 7);
        assertThat(api.getsockopt(s6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_UNICAST_HOPS)).isEqualTo(5);
        api.sendto(s6, ByteBuffer.wrap(new byte[8]), 0, new Inet6SockAddr(PEER.high(), PEER.low(), 53));
        api.sendto(s6, ByteBuffer.wrap(new byte[8]), 0, mapped(0x0a630001, 53)); // 10.99.0.1, over tun0
        bed.runUntilIdle();
        List<byte[]> out = UdpTestBed.drain(tun);
        assertThat(out).hasSize(2);
        Ipv6Packet ip6 = Ipv6Packet.at(Unpooled.wrappedBuffer(out.get(0)), 0);
        assertThat(ip6.hopLimit()).isEqualTo(5);
        assertThat(ip6.trafficClass()).isEqualTo(0x20);
        assertThat(out.get(1)[0] >> 4).as("IPv4").isEqualTo(4);
        assertThat(out.get(1)[8]).as("IP_TTL").isEqualTo((byte) 7);
        api.setsockopt(s6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_UNICAST_HOPS, -1);
        assertThat(api.getsockopt(s6, SocketConstants.SOL_IPV6, SocketConstants.IPV6_UNICAST_HOPS)).isEqualTo(64);
        assertErrno(() -> api.getsockopt(s6, SocketConstants.SOL_IPV6, 9999), Errno.ENOPROTOOPT);
    }
}
