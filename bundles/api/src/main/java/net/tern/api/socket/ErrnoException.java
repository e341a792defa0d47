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
     * The same error seen from an outer call: keeps the errno, prefixes the outer context,
     * and keeps this exception as the cause so the inner detail is not lost.
     */
    public ErrnoException in(String outer) {
        return new ErrnoException(errno, outer + ": " + detail, this);
    }
}
