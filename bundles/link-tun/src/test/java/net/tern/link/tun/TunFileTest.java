package net.tern.link.tun;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The file's read and write, with direct buffers (read in place) and heap buffers (copied). */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TunFileTest {
    private static final byte[] PACKET = {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};

    private final SocketPair pair = new SocketPair();
    private final TunFile file;
    private final ByteBuf direct = Unpooled.directBuffer(100);
    private final ByteBuf heap = Unpooled.buffer(100);

    TunFileTest() throws Exception {
        file = new TunFile("tun0", pair.deviceFd);
    }

    @AfterEach
    void close() {
        file.close(1_000);
        pair.close();
        direct.release();
        heap.release();
    }

    @Test
    void readsOnePacketIntoADirectOrAHeapBuffer() {
        for (ByteBuf buf : new ByteBuf[] {direct, heap}) {
            buf.writerIndex(8).readerIndex(8); // data starts after some headroom
            pair.send(PACKET);

            assertThat(file.read(buf)).isEqualTo(PACKET.length);

            byte[] got = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), got);
            assertThat(got).isEqualTo(PACKET);
        }
    }

    @Test
    void writesTheReadableBytesOfADirectOrAHeapBufferAsOnePacket() {
        for (ByteBuf buf : new ByteBuf[] {direct, heap}) {
            buf.clear().writeZero(4).writeBytes(PACKET).readerIndex(4);

            assertThat(file.write(buf)).isTrue();

            assertThat(pair.receive(1_000)).isEqualTo(PACKET);
        }
    }

    @Test
    void aReadWithNothingThereSaysAgainAndOneAfterCloseSaysClosed() {
        assertThat(file.read(direct)).isEqualTo(TunFile.AGAIN);

        file.close(1_000);

        assertThat(file.read(direct)).isEqualTo(TunFile.CLOSED);
        assertThat(file.write(direct)).isFalse();
        assertThat(file.isClosed()).isTrue();
    }

    @Test
    void closingClosesTheDescriptorOnceAndTwiceIsHarmless() {
        file.close(1_000);
        file.close(1_000);
        file.wakeUp();

        assertThat(pair.peerEvents() & LibC.POLLHUP).as("the driver's end is closed").isNotZero();
    }

    @Test
    void aWakeUpEndsAPollEarly() {
        PollSet set = file.pollSet();
        file.wakeUp();

        long start = System.nanoTime();
        int ready = file.poll(set, 120_000);

        assertThat(ready).isEqualTo(1);
        assertThat(set.wakeEvents() & LibC.POLLIN).isNotZero();
        assertThat(set.deviceEvents()).isZero();
        // Far below the poll's timeout, however busy the machine: the wake-up ended it.
        assertThat(System.nanoTime() - start).isLessThan(60_000_000_000L);
    }
}
