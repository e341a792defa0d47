package net.tern.udp.impl;

import java.util.Arrays;
import net.tern.api.socket.Errno;
import net.tern.api.socket.InetSockAddr;
import net.tern.udp.testing.UdpWire;
import net.tern.wire.UdpPacket;
import org.junit.jupiter.api.Test;
import static net.tern.api.socket.SocketConstants.MSG_PEEK;
import static net.tern.api.socket.SocketConstants.MSG_TRUNC;
import static org.assertj.core.api.Assertions.assertThat;

/** Datagrams between sockets over 127.0.0.1, through the socket API, IPv4 and loopback. */
class UdpEchoTest extends UdpTestBase {

    @Test
    void echoBetweenTwoSocketsOverLoopback() throws Exception {
        int server = bound(lo(7000));
        int client = bed.udpSocket();
        byte[] hello = "hello, udp".getBytes();

        assertThat(sendTo(client, hello, lo(7000))).isEqualTo(hello.length);
        bed.runUntilIdle();
        Received request = recv(server, 100);
        assertThat(request.data()).isEqualTo(hello);
        assertThat(request.from()).isEqualTo(lo(localPort(client)));

        assertThat(sendTo(server, request.data(), request.from())).isEqualTo(hello.length);
        bed.runUntilIdle();
        Received reply = recv(client, 100);
        assertThat(reply.data()).isEqualTo(hello);
        assertThat(reply.from()).isEqualTo(lo(7000));
    }

    @Test
    void datagramBoundariesAreKept() throws Exception {
        int server = bound(lo(7000));
        int client = bed.udpSocket();
        byte[][] datagrams = {UdpWire.bytes(1, 1), UdpWire.bytes(300, 2), new byte[0], UdpWire.bytes(17, 3)};
        for (byte[] d : datagrams) {
            sendTo(client, d, lo(7000));
        }
        bed.runUntilIdle();

        for (byte[] d : datagrams) {
            Received r = recv(server, 1000);
            assertThat(r.data()).isEqualTo(d);
            assertThat(r.returned()).isEqualTo(d.length);
            assertThat(r.flags() & MSG_TRUNC).isZero();
        }
        assertThat(errnoOf(() -> recv(server, 1000))).isEqualTo(Errno.EAGAIN);
    }

    @Test
    void aDatagramLongerThanTheBufferIsTruncatedAndItsRestDiscarded() throws Exception {
        int server = bound(lo(7000));
        int client = bed.udpSocket();
        byte[] big = UdpWire.bytes(100, 7);
        byte[] next = UdpWire.bytes(5, 9);
        sendTo(client, big, lo(7000));
        sendTo(client, next, lo(7000));
        bed.runUntilIdle();

        Received first = recv(server, 10);
        assertThat(first.data()).isEqualTo(Arrays.copyOf(big, 10));
        assertThat(first.returned()).isEqualTo(10);
        assertThat(first.flags() & MSG_TRUNC).isEqualTo(MSG_TRUNC);

        Received second = recv(server, 100);
        assertThat(second.data()).as("the tail of the first datagram is gone").isEqualTo(next);
        assertThat(second.flags() & MSG_TRUNC).isZero();
    }

    @Test
    void msgTruncAskedOnReceiveReturnsTheDatagramsFullLength() throws Exception {
        int server = bound(lo(7000));
        int client = bed.udpSocket();
        sendTo(client, UdpWire.bytes(100, 7), lo(7000));
        bed.runUntilIdle();

        Received r = recv(server, 10, MSG_TRUNC);

        assertThat(r.returned()).isEqualTo(100);
        assertThat(r.data()).hasSize(10);
        assertThat(r.flags() & MSG_TRUNC).isEqualTo(MSG_TRUNC);
    }

    @Test
    void msgPeekLeavesTheDatagramQueued() throws Exception {
        int server = bound(lo(7000));
        int client = bed.udpSocket();
        byte[] data = UdpWire.bytes(40, 5);
        sendTo(client, data, lo(7000));
        bed.runUntilIdle();

        Received peeked = recv(server, 100, MSG_PEEK);
        Received peekedAgain = recv(server, 10, MSG_PEEK);
        Received read = recv(server, 100);

        assertThat(peeked.data()).isEqualTo(data);
        assertThat(peeked.from()).isEqualTo(lo(localPort(client)));
        assertThat(peekedAgain.flags() & MSG_TRUNC).isEqualTo(MSG_TRUNC);
        assertThat(read.data()).isEqualTo(data);
        assertThat(bed.udp("InDatagrams")).as("peeks are not reads").isEqualTo(1);
        assertThat(errnoOf(() -> recv(server, 100))).isEqualTo(Errno.EAGAIN);
    }

    @Test
    void theLargestDatagramCrossesLoopbackWhole() throws Exception {
        int server = bound(lo(7000));
        int client = bed.udpSocket();
        byte[] largest = UdpWire.bytes(UdpPacket.MAX_IPV4_PAYLOAD, 11);

        assertThat(sendTo(client, largest, lo(7000))).isEqualTo(65507);
        bed.runUntilIdle();

        assertThat(recv(server, 70000).data()).isEqualTo(largest);
    }

    @Test
    void aSocketBoundToTheWildcardReceivesWhatIsSentToLoopback() throws Exception {
        int server = bound(new InetSockAddr(0, 7000));
        int client = bed.udpSocket();
        sendTo(client, new byte[] {1, 2, 3}, lo(7000));
        bed.runUntilIdle();

        assertThat(recv(server, 10).data()).containsExactly(1, 2, 3);
        assertThat(api.getsockname(server)).isEqualTo(new InetSockAddr(0, 7000));
    }
}
