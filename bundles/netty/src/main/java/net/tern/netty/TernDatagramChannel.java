package net.tern.netty;

import static net.tern.api.socket.SocketConstants.EPOLLOUT;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.internal.StringUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;

/**
 * A UDP socket on Tern, for {@code Bootstrap.channel(TernDatagramChannel.class)}. Reads
 * {@link DatagramPacket}s with their sender; writes {@link DatagramPacket}s (any
 * {@link AddressedEnvelope} of a {@link ByteBuf}), or bare {@link ByteBuf}s once connected.
 * A datagram longer than the read buffer is cut to it, as the JDK's channels cut it. On a
 * connected channel, an ICMP port unreachable for an earlier datagram is a
 * {@link PortUnreachableException} to the pipeline (the channel stays open), as Netty's
 * transports report it. A datagram the stack refuses fails its own write and the rest go on.
 * Tern has no multicast: joining or leaving a group fails with {@link UnsupportedOperationException}.
 */
public final class TernDatagramChannel extends AbstractTernChannel implements DatagramChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(true, 16);
    private static final String NO_MULTICAST = "Tern has no multicast (no IGMP)";
    private final TernDatagramChannelConfig config = new TernDatagramChannelConfig(this);
    private final MsgHeader header = new MsgHeader();

    /** A channel that opens its socket on the stack of the event loop it is registered with. */
    public TernDatagramChannel() {
        super(null, null, SocketConstants.SOCK_DGRAM);
    }

    /** A channel with a socket on {@code api} now. */
    public TernDatagramChannel(SocketApi api) {
        super(null, api, SocketConstants.SOCK_DGRAM);
    }

    @Override
    public TernDatagramChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public InetSocketAddress localAddress() {
        return super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return super.remoteAddress();
    }

    @Override
    public boolean isConnected() {
        return remoteAddress0() != null;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        super.doBind(localAddress);
        active = true;
    }

    /** Dissolves the association ({@code connect} to AF_UNSPEC); the channel stays bound. */
    @Override
    protected void doDisconnect() throws Exception {
        try {
            requireSocket().connect(fd, SockAddr.UNSPEC);
        } catch (ErrnoException e) {
            throw TernErrors.setup("connect", e);
        }
        forgetRemote();
    }

    // ---- input ------------------------------------------------------------------------------------

    @Override
    void inputReady() {
        ChannelConfig cfg = config();
        ChannelPipeline pipeline = pipeline();
        ByteBufAllocator allocator = cfg.getAllocator();
        RecvByteBufAllocator.Handle handle = unsafe().recvBufAllocHandle();
        handle.reset(cfg);
        Throwable failure = null;
        try {
            do {
                ByteBuf buf = handle.allocate(allocator);
                int writable = buf.writableBytes();
                handle.attemptedBytesRead(writable);
                ByteBuffer into = buf.internalNioBuffer(buf.writerIndex(), writable);
                long n = api.sysRecv(fd, into, 0, header.reset());
                if (n < 0) {
                    buf.release();
                    if (n == Errno.EAGAIN.negative()) {
                        handle.lastBytesRead(0);
                        break;
                    }
                    if (n == Errno.ECONNREFUSED.negative()) {
                        throw new PortUnreachableException(TernErrors.message("recvmsg", n));
                    }
                    throw TernErrors.io("recvmsg", n);
                }
                buf.writerIndex(buf.writerIndex() + (int) n);
                handle.lastBytesRead((int) Math.max(n, 1)); // an empty datagram is a message too
                handle.incMessagesRead(1);
                readPending = false;
                pipeline.fireChannelRead(new DatagramPacket(buf, localAddress(), TernAddresses.toJava(header.from)));
            } while (handle.continueReading());
        } catch (Throwable t) {
            failure = t;
        }
        handle.readComplete();
        pipeline.fireChannelReadComplete();
        if (failure != null) {
            pipeline.fireExceptionCaught(failure);
            if (failure instanceof IOException && !(failure instanceof PortUnreachableException)) {
                unsafe().close(unsafe().voidPromise());
            }
        }
        if (isOpen()) {
            readDone();
        }
    }

    // ---- output -----------------------------------------------------------------------------------

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof DatagramPacket) {
            return msg;
        }
        if (msg instanceof ByteBuf) {
            return msg;
        }
        if (msg instanceof AddressedEnvelope<?, ?> envelope && envelope.content() instanceof ByteBuf
                && (envelope.recipient() == null || envelope.recipient() instanceof InetSocketAddress)) {
            return msg;
        }
        throw new UnsupportedOperationException("unsupported message type: " + StringUtil.simpleClassName(msg)
                + " (expected: DatagramPacket, AddressedEnvelope<ByteBuf, InetSocketAddress>, ByteBuf)");
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        int spin = config.getWriteSpinCount();
        while (spin-- > 0) {
            Object msg = in.current();
            if (msg == null) {
                removeInterest(EPOLLOUT);
                return;
            }
            ByteBuf data;
            SockAddr to = null;
            if (msg instanceof AddressedEnvelope<?, ?> envelope) {
                data = (ByteBuf) envelope.content();
                if (envelope.recipient() != null) {
                    to = TernAddresses.toTern((InetSocketAddress) envelope.recipient(), inet6);
                }
            } else {
                data = (ByteBuf) msg;
            }
            ByteBuffer from = data.nioBufferCount() == 1
                    ? data.internalNioBuffer(data.readerIndex(), data.readableBytes()) : data.nioBuffer();
            long n = api.sysSend(fd, from, 0, to);
            if (n == Errno.EAGAIN.negative()) {
                addInterest(EPOLLOUT); // the send buffer is full: EPOLLOUT writes the rest
                return;
            }
            if (n < 0) {
                in.remove(TernErrors.io("sendmsg", n)); // this datagram fails, the next may not
            } else {
                in.remove();
            }
        }
        eventLoop().execute(() -> ((TernUnsafe) unsafe()).forceFlush());
    }

    @Override
    protected TernUnsafe newUnsafe() {
        return new DatagramUnsafe();
    }

    private final class DatagramUnsafe extends TernUnsafe {
    }

    // ---- multicast: Tern has none -----------------------------------------------------------------

    private ChannelFuture noMulticast(ChannelPromise promise) {
        promise.setFailure(new UnsupportedOperationException(NO_MULTICAST));
        return promise;
    }

    @Override
    public ChannelFuture joinGroup(InetAddress group) {
        return noMulticast(newPromise());
    }

    @Override
    public ChannelFuture joinGroup(InetAddress group, ChannelPromise promise) {
        return noMulticast(promise);
    }

    @Override
    public ChannelFuture joinGroup(InetSocketAddress group, NetworkInterface networkInterface) {
        return noMulticast(newPromise());
    }

    @Override
    public ChannelFuture joinGroup(InetSocketAddress group, NetworkInterface networkInterface, ChannelPromise promise) {
        return noMulticast(promise);
    }

    @Override
    public ChannelFuture joinGroup(InetAddress group, NetworkInterface networkInterface, InetAddress source) {
        return noMulticast(newPromise());
    }

    @Override
    public ChannelFuture joinGroup(InetAddress group, NetworkInterface networkInterface, InetAddress source,
            ChannelPromise promise) {
        return noMulticast(promise);
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress group) {
        return noMulticast(newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress group, ChannelPromise promise) {
        return noMulticast(promise);
    }

    @Override
    public ChannelFuture leaveGroup(InetSocketAddress group, NetworkInterface networkInterface) {
        return noMulticast(newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(InetSocketAddress group, NetworkInterface networkInterface, ChannelPromise promise) {
        return noMulticast(promise);
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress group, NetworkInterface networkInterface, InetAddress source) {
        return noMulticast(newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress group, NetworkInterface networkInterface, InetAddress source,
            ChannelPromise promise) {
        return noMulticast(promise);
    }

    @Override
    public ChannelFuture block(InetAddress group, NetworkInterface networkInterface, InetAddress source) {
        return noMulticast(newPromise());
    }

    @Override
    public ChannelFuture block(InetAddress group, NetworkInterface networkInterface, InetAddress source,
            ChannelPromise promise) {
        return noMulticast(promise);
    }

    @Override
    public ChannelFuture block(InetAddress group, InetAddress source) {
        return noMulticast(newPromise());
    }

    @Override
    public ChannelFuture block(InetAddress group, InetAddress source, ChannelPromise promise) {
        return noMulticast(promise);
    }
}
