package net.tern.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InetChecksumTest {
    private static ByteBuf wrap(int... bytes) {
        ByteBuf buf = Unpooled.buffer(bytes.length);
        for (int b : bytes) {
            buf.writeByte(b);
        }
        return buf;
    }

    /** The straightforward RFC 1071 definition, 16 bits at a time, as the reference. */
    private static int referenceChecksum(byte[] data) {
        long sum = 0;
        for (int i = 0; i < data.length; i += 2) {
            int hi = data[i] & 0xff;
            int lo = i + 1 < data.length ? data[i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    @Test
    void rfc1071ExampleSumsToDdf2() {
        // RFC 1071, 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (checksum 220d).
        ByteBuf buf = wrap(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
        assertThat(InetChecksum.sum(buf, 0, 8)).isEqualTo(0xddf2);
        assertThat(InetChecksum.checksum(buf, 0, 8)).isEqualTo(0x220d);
    }

    @Test
    void knownIpv4ReprHasChecksumB861AndVerifies() {
        ByteBuf header = wrap(0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
                0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7);
        assertThat(InetChecksum.checksum(header, 0, 20)).isEqualTo(0xb861);
        header.setShort(10, 0xb861);
        assertThat(InetChecksum.verify(header, 0, 20)).isTrue();
        header.setByte(8, 0x3f); // TTL changed, checksum not: must fail
        assertThat(InetChecksum.verify(header, 0, 20)).isFalse();
    }

    @Test
    void oddLengthPadsTheLastByteWithZero() {
        assertThat(InetChecksum.sum(wrap(0x01), 0, 1)).isEqualTo(0x0100);
        assertThat(InetChecksum.sum(wrap(0x12, 0x34, 0x56), 0, 3)).isEqualTo(0x1234 + 0x5600);
        assertThat(InetChecksum.sum(new byte[] {0x12, 0x34, 0x56}, 0, 3)).isEqualTo(0x1234 + 0x5600);
    }

    @Test
    void matchesTheReferenceForRandomDataOfEveryLengthUpTo300AtAnyOffset() {
        Random random = new Random(7);
        for (int length = 0; length <= 300; length++) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            int offset = random.nextInt(5);
            ByteBuf buf = Unpooled.buffer(length + offset);
            buf.writeZero(offset);
            buf.writeBytes(data);
            assertThat(InetChecksum.checksum(buf, offset, length)).as("length %d", length)
                    .isEqualTo(referenceChecksum(data));
            assertThat(InetChecksum.finish(InetChecksum.sum(data, 0, length))).isEqualTo(referenceChecksum(data));
        }
    }

    @Test
    void directCompositeAndNioViewsMatchTheReferenceUpTo64KiB() {
        SplittableRandom random = new SplittableRandom(11);
        int[] lengths = {63, 64, 65, 71, 1460, 1461, 9000, 65_535};
        for (int length : lengths) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            int offset = random.nextInt(9);
            int expected = referenceChecksum(data);
            ByteBuf direct = Unpooled.directBuffer(length + offset).writeZero(offset).writeBytes(data);
            ByteBuf composite = Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(data, 0, length / 3),
                    Unpooled.wrappedBuffer(data, length / 3, length - length / 3));
            ByteBuffer littleEndian = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            try {
                assertThat(InetChecksum.checksum(direct, offset, length)).as("direct, length %d", length)
                        .isEqualTo(expected);
                assertThat(InetChecksum.checksum(composite, 0, length)).as("composite, length %d", length)
                        .isEqualTo(expected);
                assertThat(InetChecksum.finish(InetChecksum.sum(littleEndian))).as("nio, length %d", length)
                        .isEqualTo(expected);
                assertThat(littleEndian.position()).isZero();
            } finally {
                direct.release();
                composite.release();
            }
        }
    }

    @Test
    void allOnesDataFoldsToFfffAndChecksumZero() {
        ByteBuf buf = wrap(0xff, 0xff, 0xff, 0xff);
        assertThat(InetChecksum.sum(buf, 0, 4)).isEqualTo(0xffff);
        assertThat(InetChecksum.checksum(buf, 0, 4)).isZero();
    }

    @Test
    void pseudoHeaderSumEqualsTheSumOfTheExplicitPseudoHeaderBytes() {
        int src = 0xc0a80001;
        int dst = 0x0a000002;
        byte[] pseudo = {(byte) 0xc0, (byte) 0xa8, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x00, 17, 0x01, 0x2c};
        assertThat(InetChecksum.pseudoHeaderSum(src, dst, 17, 300)).isEqualTo(InetChecksum.sum(pseudo, 0, pseudo.length));
    }

    @Test
    void transportChecksumCoversPseudoHeaderAndSegmentAndVerifies() {
        int src = 0x7f000001;
        int dst = 0x7f000001;
        byte[] segment = {0x30, 0x39, 0x00, 0x35, 0x00, 0x0b, 0x00, 0x00, 'a', 'b', 'c'}; // UDP 12345 -> 53, "abc"
        byte[] pseudoAndSegment = new byte[12 + segment.length];
        byte[] pseudo = {0x7f, 0, 0, 1, 0x7f, 0, 0, 1, 0, 17, 0, (byte) segment.length};
        System.arraycopy(pseudo, 0, pseudoAndSegment, 0, 12);
        System.arraycopy(segment, 0, pseudoAndSegment, 12, segment.length);
        ByteBuf buf = Unpooled.wrappedBuffer(segment.clone());

        int checksum = InetChecksum.transportChecksum(buf, 0, segment.length, src, dst, 17);

        assertThat(checksum).isEqualTo(referenceChecksum(pseudoAndSegment));
        buf.setShort(6, checksum);
        assertThat(InetChecksum.verifyTransport(buf, 0, segment.length, src, dst, 17)).isTrue();
        assertThat(InetChecksum.verifyTransport(buf, 0, segment.length, src, dst + 1, 17)).isFalse();
    }

    @Test
    void aPartialChecksumCompletedEqualsTheWholeOneForTcpAndUdpOfAnyLength() {
        SplittableRandom random = new SplittableRandom(7);
        for (int length = 20; length < 1600; length += 37) {
            byte[] segment = new byte[length];
            for (int i = 0; i < length; i++) {
                segment[i] = (byte) random.nextInt(256);
            }
            segment[12] = 5 << 4;
            int src = random.nextInt();
            int dst = random.nextInt();
            ByteBuf whole = Unpooled.wrappedBuffer(segment.clone());
            ByteBuf partial = Unpooled.wrappedBuffer(segment.clone());
            TcpPacket.fillChecksum(whole, 0, length, src, dst);
            TcpPacket.fillPartialChecksum(partial, 0, length, src, dst);
            assertThat(partial.getUnsignedShort(16)).isEqualTo(InetChecksum.pseudoHeaderSum(src, dst, 6, length));
            InetChecksum.completePartial(partial, 0, length, TcpPacket.CHECKSUM_OFFSET);
            assertThat(partial.getUnsignedShort(16)).as("TCP, %d bytes", length).isEqualTo(whole.getUnsignedShort(16));

            ByteBuf udpWhole = Unpooled.wrappedBuffer(segment.clone());
            ByteBuf udpPartial = Unpooled.wrappedBuffer(segment.clone());
            UdpPacket.emitHeader(udpWhole, 0, 1000, 2000, length).fillChecksum(src, dst);
            UdpPacket.emitHeader(udpPartial, 0, 1000, 2000, length).fillPartialChecksum(src, dst);
            InetChecksum.completePartial(udpPartial, 0, length, UdpPacket.CHECKSUM_OFFSET);
            assertThat(udpPartial.getUnsignedShort(6)).as("UDP, %d bytes", length).isEqualTo(udpWhole.getUnsignedShort(6));
        }
    }

    @Test
    void aCompletedChecksumOfZeroGoesOutAsAllOnes() {
        // A UDP segment whose every word but the checksum sums, with its pseudo-header, to 0xffff.
        int src = 0x7f000001;
        int dst = 0x7f000001;
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[12]);
        UdpPacket.emitHeader(buf, 0, 1, 2, 12);
        int rest = InetChecksum.add(InetChecksum.pseudoHeaderSum(src, dst, 17, 12), InetChecksum.sum(buf, 0, 12));
        buf.setShort(8, 0xffff - rest);
        UdpPacket.at(buf, 0).fillPartialChecksum(src, dst);

        InetChecksum.completePartial(buf, 0, 12, UdpPacket.CHECKSUM_OFFSET);

        assertThat(buf.getUnsignedShort(6)).isEqualTo(0xffff);
        assertThat(InetChecksum.verifyTransport(buf, 0, 12, src, dst, 17)).isTrue();
    }
}
