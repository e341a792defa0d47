package net.tern.netty;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.nio.TernLoopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What only Tern's transport has: its stack found through the event loop, and waits that do not spin. */
@Timeout(value = 300, unit = SECONDS)
class TernTransportTest {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private TernLoopback stack;
    private final AtomicInteger epollWaits = new AtomicInteger();
    /** The most bytes one {@code sysSend} was offered. */
    private final AtomicLong largestSend = new AtomicLong();
    private SocketApi counting;
    private EventLoopGroup group;

    @BeforeEach
    void start() throws Exception {
        stack = new TernLoopback();
        SocketApi api = stack.api();
        counting = (SocketApi) Proxy.newProxyInstance(SocketApi.class.getClassLoader(), new Class<?>[] {SocketApi.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("sysEpollWait")) {
                        epollWaits.incrementAndGet();
                    } else if (method.getName().equals("sysSend")) {
                        largestSend.accumulateAndGet(offered(args), Math::max);
                    }
                    try {
                        return method.invoke(api, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        group = new TernEventLoopGroup(1, counting);
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 5, SECONDS).syncUninterruptibly();
        stack.close();
    }

    @Test
    void aReflectivelyMadeChannelOpensItsSocketOnTheLoopsStackWithTheOptionsSetBefore() throws Exception {
        TernSocketChannel unregistered = new TernSocketChannel();
        unregistered.config().setTcpNoDelay(true).setSoLinger(3);
        assertThat(unregistered.config().isTcpNoDelay()).as("kept for the socket to come").isTrue();
        assertThat(unregistered.config().getSoLinger()).isEqualTo(3);
        assertThat(group.register(unregistered).await(60, SECONDS)).isTrue();
        int fd = unregistered.fd;
        assertThat(fd).as("a socket of the loop's stack").isGreaterThanOrEqualTo(3);
        assertThat(stack.api().getsockopt(fd, SocketConstants.SOL_TCP, SocketConstants.TCP_NODELAY)).isEqualTo(1);
        assertThat(stack.api().getsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_LINGER)).isEqualTo(3);
        unregistered.close().await(60, SECONDS);
        assertThat(unregistered.fd).as("closed").isEqualTo(-1);
    }

    @Test
    void aChannelOfAnotherStackIsRefusedByTheLoop() throws Exception {
        try (TernLoopback other = new TernLoopback()) {
            TernSocketChannel foreign = new TernSocketChannel(other.api());
            int fd = foreign.fd;
            ChannelFuture registered = group.register(foreign);
            assertThat(registered.await(60, SECONDS)).isTrue();
            assertThat(registered.cause()).hasMessageContaining("another Tern stack");
            foreign.unsafe().closeForcibly();
            assertThat(other.socketLayer().openDescriptors()).as("fd %d closed", fd).isZero();
        }
    }

    /**
     * A connection reset while its channel asks for nothing (auto-read off, nothing to write):
     * the socket is in error and hung up, and a level-triggered set would report it at every wait.
     * The channel is out of the set while it wants nothing, so the loop sleeps.
     */
    @Test
    void aResetConnectionNobodyReadsDoesNotSpinTheLoop() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(TernServerSocketChannel.class)
                .childOption(ChannelOption.SO_LINGER, 0)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.complete(ctx.channel());
                    }
                }).bind(ANY_LOOPBACK).sync().channel();
        Channel client = new Bootstrap().group(group).channel(TernSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false).handler(new ChannelInboundHandlerAdapter())
                .connect(server.localAddress()).sync().channel();
        accepted.get(60, SECONDS).close().sync(); // SO_LINGER 0: a reset
        // Let the reset arrive, then count waits over an idle half second.
        CompletableFuture<Void> settled = new CompletableFuture<>();
        group.next().schedule(() -> settled.complete(null), 100, TimeUnit.MILLISECONDS);
        settled.get(60, SECONDS);
        int before = epollWaits.get();
        CompletableFuture<Void> later = new CompletableFuture<>();
        group.next().schedule(() -> later.complete(null), 500, TimeUnit.MILLISECONDS);
        later.get(60, SECONDS);
        int waits = epollWaits.get() - before;
        assertThat(waits).as("epoll waits in half a second with a reset connection nobody reads").isLessThan(20);

        // Asking for input now meets the reset.
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        client.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                failure.complete(cause);
            }
        });
        client.read();
        assertThat(failure.get(60, SECONDS)).isInstanceOf(TernIoException.class)
                .hasMessage("recvmsg(..) failed with error(-104): Connection reset by peer");
        assertThat(((TernIoException) failure.get()).expectedErr()).isEqualTo(-104);
        assertThat(client.closeFuture().await(60, SECONDS)).isTrue();
        server.close().sync();
    }

    @Test
    void anIdleLoopWaitsInsteadOfPolling() throws Exception {
        CompletableFuture<Void> later = new CompletableFuture<>();
        int before = epollWaits.get();
        group.next().schedule(() -> later.complete(null), 300, TimeUnit.MILLISECONDS);
        later.get(60, SECONDS);
        assertThat(epollWaits.get() - before).as("waits in 300 ms with nothing to do").isLessThan(10);
    }

    /** The bytes a {@code sysSend} call is offered: its buffer's, or those of the vector's part it names. */
    private static long offered(Object[] args) {
        if (args[1] instanceof ByteBuffer one) {
            return one.remaining();
        }
        ByteBuffer[] vector = (ByteBuffer[]) args[1];
        long sum = 0;
        for (int i = (int) args[2]; i < (int) args[2] + (int) args[3]; i++) {
            sum += vector[i].remaining();
        }
        return sum;
    }

    /**
     * A bulk write offers each send at most twice the socket's send buffer (and less after the
     * socket took under half of an offer), as Netty's NIO and epoll transports size theirs,
     * not the whole outbound buffer; every byte still arrives.
     */
    @Test
    void aBulkWriteOffersEachSendAtMostTwiceTheSendBuffer() throws Exception {
        AtomicLong received = new AtomicLong();
        CompletableFuture<Void> all = new CompletableFuture<>();
        int total = 4 << 20;
        Channel server = new ServerBootstrap().group(group).channel(TernServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (received.addAndGet(((ByteBuf) msg).readableBytes()) == total) {
                            all.complete(null);
                        }
                        ((ByteBuf) msg).release();
                    }
                }).bind(ANY_LOOPBACK).sync().channel();
        Channel client = new Bootstrap().group(group).channel(TernSocketChannel.class)
                .option(ChannelOption.SO_SNDBUF, 32_768)
                .handler(new ChannelInboundHandlerAdapter()).connect(server.localAddress()).sync().channel();
        int sndbuf = ((TernSocketChannel) client).config().getSendBufferSize();
        largestSend.set(0);
        for (int at = 0; at < total; at += 65_536) {
            client.write(Unpooled.wrappedBuffer(new byte[65_536]));
        }
        client.flush();
        all.get(60, SECONDS);
        assertThat(largestSend.get()).as("the most one send was offered, SO_SNDBUF " + sndbuf)
                .isPositive().isLessThanOrEqualTo(2L * sndbuf);
        client.close().sync();
        server.close().sync();
    }

    /**
     * A read takes the bytes TCP kept in their packets without copying them: such buffers
     * fired up the pipeline are the packets' own (slices of the stack's packet buffers), not
     * buffers of the channel's allocator; what TCP held in its ring (small segments, and data
     * that came while the reader was behind) is copied into one.
     */
    @Test
    void aReadHandsThePacketsBuffersUpThePipelineWithoutACopy() throws Exception {
        int total = 4 << 20;
        UnpooledByteBufAllocator channelAllocator = new UnpooledByteBufAllocator(false);
        AtomicLong received = new AtomicLong();
        AtomicLong inPackets = new AtomicLong();
        CompletableFuture<Void> all = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(TernServerSocketChannel.class)
                .childOption(ChannelOption.ALLOCATOR, channelAllocator)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        if (buf.alloc() != channelAllocator) {
                            inPackets.addAndGet(buf.readableBytes());
                        }
                        if (received.addAndGet(buf.readableBytes()) == total) {
                            all.complete(null);
                        }
                        buf.release();
                    }
                }).bind(ANY_LOOPBACK).sync().channel();
        Channel client = new Bootstrap().group(group).channel(TernSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(server.localAddress()).sync().channel();
        for (int at = 0; at < total; at += 65_536) {
            client.write(Unpooled.wrappedBuffer(new byte[65_536]));
        }
        client.flush();
        all.get(60, SECONDS);
        // How many bytes TCP keeps in their packets depends on the reader keeping up with the
        // sender (a packet is kept only while TCP's ring is empty); the copies per byte are
        // counted in virtual time by bundles/tcp's PayloadCopiesTest.
        System.out.printf("bytes read in the packets' own buffers: %d of %d%n", inPackets.get(), total);
        assertThat(inPackets.get()).as("bytes read in the packets' own buffers, of %d", total).isPositive();
        client.close().sync();
        server.close().sync();
    }

    @Test
    void theTransportServiceMakesGroupsOnItsStack() throws Exception {
        TernTransport transport = new net.tern.netty.internal.TernNettyTransport(stack.api());
        assertThat(transport.socketApi()).isSameAs(stack.api());
        EventLoopGroup own = transport.newEventLoopGroup(1);
        try {
            CompletableFuture<String> echoed = new CompletableFuture<>();
            Channel server = new ServerBootstrap().group(own).channel(TernServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg);
                        }
                    }).bind(ANY_LOOPBACK).sync().channel();
            Channel client = new Bootstrap().group(own).channel(TernSocketChannel.class)
                    .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                            echoed.complete(msg.toString(StandardCharsets.US_ASCII));
                        }
                    }).connect(server.localAddress()).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("over the service", StandardCharsets.US_ASCII));
            assertThat(echoed.get(60, SECONDS)).isEqualTo("over the service");
            client.close().sync();
            server.close().sync();
        } finally {
            own.shutdownGracefully(0, 5, SECONDS).syncUninterruptibly();
        }
    }
}
