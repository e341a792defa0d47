package net.tern.link.tun;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * Two {@code struct pollfd}s ({@code int fd; short events; short revents;}, 8 bytes each) in
 * native memory, reused by one reader thread: the TUN file and the read end of the wake
 * pipe.
 */
final class PollSet {
    private static final int POLLFD_SIZE = 8;
    private static final int EVENTS = 4;
    private static final int REVENTS = 6;

    private final Memory fds = new Memory(2L * POLLFD_SIZE);

    PollSet(int deviceFd, int wakeFd) {
        fds.setInt(0, deviceFd);
        fds.setShort(EVENTS, LibC.POLLIN);
        fds.setInt(POLLFD_SIZE, wakeFd);
        fds.setShort(POLLFD_SIZE + EVENTS, LibC.POLLIN);
    }

    /**
     * {@code poll(2)} on both; returns how many have events (0 on timeout). Through
     * {@link DirectLibC} where it is bound (no garbage per call), else through {@code libc}.
     */
    int poll(LibC libc, int timeoutMillis) {
        fds.setShort(REVENTS, (short) 0);
        fds.setShort(POLLFD_SIZE + REVENTS, (short) 0);
        if (DirectLibC.AVAILABLE) {
            return DirectLibC.poll(Pointer.nativeValue(fds), 2, timeoutMillis);
        }
        return libc.poll(fds, new NativeLong(2), timeoutMillis);
    }

    /** What happened on the device's file. */
    int deviceEvents() {
        return fds.getShort(REVENTS) & 0xffff;
    }

    /** What happened on the wake pipe. */
    int wakeEvents() {
        return fds.getShort(POLLFD_SIZE + REVENTS) & 0xffff;
    }
}
