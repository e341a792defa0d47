package net.tern.link.tun;

import com.sun.jna.NativeLong;
import java.util.Arrays;

/**
 * A {@code SOCK_SEQPACKET} socket pair standing in for a TUN file without root: like a TUN,
 * each write is one packet and each read returns one whole. The driver gets {@link #deviceFd}
 * (as a {@link TunFile}); the test plays the kernel on {@link #peerFd}.
 */
final class SocketPair implements AutoCloseable {
    final int deviceFd;
    final int peerFd;
    private boolean peerClosed;

    SocketPair() {
        int[] fds = new int[2];
        // Non-blocking, as the driver opens the TUN file.
        LibC.get().socketpair(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK, 0, fds);
        deviceFd = fds[0];
        peerFd = fds[1];
    }

    /** The kernel sending a packet to the stack. */
    void send(byte[] packet) {
        LibC.get().write(peerFd, packet, new NativeLong(packet.length));
    }

    /** The next packet the driver wrote, waiting at most {@code timeoutMillis}; null if none came. */
    byte[] receive(int timeoutMillis) {
        PollSet set = new PollSet(peerFd, peerFd);
        if (set.poll(LibC.get(), timeoutMillis) == 0 || (set.deviceEvents() & LibC.POLLIN) == 0) {
            return null;
        }
        byte[] buf = new byte[65536];
        int n = (int) LibC.get().read(peerFd, buf, new NativeLong(buf.length)).longValue();
        return Arrays.copyOf(buf, n);
    }

    /** What {@code poll} reports on the peer end right now. */
    int peerEvents() {
        PollSet set = new PollSet(peerFd, peerFd);
        set.poll(LibC.get(), 0);
        return set.deviceEvents();
    }

    /** The interface going away under the driver. */
    void closePeer() {
        if (!peerClosed) {
            peerClosed = true;
            LibC.get().close(peerFd);
        }
    }

    @Override
    public void close() {
        closePeer();
        // deviceFd belongs to the TunFile, which closes it.
    }
}
