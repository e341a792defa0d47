package net.tern.api.socket;

import java.io.IOException;
import java.util.Objects;

/**
 * A failed socket call: the errno Linux would return, and a message that names what was
 * wrong (the call, the descriptor, the address). {@link #getMessage()} reads like
 * {@code "EADDRINUSE: bind(fd 3, 127.0.0.1:80): Address already in use"}.
 */
public class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Errno errno;
    private final String detail;

    public ErrnoException(Errno errno, String detail) {
        super(errno.name() + ": " + detail + ": " + errno.text());
        this.errno = Objects.requireNonNull(errno, "errno");
        this.detail = detail;
    }

    public ErrnoException(Errno errno, String detail, Throwable cause) {
        this(errno, detail);
        initCause(cause);
    }

    /** The error number. */
    public Errno errno() {
        return errno;
    }

    /** What the call was doing when it failed, without the errno name and text. */
    public String detail() {
        return detail;
    }

    /**
     * The result of a call that returns its error as a value ({@code -errno}, as
     * {@link SocketApi}'s {@code sys*} calls do): {@code result} itself when it is not negative,
     * else that error thrown with {@code detail}, for a caller that wants an exception. The
     * detail is an argument, built before the call: where a message would be put together for
     * each call, test the result and use {@link #of} only on failure.
     *
     * @throws IllegalArgumentException when {@code result} is negative but no errno Tern knows
     * @since 1.3
     */
    public static long check(long result, String detail) throws ErrnoException {
        if (result >= 0) {
            return result;
        }
        throw of(result, detail);
    }

    /** {@link #check(long, String)} for an {@code int} result. @since 1.3 */
    public static int check(int result, String detail) throws ErrnoException {
        if (result >= 0) {
            return result;
        }
        throw of(result, detail);
    }

    /**
     * The exception for {@code result}, a negative errno returned by value.
     *
     * @throws IllegalArgumentException when {@code result} is not a negative errno Tern knows
     * @since 1.3
     */
    public static ErrnoException of(long result, String detail) {
        Errno errno = Errno.ofResult(result);
        if (errno == null) {
            throw new IllegalArgumentException("not a negative errno: " + result + " (" + detail + ")");
        }
        return new ErrnoException(errno, detail);
    }

    /**
     * The same error seen from an outer call: keeps the errno, prefixes the outer context,
     * and keeps this exception as the cause so the inner detail is not lost.
     */
    public ErrnoException in(String outer) {
        return new ErrnoException(errno, outer + ": " + detail, this);
    }
}
