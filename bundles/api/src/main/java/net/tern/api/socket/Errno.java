package net.tern.api.socket;

/**
 * Error numbers as Linux defines them ({@code include/uapi/asm-generic/errno*.h}), with the
 * text {@code strerror(3)} gives. Numbers match Linux on x86-64 so that figures printed by
 * Tern read the same as those printed by the kernel's tools.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    ESRCH(3, "No such process"),
    ENXIO(6, "No such device or address"),
    EINTR(4, "Interrupted system call"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    ENODEV(19, "No such device"),
    EINVAL(22, "Invalid argument"),
    ENFILE(23, "Too many open files in system"),
    EMFILE(24, "Too many open files"),
    ENOTTY(25, "Inappropriate ioctl for device"),
    EPIPE(32, "Broken pipe"),
    ENOSYS(38, "Function not implemented"),
    ENONET(64, "Machine is not on the network"),
    EPROTO(71, "Protocol error"),
    ENOTSOCK(88, "Socket operation on non-socket"),
    EDESTADDRREQ(89, "Destination address required"),
    EMSGSIZE(90, "Message too long"),
    EPROTOTYPE(91, "Protocol wrong type for socket"),
    ENOPROTOOPT(92, "Protocol not available"),
    EPROTONOSUPPORT(93, "Protocol not supported"),
    ESOCKTNOSUPPORT(94, "Socket type not supported"),
    EOPNOTSUPP(95, "Operation not supported"),
    EPFNOSUPPORT(96, "Protocol family not supported"),
    EAFNOSUPPORT(97, "Address family not supported by protocol"),
    EADDRINUSE(98, "Address already in use"),
    EADDRNOTAVAIL(99, "Cannot assign requested address"),
    ENETDOWN(100, "Network is down"),
    ENETUNREACH(101, "Network is unreachable"),
    ENETRESET(102, "Network dropped connection on reset"),
    ECONNABORTED(103, "Software caused connection abort"),
    ECONNRESET(104, "Connection reset by peer"),
    ENOBUFS(105, "No buffer space available"),
    EISCONN(106, "Transport endpoint is already connected"),
    ENOTCONN(107, "Transport endpoint is not connected"),
    ESHUTDOWN(108, "Cannot send after transport endpoint shutdown"),
    ETIMEDOUT(110, "Connection timed out"),
    ECONNREFUSED(111, "Connection refused"),
    EHOSTDOWN(112, "Host is down"),
    EHOSTUNREACH(113, "No route to host"),
    EALREADY(114, "Operation already in progress"),
    EINPROGRESS(115, "Operation now in progress"),
    /** What a ping socket reports for an ICMP source quench ({@code ping_err}). @since 1.5 */
    EREMOTEIO(121, "Remote I/O error");

    /** Each constant at the index of its number, for a lookup that allocates nothing. */
    private static final Errno[] BY_NUMBER;

    static {
        int max = 0;
        for (Errno e : values()) {
            max = Math.max(max, e.number);
        }
        BY_NUMBER = new Errno[max + 1];
        for (Errno e : values()) {
            BY_NUMBER[e.number] = e;
        }
    }

    private final int number;
    private final String text;

    Errno(int number, String text) {
        this.number = number;
        this.text = text;
    }

    /** The Linux error number, as {@code errno} would hold it. */
    public int number() {
        return number;
    }

    /** The text {@code strerror(3)} gives for this error. */
    public String text() {
        return text;
    }

    /** The constant with the given Linux number, or {@code null} when Tern does not use it. */
    public static Errno ofNumber(int number) {
        return number > 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }

    /**
     * The error a call returned as a value ({@code -errno}, as {@link SocketApi}'s {@code sys*}
     * calls return it), or {@code null} when {@code result} is not a known negative errno.
     *
     * @since 1.3
     */
    public static Errno ofResult(long result) {
        return result < 0 && result >= -Integer.MAX_VALUE ? ofNumber((int) -result) : null;
    }

    /**
     * This error as a call returns it by value: its number, negated ({@code -EAGAIN}).
     *
     * @since 1.3
     */
    public int negative() {
        return -number;
    }
}
