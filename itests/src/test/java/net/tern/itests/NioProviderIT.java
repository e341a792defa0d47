package net.tern.itests;

import static net.tern.api.socket.SocketConstants.IPPROTO_TCP;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import javax.inject.Inject;
import net.tern.api.socket.SocketApi;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The java.nio provider bundle in the container: its {@code SelectorProvider} service opens
 * channels and selectors over the stack, and a bundle holding channels sees the TCP bundle
 * leave (its connections aborted: an IOException, new channels refused) and come back.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class NioProviderIT extends TernTestSupport {
    private static final int TIMEOUT_MILLIS = 10_000;

    @Inject
    private SelectorProvider provider;

    @Inject
    private SocketApi sockets;

    @Override
    protected Option[] extraOptions() {
        return new Option[] {optionalTernBundle("tern-nio")};
    }

    @Test
    public void theProviderIsAServiceOfTheNioBundle() {
        ServiceReference<SelectorProvider> ref = context.getServiceReference(SelectorProvider.class);
        assertNotNull(ref);
        assertEquals("net.tern.nio", ref.getBundle().getSymbolicName());
        assertEquals("net.tern.nio.TernSelectorProvider", provider.getClass().getName());
    }

    @Test
    public void aSelectorServesAnEchoOverTheStack() throws Exception {
        awaitInetProtocol(sockets, IPPROTO_TCP);
        try (ServerSocketChannel server = provider.openServerSocketChannel();
                Selector selector = provider.openSelector();
                SocketChannel client = provider.openSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            client.connect(server.getLocalAddress());
            assertEquals(1, selector.select(TIMEOUT_MILLIS));
            SocketChannel accepted = server.accept();
            assertNotNull(accepted);
            client.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(8);
            assertEquals(4, accepted.read(in));
            in.flip();
            accepted.write(in);
            ByteBuffer back = ByteBuffer.allocate(8);
            assertEquals(4, client.read(back));
            assertEquals("ping", new String(back.array(), 0, 4, StandardCharsets.US_ASCII));
            accepted.close();
        }
    }

    @Test
    public void channelsSeeTcpLeaveAndComeBack() throws Exception {
        awaitInetProtocol(sockets, IPPROTO_TCP);
        ServerSocketChannel server = provider.openServerSocketChannel();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel client = provider.openSocketChannel();
        client.connect(server.getLocalAddress());
        SocketChannel accepted = server.accept();

        Bundle tcp = installedBundle("net.tern.tcp");
        tcp.stop(); // drains for the configured time (5 s by default), then aborts what is left
        try {
            client.read(ByteBuffer.allocate(8));
            fail("a read on an aborted connection");
        } catch (IOException e) {
            assertEquals("Software caused connection abort", e.getMessage());
        }
        try {
            provider.openSocketChannel();
            fail("a stream socket without TCP");
        } catch (SocketException e) {
            assertEquals("Protocol not supported", e.getMessage());
        }
        for (java.nio.channels.Channel c : new java.nio.channels.Channel[] {client, accepted, server}) {
            c.close();
        }
        assertFalse(client.isOpen());

        tcp.start();
        awaitInetProtocol(sockets, IPPROTO_TCP);
        try (ServerSocketChannel again = provider.openServerSocketChannel();
                SocketChannel c = provider.openSocketChannel()) {
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertTrue(c.connect(again.getLocalAddress()));
            again.accept().close();
        }
    }
}
