package net.tern.tcp.impl;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.SOCK_NONBLOCK;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SO_SNDBUF;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.core.testing.AllocationMeter;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.tcp.testing.LoopbackHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A non-blocking TCP call that cannot proceed answers with a negative errno from the socket
 * API's {@code sys*} calls and allocates nothing: read, write, accept, connect and an epoll
 * wait that finds nothing, each made many times with the thread's allocated bytes read before
 * and after ({@link AllocationMeter}). The bound is a few hundred bytes for {@value #CALLS}
 * calls, so a single allocation per call (16 bytes at least) fails it.
 */
@ExtendWith(PacketLeakCheck.class)
class WouldBlockAllocationTest {
    private static final int CALLS = 100_000;
    /** What reading the counter itself may cost, and then some; far below one object per call. */
    private static final long BOUND_BYTES = 512;

    private LoopbackHost lo;
    private SocketApi api;

    @BeforeEach
    void setUp() throws ErrnoException {
        lo = new LoopbackHost();
        api = lo.api();
    }

    @AfterEach
    void tearDown() {
        lo.close();
    }

    @Test
    void readWithNothingQueuedAllocatesNothing() throws Exception {
        int[] pair = lo.connectPair(lo.listen(8080, 8), 8080);
        ByteBuffer dst = ByteBuffer.allocateDirect(64);
        assertAllocationFree("read", Errno.EAGAIN, () -> (int) api.sysRecv(pair[1], dst, 0, null));
    }

    @Test
    void readIntoHandedOverBuffersWithNothingQueuedAllocatesNothing() throws Exception {
        int[] pair = lo.connectPair(lo.listen(8080, 8), 8080);
        ByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        Consumer<ByteBuf> sink = buf -> {
            throw new AssertionError("nothing was queued");
        };
        assertAllocationFree("read into buffers", Errno.EAGAIN,
                () -> (int) api.sysRecvBuffers(pair[1], alloc, 65_536, 0, sink));
    }

    @Test
    void writeWithTheSendBufferFullAllocatesNothing() throws Exception {
        int[] pair = lo.connectPair(lo.listen(8080, 8), 8080);
        api.setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, 4096);
        ByteBuffer chunk = ByteBuffer.allocateDirect(16 * 1024);
        // Fill the peer's receive window and this side's send buffer: nobody reads.
        for (int round = 0; round < 10_000; round++) {
            chunk.clear();
            long n = api.sysSend(pair[0], chunk, 0, null);
            if (n == Errno.EAGAIN.negative()) {
                lo.runUntilIdle();
                chunk.clear();
                if (api.sysSend(pair[0], chunk, 0, null) == Errno.EAGAIN.negative()) {
                    break;
                }
            }
        }
        chunk.clear();
        assertAllocationFree("write", Errno.EAGAIN, () -> (int) api.sysSend(pair[0], chunk, 0, null));
        assertThat(chunk.position()).as("nothing was taken").isZero();
    }

    @Test
    void acceptWithNoConnectionWaitingAllocatesNothing() throws Exception {
        int listener = lo.listen(8080, 8);
        assertAllocationFree("accept", Errno.EAGAIN, () -> api.sysAccept(listener, SOCK_NONBLOCK));
    }

    @Test
    void connectStillInProgressAllocatesNothing() throws Exception {
        // The first connection fills the accept queue (backlog 0 holds one, as Linux's
        // sk_acceptq_is_full); the queue being full drops the next SYN, so that connection
        // stays in SYN-SENT.
        lo.listen(8080, 0);
        lo.startConnect(8080);
        lo.runUntilIdle();
        int fd = api.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        InetSockAddr server = new InetSockAddr(InetSockAddr.INADDR_LOOPBACK, 8080);
        assertThat(api.sysConnect(fd, server)).isEqualTo(Errno.EINPROGRESS.negative());
        lo.runUntilIdle();
        assertAllocationFree("connect", Errno.EALREADY, () -> api.sysConnect(fd, server));
    }

    @Test
    void epollWaitFindingNothingAllocatesNothing() throws Exception {
        int[] pair = lo.connectPair(lo.listen(8080, 8), 8080);
        int epfd = api.epollCreate();
        api.epollCtl(epfd, EPOLL_CTL_ADD, pair[1], EPOLLIN, 7);
        int[] events = new int[8];
        long[] data = new long[8];
        assertAllocationFree("epoll wait", null, () -> api.sysEpollWait(epfd, events, data, 0));
    }

    /**
     * {@code call} answers {@code expected} as a negative errno (0 when {@code expected} is
     * null) and allocates at most {@value #BOUND_BYTES} bytes in {@value #CALLS} calls.
     */
    private static void assertAllocationFree(String what, Errno expected, IntSupplier call) throws Exception {
        int want = expected == null ? 0 : expected.negative();
        long allocated = AllocationMeter.leastAllocated(what, CALLS, want, call::getAsInt);
        assertThat(allocated).as(what + ": bytes allocated by %d calls that would block", CALLS)
                .isLessThanOrEqualTo(BOUND_BYTES);
    }
}
