package net.tern.itests;

import static net.tern.api.socket.SocketConstants.IPPROTO_TCP;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import net.tern.api.socket.SocketApi;
import net.tern.netty.TernServerSocketChannel;
import net.tern.netty.TernSocketChannel;
import net.tern.netty.TernTransport;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;

/**
 * The Netty transport bundle in the container, with Netty's transport bundle: its
 * {@code TernTransport} service is on the stack's socket API, and an echo runs over
 * {@code ServerBootstrap} and {@code Bootstrap} with Tern's channel classes, through a group from
 * the service and through a {@code MultiThreadIoEventLoopGroup} over its {@code IoHandlerFactory}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NettyTransportIT extends TernTestSupport {
    @Inject
    private TernTransport transport;

    @Inject
    private SocketApi sockets;

    @Override
    protected Option[] extraOptions() {
        return new Option[] {optionalTernBundle("netty-resolver"), optionalTernBundle("netty-transport"),
            optionalTernBundle("tern-netty")};
    }

    @Test
    public void theTransportIsAServiceOfTheNettyBundleOnTheStack() throws Exception {
        ServiceReference<TernTransport> ref = context.getServiceReference(TernTransport.class);
        assertNotNull(ref);
        assertEquals("net.tern.netty", ref.getBundle().getSymbolicName());
        assertSame(sockets, transport.socketApi());
        IoHandlerFactory factory = awaitService(IoHandlerFactory.class, "(transport=tern)", 60_000);
        assertNotNull(factory);
    }

    @Test
    public void anEchoRunsOverAGroupOfTheService() throws Exception {
        EventLoopGroup group = transport.newEventLoopGroup(2);
        try {
            assertEquals("over tern", echo(group));
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    public void anEchoRunsOverAnyGroupWithTheHandlerFactory() throws Exception {
        IoHandlerFactory factory = awaitService(IoHandlerFactory.class, "(transport=tern)", 60_000);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, factory);
        try {
            assertEquals("over tern", echo(group));
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private String echo(EventLoopGroup group) throws Exception {
        awaitInetProtocol(sockets, IPPROTO_TCP);
        Channel server = new ServerBootstrap().group(group).channel(TernServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.writeAndFlush(msg);
                    }
                }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        CompletableFuture<String> echoed = new CompletableFuture<>();
        Channel client = new Bootstrap().group(group).channel(TernSocketChannel.class)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        echoed.complete(msg.toString(StandardCharsets.US_ASCII));
                    }
                }).connect(server.localAddress()).sync().channel();
        assertTrue(client.isActive());
        client.writeAndFlush(Unpooled.copiedBuffer("over tern", StandardCharsets.US_ASCII));
        try {
            return echoed.get(60, TimeUnit.SECONDS);
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }
}
