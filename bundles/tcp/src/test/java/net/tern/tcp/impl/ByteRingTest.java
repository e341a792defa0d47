package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ByteRingTest {
    @Test
    void holdsNoArrayUntilTheFirstAppend() {
        ByteRing ring = new ByteRing(4096);
        ByteBuf out = Unpooled.buffer();
        assertThat(ring.read(ByteBuffer.allocate(8), false)).isZero();
        ring.copyTo(0, 0, out);
        ring.append(new byte[0], 0, 0);
        ring.append(out, 0, 0);
        ring.consume(0);
        assertThat(ring.capacity()).isZero();
        assertThat(ring.isEmpty()).isTrue();

        ring.append(new byte[] {1, 2, 3}, 0, 3);

        assertThat(ring.capacity()).isEqualTo(4096);
        assertThat(ring.size()).isEqualTo(3);
    }

    @Test
    void growsPastTheInitialCapacityKeepingOrderAcrossTheWrap() {
        ByteRing ring = new ByteRing(16);
        SplittableRandom random = new SplittableRandom(7);
        byte[] expected = new byte[10_000];
        random.nextBytes(expected);
        int written = 0;
        int readTotal = 0;
        byte[] got = new byte[expected.length];
        while (readTotal < expected.length) {
            int n = Math.min(random.nextInt(1, 700), expected.length - written);
            ring.append(ByteBuffer.wrap(expected, written, n), n);
            written += n;
            ByteBuffer dst = ByteBuffer.wrap(got, readTotal, Math.min(random.nextInt(1, 600), expected.length - readTotal));
            readTotal += ring.read(dst, false);
        }
        assertThat(got).isEqualTo(expected);
        assertThat(ring.isEmpty()).isTrue();
    }

    @Test
    void copyToAndPeekLeaveTheBytesQueued() {
        ByteRing ring = new ByteRing(16);
        ring.append(new byte[] {1, 2, 3, 4, 5}, 0, 5);
        ByteBuf out = Unpooled.buffer();

        ring.copyTo(1, 3, out);
        ByteBuffer peeked = ByteBuffer.allocate(2);
        ring.read(peeked, true);

        assertThat(io.netty.buffer.ByteBufUtil.getBytes(out)).containsExactly(2, 3, 4);
        assertThat(peeked.array()).containsExactly(1, 2);
        assertThat(ring.size()).isEqualTo(5);
    }
}
