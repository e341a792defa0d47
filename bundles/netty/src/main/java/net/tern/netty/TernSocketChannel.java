package net.tern.netty;

import static net.tern.api.socket.SocketConstants.EPOLLOUT;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.internal.StringUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;

/**
 * A TCP connection on Tern, for {@code Bootstrap.channel(TernSocketChannel.class)} (it opens
 * its socket on the stack of the event loop it joins) or made with a {@link SocketApi}.
 *
 * <p>Data path: a flush hands the outbound buffer's {@code ByteBuf}s to {@code sendmsg} as one
 * vector ({@code ChannelOutboundBuffer.nioBuffers()}: views of the buffers, heap or direct, no
 * copy), and TCP copies the bytes it takes into its send queue's packets, once, as the kernel
 * copies from user memory. A read takes the received bytes without a copy where TCP kept them
 * in their packets ({@code SocketApi.sysRecvBuffers}: retained slices of the packets, fired
 * up the pipeline as they are), and otherwise in one buffer from the channel's allocator that
 * TCP copies them into, once. Bytes the socket does not
 * take wait in the outbound buffer, and the channel asks for {@code EPOLLOUT} to flush them.
 */
public final class TernSocketChannel extends AbstractTernChannel implements SocketChannel {
    private final TernSocketChannelConfig config = new TernSocketChannelConfig(this);
    /**
     * The buffers one receive handed over, fired up the pipeline once the call has returned
     * (the stack gives them under the socket's lock, where no handler may run).
     */
    private final ArrayDeque<ByteBuf> arrived = new ArrayDeque<>(4);
    private final Consumer<ByteBuf> arrivedSink = arrived::addLast;
    private volatile boolean outputShutdown;
    /** The end was found again by a read after {@code ChannelInputShutdownEvent}: no read is tried any more. */
    private boolean inputEndReadAgain;
    /** The most bytes one send offers; 0 until set from {@code SO_SNDBUF}. */
    private int maxBytesPerGatheringWrite;
    /** The socket as a {@link WritableByteChannel}, for a {@link FileRegion} to write itself into. */
    private final WritableByteChannel fileSink = new SocketSink();
    private final Runnable flushTask = () -> ((TernUnsafe) unsafe()).forceFlush();

    /** A channel that opens its socket on the stack of the event loop it is registered with. */
    public TernSocketChannel() {
        super(null, null, SocketConstants.SOCK_STREAM);
    }

    /** A channel with a socket on {@code api} now. */
    public TernSocketChannel(SocketApi api) {
        super(null, api, SocketConstants.SOCK_STREAM);
    }

    /** An accepted connection. */
    TernSocketChannel(TernServerSocketChannel parent, SocketApi api, int fd, InetSocketAddress remote) {
        super(parent, api, SocketConstants.SOCK_STREAM, fd, parent.inet6, remote);
    }

    @Override
    public ServerSocketChannel parent() {
        return (ServerSocketChannel) super.parent();
    }

    @Override
    public TernSocketChannelConfig config() {
        return config;
    }

    @Override
    public InetSocketAddress localAddress() {
        return super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return super.remoteAddress();
    }

    // ---- half-closure -----------------------------------------------------------------------------

