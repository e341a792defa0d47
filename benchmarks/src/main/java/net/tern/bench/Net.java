package net.tern.bench;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The few blocking socket operations the benchmarks need, so each workload is written once
 * and run over every subject: Tern through its {@code SocketApi} ({@link TernNet}), and
 * java.nio channels ({@link ChannelNet}) of the JDK (the kernel's sockets) or of Tern's
 * provider. All addresses are 127.0.0.1.
 */
interface Net {
    /** "tern", "tern-nio" or "kernel". */
    String name();

    /** A listener on an ephemeral port of 127.0.0.1. */
    default Listener listen(int backlog) throws IOException {
        return listen(backlog, 0);
    }

    /** A listener on 127.0.0.1:{@code port} (0: an ephemeral port). */
    Listener listen(int backlog, int port) throws IOException;

    /** A blocking connection to 127.0.0.1:{@code port}. */
    Conn connect(int port) throws IOException;

    /** A UDP socket bound to an ephemeral port of 127.0.0.1, receiving with {@code timeoutMillis}. */
    Datagrams udp(int timeoutMillis) throws IOException;

    interface Listener extends AutoCloseable {
        int port() throws IOException;

        Conn accept() throws IOException;

        @Override
        void close() throws IOException;
    }

    interface Conn extends AutoCloseable {
        /** Writes what it can (blocking until at least some goes); returns the bytes taken. */
        int write(ByteBuffer src) throws IOException;

        /** Reads what is there (blocking until some is); -1 at end of stream. */
        int read(ByteBuffer dst) throws IOException;

        void noDelay() throws IOException;

        /** Half-close: no more writes. */
        void shutdownOutput() throws IOException;

        @Override
        void close() throws IOException;

        default void writeFully(ByteBuffer src) throws IOException {
            while (src.hasRemaining()) {
                write(src);
            }
        }

        /** Reads until {@code dst} is full; false when the stream ended first. */
        default boolean readFully(ByteBuffer dst) throws IOException {
            while (dst.hasRemaining()) {
                if (read(dst) < 0) {
                    return false;
                }
            }
            return true;
        }
    }

    interface Datagrams extends AutoCloseable {
        int port() throws IOException;

        void send(ByteBuffer src, int port) throws IOException;

        /** One datagram's length, or -1 when none came within the timeout. */
        int receive(ByteBuffer dst) throws IOException;

        @Override
        void close() throws IOException;
    }
}
