package net.tern.packet.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.core.testing.TestStack;
import net.tern.link.loopback.LoopbackDevice;
import net.tern.packet.IfPacket;
import net.tern.packet.SockAddrLl;
import net.tern.packet.TpacketStats;
import net.tern.packet.testing.PacketWiring;
import net.tern.socket.SocketLayer;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** AF_PACKET through the socket API: what a capture sees, how it is told, what it can send. */
@ExtendWith(PacketLeakCheck.class)
class PacketSocketTest {
    private final TestStack stack = new TestStack();
    private final FakeDevice tun = new FakeDevice("tun0");
    private SocketApi api;
    private Link lo;
    private Link tun0;

    @BeforeEach
    void start() throws Exception {
        lo = stack.register(new LoopbackDevice());
        tun0 = stack.register(tun);
        SocketLayer sockets = new SocketLayer(stack.clock(), stack.timers());
        PacketWiring.attach(sockets, stack);
        api = sockets;
    }

    @AfterEach
    void stop() {
        tun.releaseTransmitted();
        stack.close();
    }

    private int packetSocket(int protocol) throws ErrnoException {
        return api.socket(IfPacket.AF_PACKET, SocketConstants.SOCK_RAW | SocketConstants.SOCK_NONBLOCK, IfPacket.htons(protocol));
    }

    /** An IPv4 header with {@code id}, 20 bytes, as the first bytes of a packet. */
    private static byte[] ipv4(int id, int length) {
        byte[] b = new byte[length];
        b[0] = 0x45;
        b[2] = (byte) (length >> 8);
        b[3] = (byte) length;
        b[5] = (byte) id;
        return b;
    }

    private void send(Link link, int id) {
        link.transmit(stack.packet(EtherType.IPV4, ipv4(id, 40)));
    }

    private void receive(FakeDevice device, int id) {
        device.inject(stack.packet(EtherType.IPV4, ipv4(id, 40)));
        stack.runUntilIdle();
    }

    /** One packet: its bytes' id, its address, its time. */
    private record Got(int id, int length, SockAddrLl from, long timestampNanos, int flags) {
    }

    private Got recv(int fd, int room, int flags) {
        ByteBuffer b = ByteBuffer.allocate(room);
        MsgHeader msg = new MsgHeader();
        long n = api.sysRecv(fd, b, flags, msg);
        if (n < 0) {
            throw new AssertionError("recv: " + Errno.ofResult(n));
        }
        return new Got(b.get(5), (int) n, (SockAddrLl) msg.from, msg.timestampNanos, msg.flags);
    }

    @Test
    void anEthPAllSocketSeesWhatEveryLinkSendsAndReceivesWithItsSockaddrLl() throws Exception {
        int fd = packetSocket(IfPacket.ETH_P_ALL);
        send(tun0, 1);
        receive(tun, 2);

        Got out = recv(fd, 100, 0);
        assertThat(out.id()).isEqualTo(1);
        assertThat(out.length()).isEqualTo(40);
        assertThat(out.from()).isEqualTo(new SockAddrLl(IfPacket.ETH_P_IP, tun0.index(), tun0.type(), IfPacket.PACKET_OUTGOING));
        Got in = recv(fd, 100, 0);
        assertThat(in.id()).isEqualTo(2);
        assertThat(in.from().pkttype()).isEqualTo(IfPacket.PACKET_HOST);
        assertThat(api.sysRecv(fd, ByteBuffer.allocate(100), 0, null)).isEqualTo(Errno.EAGAIN.negative());
    }

    @Test
    void bindingToALinkAndAProtocolKeepsOnlyThoseAsLinuxsPacketBind() throws Exception {
        int fd = packetSocket(IfPacket.ETH_P_ALL);
        api.bind(fd, SockAddrLl.of(IfPacket.ETH_P_IP, tun0.index()));
        send(lo, 1);
        tun.inject(stack.packet(EtherType.ARP, new byte[28]));
        send(tun0, 3);
        receive(tun, 4);

        assertThat(recv(fd, 100, 0).id()).as("not lo's, not ARP, not outgoing (only ETH_P_ALL sees those)").isEqualTo(4);
        assertThat(api.sysRecv(fd, ByteBuffer.allocate(100), 0, null)).isEqualTo(Errno.EAGAIN.negative());
        assertThat(api.getsockname(fd)).isEqualTo(new SockAddrLl(IfPacket.ETH_P_IP, tun0.index(), tun0.type(), 0));
    }

