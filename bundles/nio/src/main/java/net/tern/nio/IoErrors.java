package net.tern.nio;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;

/**
 * A failed socket call as the exception the JDK's channels throw for the same errno on Linux,
 * with the same message ({@code strerror}, which {@link Errno#text()} matches):
 * <ul>
 * <li>set-up calls (connect, bind, options; the JDK's {@code handleSocketError}):
 * ECONNREFUSED and ETIMEDOUT are {@link ConnectException}, EHOSTUNREACH
 * {@link NoRouteToHostException}, EADDRINUSE, EADDRNOTAVAIL and EACCES {@link BindException},
 * the rest {@link SocketException};</li>
 * <li>reads: ECONNRESET and EPIPE are {@code SocketException("Connection reset")}, as the JDK's
 * {@code ConnectionResetException} reaches the caller, the rest an {@link IOException};</li>
 * <li>writes and accepts: an {@link IOException} with the text;</li>
 * <li>a connected datagram channel's ECONNREFUSED (an ICMP port unreachable) is
 * {@link PortUnreachableException}.</li>
 * </ul>
 */
final class IoErrors {
    /** The message of a reset seen by a read. */
    static final String CONNECTION_RESET = "Connection reset";

    private IoErrors() {
    }

    static String text(int errno) {
        Errno e = Errno.ofNumber(errno);
        return e != null ? e.text() : "errno " + errno;
    }

    /** A connect, bind or option call failed with {@code errno} (positive). */
    static SocketException setup(int errno) {
        String text = text(errno);
        Errno e = Errno.ofNumber(errno);
        if (e == null) {
            return new SocketException(text);
        }
        return switch (e) {
            case ECONNREFUSED, ETIMEDOUT -> new ConnectException(text);
            case EHOSTUNREACH -> new NoRouteToHostException(text);
            case EADDRINUSE, EADDRNOTAVAIL, EACCES -> new BindException(text);
            default -> new SocketException(text);
        };
    }

    /** The same for a call that threw. */
    static SocketException setup(ErrnoException e) {
        SocketException x = setup(e.errno().number());
        x.initCause(e);
        return x;
    }

    /** A read failed with {@code errno}. */
    static IOException read(int errno) {
        if (errno == Errno.ECONNRESET.number() || errno == Errno.EPIPE.number()) {
            return new SocketException(CONNECTION_RESET);
        }
        return new IOException(text(errno));
    }

    /** A write or an accept failed with {@code errno}. */
    static IOException write(int errno) {
        return new IOException(text(errno));
    }

    /** A datagram call failed with {@code errno}: ECONNREFUSED is an ICMP port unreachable. */
    static IOException datagram(int errno) {
        if (errno == Errno.ECONNREFUSED.number()) {
            return new PortUnreachableException();
        }
        return new IOException(text(errno));
    }
}
