package net.tern.netty;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a Netty transport must do for the applications built on Netty, written once against
 * Netty's API and run over each transport: Netty's NIO transport on the kernel's loopback (the
 * reference) and Tern's transport on a Tern stack with its own loopback. Both must pass. The
 * kinds follow Netty's transport testsuite (echo, half-closure, reset, back-pressure, many
 * connections, connect failures, datagrams, close from another thread, the loop's wake-up)
 * without its code.
 *
 * <p>All traffic is on 127.0.0.1 and ::1 with ports the stack picks. Every wait is bounded.
 */
@Timeout(value = 300, unit = SECONDS)
abstract class NettyTransportConformance {
    static final long BOUND_SECONDS = 60; // generous, for a busy machine
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<Channel> opened = new ArrayList<>();

    /** The event loops of the transport under test (two threads, shared by a test class). */
    abstract EventLoopGroup group();

    abstract Class<? extends SocketChannel> socketChannel();

    abstract Class<? extends ServerSocketChannel> serverChannel();

    abstract Class<? extends DatagramChannel> datagramChannel();

    /**
     * The transport's options beyond {@link ChannelOption}, as Netty's epoll transport names
     * them: {@code TCP_QUICKACK}, {@code TCP_KEEPIDLE}, {@code TCP_KEEPINTVL}, {@code TCP_KEEPCNT}
     * (seconds and a count) and {@code SO_REUSEPORT}, each read back from the stack.
     */
    record StackOptions(ChannelOption<Boolean> quickAck, ChannelOption<Integer> keepIdle,
            ChannelOption<Integer> keepInterval, ChannelOption<Integer> keepCount, ChannelOption<Boolean> reusePort) {
    }

    abstract StackOptions stackOptions();

