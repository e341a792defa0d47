package net.tern.link.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import org.slf4j.LoggerFactory;

/**
 * The libc calls of the data path, {@code read(2)}, {@code write(2)} and {@code poll(2)}, bound through
 * JNA's direct mapping ({@link Native#register}): the call goes straight from a native method
 * to the C function with its primitive arguments, where {@link LibC}'s interface mapping
 * builds an argument array, boxes, converts and looks the method up for every call (about a
 * kilobyte of garbage per packet received). With these the receive loop allocates nothing
 * per packet but the packet itself.
 *
 * <p>Addresses and sizes pass as Java {@code long}s, which is sound where C's {@code long},
 * pointers and {@code size_t} are 64 bits (LP64: Linux on x86-64, AArch64 and the other
 * 64-bit ABIs). {@link #AVAILABLE} says whether this JVM is such a platform and the binding
 * succeeded; where it is not, the driver uses {@link LibC}'s calls instead.
 */
final class DirectLibC {
    /** Whether the calls below are bound (an LP64 platform, libc found). */
    static final boolean AVAILABLE = register();

    private DirectLibC() {
    }

    /** {@code ssize_t read(int fd, void *buf, size_t count)}. */
    static native long read(int fd, long buf, long count) throws LastErrorException;

    /** {@code ssize_t write(int fd, const void *buf, size_t count)}. */
    static native long write(int fd, long buf, long count) throws LastErrorException;

    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)}. */
    static native int poll(long fds, long nfds, int timeoutMillis) throws LastErrorException;

    /**
     * {@code read(2)} that reports failure only as -1, allocating nothing: for the further
     * reads of a batch, which end at the first EAGAIN, where {@link DirectLibC#read}'s
     * exception would cost a kilobyte. A real error shows at the next {@code poll}, and the
     * read after it, which throws.
     */
    static final class Quiet {
        private Quiet() {
        }

        /** {@code ssize_t read(int fd, void *buf, size_t count)}; -1 on any failure. */
        static native long read(int fd, long buf, long count);
    }

    private static boolean register() {
        if (Native.LONG_SIZE != 8 || Native.POINTER_SIZE != 8) {
            LoggerFactory.getLogger(DirectLibC.class).info("Not an LP64 platform: TUN reads go through JNA's "
                    + "interface mapping, which allocates per call");
            return false;
        }
        try {
            Native.register(DirectLibC.class, NativeLibrary.getInstance("c"));
            Native.register(Quiet.class, NativeLibrary.getInstance("c"));
            return true;
        } catch (LinkageError | RuntimeException e) {
            LoggerFactory.getLogger(DirectLibC.class).warn("Cannot bind read, write and poll by direct mapping ({}): TUN "
                    + "reads go through JNA's interface mapping, which allocates per call", e.toString());
            return false;
        }
    }
}
