package net.tern.netty;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;

/**
 * A failed call's negative errno as the exception Netty's epoll transport throws for it
 * ({@code io.netty.channel.unix.Errors}): a closed descriptor is a
 * {@link ClosedChannelException}, {@code ENOTCONN} a {@link NotYetConnectedException}, a failed
 * connect a {@link ConnectException} ({@link NoRouteToHostException} for an unreachable network
 * or host), everything else a {@link TernIoException} naming the call and {@code strerror}'s text.
 * A bind that finds the address taken is a {@link BindException}, as the JDK's is.
 */
final class TernErrors {
    private TernErrors() {
    }

    static String message(String call, long negativeErrno) {
        Errno e = Errno.ofResult(negativeErrno);
        return call + "(..) failed with error(" + negativeErrno + "): " + (e != null ? e.text() : "errno " + -negativeErrno);
    }

    /** A data call ({@code recvmsg}, {@code sendmsg}, {@code accept}) failed. */
    static IOException io(String call, long negativeErrno) {
        Errno e = Errno.ofResult(negativeErrno);
        if (e == Errno.EBADF) {
            return new ClosedChannelException();
        }
        if (e == Errno.ENOTCONN) {
            NotYetConnectedException x = new NotYetConnectedException();
            return new IOException(message(call, negativeErrno), x);
        }
        return new TernIoException(call, (int) negativeErrno);
    }

    /** {@code connect} failed. */
    static IOException connect(long negativeErrno) {
        Errno e = Errno.ofResult(negativeErrno);
        if (e == Errno.ENETUNREACH || e == Errno.EHOSTUNREACH) {
            return new NoRouteToHostException(message("connect", negativeErrno));
        }
        if (e == Errno.EISCONN) {
            throw new AlreadyConnectedException();
        }
        if (e == Errno.EBADF) {
            return new ClosedChannelException();
        }
        return new ConnectException(message("connect", negativeErrno));
    }

    /** A set-up call ({@code socket}, {@code bind}, {@code listen}, an option) threw. */
    static IOException setup(String call, ErrnoException e) {
        IOException x = e.errno() == Errno.EADDRINUSE || e.errno() == Errno.EADDRNOTAVAIL
                ? new BindException(message(call, e.errno().negative()))
                : new TernIoException(call, e.errno().negative());
        x.initCause(e);
        return x;
    }
}
