package net.tern.core.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.spi.net.Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PacketLeakCheck.class)
class PooledPacketAllocatorTest {
    private final PooledPacketAllocator allocator = new PooledPacketAllocator(PooledByteBufAllocator.DEFAULT, true);

    @Test
    void allocatesDirectPooledBuffersWithTheHeadroomAskedFor() {
        Packet packet = allocator.allocate(40, 100);

        assertThat(packet.headroom()).isEqualTo(40);
        assertThat(packet.length()).isZero();
        assertThat(packet.buf().isDirect()).isTrue();
        assertThat(packet.buf().writableBytes()).isGreaterThanOrEqualTo(100);
        packet.buf().writeZero(100);
        packet.push(20);
        assertThat(packet.length()).isEqualTo(120);
        packet.release();
    }

    /**
     * A packet's true size is its buffer's whole allocation plus the packet's overhead: for a
     * pooled buffer the pool's size class, here 1792 bytes for the 1629 a TUN packet of MTU
     * 1500 asks (as Linux charges the slab size an skb head was rounded up to); for another
     * buffer its capacity. It does not change as the packet's data are written or trimmed.
     */
    @Test
    void truesizeIsTheWholeAllocationPlusTheOverhead() {
        Packet mtuSized = allocator.allocate(128, 1501);
        assertThat(mtuSized.truesize()).isEqualTo(1792 + Packet.OVERHEAD);
        mtuSized.buf().writeZero(60);
        mtuSized.trim(20);
        assertThat(mtuSized.truesize()).isEqualTo(1792 + Packet.OVERHEAD);
        mtuSized.release();

        Packet exact = allocator.allocate(0, 512);
        assertThat(exact.truesize()).isEqualTo(512 + Packet.OVERHEAD);
        exact.release();

        Packet wrapped = allocator.wrap(Unpooled.directBuffer(100).writeLong(42));
        assertThat(wrapped.truesize()).isEqualTo(100 + Packet.OVERHEAD);
        wrapped.release();
    }

    @Test
    void countsOutstandingPacketsUntilReleased() {
        Packet a = allocator.allocate(0, 10);
        Packet b = allocator.allocate(0, 10);
        assertThat(allocator.outstanding()).isEqualTo(2);

        a.release();
        assertThat(allocator.outstanding()).isEqualTo(1);
        b.release();
        assertThat(allocator.outstanding()).isZero();
        assertThat(allocator.allocated()).isEqualTo(2);
    }

    @Test
    void wrapTakesOwnershipAndTracksTheBuffer() {
        ByteBuf buf = Unpooled.directBuffer(8).writeLong(42);
        Packet packet = allocator.wrap(buf);
        assertThat(allocator.outstanding()).isEqualTo(1);
        assertThat(packet.length()).isEqualTo(8);

        packet.release();
        assertThat(buf.refCnt()).isZero();
        assertThat(allocator.outstanding()).isZero();
    }

    @Test
    void doubleReleaseThrowsAndDoesNotCountTwice() {
        Packet packet = allocator.allocate(0, 10);
        packet.release();

        assertThatThrownBy(packet::release).isInstanceOf(IllegalStateException.class).hasMessageContaining("twice");
        assertThat(allocator.outstanding()).isZero();
    }

    @Test
    void strictModeRecordsWhereALivePacketWasAllocated() {
        long before = PacketLedger.allocations();
        Packet packet = allocator.allocate(0, 10);

        assertThat(PacketLedger.liveSince(before)).singleElement().satisfies(a -> {
            assertThat(a.site()[0].getMethodName()).isEqualTo("strictModeRecordsWhereALivePacketWasAllocated");
            assertThat(a.thread()).isEqualTo(Thread.currentThread().getName());
            assertThat(a.describe()).contains("PooledPacketAllocatorTest");
        });
        packet.release();
        assertThat(PacketLedger.liveSince(before)).isEmpty();
    }

    @Test
    void withoutStrictModeOnlyCountsAreKept() {
        PooledPacketAllocator counting = new PooledPacketAllocator(PooledByteBufAllocator.DEFAULT, false);
        long before = PacketLedger.allocations();
        long liveBefore = PacketLedger.live();
        Packet packet = counting.allocate(0, 10);

        assertThat(counting.recordsSites()).isFalse();
        assertThat(PacketLedger.liveSince(before)).isEmpty();
        assertThat(PacketLedger.live()).isEqualTo(liveBefore + 1);
        packet.release();
        assertThat(PacketLedger.live()).isEqualTo(liveBefore);
    }

    @Test
    void negativeSizesAreRefused() {
        assertThatThrownBy(() -> allocator.allocate(-1, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("headroom -1");
        assertThat(allocator.outstanding()).isZero();
    }

    @Test
    void strictModeFollowsTheSystemProperty() {
        String saved = System.getProperty(PacketLedger.PROPERTY);
        try {
            System.setProperty(PacketLedger.PROPERTY, "strict");
            assertThat(new PooledPacketAllocator().recordsSites()).isTrue();
            System.setProperty(PacketLedger.PROPERTY, "off");
            assertThat(new PooledPacketAllocator().recordsSites()).isFalse();
            System.clearProperty(PacketLedger.PROPERTY);
            assertThat(new PooledPacketAllocator().recordsSites()).isFalse();
        } finally {
            if (saved == null) {
                System.clearProperty(PacketLedger.PROPERTY);
            } else {
                System.setProperty(PacketLedger.PROPERTY, saved);
            }
        }
    }

    @Test
    void aSmallPacketReleasedComesBackWithItsBufferForTheSameSize() {
        // An odd size no other test's packets have: the kept buffers are process-wide.
        Packet first = allocator.allocate(128, 1871);
        ByteBuf buf = first.buf();
        first.buf().writeBytes(new byte[72]);
        first.release();
        assertThat(buf.refCnt()).as("the allocator's own reference").isEqualTo(1);

        Packet again = allocator.allocate(128, 1871);
        assertThat(again.buf()).isSameAs(buf);
        assertThat(again.headroom()).isEqualTo(128);
        assertThat(again.length()).isZero();
        assertThat(again.truesize()).isEqualTo(buf.writerIndex() + buf.maxFastWritableBytes() + Packet.OVERHEAD);
        assertThat(allocator.outstanding()).isEqualTo(1);
        again.release();
        assertThat(allocator.outstanding()).isZero();
    }

    @Test
    void aBufferSomeoneStillHoldsIsNotKeptAndKeepsItsBytes() {
        Packet packet = allocator.allocate(0, 64);
        packet.buf().writeBytes(new byte[] {1, 2, 3, 4});
        ByteBuf slice = packet.buf().retainedSlice(0, 4);
        packet.release();

        Packet next = allocator.allocate(0, 64);
        assertThat(next.buf()).isNotSameAs(slice.unwrap());
        next.buf().writeBytes(new byte[] {9, 9, 9, 9});
        assertThat(slice.getByte(0)).isEqualTo((byte) 1);
        assertThat(slice.getByte(3)).isEqualTo((byte) 4);
        next.release();
        assertThat(slice.release()).as("the slice held the last reference").isTrue();
    }

    @Test
    void aLargePacketKeepsNoBuffer() {
        Packet big = allocator.allocate(128, PooledPacketAllocator.KEEP_MAX);
        ByteBuf buf = big.buf();
        big.release();
        assertThat(buf.refCnt()).isZero();
    }
}
