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

    @Test
    void bytesPlacedAheadSurviveGrowthAndWrapAndJoinTheQueueOnCommit() {
        ByteRing ring = new ByteRing(16);
        ByteBuf src = Unpooled.buffer();
        for (int i = 0; i < 100; i++) {
            src.writeByte(i);
        }
        ring.append(src, 0, 10);
        ring.consume(6); // head moves, so later writes wrap
        ring.place(24, src, 30, 40); // bytes [30, 70) at their place, 20 past the 4 queued ([6, 10))
        assertThat(ring.size()).isEqualTo(4);
        assertThat(ring.extent()).isEqualTo(64);
        ring.append(src, 10, 20); // fills the hole [10, 30)
        ring.commit(40);
        ByteBuffer out = ByteBuffer.allocate(64);
        assertThat(ring.read(out, false)).isEqualTo(64);
        for (int i = 0; i < 64; i++) {
            assertThat(out.get(i)).isEqualTo((byte) (i + 6));
        }
        assertThat(ring.extent()).isZero();
    }

    @Test
    void growthStopsAtTheLimitUnlessOneWriteNeedsMoreAndAnEmptyRingGivesItsArrayBack() {
        ByteRing ring = new ByteRing(64);
        ring.limit(1000);
        assertThat(ring.capacityFor(65)).isEqualTo(128);
        assertThat(ring.capacityFor(600)).isEqualTo(1000);
        assertThat(ring.capacityFor(1500)).isEqualTo(1500);
        ring.append(new byte[600], 0, 600);
        assertThat(ring.capacity()).isEqualTo(1000);
        assertThat(ring.truesize()).isEqualTo(1000 + ByteRing.ARRAY_OVERHEAD);
        assertThat(ring.release()).isFalse();
        ring.consume(600);
        assertThat(ring.release()).isTrue();
        assertThat(ring.truesize()).isZero();
    }

    @Test
    void trimmingPlacedBytesKeepsTheQueuedOnes() {
        ByteRing ring = new ByteRing(64);
        ring.append(new byte[10], 0, 10);
        ring.place(20, Unpooled.wrappedBuffer(new byte[30]), 0, 30);
        ring.trimPlaced(25);
        assertThat(ring.extent()).isEqualTo(25);
        ring.trimPlaced(0);
        assertThat(ring.extent()).isEqualTo(10);
        assertThat(ring.size()).isEqualTo(10);
    }
}
