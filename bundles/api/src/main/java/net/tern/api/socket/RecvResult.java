package net.tern.api.socket;

/**
 * What {@code recvfrom} returns: how many bytes were stored, where they came from, and the
 * message flags ({@link SocketConstants#MSG_TRUNC} when a datagram did not fit).
 * {@code bytes == 0} on a stream socket means the peer closed its sending side.
 */
public record RecvResult(int bytes, SockAddr from, int flags) {
    /** Whether the datagram was longer than the buffer and its tail was discarded. */
    public boolean truncated() {
        return (flags & SocketConstants.MSG_TRUNC) != 0;
    }
}
