package net.tern.spi.proto;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import net.tern.api.socket.ErrnoException;

/**
 * A receive into handed-over buffers ({@link ProtoOps#tryRecvBuffers}) done the plain way: one
 * buffer from the caller's allocator, filled by a copying receive. What a protocol with no
 * buffers of its own to hand over does.
 *
 * @since 1.5
 */
@FunctionalInterface
public interface CopiedReceive {
    /** One copying receive into {@code dst}: the bytes stored, or a negative errno. */
    int into(ByteBuffer dst) throws ErrnoException;

    /**
     * Runs {@code receive} into a buffer of {@code maxBytes} from {@code alloc}, gives the
     * buffer to {@code sink} when bytes came, releases it otherwise; returns what the receive
     * returned.
     */
    static int handOver(ByteBufAllocator alloc, int maxBytes, Consumer<? super ByteBuf> sink, CopiedReceive receive)
            throws ErrnoException {
        ByteBuf buf = alloc.ioBuffer(maxBytes, maxBytes);
        boolean handed = false;
        try {
            int n = receive.into(buf.internalNioBuffer(0, maxBytes));
            if (n > 0) {
                buf.writerIndex(n);
                handed = true;
                sink.accept(buf);
            }
            return n;
        } finally {
            if (!handed) {
                buf.release();
            }
        }
    }
}
