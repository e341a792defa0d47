package net.tern.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * HTTP/1.1 through Netty's NIO transport on one {@link SelectorProvider}: a hello-world server
 * (Netty's {@code HttpServerCodec}, one event loop) and, in the same JVM, a keep-alive client of
 * {@code connections} connections (Netty's {@code HttpClientCodec} and aggregator, one event
 * loop), each with one request outstanding at a time: {@code GET /}, answered with 200 and a
 * 13-byte body. Both sides use the provider's channels and selectors, so with Tern's provider
 * every byte goes through Tern's loopback, with the JDK's through the kernel's.
 */
final class HttpWorkload {
    /** Concurrent keep-alive connections of the client. */
    static final int CONNECTIONS = 16;
    /** Slow start and the JIT settle before the measured window opens. */
    private static final long RAMP_MILLIS = 200;
    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);

    private HttpWorkload() {
    }

    /**
     * One round: {@code millis} measured after the ramp. Returns {requests/s, p50 us, p99 us, the
     * process's CPU us per request}.
     */
    static double[] run(SelectorProvider provider, int connections, long millis) throws Exception {
        EventLoopGroup serverLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(provider));
        EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(provider));
        List<Channel> channels = new ArrayList<>();
        try {
            ChannelFactory<ServerChannel> serverChannels = () -> new NioServerSocketChannel(provider);
            Channel server = new ServerBootstrap().group(serverLoop).channelFactory(serverChannels)
                    .option(ChannelOption.SO_BACKLOG, 128)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HelloHandler());
                        }
                    })
                    .bind(new InetSocketAddress(ChannelNet.LOOPBACK, 0)).sync().channel();
            channels.add(server);
            int port = ((InetSocketAddress) server.localAddress()).getPort();

            Recorder recorder = new Recorder();
            ChannelFactory<Channel> clientChannels = () -> new NioSocketChannel(provider);
            Bootstrap client = new Bootstrap().group(clientLoop).channelFactory(clientChannels)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                                    new ClientHandler(recorder, "127.0.0.1:" + port));
                        }
                    });
            for (int i = 0; i < connections; i++) {
                channels.add(client.connect(new InetSocketAddress(ChannelNet.LOOPBACK, port)).sync().channel());
            }
            long from = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RAMP_MILLIS);
            long until = from + TimeUnit.MILLISECONDS.toNanos(millis);
            recorder.window(from, until);
            TimeUnit.NANOSECONDS.sleep(from - System.nanoTime());
            WorkCost cost = WorkCost.start();
            TimeUnit.NANOSECONDS.sleep(until - System.nanoTime());
            WorkCost.Sample spent = cost.stop();
            long cpu = spent.cpuNanos();
            TimeUnit.MILLISECONDS.sleep(20);
            recorder.stopped = true;
            // The client's loop recorded everything; reading it there orders it before this thread.
            long[] sorted = clientLoop.next().submit(recorder::sortedLatencies).get(10, TimeUnit.SECONDS);
            Throwable failure = recorder.failure.get();
            if (failure != null) {
                throw new IllegalStateException("HTTP: " + failure, failure);
            }
            if (sorted.length == 0) {
                throw new IllegalStateException("HTTP: no response in the measured window");
            }
            return new double[] {recorder.count * 1e3 / millis, TcpWorkloads.percentile(sorted, 50) / 1e3,
                    TcpWorkloads.percentile(sorted, 99) / 1e3, cpu / 1e3 / recorder.count,
                    (double) spent.allocatedBytes() / recorder.count};
        } finally {
            for (Channel channel : channels) {
                channel.close().await(5, TimeUnit.SECONDS);
            }
            clientLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
            serverLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    /** Netty's hello-world server handler: 200 with a text body to each request, keep-alive kept. */
    private static final class HelloHandler extends SimpleChannelInboundHandler<HttpObject> {
        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest request) {
                boolean keepAlive = HttpUtil.isKeepAlive(request);
                FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                        Unpooled.wrappedBuffer(BODY));
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
                if (keepAlive) {
                    if (!request.protocolVersion().isKeepAliveDefault()) {
                        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                    }
                    ctx.write(response);
                } else {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                    ctx.write(response).addListener(ChannelFutureListener.CLOSE);
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Latencies of the responses that complete inside the measured window; written only by the
     * client's one event loop thread (the window, once every connection is up, and
     * {@link #stopped} are set by the measuring thread).
     */
    private static final class Recorder {
        private volatile long from = Long.MAX_VALUE;
        private volatile long until = Long.MAX_VALUE;
        volatile boolean stopped;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private long[] latencies = new long[1 << 16];
        long count;

        void window(long from, long until) {
            this.until = until;
            this.from = from;
        }

        void record(long now, long latency) {
            if (now < from || now >= until) {
                return;
            }
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[(int) count++] = latency;
        }

        long[] sortedLatencies() {
            long[] sorted = Arrays.copyOf(latencies, (int) count);
            Arrays.sort(sorted);
            return sorted;
        }
    }

    /** One connection's closed loop: a request, its response checked and timed, the next request. */
    private static final class ClientHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Recorder recorder;
        private final String host;
        private long sentAt;

        ClientHandler(Recorder recorder, String host) {
            this.recorder = recorder;
            this.host = host;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            super.channelActive(ctx);
            send(ctx);
        }

        private void send(ChannelHandlerContext ctx) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/",
                    Unpooled.EMPTY_BUFFER);
            request.headers().set(HttpHeaderNames.HOST, host);
            sentAt = System.nanoTime();
            ctx.writeAndFlush(request);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            long now = System.nanoTime();
            if (!response.status().equals(HttpResponseStatus.OK) || response.content().readableBytes() != BODY.length) {
                recorder.failure.compareAndSet(null, new IllegalStateException("unexpected response " + response));
                ctx.close();
                return;
            }
            recorder.record(now, now - sentAt);
            if (!recorder.stopped) {
                send(ctx);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!recorder.stopped) {
                recorder.failure.compareAndSet(null, cause);
            }
            ctx.close();
        }
    }
}
