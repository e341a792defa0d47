package net.tern.udp.impl;

import static net.tern.api.socket.SocketConstants.MSG_OOB;
import static net.tern.api.socket.SocketConstants.SHUT_WR;
import static net.tern.api.socket.SocketConstants.SOL_IP;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_BROADCAST;
import static net.tern.udp.testing.UdpWire.addr;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.core.testing.FakeDevice;
import net.tern.inet.ip.InetConstants;
import net.tern.spi.net.NetdevFeatures;
import net.tern.spi.net.Packet;
import net.tern.wire.InetChecksum;
import net.tern.spi.net.PacketAllocator;
import net.tern.udp.testing.UdpTestBed;
import net.tern.udp.testing.UdpWire;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code udp_sendmsg}: what goes on the wire, and what is refused. */
class UdpSendTest extends UdpTestBase {
    private FakeDevice eth;

    @BeforeEach
    void addLink() throws ErrnoException {
        eth = bed.fake("eth0", 1500, "10.0.0.2/24");
    }

    private byte[] onlyTransmitted() {
        List<byte[]> sent = UdpTestBed.drain(eth);
        assertThat(sent).hasSize(1);
        return sent.get(0);
    }

    @Test
    void theDatagramOnTheWireCarriesTheHeaderAndAChecksumThatVerifies() throws Exception {
        int fd = bound(at("10.0.0.2", 5000));
        byte[] payload = UdpWire.bytes(33, 4);

        sendTo(fd, payload, at("10.0.0.1", 6000));

        byte[] ip = onlyTransmitted();
        assertThat(UdpWire.protocol(ip)).isEqualTo(17);
        assertThat(UdpWire.source(ip)).isEqualTo(addr("10.0.0.2"));
        assertThat(UdpWire.destination(ip)).isEqualTo(addr("10.0.0.1"));
        byte[] udp = UdpWire.transport(ip);
        assertThat(UdpWire.getShort(udp, 0)).as("source port").isEqualTo(5000);
        assertThat(UdpWire.getShort(udp, 2)).as("destination port").isEqualTo(6000);
        assertThat(UdpWire.getShort(udp, 4)).as("length").isEqualTo(8 + 33);
        assertThat(UdpWire.getShort(udp, 6)).as("checksum is sent").isNotZero();
        assertThat(UdpWire.onesComplementSum(addr("10.0.0.2"), addr("10.0.0.1"), udp)).isEqualTo(0xffff);
        assertThat(Arrays.copyOfRange(udp, 8, udp.length)).isEqualTo(payload);
        assertThat(bed.udp("OutDatagrams")).isEqualTo(1);
    }

    @Test
    void onADeviceThatOffloadsChecksumsTheFieldHoldsThePseudoHeaderSumAndThePacketIsPartial() throws Exception {
        eth.features(NetdevFeatures.NETIF_F_HW_CSUM);
        int fd = bound(at("10.0.0.2", 5000));
        byte[] payload = UdpWire.bytes(33, 4);

        sendTo(fd, payload, at("10.0.0.1", 6000));

        Packet sent = eth.takeTransmitted();
        try {
            assertThat(sent.ipSummed()).isEqualTo(Packet.CHECKSUM_PARTIAL);
            ByteBuf buf = sent.buf();
            int udp = sent.csumStart();
            assertThat(udp).isEqualTo(buf.readerIndex() + 20);
            assertThat(sent.csumOffset()).isEqualTo(6);
            assertThat(buf.getUnsignedShort(udp + 6)).as("udp4_hwcsum leaves the pseudo-header's sum")
                    .isEqualTo(InetChecksum.pseudoHeaderSum(addr("10.0.0.2"), addr("10.0.0.1"), 17, 8 + 33));
        } finally {
            sent.release();
        }
    }

    @Test
    void aDatagramOverLoopbackWithItsPartialChecksumIsDeliveredWithoutAChecksumError() throws Exception {
        int server = bound(lo(7000));
        int client = bed.udpSocket();
        byte[] payload = UdpWire.bytes(1000, 5);

        sendTo(client, payload, lo(7000));
        bed.runUntilIdle();

        assertThat(recv(server, 2000).data()).isEqualTo(payload);
        assertThat(bed.udp("InCsumErrors")).isZero();
        assertThat(bed.udp("InDatagrams")).isEqualTo(1);
    }

    @Test
    void aChecksumThatComputesToZeroIsSentAsAllOnes() throws Exception {
        int fd = bound(at("10.0.0.2", 5000));
        byte[] payload = new byte[10];
        byte[] segment = UdpWire.segment(addr("10.0.0.2"), 5000, addr("10.0.0.1"), 6000, payload, false);
        // Choose the last payload word so that everything sums to 0xffff: the checksum is then 0.
        int sum = UdpWire.onesComplementSum(addr("10.0.0.2"), addr("10.0.0.1"), segment);
        int word = 0xffff - sum;
        payload[8] = (byte) (word >>> 8);
        payload[9] = (byte) word;
        byte[] check = UdpWire.segment(addr("10.0.0.2"), 5000, addr("10.0.0.1"), 6000, payload, false);
        assertThat(UdpWire.onesComplementSum(addr("10.0.0.2"), addr("10.0.0.1"), check)).isEqualTo(0xffff);

        sendTo(fd, payload, at("10.0.0.1", 6000));

        byte[] udp = UdpWire.transport(onlyTransmitted());
        assertThat(UdpWire.getShort(udp, 6)).isEqualTo(0xffff);
        assertThat(UdpWire.onesComplementSum(addr("10.0.0.2"), addr("10.0.0.1"), udp)).isEqualTo(0xffff);
    }

