package net.tern.nio;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SmokeTest {
    @Test
    void blockingEchoAndASelector() throws Exception {
        try (TernLoopback stack = new TernLoopback()) {
            TernSelectorProvider p = stack.provider();
            try (ServerSocketChannel server = p.openServerSocketChannel()) {
                server.bind(new InetSocketAddress("127.0.0.1", 0));
                InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
                try (SocketChannel client = p.openSocketChannel()) {
                    assertThat(client.connect(address)).isTrue();
                    try (SocketChannel accepted = server.accept()) {
                        client.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
                        ByteBuffer in = ByteBuffer.allocate(16);
                        assertThat(accepted.read(in)).isEqualTo(5);
                        accepted.configureBlocking(false);
                        try (Selector selector = p.openSelector()) {
                            accepted.register(selector, SelectionKey.OP_READ);
                            assertThat(selector.selectNow()).isZero();
                            client.write(ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8)));
                            assertThat(selector.select(5000)).isEqualTo(1);
                            assertThat(selector.selectedKeys()).hasSize(1);
                        }
                    }
                }
            }
        }
    }
}
