package net.tern.link.tun;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What one data-path call costs by each way of making it, measured over a
 * {@code SOCK_SEQPACKET} socket pair standing in for the TUN file (one 1,500-byte packet per
 * write and read, as a TUN): JNA's interface mapping ({@link LibC}, as the driver used to),
 * its direct mapping ({@link DirectLibC}, as it does now), and {@code writev}/{@code readv}
 * with the 10-byte virtio-net header and the packet as two buffers, against one
 * {@code write}/{@code read} of both laid out together (the driver writes the header into the
 * packet's headroom and reads both into one buffer, so neither way copies). Nanoseconds per
 * round trip are printed (they depend on the machine and its load); the bytes the thread
 * allocates per call are asserted: the direct mapping none, the interface mapping hundreds.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NativeCallCostTest {
    private static final int ROUNDS = 100_000;
    private static final int PACKET = 1500;

    /** {@code readv}/{@code writev} bound by direct mapping, for this measurement only. */
    static final class Vectored {
        static {
            Native.register(Vectored.class, NativeLibrary.getInstance("c"));
        }

        private Vectored() {
        }

        /** {@code ssize_t writev(int fd, const struct iovec *iov, int iovcnt)}. */
        static native long writev(int fd, long iov, int iovcnt);

        /** {@code ssize_t readv(int fd, const struct iovec *iov, int iovcnt)}. */
        static native long readv(int fd, long iov, int iovcnt);
    }

    private interface RoundTrip {
        void run();
    }

    /** The result of one way: nanoseconds and bytes allocated per round trip (a write and a read). */
    private record Cost(String way, double nanos, double bytes) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-50s %8.0f ns %8.1f B per write+read", way, nanos, bytes);
        }
    }

    private static Cost measure(String way, RoundTrip trip) {
        for (int i = 0; i < ROUNDS / 5; i++) {
            trip.run(); // warm-up: JIT, JNA's method tables
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long bytes0 = mx.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        for (int i = 0; i < ROUNDS; i++) {
            trip.run();
        }
        long nanos = System.nanoTime() - start;
        long bytes = mx.getThreadAllocatedBytes(thread) - bytes0;
        Cost cost = new Cost(way, (double) nanos / ROUNDS, (double) bytes / ROUNDS);
        System.out.println("NativeCallCostTest: " + cost);
        return cost;
    }

    @Test
    void theDirectMappingAllocatesNothingPerCallAndTheInterfaceMappingDoes() {
        assertThat(DirectLibC.AVAILABLE).as("LP64 Linux: the direct binding is there").isTrue();
        ByteBuf packet = PooledByteBufAllocator.DEFAULT.directBuffer(PACKET);
        ByteBuf into = PooledByteBufAllocator.DEFAULT.directBuffer(PACKET + 1);
        Memory iov = new Memory(32);
        Memory header = new Memory(VirtioNetHdr.SIZE);
        try (SocketPair pair = new SocketPair()) {
            packet.writeZero(PACKET).setByte(0, 0x45);
            long out = packet.memoryAddress();
            long in = into.memoryAddress();
            LibC libc = LibC.get();
            Pointer outPointer = new Pointer(out);
            Pointer inPointer = new Pointer(in);

            Cost interfaceMapped = measure("interface mapping: write, read", () -> {
                libc.write(pair.deviceFd, outPointer, new NativeLong(PACKET));
                check(libc.read(pair.peerFd, inPointer, new NativeLong(PACKET + 1)).longValue());
            });
            Cost direct = measure("direct mapping: write, read", () -> {
                DirectLibC.write(pair.deviceFd, out, PACKET);
                check(DirectLibC.read(pair.peerFd, in, PACKET + 1));
            });
            // The header apart from the packet: two iovecs, the header's 10 bytes and the rest.
            iov.setLong(0, Pointer.nativeValue(header));
            iov.setLong(8, VirtioNetHdr.SIZE);
            iov.setLong(16, out + VirtioNetHdr.SIZE);
            iov.setLong(24, PACKET - VirtioNetHdr.SIZE);
            long iovAddress = Pointer.nativeValue(iov);
            Cost writev = measure("direct mapping: writev (header, packet), read", () -> {
                Vectored.writev(pair.deviceFd, iovAddress, 2);
                check(DirectLibC.read(pair.peerFd, in, PACKET + 1));
            });
            Cost readv = measure("direct mapping: write, readv (header, packet)", () -> {
                DirectLibC.write(pair.deviceFd, out, PACKET);
                check(Vectored.readv(pair.peerFd, iovAddress, 2));
            });
            Memory fds = new Memory(8);
            fds.setInt(0, pair.peerFd);
            fds.setShort(4, LibC.POLLIN);
            long fdsAddress = Pointer.nativeValue(fds);
            Cost pollInterface = measure("interface mapping: write, poll, read", () -> {
                DirectLibC.write(pair.deviceFd, out, PACKET);
                libc.poll(fds, new NativeLong(1), 0);
                check(DirectLibC.read(pair.peerFd, in, PACKET + 1));
            });
            Cost pollDirect = measure("direct mapping: write, poll, read", () -> {
                DirectLibC.write(pair.deviceFd, out, PACKET);
                DirectLibC.poll(fdsAddress, 1, 0);
                check(DirectLibC.read(pair.peerFd, in, PACKET + 1));
            });

            assertThat(direct.bytes()).as("direct mapping, per write+read").isLessThan(1);
            assertThat(writev.bytes()).isLessThan(1);
            assertThat(readv.bytes()).isLessThan(1);
            assertThat(pollDirect.bytes()).isLessThan(1);
            assertThat(interfaceMapped.bytes()).as("interface mapping, per write+read").isGreaterThan(100);
            assertThat(pollInterface.bytes() - pollDirect.bytes()).as("interface-mapped poll").isGreaterThan(50);
        } finally {
            packet.release();
            into.release();
        }
    }

    private static void check(long n) {
        if (n != PACKET) {
            throw new AssertionError("read " + n + " bytes, expected " + PACKET);
        }
    }
}