    @Test
    void aDatagramLongerThanTheLinkMtuIsFragmentedByIp() throws Exception {
        int fd = bound(at("10.0.0.2", 5000));
        byte[] payload = UdpWire.bytes(4000, 1);

        sendTo(fd, payload, at("10.0.0.1", 6000));

        List<byte[]> fragments = UdpTestBed.drain(eth);
        assertThat(fragments).hasSize(3);
        ByteArrayOutputStream udp = new ByteArrayOutputStream();
        for (byte[] f : fragments) {
            assertThat(f.length).isLessThanOrEqualTo(1500);
            udp.writeBytes(UdpWire.transport(f));
        }
        byte[] whole = udp.toByteArray();
        assertThat(whole).hasSize(8 + 4000);
        assertThat(UdpWire.onesComplementSum(addr("10.0.0.2"), addr("10.0.0.1"), whole)).isEqualTo(0xffff);
        assertThat(bed.ip("FragCreates")).isEqualTo(3);
        assertThat(bed.udp("OutDatagrams")).isEqualTo(1);
    }

    @Test
    void moreThan65507BytesIsEmsgsize() throws Exception {
        int fd = bound(lo(5000));

        ErrnoException e = failure(() -> sendTo(fd, new byte[65508], lo(6000)));

        assertThat(e.errno()).isEqualTo(Errno.EMSGSIZE);
        assertThat(e.getMessage()).contains("65508").contains("65507");
        assertThat(bed.udp("OutDatagrams")).isZero();
        assertThat(sendTo(fd, new byte[65507], lo(6000))).isEqualTo(65507);
        bed.runUntilIdle();
    }

    @Test
    void aRefusedSendLeavesTheBufferUntouched() throws Exception {
        int fd = bound(lo(5000));
        ByteBuffer data = ByteBuffer.wrap(new byte[10]);
        assertThat(errnoOf(() -> api.sendto(fd, data, 0, at("192.0.2.1", 9)))).isEqualTo(Errno.ENETUNREACH);
        assertThat(data.position()).isZero();

        assertThat(api.sendto(fd, data, 0, lo(9))).isEqualTo(10);
        assertThat(data.hasRemaining()).isFalse();
        bed.runUntilIdle();
    }

    @Test
    void sendingAfterShutWrIsEpipe() throws Exception {
        int fd = bound(lo(5000));
        api.connect(fd, lo(6000));
        api.shutdown(fd, SHUT_WR);
        assertThat(errnoOf(() -> send(fd, new byte[] {1}))).isEqualTo(Errno.EPIPE);
    }

    @Test
    void broadcastNeedsSoBroadcast() throws Exception {
        int fd = bound(at("10.0.0.2", 5000));
        ErrnoException e = failure(() -> sendTo(fd, new byte[] {1}, at("10.0.0.255", 6000)));
        assertThat(e.errno()).isEqualTo(Errno.EACCES);
        assertThat(e.getMessage()).contains("SO_BROADCAST");
        assertThat(UdpTestBed.drain(eth)).isEmpty();

        api.setsockopt(fd, SOL_SOCKET, SO_BROADCAST, 1);
        sendTo(fd, new byte[] {1}, at("10.0.0.255", 6000));

        assertThat(UdpWire.destination(onlyTransmitted())).isEqualTo(addr("10.0.0.255"));
        bed.runUntilIdle();
    }

    @Test
    void outOfBandDataAndPortZeroAreRefused() throws Exception {
        int fd = bound(lo(5000));
        assertThat(errnoOf(() -> api.sendto(fd, ByteBuffer.wrap(new byte[1]), MSG_OOB, lo(6000))))
                .isEqualTo(Errno.EOPNOTSUPP);
        assertThat(errnoOf(() -> sendTo(fd, new byte[1], lo(0)))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void ttlAndTosComeFromTheSocketsOptions() throws Exception {
        int fd = bound(at("10.0.0.2", 5000));
        api.setsockopt(fd, SOL_IP, InetConstants.IP_TTL, 7);
        api.setsockopt(fd, SOL_IP, InetConstants.IP_TOS, 0x10);

        sendTo(fd, new byte[] {1}, at("10.0.0.1", 6000));

        byte[] ip = onlyTransmitted();
        assertThat(ip[8] & 0xff).as("TTL").isEqualTo(7);
        assertThat(ip[1] & 0xff).as("TOS").isEqualTo(0x10);
    }

    @Test
    void runningOutOfPacketMemoryIsEnobufsCountedAsSndbufErrors() throws Exception {
        PacketAllocator real = bed.stack().allocator();
        PacketAllocator dry = new PacketAllocator() {
            @Override
            public Packet allocate(int headroom, int capacity) {
                throw new OutOfMemoryError("direct buffer memory exhausted");
            }

            @Override
            public Packet wrap(ByteBuf buf) {
                return real.wrap(buf);
            }

            @Override
            public long outstanding() {
                return real.outstanding();
            }
        };
        bed.useAllocatorForUdp(dry);
        bed.stopUdp();
        bed.startUdp();
        int fd = bound(lo(5000));

        ErrnoException e = failure(() -> sendTo(fd, new byte[100], lo(6000)));

        assertThat(e.errno()).isEqualTo(Errno.ENOBUFS);
        assertThat(bed.udp("SndbufErrors")).isEqualTo(1);
        assertThat(bed.udp("OutDatagrams")).isZero();
    }
}
