package net.tern.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The system-wide provider of {@code --app} before and after the stack's provider is handed
 * to it. The stand-in for the stack's provider opens the JDK's channels and records what was
 * asked of it.
 */
class AppSelectorProviderTest {
    private final SelectorProvider jdk = AppSelectorProvider.platformProvider();
    private final List<String> asked = new ArrayList<>();

    /** Answers with the JDK's channels and records each call: which provider answered is what is tested. */
    private final SelectorProvider stack = new SelectorProvider() {
        @Override
        public DatagramChannel openDatagramChannel() throws IOException {
            asked.add("datagram");
            return jdk.openDatagramChannel();
        }

        @Override
        public DatagramChannel openDatagramChannel(java.net.ProtocolFamily family) throws IOException {
            asked.add("datagram " + family);
            return jdk.openDatagramChannel(family);
        }

        @Override
        public Pipe openPipe() {
            throw new AssertionError("pipes are the JDK's");
        }

        @Override
        public AbstractSelector openSelector() throws IOException {
            asked.add("selector");
            return jdk.openSelector();
        }

        @Override
        public ServerSocketChannel openServerSocketChannel() throws IOException {
            asked.add("server");
            return jdk.openServerSocketChannel();
        }

        @Override
        public SocketChannel openSocketChannel() throws IOException {
            asked.add("socket");
            return jdk.openSocketChannel();
        }
    };

    @AfterEach
    void backToTheJdk() {
        AppSelectorProvider.useTern(null);
    }

    @Test
    void beforeTheStackIsUpEverythingIsTheJdks() throws IOException {
        AppSelectorProvider.useTern(null);
        AppSelectorProvider provider = new AppSelectorProvider();
        try (SocketChannel s = provider.openSocketChannel(); AbstractSelector sel = provider.openSelector()) {
            assertThat(s.provider()).isSameAs(jdk);
            assertThat(sel.provider()).isSameAs(jdk);
        }
        assertThat(jdk).isNotInstanceOf(AppSelectorProvider.class);
    }

    @Test
    void onceHandedTheStacksProviderSocketsServersDatagramsAndSelectorsComeFromIt() throws IOException {
        AppSelectorProvider provider = new AppSelectorProvider();
        AppSelectorProvider.useTern(stack);
        provider.openSocketChannel().close();
        provider.openServerSocketChannel().close();
        provider.openDatagramChannel().close();
        provider.openDatagramChannel(StandardProtocolFamily.INET).close();
        provider.openSelector().close();
        assertThat(asked).containsExactly("socket", "server", "datagram", "datagram INET", "selector");
    }

    @Test
    void pipesAndUnixDomainChannelsStayTheJdks() throws IOException {
        AppSelectorProvider provider = new AppSelectorProvider();
        AppSelectorProvider.useTern(stack);
        Pipe pipe = provider.openPipe();
        assertThat(pipe.source().provider()).isSameAs(jdk);
        pipe.source().close();
        pipe.sink().close();
        try (SocketChannel unix = provider.openSocketChannel(StandardProtocolFamily.UNIX);
             ServerSocketChannel unixServer = provider.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            assertThat(unix.provider()).isSameAs(jdk);
            assertThat(unixServer.provider()).isSameAs(jdk);
        }
        assertThat(asked).isEmpty();
    }
}
