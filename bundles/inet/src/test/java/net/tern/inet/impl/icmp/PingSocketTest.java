package net.tern.inet.impl.icmp;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.IPPROTO_ICMP;
import static net.tern.api.socket.SocketConstants.IP_RECVERR;
import static net.tern.api.socket.SocketConstants.IP_RECVTTL;
import static net.tern.api.socket.SocketConstants.MSG_ERRQUEUE;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOL_IP;
import static net.tern.inet.testing.InetTestBed.addr;
import static net.tern.inet.testing.InetTestBed.datagram;
import static net.tern.inet.testing.InetTestBed.icmpMessage;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SockExtendedErr;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.inet.testing.InetTestBed;
import net.tern.inet.testing.RecordingOwner;
import net.tern.spi.proto.ProtoSocket;
import net.tern.wire.IcmpPacket;
import net.tern.wire.IcmpTypes;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.Ipv4Repr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ICMP ping sockets ({@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}) as IPv4's family
 * creates them, against a peer on eth0. Each behaviour named here was checked on Linux 6.18
 * with a Python ping socket in a network namespace.
 */
@ExtendWith(PacketLeakCheck.class)
class PingSocketTest {
    private static final byte[] DATA = "abcdefgh".getBytes();

    private final InetTestBed bed = new InetTestBed();
    private final RecordingOwner owner = new RecordingOwner();
    private FakeDevice eth0;

