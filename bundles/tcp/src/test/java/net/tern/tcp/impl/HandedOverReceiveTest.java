package net.tern.tcp.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.tcp.testing.LoopbackHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code SocketApi.sysRecvBuffers} on TCP ({@link TcpReceiver#handOver}): the bytes and
 * outcomes of {@code recvmsg}, with the queue's packets handed over instead of copied. In
 * virtual time; the leak check finds every buffer handed over released.
 */
@ExtendWith(PacketLeakCheck.class)
class HandedOverReceiveTest {
    private final ByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    private final List<ByteBuf> arrived = new ArrayList<>();

    @AfterEach
    void releaseArrived() {
        arrived.forEach(ByteBuf::release);
    }

    @Test
    void aKeptPacketIsHandedOverAsASliceOfItsOwnBufferAndSplitAtTheBytesAskedFor() throws Exception {
        try (LoopbackHost lo = new LoopbackHost()) {
            SocketApi api = lo.api();
            int[] pair = lo.connectPair(lo.listen(8080, 8), 8080);
            byte[] data = pattern(20_000);
            lo.sendAll(pair[0], data, 1_000);
            lo.runUntilIdle();

            long first = api.sysRecvBuffers(pair[1], alloc, 5_000, 0, arrived::add);
            assertThat(first).isEqualTo(5_000);
            assertThat(arrived).hasSize(1);
            assertThat(arrived.get(0).alloc()).as("the packet's buffer, not one from the reader's allocator")
                    .isNotSameAs(alloc);
            long rest = api.sysRecvBuffers(pair[1], alloc, 1 << 20, 0, arrived::add);
            assertThat(rest).isEqualTo(15_000);
            assertThat(concat()).isEqualTo(data);
            assertThat(api.sysRecvBuffers(pair[1], alloc, 1 << 20, 0, arrived::add))
                    .as("nothing queued: would block").isEqualTo(Errno.EAGAIN.negative());
        }
    }

    @Test
    void aBlockingSocketTakesTheBlockingModelsPathAndGetsWhatIsQueued() throws Exception {
        try (LoopbackHost lo = new LoopbackHost()) {
            SocketApi api = lo.api();
            int[] pair = lo.connectPair(lo.listen(8080, 8), 8080);
            byte[] data = pattern(4_000);
            lo.sendAll(pair[0], data, 1_000);
            lo.runUntilIdle();
            api.setNonBlocking(pair[1], false);

            assertThat(api.sysRecvBuffers(pair[1], alloc, 1 << 16, 0, arrived::add)).isEqualTo(4_000);
            assertThat(concat()).isEqualTo(data);
            assertThat(api.sysRecvBuffers(pair[1], alloc, 1 << 16, SocketConstants.MSG_DONTWAIT, arrived::add))
                    .as("MSG_DONTWAIT on a blocking socket with nothing queued").isEqualTo(Errno.EAGAIN.negative());
        }
    }

    @Test
    void aPeekCopiesAndLeavesTheBytesQueued() throws Exception {
        try (LoopbackHost lo = new LoopbackHost()) {
            SocketApi api = lo.api();
            int[] pair = lo.connectPair(lo.listen(8080, 8), 8080);
            byte[] data = pattern(3_000);
            lo.sendAll(pair[0], data, 1_000);
            lo.runUntilIdle();

            assertThat(api.sysRecvBuffers(pair[1], alloc, 1 << 16, SocketConstants.MSG_PEEK, arrived::add))
                    .isEqualTo(3_000);
            assertThat(arrived.get(0).alloc()).as("a copy from the reader's allocator").isSameAs(alloc);
            assertThat(api.sysRecvBuffers(pair[1], alloc, 1 << 16, 0, arrived::add)).isEqualTo(3_000);
            byte[] both = concat();
            assertThat(both).hasSize(6_000);
            assertThat(java.util.Arrays.copyOfRange(both, 3_000, 6_000)).isEqualTo(data);
        }
    }

    @Test
    void theEndOfTheStreamIsZeroAndBadCallsAreErrnos() throws Exception {
        try (LoopbackHost lo = new LoopbackHost()) {
            SocketApi api = lo.api();
            int listener = lo.listen(8080, 8);
            int[] pair = lo.connectPair(listener, 8080);
            assertThat(api.sysRecvBuffers(listener, alloc, 100, 0, arrived::add)).as("a listener")
                    .isEqualTo(Errno.ENOTCONN.negative());
            assertThat(api.sysRecvBuffers(pair[1], alloc, 0, 0, arrived::add)).isEqualTo(Errno.EINVAL.negative());
            assertThat(api.sysRecvBuffers(pair[1], null, 100, 0, arrived::add)).isEqualTo(Errno.EFAULT.negative());
            assertThat(api.sysRecvBuffers(999, alloc, 100, 0, arrived::add)).isEqualTo(Errno.EBADF.negative());

            api.close(pair[0]);
            lo.runUntilIdle();
            assertThat(api.sysRecvBuffers(pair[1], alloc, 100, 0, arrived::add)).as("the peer's FIN").isZero();
            assertThat(arrived).isEmpty();
        }
    }

    private byte[] concat() {
        int total = arrived.stream().mapToInt(ByteBuf::readableBytes).sum();
        byte[] out = new byte[total];
        int at = 0;
        for (ByteBuf buf : arrived) {
            int n = buf.readableBytes();
            buf.getBytes(buf.readerIndex(), out, at, n);
            at += n;
        }
        return out;
    }

    private static byte[] pattern(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i * 7 + i / 253);
        }
        return data;
    }
}
