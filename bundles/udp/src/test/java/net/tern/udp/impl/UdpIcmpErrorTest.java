package net.tern.udp.impl;

import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLLOUT;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_ERROR;
import static net.tern.udp.testing.UdpWire.addr;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.core.testing.FakeDevice;
import net.tern.udp.testing.UdpTestBed;
import net.tern.udp.testing.UdpWire;
import net.tern.wire.IcmpTypes;
import org.junit.jupiter.api.Test;

/** {@code udp_err}: ICMP errors about sent datagrams, over loopback and from the wire. */
class UdpIcmpErrorTest extends UdpTestBase {

    @Test
    void portUnreachableOverLoopbackRefusesTheConnectedSendersNextSend() throws Exception {
        int fd = bound(lo(7000));
        api.connect(fd, lo(9999));

        send(fd, new byte[] {1});
        bed.runUntilIdle();

        assertThat(bed.udp("NoPorts")).isEqualTo(1);
        assertThat(bed.icmp("OutDestUnreachs")).isEqualTo(1);
        assertThat(api.poll(fd, EPOLLIN | EPOLLOUT, 0)).isEqualTo(EPOLLOUT | EPOLLERR);
        ErrnoException e = failure(() -> send(fd, new byte[] {2}));
        assertThat(e.errno()).isEqualTo(Errno.ECONNREFUSED);
        assertThat(e.getMessage()).contains("send(fd " + fd).contains("127.0.0.1:9999");
        assertThat(api.poll(fd, EPOLLIN | EPOLLOUT, 0)).as("reported once").isEqualTo(EPOLLOUT);
        assertThat(send(fd, new byte[] {3})).isEqualTo(1);
        bed.runUntilIdle();
    }

    @Test
    void portUnreachableOverLoopbackFailsTheConnectedSendersNextReceive() throws Exception {
        int fd = bound(lo(7000));
        api.connect(fd, lo(9999));
        send(fd, new byte[] {1});
        bed.runUntilIdle();

        assertThat(errnoOf(() -> recv(fd, 10))).isEqualTo(Errno.ECONNREFUSED);
        assertThat(errnoOf(() -> recv(fd, 10))).isEqualTo(Errno.EAGAIN);
    }

    @Test
    void soErrorReadsAndClearsThePendingError() throws Exception {
        int fd = bed.udpSocket();
        api.connect(fd, lo(9999));
        send(fd, new byte[] {1});
        bed.runUntilIdle();

        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isEqualTo(Errno.ECONNREFUSED.number());
        assertThat(api.getsockopt(fd, SOL_SOCKET, SO_ERROR)).isZero();
        assertThat(send(fd, new byte[] {2})).isEqualTo(1);
        bed.runUntilIdle();
    }

    @Test
    void anUnconnectedSenderIgnoresPortUnreachable() throws Exception {
        int fd = bound(lo(7000));
        sendTo(fd, new byte[] {1}, lo(9999));
        bed.runUntilIdle();

        assertThat(bed.icmp("OutDestUnreachs")).isEqualTo(1);
        assertThat(bed.icmp("InDestUnreachs")).isEqualTo(1);
        assertThat(api.poll(fd, EPOLLIN | EPOLLOUT, 0)).isEqualTo(EPOLLOUT);
        assertThat(sendTo(fd, new byte[] {2}, lo(9999))).isEqualTo(1);
        bed.runUntilIdle();
    }

    /** A connected socket 10.0.0.2:5000 → 10.0.0.1:6000 on a fake link, and one datagram it sent. */
    private record Sent(FakeDevice eth, int fd, byte[] datagram) {
    }

    private Sent connectedOverFakeLink() throws Exception {
        FakeDevice eth = bed.fake("eth0", 1500, "10.0.0.2/24");
        int fd = bound(at("10.0.0.2", 5000));
        api.connect(fd, at("10.0.0.1", 6000));
        send(fd, new byte[] {1, 2, 3});
        List<byte[]> out = UdpTestBed.drain(eth);
        assertThat(out).hasSize(1);
        return new Sent(eth, fd, out.get(0));
    }

    private void icmpFromPeer(Sent sent, int type, int code, int rest, byte[] quoted) {
        bed.inject(sent.eth(), UdpWire.ipv4(addr("10.0.0.1"), addr("10.0.0.2"), 1,
                UdpWire.icmp(type, code, rest, quoted)));
    }

    @Test
    void fragmentationNeededIsEmsgsize() throws Exception {
        Sent sent = connectedOverFakeLink();
        icmpFromPeer(sent, IcmpTypes.DEST_UNREACH, IcmpTypes.FRAG_NEEDED, 576, sent.datagram());
        assertThat(errnoOf(() -> send(sent.fd(), new byte[] {4}))).isEqualTo(Errno.EMSGSIZE);
    }

    @Test
    void hardUnreachableCodesBecomeTheirErrnos() throws Exception {
        Sent sent = connectedOverFakeLink();
        int[][] codeToErrno = {
            {IcmpTypes.PROT_UNREACH, Errno.ENOPROTOOPT.number()},
            {IcmpTypes.NET_UNKNOWN, Errno.ENETUNREACH.number()},
            {IcmpTypes.HOST_UNKNOWN, Errno.EHOSTDOWN.number()},
            {IcmpTypes.HOST_ANO, Errno.EHOSTUNREACH.number()},
            {IcmpTypes.PKT_FILTERED, Errno.EHOSTUNREACH.number()},
            {IcmpTypes.PORT_UNREACH, Errno.ECONNREFUSED.number()},
        };
        for (int[] pair : codeToErrno) {
            icmpFromPeer(sent, IcmpTypes.DEST_UNREACH, pair[0], 0, sent.datagram());
            assertThat(api.getsockopt(sent.fd(), SOL_SOCKET, SO_ERROR)).as("code %d", pair[0]).isEqualTo(pair[1]);
        }
    }

    @Test
    void softErrorsAreIgnoredAsWithoutIpRecverr() throws Exception {
        Sent sent = connectedOverFakeLink();
        icmpFromPeer(sent, IcmpTypes.DEST_UNREACH, IcmpTypes.NET_UNREACH, 0, sent.datagram());
        icmpFromPeer(sent, IcmpTypes.DEST_UNREACH, IcmpTypes.HOST_UNREACH, 0, sent.datagram());
        icmpFromPeer(sent, IcmpTypes.TIME_EXCEEDED, IcmpTypes.EXC_TTL, 0, sent.datagram());
        icmpFromPeer(sent, IcmpTypes.SOURCE_QUENCH, 0, 0, sent.datagram());

        assertThat(bed.icmp("InErrors")).isZero();
        assertThat(api.getsockopt(sent.fd(), SOL_SOCKET, SO_ERROR)).isZero();
        assertThat(send(sent.fd(), new byte[] {5})).isEqualTo(1);
    }

    @Test
    void anErrorAboutAnotherFlowLeavesTheSocketAlone() throws Exception {
        Sent sent = connectedOverFakeLink();
        byte[] other = sent.datagram().clone();
        UdpWire.putShort(other, UdpWire.IP_HEADER + 2, 6001); // sent to another port of the peer
        icmpFromPeer(sent, IcmpTypes.DEST_UNREACH, IcmpTypes.PORT_UNREACH, 0, other);

        assertThat(api.getsockopt(sent.fd(), SOL_SOCKET, SO_ERROR)).isZero();
    }
}