    @BeforeEach
    void setUp() throws Exception {
        bed.loopback();
        eth0 = bed.fake("eth0", 1500, "10.0.0.1/24");
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    private ProtoSocket socket(int protocol) throws ErrnoException {
        ProtoSocket sock = new ProtoSocket(AF_INET, SOCK_DGRAM, owner);
        bed.inet().family().create(sock, protocol);
        return sock;
    }

    /** An echo request as the application writes it: identifier and checksum left to the stack. */
    private static ByteBuffer echo(int sequence) {
        ByteBuffer b = ByteBuffer.allocate(8 + DATA.length);
        b.put((byte) IcmpTypes.ECHO).put((byte) 0).putShort((short) 0).putShort((short) 0xbeef)
                .putShort((short) sequence).put(DATA).flip();
        return b;
    }

    private static int port(ProtoSocket sock) throws ErrnoException {
        return ((InetSockAddr) sock.ops().getname(sock, false)).port();
    }

    private byte[] sent() {
        List<byte[]> out = InetTestBed.drain(eth0);
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private interface Call {
        long run() throws ErrnoException;
    }

    /** The errno of a call that fails, whether it says so by value or by exception. */
    private static Errno errnoOf(Call call) {
        try {
            long result = call.run();
            if (result >= 0) {
                throw new AssertionError("expected an error, got " + result);
            }
            return Errno.ofResult(result);
        } catch (ErrnoException e) {
            return e.errno();
        }
    }

    @Test
    void theIdentifierIsTheSocketsPortChosenAtTheFirstSendAndTheStackFillsTheChecksum() throws Exception {
        ProtoSocket sock = socket(IPPROTO_ICMP);
        assertThat(port(sock)).as("unbound").isZero();

        assertThat(sock.ops().sendmsg(sock, echo(1), new InetSockAddr(addr("10.0.0.2"), 0), 0)).isEqualTo(16);

        byte[] wire = sent();
        Ipv4Packet ip = Ipv4Packet.at(Unpooled.wrappedBuffer(wire), 0);
        IcmpPacket icmp = IcmpPacket.at(Unpooled.wrappedBuffer(wire), ip.headerLength());
        assertThat(ip.protocol()).isEqualTo(IPPROTO_ICMP);
        assertThat(icmp.type()).isEqualTo(IcmpTypes.ECHO);
        assertThat(icmp.identifier()).as("the port, not the application's 0xbeef").isEqualTo(port(sock)).isNotZero();
        assertThat(icmp.sequence()).isEqualTo(1);
        assertThat(icmp.verifyChecksum(wire.length - ip.headerLength())).isTrue();
        assertThat(Arrays.copyOfRange(wire, ip.headerLength() + 8, wire.length)).isEqualTo(DATA);
        assertThat(bed.icmp("OutEchos")).isEqualTo(1);
    }

    @Test
    void aReplyWithTheIdentifierComesWholeFromPortZeroWithItsTtlWhenAsked() throws Exception {
        ProtoSocket sock = socket(IPPROTO_ICMP);
        sock.ops().setsockopt(sock, SOL_IP, IP_RECVTTL, 1);
        sock.ops().sendmsg(sock, echo(7), new InetSockAddr(addr("10.0.0.2"), 0), 0);
        sent();
        int ident = port(sock);
        bed.inject(eth0, datagram(Ipv4Repr.builder().source(addr("10.0.0.2")).destination(addr("10.0.0.1"))
                .protocol(IPPROTO_ICMP).payloadLength(16).ttl(57).identification(1).build(),
                icmpMessage(IcmpTypes.ECHO_REPLY, 0, (ident << 16) | 7, DATA)));
        bed.inject(eth0, datagram("10.0.0.2", "10.0.0.1", IPPROTO_ICMP,
                icmpMessage(IcmpTypes.ECHO_REPLY, 0, ((ident + 1) << 16) | 7, DATA)));

        assertThat(sock.ops().poll(sock) & EPOLLIN).isNotZero();
        ByteBuffer in = ByteBuffer.allocate(64);
        MsgHeader msg = new MsgHeader();
        assertThat(sock.ops().tryRecvmsg(sock, in, 0, msg)).isEqualTo(16);
        in.flip();
        assertThat(in.get(0)).as("the ICMP header comes with the data").isEqualTo((byte) IcmpTypes.ECHO_REPLY);
        assertThat(in.getShort(4) & 0xffff).isEqualTo(ident);
        assertThat(in.getShort(6)).isEqualTo((short) 7);
        assertThat(msg.from).isEqualTo(new InetSockAddr(addr("10.0.0.2"), 0));
        assertThat(msg.control(SocketConstants.SOL_IP, SocketConstants.IP_TTL)).isEqualTo(57);
        assertThat(errnoOf(() -> sock.ops().tryRecvmsg(sock, in.clear(), 0, msg.reset())))
                .as("the reply to another identifier is not this socket's").isEqualTo(Errno.EAGAIN);
    }

    @Test
    void withoutIpRecvTtlAReceiveCarriesNoTtl() throws Exception {
        ProtoSocket sock = socket(IPPROTO_ICMP);
        sock.ops().sendmsg(sock, echo(1), new InetSockAddr(addr("10.0.0.2"), 0), 0);
        sent();
        bed.inject(eth0, datagram("10.0.0.2", "10.0.0.1", IPPROTO_ICMP,
                icmpMessage(IcmpTypes.ECHO_REPLY, 0, (port(sock) << 16) | 1, DATA)));
        MsgHeader msg = new MsgHeader();
        assertThat(sock.ops().tryRecvmsg(sock, ByteBuffer.allocate(64), 0, msg)).isEqualTo(16);
        assertThat(msg.hasControl(SocketConstants.SOL_IP, SocketConstants.IP_TTL)).isFalse();
    }

    @Test
    void sendsThatAreNotEchoRequestsOrHaveNoDestinationAreRefusedAsLinuxRefusesThem() throws Exception {
        ProtoSocket sock = socket(IPPROTO_ICMP);
        InetSockAddr peer = new InetSockAddr(addr("10.0.0.2"), 0);
        ByteBuffer reply = echo(1);
        reply.put(0, (byte) IcmpTypes.ECHO_REPLY);

        assertThat(errnoOf(() -> sock.ops().trySendmsg(sock, echo(1), null, 0))).isEqualTo(Errno.EDESTADDRREQ);
        assertThat(errnoOf(() -> sock.ops().trySendmsg(sock, reply, peer, 0))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> sock.ops().trySendmsg(sock, ByteBuffer.wrap(new byte[3]), peer, 0))).isEqualTo(Errno.EINVAL);
        assertThat(InetTestBed.drain(eth0)).isEmpty();
    }

    @Test
    void anIcmpErrorWithIpRecvErrIsThePendingErrorAndWaitsInTheErrorQueueWithItsSender() throws Exception {
        ProtoSocket sock = socket(IPPROTO_ICMP);
        sock.ops().setsockopt(sock, SOL_IP, IP_RECVERR, 1);
        sock.ops().sendmsg(sock, echo(2), new InetSockAddr(addr("10.0.0.9"), 0), 0);
        byte[] request = sent();
        // The router's host unreachable quotes the request's header and first 8 data bytes.
        byte[] quote = Arrays.copyOf(request, 20 + 16);
        bed.inject(eth0, datagram("10.0.0.254", "10.0.0.1", IPPROTO_ICMP,
                icmpMessage(IcmpTypes.DEST_UNREACH, IcmpTypes.HOST_UNREACH, 0, quote)));

        assertThat(sock.ops().poll(sock) & EPOLLERR).isNotZero();
        ByteBuffer in = ByteBuffer.allocate(64);
        MsgHeader msg = new MsgHeader();
        assertThat(errnoOf(() -> sock.ops().tryRecvmsg(sock, in, 0, msg))).as("recv gives the pending error first")
                .isEqualTo(Errno.EHOSTUNREACH);
        assertThat(sock.ops().tryRecvmsg(sock, in, MSG_ERRQUEUE, msg.reset())).isEqualTo(16);
        assertThat(Arrays.copyOf(in.array(), 16)).as("the quoted request").isEqualTo(Arrays.copyOfRange(request, 20, 36));
        assertThat(msg.flags & MSG_ERRQUEUE).isNotZero();
        assertThat(msg.from).as("where the request went").isEqualTo(new InetSockAddr(addr("10.0.0.9"), 0));
        assertThat(msg.error).isEqualTo(new SockExtendedErr(Errno.EHOSTUNREACH, SocketConstants.SO_EE_ORIGIN_ICMP,
                IcmpTypes.DEST_UNREACH, IcmpTypes.HOST_UNREACH, 0, addr("10.0.0.254")));
        assertThat(sock.peekError()).as("reading the last queued error clears SO_ERROR").isNull();
        assertThat(errnoOf(() -> sock.ops().tryRecvmsg(sock, in.clear(), MSG_ERRQUEUE, msg.reset()))).isEqualTo(Errno.EAGAIN);
        assertThat(sock.ops().poll(sock) & EPOLLERR).isZero();
    }

    @Test
    void withoutIpRecvErrASoftErrorOnAnUnconnectedSocketIsDropped() throws Exception {
        ProtoSocket sock = socket(IPPROTO_ICMP);
        sock.ops().sendmsg(sock, echo(2), new InetSockAddr(addr("10.0.0.9"), 0), 0);
        byte[] request = sent();
        bed.inject(eth0, datagram("10.0.0.254", "10.0.0.1", IPPROTO_ICMP,
                icmpMessage(IcmpTypes.TIME_EXCEEDED, IcmpTypes.EXC_TTL, 0, Arrays.copyOf(request, 36))));

        assertThat(sock.peekError()).isNull();
        assertThat(sock.ops().poll(sock) & EPOLLERR).isZero();
    }

    @Test
    void aSecondSocketMayBindAnIdentifierInUseAndThenGetsItsReplies() throws Exception {
        ProtoSocket first = socket(IPPROTO_ICMP);
        first.ops().bind(first, new InetSockAddr(0, 4242));
        ProtoSocket second = socket(IPPROTO_ICMP);
        second.ops().bind(second, new InetSockAddr(addr("10.0.0.1"), 4242));
        bed.inject(eth0, datagram("10.0.0.2", "10.0.0.1", IPPROTO_ICMP,
                icmpMessage(IcmpTypes.ECHO_REPLY, 0, (4242 << 16) | 1, DATA)));

        assertThat(second.ops().tryRecvmsg(second, ByteBuffer.allocate(64), 0, null)).isEqualTo(16);
        assertThat(errnoOf(() -> first.ops().tryRecvmsg(first, ByteBuffer.allocate(64), 0, null))).isEqualTo(Errno.EAGAIN);
    }

    @Test
    void aDatagramSocketOfProtocolZeroIsNeverAPingSocket() throws Exception {
        ProtoSocket sock = new ProtoSocket(AF_INET, SOCK_DGRAM, owner);
        try {
            bed.inet().family().create(sock, 0);
            throw new AssertionError("created " + sock);
        } catch (ErrnoException e) {
            assertThat(e.errno()).as("UDP's bundle is not running here").isEqualTo(Errno.EPROTONOSUPPORT);
        }
    }

    @Test
    void closingReleasesTheIdentifier() throws Exception {
        ProtoSocket sock = socket(IPPROTO_ICMP);
        sock.ops().bind(sock, new InetSockAddr(0, 4242));
        assertThat(bed.inet().icmp().pingSockets()).isEqualTo(1);
        sock.ops().release(sock);
        assertThat(bed.inet().icmp().pingSockets()).isZero();
    }
}