    @Test
    void onLoAnEthPAllSocketSeesEachPacketGoingOutThenComingInAndAnEthPIpSocketOnlyComingIn() throws Exception {
        int all = packetSocket(IfPacket.ETH_P_ALL);
        int ip = packetSocket(IfPacket.ETH_P_IP);
        send(lo, 1);
        stack.runUntilIdle();

        assertThat(recv(all, 100, 0).from()).isEqualTo(new SockAddrLl(IfPacket.ETH_P_IP, lo.index(), lo.type(), IfPacket.PACKET_OUTGOING));
        assertThat(recv(all, 100, 0).from().pkttype()).isEqualTo(IfPacket.PACKET_HOST);
        assertThat(recv(ip, 100, 0).from().pkttype()).isEqualTo(IfPacket.PACKET_HOST);
        assertThat(api.sysRecv(ip, ByteBuffer.allocate(100), 0, null)).isEqualTo(Errno.EAGAIN.negative());
    }

    @Test
    void aSocketWithoutProtocolSeesNothingUntilBoundWithOne() throws Exception {
        int fd = api.socket(IfPacket.AF_PACKET, SocketConstants.SOCK_DGRAM | SocketConstants.SOCK_NONBLOCK, 0);
        send(tun0, 1);
        assertThat(api.sysRecv(fd, ByteBuffer.allocate(100), 0, null)).isEqualTo(Errno.EAGAIN.negative());
        api.bind(fd, SockAddrLl.of(IfPacket.ETH_P_ALL, 0));
        send(tun0, 2);
        assertThat(recv(fd, 100, 0).id()).isEqualTo(2);
    }

    @Test
    void soTimestampnsGivesTheStackWallClockTimeOfEachPacket() throws Exception {
        int fd = packetSocket(IfPacket.ETH_P_ALL);
        long start = stack.clock().currentTimeMillis() * 1_000_000L;
        send(tun0, 1);
        api.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_TIMESTAMPNS, 1);
        stack.advance(1500, TimeUnit.MICROSECONDS);
        send(tun0, 2);

