package net.tern.link.tun;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few libc calls the driver needs, bound through JNA. Every call throws
 * {@link LastErrorException} carrying {@code errno} when it fails, so no caller reads a
 * stale {@code errno} after another call on the same thread.
 *
 * <p>{@code ioctl} is variadic in C; on the Linux ABIs JNA supports, integer and pointer
 * arguments pass the same way to a variadic function as to a fixed one, so binding it with
 * a fixed third argument is sound.
 */
interface LibC extends Library {
    // fcntl.h
    int O_RDONLY = 0;
    int O_RDWR = 2;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;

    // poll.h
    short POLLIN = 0x1;
    short POLLERR = 0x8;
    short POLLHUP = 0x10;
    short POLLNVAL = 0x20;

    // sched.h
    int CLONE_NEWNET = 0x40000000;

    // socket.h
    int AF_UNIX = 1;
    int AF_INET = 2;
    int SOCK_DGRAM = 2;
    int SOCK_SEQPACKET = 5;
    int SOCK_CLOEXEC = O_CLOEXEC;
    int SOCK_NONBLOCK = O_NONBLOCK;

    // errno values the driver tells apart that the socket API's Errno does not list
    int ENXIO = 6;
    int EBADFD = 77;

    int open(String path, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int ioctl(int fd, NativeLong request, byte[] arg) throws LastErrorException;

    /** {@code ioctl} with an argument passed by value ({@code TUNSETOFFLOAD}). */
    int ioctl(int fd, NativeLong request, NativeLong arg) throws LastErrorException;

    NativeLong read(int fd, Pointer buf, NativeLong count) throws LastErrorException;

    NativeLong read(int fd, byte[] buf, NativeLong count) throws LastErrorException;

    NativeLong write(int fd, Pointer buf, NativeLong count) throws LastErrorException;

    NativeLong write(int fd, byte[] buf, NativeLong count) throws LastErrorException;

    /** {@code fds} points at {@code nfds} {@code struct pollfd}s (see {@link PollSet}). */
    int poll(Pointer fds, NativeLong nfds, int timeoutMillis) throws LastErrorException;

    int pipe2(int[] fds, int flags) throws LastErrorException;

    int setns(int fd, int nstype) throws LastErrorException;

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int socketpair(int domain, int type, int protocol, int[] fds) throws LastErrorException;

    int geteuid();

    /** The binding, loaded on first use so a platform without JNA's native part fails at open, not at class load. */
    static LibC get() {
        return Holder.INSTANCE;
    }

    /** Lazy holder: {@code Native.load} runs once, when the driver first needs libc. */
    final class Holder {
        static final LibC INSTANCE = Native.load("c", LibC.class);

        private Holder() {
        }
    }
}