    @Override
    public boolean isInputShutdown() {
        return inputShutdown || !isActive();
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown || !isActive();
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            ((TernUnsafe) unsafe()).shutdownOutput(promise);
        } else {
            loop.execute(() -> ((TernUnsafe) unsafe()).shutdownOutput(promise));
        }
        return promise;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            shutdownInput0(promise);
        } else {
            loop.execute(() -> shutdownInput0(promise));
        }
        return promise;
    }

    private void shutdownInput0(ChannelPromise promise) {
        try {
            shutdownSocket(SocketConstants.SHUT_RD);
            inputShutdown = true;
            promise.setSuccess();
        } catch (Throwable t) {
            promise.setFailure(t);
        }
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        ChannelFuture output = shutdownOutput();
        output.addListener(f -> {
            ChannelFuture input = shutdownInput();
            input.addListener(g -> {
                Throwable cause = f.cause() != null ? f.cause() : g.cause();
                if (cause != null) {
                    promise.setFailure(cause);
                } else {
                    promise.setSuccess();
                }
            });
        });
        return promise;
    }

    @Override
    protected void doShutdownOutput() throws Exception {
        shutdownSocket(SocketConstants.SHUT_WR);
        outputShutdown = true;
    }

    private void shutdownSocket(int how) throws IOException {
        try {
            requireSocket().shutdown(fd, how);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOTCONN) {
                throw TernErrors.setup("shutdown", e);
            }
        }
    }

    // ---- input ------------------------------------------------------------------------------------

    /**
     * With half-closure, the input's end is told twice, as Netty's NIO and epoll transports
     * tell it: {@code ChannelInputShutdownEvent} when a read first finds it, then
     * {@code ChannelInputShutdownReadComplete} when the next read asked for (auto-read, or
     * {@code read()}) finds it again; after that no read is tried. Without half-closure the end
     * closes the channel.
     */
    @Override
    boolean inputFinished() {
        return inputShutdown && (inputEndReadAgain || !config.isAllowHalfClosure());
    }

    @Override
    void inputReady() {
        ChannelPipeline pipeline = pipeline();
        if (inputFinished()) {
            readPending = false; // the end was delivered: nothing more to read
            readDone();
            return;
        }
        ChannelConfig cfg = config();
        ByteBufAllocator allocator = cfg.getAllocator();
        RecvByteBufAllocator.Handle handle = unsafe().recvBufAllocHandle();
        handle.reset(cfg);
        boolean end = false;
        try {
            do {
                int asked = handle.guess();
                handle.attemptedBytesRead(asked);
                long n = api.sysRecvBuffers(fd, allocator, asked, 0, arrivedSink);
                if (n <= 0) {
                    if (n == Errno.EAGAIN.negative()) {
                        handle.lastBytesRead(0);
                        break;
                    }
                    if (n == 0) {
                        handle.lastBytesRead(-1);
                        end = true;
                        readPending = false;
                        break;
                    }
                    throw TernErrors.io("recvmsg", n);
                }
                handle.lastBytesRead((int) n);
                handle.incMessagesRead(1);
                readPending = false;
                ByteBuf buf;
                while ((buf = arrived.pollFirst()) != null) {
                    pipeline.fireChannelRead(buf);
                }
            } while (handle.continueReading());
            handle.readComplete();
            pipeline.fireChannelReadComplete();
            if (end) {
                inputEnded(pipeline);
            }
        } catch (Throwable t) {
            ByteBuf left;
            while ((left = arrived.pollFirst()) != null) {
                left.release();
            }
            handle.readComplete();
            pipeline.fireChannelReadComplete();
            pipeline.fireExceptionCaught(t);
            if (t instanceof IOException || t instanceof OutOfMemoryError) {
                // A reset or another error of the connection: nothing more will come either way.
                unsafe().close(unsafe().voidPromise());
            }
        } finally {
            if (isOpen()) {
                readDone();
            }
        }
    }

    /**
     * A read found the end (the peer's FIN, or this side's {@code shutdownInput}): the first
     * time, half-close when allowed, else close; when it is found again, no read will complete
     * any more ({@code ChannelInputShutdownReadComplete}, once).
     */
    private void inputEnded(ChannelPipeline pipeline) {
        if (!inputShutdown) {
            if (config.isAllowHalfClosure()) {
                inputShutdown = true;
                pipeline.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            } else {
                unsafe().close(unsafe().voidPromise());
            }
        } else if (!inputEndReadAgain) {
            inputEndReadAgain = true;
            pipeline.fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
        }
    }

    // ---- output -----------------------------------------------------------------------------------

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf || msg instanceof FileRegion) {
            return msg;
        }
        throw new UnsupportedOperationException(
                "unsupported message type: " + StringUtil.simpleClassName(msg) + " (expected: ByteBuf, FileRegion)");
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        int spin = config.getWriteSpinCount();
        while (spin-- > 0) {
            if (in.isEmpty()) {
                removeInterest(EPOLLOUT);
                return;
            }
            Object msg = in.current();
            boolean full;
            if (msg instanceof FileRegion region) {
                full = writeFileRegion(in, region);
            } else {
                full = writeBuffers(in);
            }
            if (full) {
                addInterest(EPOLLOUT); // the socket is full: EPOLLOUT flushes the rest
                return;
            }
        }
        // Written for the spin count and more is left: let other channels run, then go on.
        eventLoop().execute(flushTask);
    }

    /**
     * Sends the buffers at the head of {@code in} as one vector of at most
     * {@link #maxBytesPerGatheringWrite} bytes; true when the socket took nothing.
     */
    private boolean writeBuffers(ChannelOutboundBuffer in) throws IOException {
        int max = maxBytesPerGatheringWrite();
        ByteBuffer[] vector = in.nioBuffers(1024, max);
        int count = in.nioBufferCount();
        if (count == 0) {
            in.remove(); // an empty buffer
            return false;
        }
        long attempted = in.nioBufferSize();
        long n = count == 1 ? api.sysSend(fd, vector[0], 0, null) : api.sysSend(fd, vector, 0, count, 0, null);
        if (n == Errno.EAGAIN.negative()) {
            return true;
        }
        if (n < 0) {
            throw TernErrors.io("sendmsg", n);
        }
        adjustMaxBytesPerGatheringWrite(attempted, n, max);
        in.removeBytes(n);
        return false;
    }

    /**
     * How many bytes one send offers: at first twice {@code SO_SNDBUF}, then doubled while the
     * socket takes all it is offered and halved when it takes less than half, as Netty's NIO
     * and epoll transports size their gathering writes. Offering the whole outbound buffer
     * makes the socket take whatever room it has, which mostly ends in a segment shorter than
     * the MSS; TCP's Nagle test (RFC 896's: held while anything is unacknowledged) holds it
     * while the peer delays its ACK of the full segment before it, a 40 ms stall (counted as
     * the stack's {@code DelayedACKs}; none with {@code TCP_NODELAY}). Bounded offers made
     * these stalls rarer in a bulk transfer, not absent.
     */
    private int maxBytesPerGatheringWrite() {
        int max = maxBytesPerGatheringWrite;
        if (max == 0) {
            int sndbuf = config.getSendBufferSize();
            max = sndbuf > 0 ? sndbuf << 1 : Integer.MAX_VALUE;
            maxBytesPerGatheringWrite = max;
        }
        return max;
    }

    private void adjustMaxBytesPerGatheringWrite(long attempted, long written, int max) {
        if (attempted == written) {
            if (attempted << 1 > max) {
                maxBytesPerGatheringWrite = (int) Math.min(Integer.MAX_VALUE, attempted << 1);
            }
        } else if (attempted > MIN_GATHERING_WRITE && written < attempted >>> 1) {
            maxBytesPerGatheringWrite = (int) (attempted >>> 1);
        }
    }

    /** Sends offered no more than this are never made smaller (Netty's threshold, 4 KiB). */
    private static final int MIN_GATHERING_WRITE = 4096;

    /** Set again from {@code SO_SNDBUF} at the next write after the send buffer's size changed. */
    void sendBufferSizeChanged() {
        maxBytesPerGatheringWrite = 0;
    }

    private boolean writeFileRegion(ChannelOutboundBuffer in, FileRegion region) throws IOException {
        if (region.transferred() >= region.count()) {
            in.remove();
            return false;
        }
        long n = region.transferTo(fileSink, region.transferred());
        if (n > 0) {
            in.progress(n);
        }
        if (region.transferred() >= region.count()) {
            in.remove();
            return false;
        }
        return n == 0;
    }

    /** Writes into the socket without waiting: 0 when it takes nothing now. */
    private final class SocketSink implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) throws IOException {
            long n = api.sysSend(fd, src, 0, null);
            if (n == Errno.EAGAIN.negative()) {
                return 0;
            }
            if (n < 0) {
                throw TernErrors.io("sendmsg", n);
            }
            return (int) n;
        }

        @Override
        public boolean isOpen() {
            return TernSocketChannel.this.isOpen();
        }

        @Override
        public void close() {
            // the channel closes the socket
        }
    }

    // ---- connect ----------------------------------------------------------------------------------

    @Override
    protected TernUnsafe newUnsafe() {
        return new SocketUnsafe();
    }

    private final class SocketUnsafe extends TernUnsafe {
    }
}
