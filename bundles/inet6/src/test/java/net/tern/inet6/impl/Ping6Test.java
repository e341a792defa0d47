package net.tern.inet6.impl;

import static net.tern.inet6.testing.Inet6TestBed.drain;
import static net.tern.inet6.testing.Inet6TestBed.icmp;
import static net.tern.inet6.testing.Inet6TestBed.ip;
import static net.tern.inet6.testing.Inet6TestBed.packet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.FakeDevice;
import net.tern.inet6.testing.Inet6TestBed;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.ProtoSocket;
import net.tern.wire.Icmpv6Packet;
import net.tern.wire.Icmpv6Repr;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.Ipv6Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ICMPv6 echo sockets ({@code socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6)}). */
class Ping6Test {
    Inet6TestBed bed;
    FakeDevice tun;
    int wakeUps;

    @BeforeEach
    void setUp() throws Exception {
        bed = new Inet6TestBed();
        bed.loopback();
        tun = bed.fake("tun0", 1500, "fd00::2/64");
    }

    @AfterEach
    void tearDown() {
        bed.close();
        assertThat(bed.outstanding()).as("packets leaked").isZero();
    }

    ProtoSocket socket() throws ErrnoException {
        ProtoSocket sock = new ProtoSocket(SocketConstants.AF_INET6, SocketConstants.SOCK_DGRAM, new ProtoSocket.Owner() {
            @Override
            public void wakeUp(ProtoSocket s, int mask) {
                wakeUps++;
            }

            @Override
            public void withdrawn(ProtoSocket s, Errno errno, String reason) {
            }
        });
        bed.inet6().family().create(sock, SocketConstants.IPPROTO_ICMPV6);
        return sock;
    }

    static ByteBuffer echo(int sequence, int size) {
        ByteBuffer b = ByteBuffer.allocate(8 + size);
        b.put(0, (byte) Icmpv6Types.ECHO_REQUEST);
        b.putShort(6, (short) sequence);
        for (int i = 8; i < 8 + size; i++) {
            b.put(i, (byte) i);
        }
        return b;
    }

    @Test
    void pingingTheLoopbackAddressReadsTheReplyWithItsHopLimit() throws Exception {
        ProtoSocket sock = socket();
        sock.ops().setsockopt(sock, SocketConstants.SOL_IPV6, SocketConstants.IPV6_RECVHOPLIMIT, 1);
        sock.ops().connect(sock, new Inet6SockAddr(0, 1, 0), 0);
        assertThat(sock.ops().sendmsg(sock, echo(1, 56), null, 0)).isEqualTo(64);
        bed.stack().runUntilIdle();
        assertThat(sock.ops().poll(sock) & SocketConstants.EPOLLIN).isNotZero();
        assertThat(wakeUps).isPositive();
        ByteBuffer in = ByteBuffer.allocate(200);
        MsgHeader msg = new MsgHeader();
        assertThat(sock.ops().recvmsg(sock, in, 0, msg)).isEqualTo(64);
        assertThat(in.get(0) & 0xff).isEqualTo(Icmpv6Types.ECHO_REPLY);
        assertThat(in.getShort(6)).isEqualTo((short) 1);
        assertThat(in.get(20)).isEqualTo((byte) 20);
        assertThat(msg.from).isEqualTo(new Inet6SockAddr(0, 1, 0));
        assertThat(msg.controlType(0)).isEqualTo(SocketConstants.IPV6_HOPLIMIT);
        assertThat(msg.controlValue(0)).isEqualTo(64);
        assertThatThrownBy(() -> sock.ops().recvmsg(sock, in.clear(), 0, new MsgHeader()))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EAGAIN));
        sock.ops().release(sock);
        assertThat(bed.inet6().ping().bound()).isZero();
    }

    @Test
    void theSocketsIdentifierIsSetOnTheWireAndOnlyItsRepliesReachIt() throws Exception {
        ProtoSocket sock = socket();
        sock.ops().bind(sock, new Inet6SockAddr(0, 0, 4321));
        sock.ops().sendmsg(sock, echo(9, 8), Inet6SockAddr.parse("[fd00::1]:0"), 0);
        bed.stack().runUntilIdle();
        List<byte[]> out = drain(tun);
        assertThat(out).hasSize(1);
        assertThat(ip(out.get(0)).source()).isEqualTo(Ipv6Address.parse("fd00::2"));
        Icmpv6Packet request = Icmpv6Packet.at(Unpooled.wrappedBuffer(out.get(0)), 40);
        assertThat(request.identifier()).isEqualTo(4321);
        assertThat(request.check(16, Ipv6Address.parse("fd00::2"), Ipv6Address.parse("fd00::1")))
                .isEqualTo(Icmpv6Packet.Check.OK);
        bed.inject(tun, packet("fd00::1", "fd00::2", 58, icmp("fd00::1", "fd00::2",
                Icmpv6Repr.echoReply(1234, 9, 8), new byte[8])));
        assertThat(sock.ops().poll(sock) & SocketConstants.EPOLLIN).as("another identifier's reply").isZero();
        bed.inject(tun, packet("fd00::1", "fd00::2", 58, icmp("fd00::1", "fd00::2",
                Icmpv6Repr.echoReply(4321, 9, 8), new byte[8])));
        MsgHeader msg = new MsgHeader();
        assertThat(sock.ops().recvmsg(sock, ByteBuffer.allocate(64), 0, msg)).isEqualTo(16);
        assertThat(msg.from).hasToString("[fd00::1]:0");
        assertThat(sock.ops().getname(sock, false)).hasToString("[::]:4321");
        sock.ops().release(sock);
    }

    @Test
    void onlyEchoRequestsMayBeSentAndAnIdentifierOnlyOnce() throws Exception {
        ProtoSocket sock = socket();
        ByteBuffer reply = echo(1, 8);
        reply.put(0, (byte) Icmpv6Types.ECHO_REPLY);
        assertThatThrownBy(() -> sock.ops().sendmsg(sock, reply, Inet6SockAddr.parse("[::1]:0"), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThatThrownBy(() -> sock.ops().sendmsg(sock, echo(1, 8), null, 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EDESTADDRREQ));
        assertThatThrownBy(() -> sock.ops().sendmsg(sock, echo(1, 8), Inet6SockAddr.parse("[2001:db8::1]:0"), 0))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENETUNREACH));
        assertThatThrownBy(() -> sock.ops().bind(sock, new Inet6SockAddr(0, 0, 78))).as("sending bound it")
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        ProtoSocket first = socket();
        first.ops().bind(first, new Inet6SockAddr(0, 0, 77));
        ProtoSocket other = socket();
        assertThatThrownBy(() -> other.ops().bind(other, new Inet6SockAddr(0, 0, 77)))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRINUSE));
        assertThatThrownBy(() -> other.ops().bind(other, Inet6SockAddr.parse("[fd00::9]:0")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EADDRNOTAVAIL));
        sock.ops().release(sock);
        first.ops().release(first);
        other.ops().release(other);
    }

    @Test
    void aLargePingIsFragmentedAndItsReassembledReplyRead() throws Exception {
        ProtoSocket sock = socket();
        sock.ops().connect(sock, Inet6SockAddr.parse("[fd00::1]:0"), 0);
        sock.ops().sendmsg(sock, echo(2, 4000), null, 0);
        bed.stack().runUntilIdle();
        assertThat(drain(tun)).hasSize(3);
        sock.ops().release(sock);
    }
}
