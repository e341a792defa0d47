package net.tern.netty;

import java.io.IOException;
import net.tern.api.socket.Errno;

/**
 * A socket call of the transport failed with an errno, worded as Netty's native transports word
 * it ({@code "recvmsg(..) failed with error(-104): Connection reset by peer"}), so that code
 * which looks for {@code strerror}'s text in the message (a reset, a broken pipe) finds it.
 */
public final class TernIoException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    TernIoException(String call, int negativeErrno) {
        super(TernErrors.message(call, negativeErrno));
        this.errno = negativeErrno;
    }

    /** The negative errno the call returned ({@code -ECONNRESET}, {@code -EPIPE}, ...). */
    public int expectedErr() {
        return errno;
    }

    /** The errno as Tern's constant, or null when Tern has no name for it. */
    public Errno errno() {
        return Errno.ofResult(errno);
    }
}
