package net.tern.udp.impl;

import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_REUSEADDR;
import static net.tern.udp.testing.UdpWire.addr;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.core.testing.FakeDevice;
import net.tern.udp.testing.UdpTestBed;
import net.tern.udp.testing.UdpWire;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code __udp4_lib_rcv}: datagrams from the wire (a fake link, 10.0.0.2/24, peer 10.0.0.1). */
class UdpInputTest extends UdpTestBase {
    private static final int PEER = addr("10.0.0.1");
    private static final int HOST = addr("10.0.0.2");

    private FakeDevice eth;
    private int server;

    @BeforeEach
    void addLinkAndServer() throws ErrnoException {
        eth = bed.fake("eth0", 1500, "10.0.0.2/24");
        server = bound(new InetSockAddr(0, 5000));
    }

    private void inject(byte[] segment) {
        bed.inject(eth, UdpWire.ipv4(PEER, HOST, 17, segment));
    }

    private byte[] segment(int destinationPort, byte[] payload) {
        return UdpWire.segment(PEER, 4000, HOST, destinationPort, payload, true);
    }

    private void assertNothingReceived() {
        assertThat(errnoOf(() -> recv(server, 100))).isEqualTo(Errno.EAGAIN);
    }

    @Test
    void aDatagramFromTheWireIsDelivered() throws Exception {
        inject(segment(5000, new byte[] {1, 2, 3}));

        Received r = recv(server, 100);
        assertThat(r.data()).containsExactly(1, 2, 3);
        assertThat(r.from()).isEqualTo(new InetSockAddr(PEER, 4000));
        assertThat(bed.udp("InDatagrams")).isEqualTo(1);
        assertThat(bed.udp("InErrors")).isZero();
    }

    @Test
    void aZeroChecksumMeansNoneAndIsAccepted() throws Exception {
        inject(UdpWire.segment(PEER, 4000, HOST, 5000, new byte[] {4, 5}, false));

        assertThat(recv(server, 100).data()).containsExactly(4, 5);
        assertThat(bed.udp("InCsumErrors")).isZero();
    }

    @Test
    void aCorruptedByteFailsTheChecksumAndIsCountedAndDropped() throws Exception {
        for (int at = 0; at < 8 + 6; at++) {
            if (at == 4 || at == 5) {
                continue; // the length field: that is a header error, not a checksum error
            }
            byte[] s = segment(5000, new byte[] {10, 20, 30, 40, 50, 60});
            s[at] ^= 0x01;
            inject(s);
        }

        assertNothingReceived();
        assertThat(bed.udp("InCsumErrors")).isEqualTo(12);
        assertThat(bed.udp("InErrors")).isEqualTo(12);
        assertThat(bed.udp("NoPorts")).as("checked before the port").isZero();
        assertThat(UdpTestBed.drain(eth)).as("no ICMP about a corrupt datagram").isEmpty();
    }

    @Test
    void fewerThanEightBytesIsAnInputError() throws Exception {
        inject(new byte[] {0x0f, (byte) 0xa0, 0x13, (byte) 0x88, 0x00, 0x07, 0x00});

        assertNothingReceived();
        assertThat(bed.udp("InErrors")).isEqualTo(1);
    }

    @Test
    void aLengthFieldBeyondTheDataIsAnInputError() throws Exception {
        byte[] s = segment(5000, new byte[] {1, 2, 3});
        UdpWire.putShort(s, 4, s.length + 1);
        inject(s);

        assertNothingReceived();
        assertThat(bed.udp("InErrors")).isEqualTo(1);
        assertThat(bed.udp("InCsumErrors")).isZero();
    }

    @Test
    void aLengthFieldBelowTheHeaderIsAnInputError() throws Exception {
        byte[] s = segment(5000, new byte[] {1, 2, 3});
        UdpWire.putShort(s, 4, 7);
        inject(s);

        assertNothingReceived();
        assertThat(bed.udp("InErrors")).isEqualTo(1);
    }

    @Test
    void bytesPastTheLengthFieldAreTrimmedAway() throws Exception {
        byte[] s = segment(5000, new byte[] {1, 2, 3});
        byte[] padded = Arrays.copyOf(s, s.length + 5);
        Arrays.fill(padded, s.length, padded.length, (byte) 0x77);
        inject(padded);

        assertThat(recv(server, 100).data()).containsExactly(1, 2, 3);
        assertThat(bed.udp("InErrors")).isZero();
    }

    @Test
    void aClosedPortIsAnsweredWithPortUnreachable() throws Exception {
        byte[] s = segment(6000, new byte[] {9, 9});
        byte[] datagram = UdpWire.ipv4(PEER, HOST, 17, s);
        bed.inject(eth, datagram);

        assertThat(bed.udp("NoPorts")).isEqualTo(1);
        List<byte[]> sent = UdpTestBed.drain(eth);
        assertThat(sent).hasSize(1);
        byte[] icmp = UdpWire.transport(sent.get(0));
        assertThat(UdpWire.protocol(sent.get(0))).isEqualTo(1);
        assertThat(UdpWire.destination(sent.get(0))).isEqualTo(PEER);
        assertThat(icmp[0]).as("destination unreachable").isEqualTo((byte) 3);
        assertThat(icmp[1]).as("port unreachable").isEqualTo((byte) 3);
        assertThat(Arrays.copyOfRange(icmp, 8, icmp.length)).as("quotes the datagram").isEqualTo(datagram);
    }

    @Test
    void aBroadcastNobodyWantsIsIgnoredWithoutIcmp() throws Exception {
        bed.inject(eth, UdpWire.ipv4(PEER, addr("10.0.0.255"), 17,
                UdpWire.segment(PEER, 4000, addr("10.0.0.255"), 6000, new byte[] {1}, true)));
        bed.inject(eth, UdpWire.ipv4(PEER, -1, 17, UdpWire.segment(PEER, 4000, -1, 6000, new byte[] {1}, true)));

        assertThat(bed.udp("IgnoredMulti")).isEqualTo(2);
        assertThat(bed.udp("NoPorts")).isZero();
        assertThat(UdpTestBed.drain(eth)).isEmpty();
    }

    @Test
    void aBroadcastGoesToEverySocketOfThePortThatAcceptsIt() throws Exception {
        int a = bed.udpSocket();
        int b = bed.udpSocket();
        for (int fd : new int[] {a, b}) {
            api.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            api.bind(fd, new InetSockAddr(0, 5353));
        }
        int loopbackOnly = bed.udpSocket();
        api.setsockopt(loopbackOnly, SOL_SOCKET, SO_REUSEADDR, 1);
        api.bind(loopbackOnly, lo(5353));

        bed.inject(eth, UdpWire.ipv4(PEER, addr("10.0.0.255"), 17,
                UdpWire.segment(PEER, 4000, addr("10.0.0.255"), 5353, new byte[] {6, 7}, true)));

        // Each member's datagram, the copy and the original alike, says who sent it.
        for (int fd : new int[] {a, b}) {
            Received r = recv(fd, 10);
            assertThat(r.data()).containsExactly(6, 7);
            assertThat(r.from()).isEqualTo(new InetSockAddr(PEER, 4000));
        }
        assertThat(errnoOf(() -> recv(loopbackOnly, 10))).isEqualTo(Errno.EAGAIN);
        assertThat(bed.udp("IgnoredMulti")).isZero();
    }
}
