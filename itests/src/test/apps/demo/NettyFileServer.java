package demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A static file server on Netty 4.2's NIO transport and HTTP codec, in the manner of Netty's
 * own file server example: {@code NettyFileServer PORT DIR} serves the files in DIR on every
 * address at PORT, each body as a {@code FileRegion}, until a request for {@code /stop}.
 */
public class NettyFileServer {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path root = Path.of(args[1]).toRealPath();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            Channel[] server = new Channel[1];
            ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new FileHandler(root, () -> server[0]));
                        }
                    });
            server[0] = bootstrap.bind(port).sync().channel();
            System.out.println("listening on " + server[0].localAddress() + " through "
                    + server[0].getClass().getName());
            server[0].closeFuture().sync();
            System.out.println("stopped");
        } finally {
            group.shutdownGracefully().sync();
        }
    }

    /** GET of a file under the root, 404 for anything else, and {@code /stop}. */
    static final class FileHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final Path root;
        private final java.util.function.Supplier<Channel> server;

        FileHandler(Path root, java.util.function.Supplier<Channel> server) {
            this.root = root;
            this.server = server;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) throws Exception {
            if (!(msg instanceof HttpRequest request)) {
                return; // the request's (empty) body
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            String path = request.uri().split("\\?", 2)[0];
            if ("/stop".equals(path)) {
                send(ctx, HttpResponseStatus.OK, "stopping\n", false).addListener(f -> server.get().close());
                return;
            }
            Path file = root.resolve(path.substring(1)).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                send(ctx, HttpResponseStatus.NOT_FOUND, "not found\n", keepAlive);
                return;
            }
            RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r");
            long length = raf.length();
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpUtil.setContentLength(response, length);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE,
                    file.toString().endsWith(".html") ? "text/html" : "application/octet-stream");
            HttpUtil.setKeepAlive(response, keepAlive);
            ctx.write(response);
            ctx.write(new DefaultFileRegion(raf.getChannel(), 0, length));
            ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (!keepAlive) {
                last.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static ChannelFuture send(ChannelHandlerContext ctx, HttpResponseStatus status, String text,
                boolean keepAlive) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            HttpUtil.setContentLength(response, response.content().readableBytes());
            HttpUtil.setKeepAlive(response, keepAlive);
            ChannelFuture sent = ctx.writeAndFlush(response);
            if (!keepAlive) {
                sent.addListener(ChannelFutureListener.CLOSE);
            }
            return sent;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            cause.printStackTrace();
            ctx.close();
        }
    }
}