    @AfterEach
    void closeEverything() throws Exception {
        for (Channel c : opened) {
            if (c.isRegistered()) {
                c.close().await(BOUND_SECONDS, SECONDS);
            } else {
                c.unsafe().closeForcibly();
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    <T extends Channel> T track(T channel) {
        opened.add(channel);
        return channel;
    }

    /** A listener on 127.0.0.1 whose accepted connections get {@code child}. */
    ServerSocketChannel listen(ServerBootstrap bootstrap, ChannelHandler child) throws InterruptedException {
        ChannelFuture bound = bootstrap.group(group()).channel(serverChannel()).childHandler(child)
                .bind(new InetSocketAddress(LOOPBACK, 0));
        assertThat(bound.await(BOUND_SECONDS, SECONDS)).isTrue();
        assertThat(bound.cause()).isNull();
        return track((ServerSocketChannel) bound.channel());
    }

    Bootstrap client(ChannelHandler handler) {
        return new Bootstrap().group(group()).channel(socketChannel()).handler(handler);
    }

    SocketChannel connect(Bootstrap bootstrap, InetSocketAddress address) throws InterruptedException {
        ChannelFuture connected = bootstrap.connect(address);
        assertThat(connected.await(BOUND_SECONDS, SECONDS)).as("connected in time").isTrue();
        assertThat(connected.cause()).isNull();
        return track((SocketChannel) connected.channel());
    }

    /** Whatever {@code connect} failed with. */
    Throwable connectFailure(Bootstrap bootstrap, InetSocketAddress address) throws InterruptedException {
        ChannelFuture connected = bootstrap.connect(address);
        assertThat(connected.await(BOUND_SECONDS, SECONDS)).as("the connect ended in time").isTrue();
        track(connected.channel());
        return connected.cause();
    }

    static <T> T within(CompletableFuture<T> future) throws Exception {
        return future.get(BOUND_SECONDS, SECONDS);
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    static ChannelInitializer<Channel> init(ChannelHandler... handlers) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(handlers);
            }
        };
    }

    /** Writes back what it reads; with half-closure, closes once the peer's end came and all is written. */
    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Keeps every byte read; {@link #ended} completes with them when the input ends (the peer's
     * end under half-closure, or the channel's close), {@link #failure} with an exception caught.
     */
    static final class Collect extends ChannelInboundHandlerAdapter {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<byte[]> ended = new CompletableFuture<>();
        final CompletableFuture<Throwable> failure = new CompletableFuture<>();
        final AtomicBoolean inputShutdownEvent = new AtomicBoolean();
        final CompletableFuture<Void> inputShutdownReadComplete = new CompletableFuture<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                synchronized (bytes) {
                    buf.readBytes(bytes, buf.readableBytes());
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            } finally {
                buf.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                inputShutdownEvent.set(true);
                ended.complete(snapshot());
            } else if (evt instanceof ChannelInputShutdownReadComplete) {
                inputShutdownReadComplete.complete(null);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ended.complete(snapshot());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure.complete(cause);
            ctx.close();
        }

        byte[] snapshot() {
            synchronized (bytes) {
                return bytes.toByteArray();
            }
        }

        String text() {
            return new String(snapshot(), StandardCharsets.US_ASCII);
        }
    }

    static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    // ---- TCP: bytes and ends --------------------------------------------------------------------

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 1_000, 65_536, 1 << 20, 16 << 20})
    void echoesEveryByteBackAtEverySize(int size) throws Exception {
        ServerSocketChannel server = listen(new ServerBootstrap().childOption(ChannelOption.ALLOW_HALF_CLOSURE, true),
                init(new Echo()));
        Collect collect = new Collect();
        SocketChannel client = connect(client(collect).option(ChannelOption.ALLOW_HALF_CLOSURE, true), server.localAddress());
        byte[] data = randomBytes(size, size);
        // In pieces of up to 64 KiB, then the end: the echo ends its side when it has sent all back.
        for (int at = 0; at < size; at += 65_536) {
            client.write(Unpooled.wrappedBuffer(data, at, Math.min(65_536, size - at)));
        }
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> client.shutdownOutput());
        byte[] echoed = within(collect.ended);
        assertThat(echoed.length).isEqualTo(size);
        assertThat(echoed).isEqualTo(data);
        assertThat(collect.failure).isNotDone();
    }

    @Test
    void theServerEndsItsSideAndTheClientStillSends() throws Exception {
        Collect serverSide = new Collect();
        ServerSocketChannel server = listen(new ServerBootstrap().childOption(ChannelOption.ALLOW_HALF_CLOSURE, true),
                init(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(ascii("hello")).addListener(f -> ((DuplexChannel) ctx.channel()).shutdownOutput());
                        ctx.fireChannelActive();
                    }
                }, serverSide));
        Collect clientSide = new Collect();
        SocketChannel client = connect(client(clientSide).option(ChannelOption.ALLOW_HALF_CLOSURE, true), server.localAddress());
        assertThat(new String(within(clientSide.ended), StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(clientSide.inputShutdownEvent).as("the end came as ChannelInputShutdownEvent").isTrue();
        within(clientSide.inputShutdownReadComplete); // and then no more reads complete
        assertThat(client.isInputShutdown()).isTrue();
        assertThat(client.isOpen()).as("half-closed, not closed").isTrue();

        client.writeAndFlush(ascii("still here")).addListener(f -> client.close());
        assertThat(new String(within(serverSide.ended), StandardCharsets.US_ASCII)).isEqualTo("still here");
    }

    /**
     * As Netty's NIO and epoll transports: the first read that finds the end gives
     * {@code ChannelInputShutdownEvent}; {@code ChannelInputShutdownReadComplete} comes only
     * when a read asked for after it finds the end again, and then no read is tried any more.
     * Auto-read is off, so each read is asked for by the test.
     */
    @Test
    void theEndIsReadCompleteOnlyWhenTheNextReadFindsItAgain() throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        ServerSocketChannel server = listen(new ServerBootstrap().childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.AUTO_READ, false), init(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.complete(ctx.channel());
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        events.add("read " + buf.toString(StandardCharsets.US_ASCII));
                        buf.release();
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        events.add("readComplete");
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof ChannelInputShutdownEvent) {
                            events.add("inputShutdown");
                        } else if (evt instanceof ChannelInputShutdownReadComplete) {
                            events.add("inputShutdownReadComplete");
                        }
                    }
                }));
        SocketChannel client = connect(client(init()), server.localAddress());
        Channel child = within(accepted);
        ChannelFuture sent = client.writeAndFlush(ascii("last"));
        assertThat(sent.await(BOUND_SECONDS, SECONDS)).isTrue();
        assertThat(client.shutdownOutput().await(BOUND_SECONDS, SECONDS)).isTrue();

        List<String> seen = new ArrayList<>();
        for (int reads = 0; !seen.contains("inputShutdown"); reads++) {
            assertThat(reads).as("reads until the end is found").isLessThan(100);
            child.read();
            String e;
            do {
                e = events.poll(BOUND_SECONDS, SECONDS);
                assertThat(e).as("an event after read() (seen " + seen + ")").isNotNull();
                seen.add(e);
            } while (!e.equals("readComplete"));
            afterLoopTurn(child);
            events.drainTo(seen);
        }
        assertThat(String.join("", seen.stream().filter(e -> e.startsWith("read ")).map(e -> e.substring(5)).toList()))
                .isEqualTo("last");
        assertThat(seen).as("the end found once").doesNotContain("inputShutdownReadComplete");
        assertThat(seen.get(seen.size() - 1)).isEqualTo("inputShutdown");

        child.read();
        assertThat(events.poll(BOUND_SECONDS, SECONDS)).isEqualTo("readComplete");
        assertThat(events.poll(BOUND_SECONDS, SECONDS)).as("the end found again").isEqualTo("inputShutdownReadComplete");
        afterLoopTurn(child);
        assertThat(events).isEmpty();
        assertThat(child.isOpen()).as("half-closed, not closed").isTrue();
    }

    /** Waits until the channel's loop has run a task queued now, after what it was doing. */
    static void afterLoopTurn(Channel channel) throws Exception {
        assertThat(channel.eventLoop().submit(() -> { }).await(BOUND_SECONDS, SECONDS)).isTrue();
    }

    @Test
    void withoutHalfClosureThePeersEndClosesTheChannel() throws Exception {
        ServerSocketChannel server = listen(new ServerBootstrap(), init(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush(ascii("bye")).addListener(ChannelFutureListener.CLOSE);
            }
        }));
        Collect collect = new Collect();
        SocketChannel client = connect(client(collect), server.localAddress());
        assertThat(new String(within(collect.ended), StandardCharsets.US_ASCII)).isEqualTo("bye");
        assertThat(client.closeFuture().await(BOUND_SECONDS, SECONDS)).isTrue();
        assertThat(collect.inputShutdownEvent).isFalse();
        assertThat(collect.failure).as("an orderly end is no error").isNotDone();
    }

    @Test
    void aCloseWithLingerZeroResetsThePeer() throws Exception {
        ServerSocketChannel server = listen(new ServerBootstrap().childOption(ChannelOption.SO_LINGER, 0),
                init(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                        ctx.close();
                    }
                }));
        Collect collect = new Collect();
        SocketChannel client = connect(client(collect), server.localAddress());
        client.writeAndFlush(ascii("go"));
        Throwable reset = within(collect.failure);
        assertThat(reset).isInstanceOf(IOException.class).hasMessageContaining("Connection reset");
        assertThat(client.closeFuture().await(BOUND_SECONDS, SECONDS)).as("a reset closes the channel").isTrue();
    }

    // ---- back-pressure ----------------------------------------------------------------------------

    @Test
    void writesStopWhenThePeerStopsReadingAndResumeWhenItReads() throws Exception {
        int total = 8 << 20;
        byte[] data = randomBytes(total, 7);
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Collect serverSide = new Collect();
        ServerSocketChannel server = listen(new ServerBootstrap().childOption(ChannelOption.AUTO_READ, false),
                init(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.complete(ctx.channel());
                        ctx.fireChannelActive();
                    }
                }, serverSide));
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean ended = new AtomicBoolean();
        CompletableFuture<Integer> blockedAt = new CompletableFuture<>();
        ChannelInboundHandlerAdapter producer = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                produce(ctx.channel());
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                if (!ctx.channel().isWritable()) {
                    blockedAt.complete(sent.get());
                } else {
                    produce(ctx.channel());
                }
            }

            private void produce(Channel ch) {
                while (ch.isWritable() && sent.get() < total) {
                    int n = Math.min(16_384, total - sent.get());
                    ch.write(Unpooled.wrappedBuffer(data, sent.get(), n));
                    sent.addAndGet(n);
                }
                ch.flush();
                if (sent.get() == total && ended.compareAndSet(false, true)) {
                    // Closed once the last byte is written: a close would fail writes still waiting.
                    ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                }
            }
        };
        SocketChannel client = connect(client(producer)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(16_384, 65_536)), server.localAddress());
        Channel peer = within(accepted);
        int atBlock = within(blockedAt);
        assertThat(atBlock).as("the writer stopped before it had written all while nobody read").isLessThan(total);
        assertThat(serverSide.snapshot()).as("nothing was read with auto-read off").isEmpty();

        peer.config().setAutoRead(true);
        byte[] received = within(serverSide.ended);
        assertThat(received.length).isEqualTo(total);
        assertThat(received).isEqualTo(data);
    }

    @Test
    void autoReadOffReadsOnlyWhatIsAskedFor() throws Exception {
        BlockingQueue<String> reads = new LinkedBlockingQueue<>();
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        ServerSocketChannel server = listen(new ServerBootstrap().childOption(ChannelOption.AUTO_READ, false)
                        .childOption(ChannelOption.RCVBUF_ALLOCATOR, new io.netty.channel.FixedRecvByteBufAllocator(4)),
                init(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.complete(ctx.channel());
                    }

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        reads.add(msg.toString(StandardCharsets.US_ASCII));
                    }
                }));
        SocketChannel client = connect(client(new ChannelInboundHandlerAdapter()), server.localAddress());
        client.writeAndFlush(ascii("abcdefgh")).await(BOUND_SECONDS, SECONDS);
        Channel peer = within(accepted);
        peer.read();
        assertThat(reads.poll(BOUND_SECONDS, SECONDS)).as("one read, of the allocator's 4 bytes").isEqualTo("abcd");
        peer.read();
        assertThat(reads.poll(BOUND_SECONDS, SECONDS)).isEqualTo("efgh");
        assertThat(reads).as("each read() reads once").isEmpty();
    }

    // ---- many connections -------------------------------------------------------------------------

    @Test
    void aThousandConnectionsEachEchoed() throws Exception {
        int count = 1_000;
        ServerSocketChannel server = listen(new ServerBootstrap().option(ChannelOption.SO_BACKLOG, 1024), init(new Echo()));
        List<Collect> collects = new ArrayList<>();
        List<ChannelFuture> connects = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Collect collect = new Collect();
            collects.add(collect);
            connects.add(client(collect).connect(server.localAddress()));
        }
        for (int i = 0; i < count; i++) {
            ChannelFuture f = connects.get(i);
            assertThat(f.await(BOUND_SECONDS, SECONDS)).isTrue();
            assertThat(f.cause()).as("connection %d", i).isNull();
            track(f.channel()).writeAndFlush(ascii(String.format("%08d", i)));
        }
        for (int i = 0; i < count; i++) {
            Collect collect = collects.get(i);
            String expected = String.format("%08d", i);
            long deadline = System.nanoTime() + SECONDS.toNanos(BOUND_SECONDS);
            while (collect.snapshot().length < 8 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(collect.text()).as("connection %d", i).isEqualTo(expected);
        }
    }

    // ---- connect failures -------------------------------------------------------------------------

    /**
     * A loopback port where nothing listens: held by a bound socket that never listens, so no
     * other socket can take it while the test runs. (A closed listener's port is not enough: the
     * JDK closes a registered channel's descriptor only when its selector next deregisters it,
     * after Netty's close future has completed, so the kernel could still accept there.)
     */
    InetSocketAddress closedPort() throws Exception {
        ChannelFuture bound = client(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress(LOOPBACK, 0));
        assertThat(bound.await(BOUND_SECONDS, SECONDS)).isTrue();
        assertThat(bound.cause()).isNull();
        return (InetSocketAddress) track(bound.channel()).localAddress();
    }

    @Test
    void connectToAClosedPortIsRefused() throws Exception {
        InetSocketAddress address = closedPort();
        Bootstrap bootstrap = client(new ChannelInboundHandlerAdapter());
        ChannelFuture connect = bootstrap.connect(address);
        assertThat(connect.await(BOUND_SECONDS, SECONDS)).isTrue();
        track(connect.channel());
        assertThat(connect.cause()).isInstanceOf(ConnectException.class).hasMessageContaining("Connection refused")
                .hasMessageContaining(address.toString());
        assertThat(connect.channel().closeFuture().await(BOUND_SECONDS, SECONDS)).as("a failed connect closes").isTrue();
    }

    @Test
    void connectToAListenerThatDropsTheSynTimesOut() throws Exception {
        // A listener of backlog 1 that never accepts: once its queue is full, new SYNs are dropped.
        ServerSocketChannel server = listen(new ServerBootstrap().option(ChannelOption.SO_BACKLOG, 1)
                .option(ChannelOption.AUTO_READ, false), init());
        Bootstrap bootstrap = client(init()).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 300);
        for (int i = 0; i < 64; i++) {
            long start = System.nanoTime();
            Throwable failure = connectFailure(bootstrap, server.localAddress());
            if (failure != null) {
                assertThat(failure).isInstanceOf(ConnectTimeoutException.class).hasMessageContaining("timed out");
                assertThat(System.nanoTime() - start).as("it waited for the timeout")
                        .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(250));
                return;
            }
        }
        throw new AssertionError("64 connections completed to a listener of backlog 1 that never accepts");
    }

    // ---- IPv6: ::1, the dual-stack wildcard ---------------------------------------------------

    static InetAddress address(String literal) throws java.net.UnknownHostException {
        return InetAddress.getByName(literal);
    }

    /** Over ::1: both ends named by IPv6 addresses, every byte echoed. */
    @Test
    void echoesOverIpv6Loopback() throws Exception {
        InetAddress v6 = address("::1");
        ChannelFuture bound = new ServerBootstrap().group(group()).channel(serverChannel())
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true).childHandler(init(new Echo()))
                .bind(new InetSocketAddress(v6, 0));
        assertThat(bound.await(BOUND_SECONDS, SECONDS)).isTrue();
        assertThat(bound.cause()).isNull();
        ServerSocketChannel server = track((ServerSocketChannel) bound.channel());
        assertThat(server.localAddress().getAddress()).isEqualTo(v6);
        Collect collect = new Collect();
        SocketChannel client = connect(client(collect).option(ChannelOption.ALLOW_HALF_CLOSURE, true), server.localAddress());
        assertThat(client.localAddress().getAddress()).isEqualTo(v6);
        assertThat(client.remoteAddress()).isEqualTo(server.localAddress());
        byte[] data = randomBytes(200_000, 6);
        client.writeAndFlush(Unpooled.wrappedBuffer(data)).addListener(f -> client.shutdownOutput());
        assertThat(within(collect.ended)).isEqualTo(data);
    }

    /**
     * A listener on :: is dual-stack: a connection to 127.0.0.1 is accepted with its peer
     * named by the IPv4 address, one to ::1 by the IPv6 one.
     */
    @Test
    void theIpv6WildcardAcceptsBothFamilies() throws Exception {
        BlockingQueue<SocketChannel> accepted = new LinkedBlockingQueue<>();
        ChannelFuture bound = new ServerBootstrap().group(group()).channel(serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(ch);
                    }
                })
                .bind(new InetSocketAddress(address("::"), 0));
        assertThat(bound.await(BOUND_SECONDS, SECONDS)).isTrue();
        assertThat(bound.cause()).isNull();
        ServerSocketChannel server = track((ServerSocketChannel) bound.channel());
        assertThat(server.localAddress().getAddress().isAnyLocalAddress()).isTrue();
        int port = server.localAddress().getPort();
        SocketChannel v4 = connect(client(new ChannelInboundHandlerAdapter()), new InetSocketAddress(LOOPBACK, port));
        SocketChannel fromV4 = track(accepted.poll(BOUND_SECONDS, SECONDS));
        assertThat(fromV4.remoteAddress()).isEqualTo(v4.localAddress());
        assertThat(fromV4.remoteAddress().getAddress()).isInstanceOf(java.net.Inet4Address.class);
        SocketChannel v6 = connect(client(new ChannelInboundHandlerAdapter()), new InetSocketAddress(address("::1"), port));
        SocketChannel fromV6 = track(accepted.poll(BOUND_SECONDS, SECONDS));
        assertThat(fromV6.remoteAddress()).isEqualTo(v6.localAddress());
        assertThat(fromV6.remoteAddress().getAddress()).isEqualTo(address("::1"));
    }

    /** Datagrams over ::1 name their IPv6 sender; a datagram channel on :: hears IPv4 senders by their IPv4 addresses. */
    @Test
    void datagramsOverIpv6AndFromIpv4ToTheIpv6Wildcard() throws Exception {
        BlockingQueue<DatagramPacket> atB = new LinkedBlockingQueue<>();
        ChannelFuture boundB = new Bootstrap().group(group()).channel(datagramChannel())
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        atB.add(packet.retain());
                    }
                }).bind(new InetSocketAddress(address("::"), 0));
        assertThat(boundB.await(BOUND_SECONDS, SECONDS)).isTrue();
        assertThat(boundB.cause()).isNull();
        DatagramChannel b = track((DatagramChannel) boundB.channel());
        int port = b.localAddress().getPort();
        ChannelFuture boundA = new Bootstrap().group(group()).channel(datagramChannel())
                .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress(address("::1"), 0));
        assertThat(boundA.await(BOUND_SECONDS, SECONDS)).isTrue();
        DatagramChannel a = track((DatagramChannel) boundA.channel());
        DatagramChannel c = datagram(new ChannelInboundHandlerAdapter());         // on 127.0.0.1
        a.writeAndFlush(new DatagramPacket(ascii("six"), new InetSocketAddress(address("::1"), port)));
        DatagramPacket six = atB.poll(BOUND_SECONDS, SECONDS);
        assertThat(six).isNotNull();
        assertThat(six.sender()).isEqualTo(a.localAddress());
        six.release();
        c.writeAndFlush(new DatagramPacket(ascii("four"), new InetSocketAddress(LOOPBACK, port)));
        DatagramPacket four = atB.poll(BOUND_SECONDS, SECONDS);
        assertThat(four).isNotNull();
        assertThat(four.sender()).isEqualTo(c.localAddress());
        assertThat(four.content().toString(StandardCharsets.US_ASCII)).isEqualTo("four");
        four.release();
    }

    // ---- UDP ------------------------------------------------------------------------------------

    DatagramChannel datagram(ChannelHandler handler) throws InterruptedException {
        ChannelFuture bound = new Bootstrap().group(group()).channel(datagramChannel()).handler(handler)
                .bind(new InetSocketAddress(LOOPBACK, 0));
        assertThat(bound.await(BOUND_SECONDS, SECONDS)).isTrue();
        assertThat(bound.cause()).isNull();
        return track((DatagramChannel) bound.channel());
    }

    @Test
    void datagramsGoBothWaysWithTheirSender() throws Exception {
        BlockingQueue<String> atA = new LinkedBlockingQueue<>();
        DatagramChannel a = datagram(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                atA.add(packet.content().toString(StandardCharsets.US_ASCII) + " from " + packet.sender());
            }
        });
        DatagramChannel b = datagram(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                String text = packet.content().toString(StandardCharsets.US_ASCII);
                ctx.writeAndFlush(new DatagramPacket(ascii(text.toUpperCase()), packet.sender()));
            }
        });
        for (int i = 0; i < 10; i++) {
            a.writeAndFlush(new DatagramPacket(ascii("ping" + i), b.localAddress()));
        }
        for (int i = 0; i < 10; i++) {
            assertThat(atA.poll(BOUND_SECONDS, SECONDS)).isEqualTo("PING" + i + " from " + b.localAddress());
        }
        assertThat(a.isActive()).as("a bound datagram channel is active").isTrue();
    }

    @Test
    void aConnectedDatagramChannelSendsBareBuffersAndALongDatagramIsCut() throws Exception {
        BlockingQueue<String> atB = new LinkedBlockingQueue<>();
        DatagramChannel b = datagram(new SimpleChannelInboundHandler<DatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                atB.add(packet.content().toString(StandardCharsets.US_ASCII));
            }
        });
        b.config().setRecvByteBufAllocator(new io.netty.channel.FixedRecvByteBufAllocator(8));
        DatagramChannel a = datagram(new ChannelInboundHandlerAdapter());
        assertThat(a.connect(b.localAddress()).await(BOUND_SECONDS, SECONDS)).isTrue();
        a.writeAndFlush(ascii("short")).await(BOUND_SECONDS, SECONDS);
        a.writeAndFlush(ascii("longer than eight")).await(BOUND_SECONDS, SECONDS);
        assertThat(atB.poll(BOUND_SECONDS, SECONDS)).isEqualTo("short");
        assertThat(atB.poll(BOUND_SECONDS, SECONDS)).as("cut to the read buffer").isEqualTo("longer t");

        assertThat(a.disconnect().await(BOUND_SECONDS, SECONDS)).isTrue();
        assertThat(a.isConnected()).isFalse();
        assertThat(a.isOpen()).as("a disconnected datagram channel stays open").isTrue();
        a.writeAndFlush(new DatagramPacket(ascii("again"), b.localAddress())).await(BOUND_SECONDS, SECONDS);
        assertThat(atB.poll(BOUND_SECONDS, SECONDS)).isEqualTo("again");
    }

    @Test
    void aConnectedDatagramChannelLearnsThePortIsUnreachable() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        DatagramChannel channel = datagram(new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                failure.complete(cause);
            }
        });
        // A port that was just closed, while the channel holds its own: never the channel's.
        DatagramChannel gone = datagram(new ChannelInboundHandlerAdapter());
        InetSocketAddress nobody = gone.localAddress();
        gone.close().await(BOUND_SECONDS, SECONDS);
        assertThat(channel.connect(nobody).await(BOUND_SECONDS, SECONDS)).isTrue();
        assertThat(channel.isConnected()).isTrue();
        assertThat(channel.remoteAddress()).isEqualTo(nobody);
        // Sent again until the answer comes: the error for one datagram may not come (on the
        // kernel, with other tests running on the machine, a single datagram once waited in vain).
        long deadline = System.nanoTime() + SECONDS.toNanos(BOUND_SECONDS);
        while (!failure.isDone() && System.nanoTime() < deadline) {
            channel.writeAndFlush(ascii("anyone?"));
            try {
                failure.get(200, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException notYet) {
                // again
            }
        }
        assertThat(within(failure)).isInstanceOf(PortUnreachableException.class);
        assertThat(channel.isOpen()).as("the channel stays open").isTrue();
    }

    // ---- close from another thread ----------------------------------------------------------------

    @Test
    void closingFromAnotherThreadFailsTheWritesThatWait() throws Exception {
        ServerSocketChannel server = listen(new ServerBootstrap().childOption(ChannelOption.AUTO_READ, false),
                init());
        SocketChannel client = connect(client(new ChannelInboundHandlerAdapter()), server.localAddress());
        // More than the socket and the peer's buffers can hold while nobody reads: it cannot complete.
        ChannelFuture last = client.writeAndFlush(Unpooled.wrappedBuffer(new byte[32 << 20]));
        client.close();
        assertThat(last.await(BOUND_SECONDS, SECONDS)).isTrue();
        assertThat(last.cause()).isInstanceOf(ClosedChannelException.class);
        assertThat(client.closeFuture().isDone()).isTrue();
        assertThat(client.isOpen()).isFalse();
    }

    // ---- options ----------------------------------------------------------------------------------

    @Test
    void optionsReadBackAsSet() throws Exception {
        ServerSocketChannel server = listen(new ServerBootstrap().option(ChannelOption.SO_BACKLOG, 64)
                .option(ChannelOption.SO_REUSEADDR, true), init());
        assertThat(server.config().getOption(ChannelOption.SO_BACKLOG)).isEqualTo(64);
        assertThat(server.config().getOption(ChannelOption.SO_REUSEADDR)).isTrue();

        WriteBufferWaterMark marks = new WriteBufferWaterMark(1_000, 2_000);
        SocketChannel client = connect(client(new ChannelInboundHandlerAdapter())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.SO_LINGER, 5)
                .option(ChannelOption.SO_RCVBUF, 65_536)
                .option(ChannelOption.SO_SNDBUF, 65_536)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.IP_TOS, 0x10)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 4_321)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, marks)
                .option(ChannelOption.AUTO_READ, false), server.localAddress());
        var config = client.config();
        assertThat(config.getOption(ChannelOption.TCP_NODELAY)).isTrue();
        assertThat(config.getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
        assertThat(config.getOption(ChannelOption.SO_LINGER)).isEqualTo(5);
        assertThat(config.getOption(ChannelOption.SO_RCVBUF)).isGreaterThanOrEqualTo(65_536);
        assertThat(config.getOption(ChannelOption.SO_SNDBUF)).isGreaterThanOrEqualTo(65_536);
        assertThat(config.getOption(ChannelOption.SO_REUSEADDR)).isTrue();
        assertThat(config.getOption(ChannelOption.IP_TOS)).isEqualTo(0x10);
        assertThat(config.getOption(ChannelOption.ALLOW_HALF_CLOSURE)).isTrue();
        assertThat(config.getOption(ChannelOption.CONNECT_TIMEOUT_MILLIS)).isEqualTo(4_321);
        assertThat(config.getOption(ChannelOption.WRITE_BUFFER_WATER_MARK)).isEqualTo(marks);
        assertThat(config.getOption(ChannelOption.AUTO_READ)).isFalse();
        config.setOption(ChannelOption.TCP_NODELAY, false);
        config.setOption(ChannelOption.SO_LINGER, -1);
        assertThat(config.getOption(ChannelOption.TCP_NODELAY)).isFalse();
        assertThat(config.getOption(ChannelOption.SO_LINGER)).as("off").isNegative();

        DatagramChannel datagram = datagram(new ChannelInboundHandlerAdapter());
        datagram.config().setOption(ChannelOption.SO_BROADCAST, true);
        assertThat(datagram.config().getOption(ChannelOption.SO_BROADCAST)).isTrue();
        datagram.config().setOption(ChannelOption.IP_TOS, 0x08);
        assertThat(datagram.config().getOption(ChannelOption.IP_TOS)).isEqualTo(0x08);
    }

    @Test
    void connectionOptionsOfTheStackReadBackAsSet() throws Exception {
        StackOptions o = stackOptions();
        ServerSocketChannel server = listen(new ServerBootstrap(), init());
        SocketChannel client = connect(client(new ChannelInboundHandlerAdapter())
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(o.keepIdle(), 30)
                .option(o.keepInterval(), 7)
                .option(o.keepCount(), 4), server.localAddress());
        var config = client.config();
        assertThat(config.getOption(o.keepIdle())).isEqualTo(30);
        assertThat(config.getOption(o.keepInterval())).isEqualTo(7);
        assertThat(config.getOption(o.keepCount())).isEqualTo(4);
        config.setOption(o.keepIdle(), 45);
        config.setOption(o.keepInterval(), 3);
        config.setOption(o.keepCount(), 9);
        assertThat(config.getOption(o.keepIdle())).isEqualTo(45);
        assertThat(config.getOption(o.keepInterval())).isEqualTo(3);
        assertThat(config.getOption(o.keepCount())).isEqualTo(9);
        // Interactive mode on an idle connection until asked to leave it.
        config.setOption(o.quickAck(), false);
        assertThat(config.getOption(o.quickAck())).as("interactive mode").isFalse();
        config.setOption(o.quickAck(), true);
        assertThat(config.getOption(o.quickAck())).as("quick-ack mode").isTrue();
    }

    @Test
    void listenersThatAllSetReusePortShareTheirPortAndOneWithoutItIsRefused() throws Exception {
        StackOptions o = stackOptions();
        ServerSocketChannel first = listen(new ServerBootstrap().option(o.reusePort(), true), init());
        assertThat(first.config().getOption(o.reusePort())).isTrue();
        InetSocketAddress port = first.localAddress();
        ChannelFuture second = new ServerBootstrap().group(group()).channel(serverChannel()).childHandler(init())
                .option(o.reusePort(), true).bind(port);
        assertThat(second.await(BOUND_SECONDS, SECONDS)).isTrue();
        track(second.channel());
        assertThat(second.cause()).as("a second listener with SO_REUSEPORT").isNull();
        assertThat(((ServerSocketChannel) second.channel()).localAddress()).isEqualTo(port);
        ChannelFuture third = new ServerBootstrap().group(group()).channel(serverChannel()).childHandler(init())
                .bind(port);
        assertThat(third.await(BOUND_SECONDS, SECONDS)).isTrue();
        track(third.channel());
        assertThat(third.cause()).as("a listener without SO_REUSEPORT").isInstanceOf(java.net.BindException.class);

        DatagramChannel datagram = datagram(new ChannelInboundHandlerAdapter());
        assertThat(datagram.config().getOption(o.reusePort())).isFalse();
        datagram.config().setOption(o.reusePort(), true);
        assertThat(datagram.config().getOption(o.reusePort())).isTrue();
    }

    // ---- the loop's wake-up -----------------------------------------------------------------------

    @Test
    void everyTaskFromOtherThreadsRunsWhileTheLoopWaits() throws Exception {
        EventLoop loop = group().next();
        int threads = 4;
        int rounds = 2_000;
        for (int round = 0; round < rounds; round++) {
            CountDownLatch ran = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread sender = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    loop.execute(ran::countDown);
                });
                sender.start();
                senders.add(sender);
            }
            go.countDown();
            assertThat(ran.await(BOUND_SECONDS, SECONDS)).as("round %d: every task ran", round).isTrue();
            for (Thread sender : senders) {
                sender.join();
            }
        }
    }

    @Test
    void aScheduledTaskRunsOnTimeOnAnIdleLoop() throws Exception {
        EventLoop loop = group().next();
        // A loop that ignored the task's time would wake at the end of its idle wait (Netty's
        // one-second purge interval), never before. The least of three tries, so that a busy
        // machine's late wake-up once does not count as a loop that slept through.
        long least = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && least >= TimeUnit.MILLISECONDS.toNanos(900); attempt++) {
            CompletableFuture<Long> ranAfter = new CompletableFuture<>();
            long start = System.nanoTime();
            loop.schedule(() -> ranAfter.complete(System.nanoTime() - start), 100, TimeUnit.MILLISECONDS);
            long after = within(ranAfter);
            assertThat(after).as("not before its time").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
            least = Math.min(least, after);
        }
        assertThat(least).as("and not a wait's worth after it").isLessThan(TimeUnit.MILLISECONDS.toNanos(900));
    }

    @Test
    void theLoopKeepsServingAfterItsThreadIsInterrupted() throws Exception {
        EventLoop loop = group().next();
        AtomicReference<Thread> thread = new AtomicReference<>();
        CompletableFuture<Void> interrupted = new CompletableFuture<>();
        loop.execute(() -> {
            thread.set(Thread.currentThread());
            Thread.currentThread().interrupt();
            interrupted.complete(null);
        });
        within(interrupted);
        CompletableFuture<Void> later = new CompletableFuture<>();
        loop.schedule(() -> later.complete(null), 50, TimeUnit.MILLISECONDS);
        within(later);
        ServerSocketChannel server = listen(new ServerBootstrap().childOption(ChannelOption.ALLOW_HALF_CLOSURE, true),
                init(new Echo()));
        Collect collect = new Collect();
        SocketChannel client = connect(client(collect).option(ChannelOption.ALLOW_HALF_CLOSURE, true), server.localAddress());
        client.writeAndFlush(ascii("still")).addListener(f -> client.shutdownOutput());
        assertThat(new String(within(collect.ended), StandardCharsets.US_ASCII)).isEqualTo("still");
    }
}
