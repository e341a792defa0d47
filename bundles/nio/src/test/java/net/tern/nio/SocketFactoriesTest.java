package net.tern.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code javax.net} factories over Tern's channels, on a Tern loopback stack. */
class SocketFactoriesTest {
    private final TernLoopback tern;
    private final TernSocketFactory sockets;
    private final TernServerSocketFactory servers;

    SocketFactoriesTest() throws Exception {
        tern = new TernLoopback();
        sockets = new TernSocketFactory(tern.provider());
        servers = new TernServerSocketFactory(tern.provider());
    }

    @AfterEach
    void close() throws Exception {
        tern.close();
    }

    @Test
    void aFactorySocketConnectsToAFactoryServerSocketAndCarriesBytesBothWaysOnTern() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = servers.createServerSocket(0, 0, loopback);
             Socket client = sockets.createSocket("127.0.0.1", server.getLocalPort());
             Socket accepted = server.accept()) {
            assertThat(server.getChannel()).isInstanceOf(TernServerSocketChannel.class);
            assertThat(client.getChannel()).isInstanceOf(TernSocketChannel.class);
            assertThat(accepted.getChannel()).isInstanceOf(TernSocketChannel.class);
            assertThat(accepted.getRemoteSocketAddress()).isEqualTo(client.getLocalSocketAddress());
            OutputStream out = client.getOutputStream();
            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = accepted.getInputStream();
            assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
            accepted.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(client.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("pong");
        }
    }

    @Test
    void aSocketBoundToALocalPortConnectsFromIt() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = servers.createServerSocket(0);
             Socket client = sockets.createSocket(loopback, server.getLocalPort(), loopback, 0);
             Socket accepted = server.accept()) {
            assertThat(client.isBound()).isTrue();
            assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
        }
    }

    @Test
    void aPortWithoutListenerIsRefusedAsTheJdkSaysIt() throws Exception {
        int port;
        try (ServerSocket server = servers.createServerSocket(0)) {
            port = server.getLocalPort();
        }
        assertThatThrownBy(() -> sockets.createSocket("127.0.0.1", port))
                .isInstanceOf(ConnectException.class).hasMessageStartingWith("Connection refused");
    }
}