        assertThat(recv(fd, 100, 0).timestampNanos()).as("taken at receive, by the option then").isEqualTo(start);
        assertThat(recv(fd, 100, 0).timestampNanos()).isEqualTo(start + 1_500_000);
        api.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_TIMESTAMPNS, 0);
        send(tun0, 3);
        assertThat(recv(fd, 100, 0).timestampNanos()).isEqualTo(MsgHeader.NO_TIMESTAMP);
    }

    @Test
    void aFullReceiveBufferDropsAndPacketStatisticsCountsThemAndResetsOnRead() throws Exception {
        int fd = packetSocket(IfPacket.ETH_P_ALL);
        api.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVBUF, 0);
        int rcvbuf = api.getsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVBUF);
        assertThat(rcvbuf).as("SOCK_MIN_RCVBUF").isEqualTo(2304);
        int fit = (rcvbuf + 40 + Packet.OVERHEAD - 1) / (40 + Packet.OVERHEAD);
        for (int i = 0; i < fit + 3; i++) {
            send(tun0, i);
        }

        TpacketStats stats = api.getsockopt(fd, SocketConstants.SOL_PACKET, IfPacket.PACKET_STATISTICS, TpacketStats.class);
        assertThat(stats).isEqualTo(new TpacketStats(fit + 3, 3));
        assertThat(api.getsockopt(fd, SocketConstants.SOL_PACKET, IfPacket.PACKET_STATISTICS, TpacketStats.class))
                .isEqualTo(new TpacketStats(0, 0));
        for (int i = 0; i < fit; i++) {
            assertThat(recv(fd, 100, 0).id()).isEqualTo(i);
        }
        api.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVBUF, 1 << 30);
        assertThat(api.getsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVBUF)).as("rmem_max, doubled")
                .isEqualTo(2 * 212_992);
        api.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVBUFFORCE, 1 << 21);
        assertThat(api.getsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVBUF)).isEqualTo(1 << 22);
    }

    @Test
    void msgTruncCutsThePacketAndGivesItsWholeLength() throws Exception {
        int fd = packetSocket(IfPacket.ETH_P_ALL);
        send(tun0, 1);
        send(tun0, 2);
        Got cut = recv(fd, 8, 0);
        assertThat(cut.length()).isEqualTo(8);
        assertThat(cut.flags() & SocketConstants.MSG_TRUNC).isNotZero();
        assertThat(recv(fd, 8, SocketConstants.MSG_TRUNC | SocketConstants.MSG_PEEK).length()).isEqualTo(40);
        assertThat(recv(fd, 100, 0).id()).isEqualTo(2);
    }

    @Test
    void aRawPacketSocketSendsAWholeIpPacketOnItsLinkAndDoesNotSeeItsOwn() throws Exception {
        int sender = packetSocket(IfPacket.ETH_P_ALL);
        int watcher = packetSocket(IfPacket.ETH_P_ALL);
        api.bind(sender, SockAddrLl.of(0, tun0.index()));

        assertThat(api.sendto(sender, ByteBuffer.wrap(ipv4(9, 60)), 0, null)).isEqualTo(60);

        Packet out = tun.takeTransmitted();
        try {
            assertThat(out.length()).isEqualTo(60);
            assertThat(out.protocol()).as("from the version nibble").isEqualTo(EtherType.IPV4);
            assertThat(out.buf().getByte(out.buf().readerIndex() + 5)).isEqualTo((byte) 9);
        } finally {
            out.release();
        }
        assertThat(recv(watcher, 100, 0).from().pkttype()).isEqualTo(IfPacket.PACKET_OUTGOING);
        assertThat(api.sysRecv(sender, ByteBuffer.allocate(100), 0, null)).isEqualTo(Errno.EAGAIN.negative());
        assertThat(tun0.stats().txPackets.sum()).isEqualTo(1);
    }

    @Test
    void refusalsAreLinuxsErrnos() throws Exception {
        assertThatThrownBy(() -> api.socket(IfPacket.AF_PACKET, SocketConstants.SOCK_STREAM, 0))
                .hasFieldOrPropertyWithValue("errno", Errno.ESOCKTNOSUPPORT);
        int fd = packetSocket(IfPacket.ETH_P_ALL);
        assertThatThrownBy(() -> api.bind(fd, SockAddrLl.of(0, 99))).hasFieldOrPropertyWithValue("errno", Errno.ENODEV);
        assertThatThrownBy(() -> api.bind(fd, new InetSockAddr(0, 0))).hasFieldOrPropertyWithValue("errno", Errno.EINVAL);
        assertThatThrownBy(() -> api.sendto(fd, ByteBuffer.wrap(ipv4(1, 40)), 0, null))
                .hasFieldOrPropertyWithValue("errno", Errno.ENXIO);
        assertThatThrownBy(() -> api.sendto(fd, ByteBuffer.wrap(ipv4(1, 1600)), 0, SockAddrLl.of(IfPacket.ETH_P_IP, tun0.index())))
                .hasFieldOrPropertyWithValue("errno", Errno.EMSGSIZE);
        assertThatThrownBy(() -> api.sendto(fd, ByteBuffer.wrap(new byte[] {0x10, 0}), 0, SockAddrLl.of(0, tun0.index())))
                .hasFieldOrPropertyWithValue("errno", Errno.EINVAL);
        assertThatThrownBy(() -> api.connect(fd, SockAddrLl.of(0, tun0.index())))
                .hasFieldOrPropertyWithValue("errno", Errno.EOPNOTSUPP);
        assertThatThrownBy(() -> api.getpeername(fd)).hasFieldOrPropertyWithValue("errno", Errno.EOPNOTSUPP);
        assertThatThrownBy(() -> api.setsockopt(fd, SocketConstants.SOL_PACKET, IfPacket.PACKET_ADD_MEMBERSHIP, 1))
                .hasFieldOrPropertyWithValue("errno", Errno.ENOPROTOOPT);
    }

    @Test
    void aLinkRegisteredLaterIsSeenAndABoundLinkGoingDownIsEnetdown() throws Exception {
        int every = packetSocket(IfPacket.ETH_P_ALL);
        int bound = packetSocket(IfPacket.ETH_P_ALL);
        api.bind(bound, SockAddrLl.of(0, tun0.index()));
        FakeDevice later = new FakeDevice("tun1");
        Link tun1 = stack.register(later);
        try {
            send(tun1, 5);
            assertThat(recv(every, 100, 0).from().ifindex()).isEqualTo(tun1.index());

            tun0.setUp(false);
            assertThat(api.sysRecv(bound, ByteBuffer.allocate(100), 0, null)).isEqualTo(Errno.ENETDOWN.negative());
            assertThat(api.sysRecv(bound, ByteBuffer.allocate(100), 0, null)).isEqualTo(Errno.EAGAIN.negative());
        } finally {
            later.releaseTransmitted();
        }
    }

    @Test
    void outgoingPacketsCanBeIgnored() throws Exception {
        int fd = packetSocket(IfPacket.ETH_P_ALL);
        api.setsockopt(fd, SocketConstants.SOL_PACKET, IfPacket.PACKET_IGNORE_OUTGOING, 1);
        send(tun0, 1);
        receive(tun, 2);
        assertThat(recv(fd, 100, 0).id()).isEqualTo(2);
        assertThat(api.sysRecv(fd, ByteBuffer.allocate(100), 0, null)).isEqualTo(Errno.EAGAIN.negative());
    }
}
