package net.tern.nio;

import java.io.IOException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * The socket adaptors' view of a channel's exceptions (the JDK's {@code Net.translateException}
 * and {@code translateToSocketException}): what a {@code java.net} socket would throw instead.
 */
final class Translate {
    private Translate() {
    }

    /** A channel's exception as a SocketException (or the runtime exception it was). */
    static SocketException toSocketException(Exception x) {
        if (x instanceof SocketException se) {
            return se;
        }
        SocketException nx;
        if (x instanceof ClosedChannelException) {
            nx = new SocketException("Socket is closed");
        } else if (x instanceof NotYetConnectedException) {
            nx = new SocketException("Socket is not connected");
        } else if (x instanceof AlreadyBoundException) {
            nx = new SocketException("Already bound");
        } else if (x instanceof NotYetBoundException) {
            nx = new SocketException("Socket is not bound yet");
        } else if (x instanceof UnsupportedAddressTypeException) {
            nx = new SocketException("Unsupported address type");
        } else if (x instanceof UnresolvedAddressException) {
            nx = new SocketException("Unresolved address");
        } else if (x instanceof IOException) {
            nx = new SocketException(x.getMessage());
        } else if (x instanceof RuntimeException re) {
            throw re;
        } else {
            throw new IllegalStateException("Untranslated exception", x);
        }
        nx.initCause(x);
        return nx;
    }

    /**
     * A channel's exception as the adaptor rethrows it: an IOException as it is, an unresolved
     * address as UnknownHostException when asked, the rest as {@link #toSocketException}.
     */
    static IOException toIOException(Exception x, boolean unknownHostForUnresolved) {
        if (x instanceof IOException ioe) {
            return ioe;
        }
        if (unknownHostForUnresolved && x instanceof UnresolvedAddressException) {
            return new UnknownHostException();
        }
        return toSocketException(x);
    }
}
