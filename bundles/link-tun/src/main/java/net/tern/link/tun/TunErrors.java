package net.tern.link.tun;

import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;

/**
 * Turns a failed system call into an {@link ErrnoException} that says what to do about it.
 * Opening a TUN device fails for a handful of reasons that each have one fix (run as root,
 * load the module, free the interface), so the message names the fix, not only the errno.
 */
final class TunErrors {
    private TunErrors() {
    }

    /** {@code open(path)} of the clone device failed with {@code errno}. */
    static ErrnoException openFailed(String path, int errno) {
        String call = "open(" + path + ")";
        Errno e = Errno.ofNumber(errno);
        if (errno == Errno.EPERM.number() || errno == Errno.EACCES.number()) {
            return new ErrnoException(e, call + ": not permitted to open " + path
                    + ": run as root or grant CAP_NET_ADMIN");
        }
        if (errno == Errno.ENOENT.number() || errno == Errno.ENODEV.number() || errno == LibC.ENXIO) {
            return new ErrnoException(e, call + ": " + path
                    + " is missing: load the tun module (modprobe tun)" + unlisted(errno));
        }
        return other(call, errno);
    }

    /** {@code ioctl(TUNSETIFF)} for interface {@code name} failed with {@code errno}. */
    static ErrnoException setIffFailed(String name, int errno) {
        String call = "ioctl(TUNSETIFF, " + name + ")";
        if (errno == Errno.EPERM.number() || errno == Errno.EACCES.number()) {
            return new ErrnoException(Errno.ofNumber(errno), call
                    + ": not permitted to create or attach " + name + ": run as root or grant CAP_NET_ADMIN");
        }
        if (errno == Errno.EBUSY.number()) {
            return new ErrnoException(Errno.EBUSY, call + ": " + name
                    + " is already attached to another open file (it is not multi-queue)");
        }
        if (errno == Errno.EINVAL.number()) {
            return new ErrnoException(Errno.EINVAL, call + ": " + name
                    + " exists and is not a TUN device without packet information (IFF_TUN|IFF_NO_PI)");
        }
        return other(call, errno);
    }

    /** Entering network namespace {@code netns} ({@code path}) failed at {@code call}. */
    static ErrnoException namespaceFailed(String call, String netns, String path, int errno) {
        if (errno == Errno.ENOENT.number()) {
            return new ErrnoException(Errno.ENOENT, call + ": network namespace " + netns
                    + " does not exist (no " + path + "; create it with ip netns add)");
        }
        if (errno == Errno.EPERM.number() || errno == Errno.EACCES.number()) {
            return new ErrnoException(Errno.ofNumber(errno), call + ": not permitted to enter network namespace "
                    + netns + ": run as root or grant CAP_SYS_ADMIN");
        }
        if (errno == Errno.EINVAL.number()) {
            return new ErrnoException(Errno.EINVAL, call + ": " + path + " is not a network namespace");
        }
        return other(call, errno);
    }

    /** Any other failure of {@code call}: the errno as Linux numbers it, named when the API knows it. */
    static ErrnoException other(String call, int errno) {
        Errno e = Errno.ofNumber(errno);
        if (e != null) {
            return new ErrnoException(e, call);
        }
        // Errors the socket API has no constant for (EIO, EBADFD, ...) keep their number in
        // the message; ENODEV is the nearest meaning for a device that cannot be used.
        return new ErrnoException(Errno.ENODEV, call + ": failed with errno " + errno);
    }

    private static String unlisted(int errno) {
        return Errno.ofNumber(errno) == null ? " (errno " + errno + ")" : "";
    }
}
