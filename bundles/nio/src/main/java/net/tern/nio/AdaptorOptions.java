package net.tern.nio;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.NetworkChannel;

/**
 * A socket adaptor's options, shared by the three kinds: the channel's options as a
 * {@code java.net} socket sets and reads them (a failure as SocketException, a buffer size
 * checked first), and {@code SO_TIMEOUT}, which is the adaptor's own (the JDK's adaptors keep
 * it too) and bounds its blocking calls.
 */
final class AdaptorOptions {
    private final NetworkChannel channel;
    /** SO_TIMEOUT, milliseconds; 0 waits for ever. */
    private volatile int timeout;

    AdaptorOptions(NetworkChannel channel) {
        this.channel = channel;
    }

    /** SocketException("Socket is closed") once the channel is closed, as a closed socket says. */
    void ensureOpen() throws SocketException {
        if (!channel.isOpen()) {
            throw new SocketException("Socket is closed");
        }
    }

    <T> void set(SocketOption<T> name, T value) throws SocketException {
        try {
            channel.setOption(name, value);
        } catch (IOException e) {
            throw Translate.toSocketException(e);
        }
    }

    <T> T get(SocketOption<T> name) throws SocketException {
        try {
            return channel.getOption(name);
        } catch (IOException e) {
            throw Translate.toSocketException(e);
        }
    }

    /** {@code setSendBufferSize}/{@code setReceiveBufferSize}: a size of 0 or less is refused with {@code invalid}. */
    void setBufferSize(SocketOption<Integer> name, int size, String invalid) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException(invalid);
        }
        set(name, size);
    }

    void setSoTimeout(int timeout) throws SocketException {
        ensureOpen();
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        this.timeout = timeout;
    }

    int getSoTimeout() throws SocketException {
        ensureOpen();
        return timeout;
    }

    /** SO_TIMEOUT for a blocking call, whether or not the channel is open. */
    int timeout() {
        return timeout;
    }
}
