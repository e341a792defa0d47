package net.tern.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * {@code bin/tern --app}: application jars compiled here, run unmodified on the stack: one
 * written against the JDK alone (a {@code ServerSocketChannel} and {@code SocketChannel}
 * exchange, then the JDK's {@code HttpServer} fetched with {@code HttpClient}), one serving
 * 10 MiB from Jetty 12; and one written for Tern's Netty transport, which its manifest asks
 * the launcher for. The
 * proof that its traffic went through Tern and not the kernel: this test holds both ports on
 * the kernel's loopback first, so on the kernel the application's binds would fail with
 * "Address already in use" and its connections would reach this test's listeners, which
 * must see none; and the stack's own counters and socket table, printed by {@code -c}
 * commands after the application, show its connections.
 */
public class AppLaunchIT {
    private static final Path HOME = Path.of(System.getProperty("tern.distribution", "../distribution/target/tern"));

    /** The application: its source as a user would write it, nothing of Tern in it. */
    private static final String APP = String.join("\n",
            "package demo;",
            "import com.sun.net.httpserver.HttpServer;",
            "import java.net.InetSocketAddress;",
            "import java.net.URI;",
            "import java.net.http.HttpClient;",
            "import java.net.http.HttpRequest;",
            "import java.net.http.HttpResponse;",
            "import java.nio.ByteBuffer;",
            "import java.nio.channels.ServerSocketChannel;",
            "import java.nio.channels.SocketChannel;",
            "import java.nio.charset.StandardCharsets;",
            "public class Hello {",
            "  public static void main(String[] args) throws Exception {",
            "    int channelPort = Integer.parseInt(args[0]);",
            "    int httpPort = Integer.parseInt(args[1]);",
            "    try (ServerSocketChannel server = ServerSocketChannel.open()) {",
            "      server.bind(new InetSocketAddress(\"127.0.0.1\", channelPort));",
            "      try (SocketChannel client = SocketChannel.open(new InetSocketAddress(\"127.0.0.1\", channelPort));",
            "           SocketChannel accepted = server.accept()) {",
            "        client.write(ByteBuffer.wrap(\"ping\".getBytes(StandardCharsets.US_ASCII)));",
            "        ByteBuffer in = ByteBuffer.allocate(16);",
            "        while (in.position() < 4 && accepted.read(in) >= 0) { }",
            "        System.out.println(\"channel \" + client.getClass().getName() + \" read \"",
            "            + new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));",
            "      }",
            "    }",
            "    HttpServer http = HttpServer.create(new InetSocketAddress(\"127.0.0.1\", httpPort), 0);",
            "    http.createContext(\"/\", exchange -> {",
            "      byte[] body = \"hello from the application\".getBytes(StandardCharsets.UTF_8);",
            "      exchange.sendResponseHeaders(200, body.length);",
            "      exchange.getResponseBody().write(body);",
            "      exchange.close();",
            "    });",
            "    http.start();",
            "    HttpResponse<String> r = HttpClient.newHttpClient().send(",
            "        HttpRequest.newBuilder(URI.create(\"http://127.0.0.1:\" + httpPort + \"/\")).build(),",
            "        HttpResponse.BodyHandlers.ofString());",
            "    System.out.println(\"http \" + r.statusCode() + \" \" + r.body());",
            "    http.stop(0);",
            "    if (args.length > 2) System.exit(Integer.parseInt(args[2]));",
            "  }",
            "}");

    /** Jetty 12 and SLF4J's API, copied by the build: the Jetty application's lib/ folder. */
    private static final Path APP_LIB = Path.of(System.getProperty("tern.appLib", "target/app-lib"));

    /**
     * An application on Jetty 12, as its own code: a {@code ServerConnector} on 127.0.0.1
     * serving a body of the given size made of a fixed pattern, fetched with
     * {@code HttpClient} and compared byte for byte.
     */
    private static final String JETTY_APP = String.join("\n",
            "package demo;",
            "import java.net.URI;",
            "import java.net.http.HttpClient;",
            "import java.net.http.HttpRequest;",
            "import java.net.http.HttpResponse;",
            "import java.nio.ByteBuffer;",
            "import java.util.Arrays;",
            "import org.eclipse.jetty.server.Handler;",
            "import org.eclipse.jetty.server.Request;",
            "import org.eclipse.jetty.server.Response;",
            "import org.eclipse.jetty.server.Server;",
            "import org.eclipse.jetty.server.ServerConnector;",
            "import org.eclipse.jetty.util.Callback;",
            "public class JettyHello {",
            "  public static void main(String[] args) throws Exception {",
            "    int port = Integer.parseInt(args[0]);",
            "    byte[] body = new byte[Integer.parseInt(args[1])];",
            "    for (int i = 0; i < body.length; i++) body[i] = (byte) (i * 31 + 7);",
            "    Server server = new Server();",
            "    ServerConnector connector = new ServerConnector(server);",
            "    connector.setHost(\"127.0.0.1\");",
            "    connector.setPort(port);",
            "    server.addConnector(connector);",
            "    server.setHandler(new Handler.Abstract() {",
            "      @Override",
            "      public boolean handle(Request request, Response response, Callback callback) {",
            "        response.setStatus(200);",
            "        response.write(true, ByteBuffer.wrap(body), callback);",
            "        return true;",
            "      }",
            "    });",
            "    server.start();",
            "    HttpResponse<byte[]> r = HttpClient.newHttpClient().send(",
            "        HttpRequest.newBuilder(URI.create(\"http://127.0.0.1:\" + port + \"/\")).build(),",
            "        HttpResponse.BodyHandlers.ofByteArray());",
            "    System.out.println(\"jetty \" + r.statusCode() + \" bytes \" + r.body().length",
            "        + \" equal \" + Arrays.equals(body, r.body()));",
            "    System.out.println(\"connector \" + connector.getTransport().getClass().getName());",
            "    server.stop();",
            "  }",
            "}");

    /**
     * An application written for Tern's Netty transport: {@code TernEventLoopGroup} with Tern's
     * channel classes, compiled against the distribution's jars and shipping none of them; it
     * ships netty-codec-base, whose decoder runs in the server's pipeline over the framework's
     * Netty. The server echoes each frame of the size given; the client sends that many bytes
     * and compares what comes back.
     */
    private static final String NETTY_DIRECT_APP = String.join("\n",
            "package demo;",
            "import io.netty.bootstrap.Bootstrap;",
            "import io.netty.bootstrap.ServerBootstrap;",
            "import io.netty.buffer.ByteBuf;",
            "import io.netty.buffer.Unpooled;",
            "import io.netty.channel.Channel;",
            "import io.netty.channel.ChannelHandlerContext;",
            "import io.netty.channel.ChannelInboundHandlerAdapter;",
            "import io.netty.channel.ChannelInitializer;",
            "import io.netty.channel.EventLoopGroup;",
            "import io.netty.handler.codec.FixedLengthFrameDecoder;",
            "import java.util.Arrays;",
            "import java.util.concurrent.CompletableFuture;",
            "import java.util.concurrent.TimeUnit;",
            "import net.tern.netty.TernEventLoopGroup;",
            "import net.tern.netty.TernServerSocketChannel;",
            "import net.tern.netty.TernSocketChannel;",
            "public class NettyDirect {",
            "  public static void main(String[] args) throws Exception {",
            "    int port = Integer.parseInt(args[0]);",
            "    int size = Integer.parseInt(args[1]);",
            "    byte[] sent = new byte[size];",
            "    for (int i = 0; i < size; i++) sent[i] = (byte) (i * 13 + 5);",
            "    EventLoopGroup group = new TernEventLoopGroup(2);",
            "    try {",
            "      Channel server = new ServerBootstrap().group(group).channel(TernServerSocketChannel.class)",
            "          .childHandler(new ChannelInitializer<Channel>() {",
            "            @Override protected void initChannel(Channel ch) {",
            "              ch.pipeline().addLast(new FixedLengthFrameDecoder(size), new ChannelInboundHandlerAdapter() {",
            "                @Override public void channelRead(ChannelHandlerContext ctx, Object msg) { ctx.writeAndFlush(msg); }",
            "              });",
            "            }",
            "          }).bind(\"127.0.0.1\", port).sync().channel();",
            "      CompletableFuture<byte[]> echoed = new CompletableFuture<>();",
            "      ByteBuf received = Unpooled.buffer(size);",
            "      Channel client = new Bootstrap().group(group).channel(TernSocketChannel.class)",
            "          .handler(new ChannelInboundHandlerAdapter() {",
            "            @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {",
            "              ByteBuf b = (ByteBuf) msg;",
            "              received.writeBytes(b);",
            "              b.release();",
            "              if (received.readableBytes() == size) {",
            "                byte[] back = new byte[size];",
            "                received.readBytes(back);",
            "                echoed.complete(back);",
            "              }",
            "            }",
            "            @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {",
            "              echoed.completeExceptionally(cause);",
            "            }",
            "          }).connect(\"127.0.0.1\", port).sync().channel();",
            "      client.writeAndFlush(Unpooled.wrappedBuffer(sent));",
            "      byte[] back = echoed.get(60, TimeUnit.SECONDS);",
            "      System.out.println(\"netty \" + client.getClass().getName() + \" echoed \" + back.length",
            "          + \" equal \" + Arrays.equals(sent, back));",
            "      System.out.println(\"transport from \" + Channel.class.getClassLoader());",
            "      client.close().sync();",
            "      server.close().sync();",
            "    } finally {",
            "      group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();",
            "    }",
            "  }",
            "}");

    /** Netty's jars an application ships, copied by the build (AppOverTunIT's Netty application's lib/). */
    private static final Path NETTY_APP_LIB = Path.of(System.getProperty("tern.nettyAppLib", "target/netty-app-lib"));

    private Path dir;
    private Path jar;
    /** The kernel's listeners on the ports the application binds on the stack. */
    private ServerSocket kernelChannelPort;
    private ServerSocket kernelHttpPort;

    @Before
    public void buildTheApplicationAndHoldItsPortsOnTheKernel() throws IOException {
        dir = Files.createTempDirectory("tern-app");
        jar = AppJars.applicationJar(dir, "Hello", APP, List.of());
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        kernelChannelPort = new ServerSocket(0, 50, loopback);
        kernelHttpPort = new ServerSocket(0, 50, loopback);
    }

    @After
    public void cleanUp() throws IOException {
        kernelChannelPort.close();
        kernelHttpPort.close();
        AppJars.delete(dir);
    }

    @Test
    public void anUnmodifiedApplicationRunsItsChannelsHttpServerAndHttpClientOnTheStack() throws Exception {
        Result r = tern("-c", "net:nstat -az TcpActiveOpens TcpPassiveOpens", "-c", "net:ss -tan",
                "--app", jar.toString(), port(kernelChannelPort), port(kernelHttpPort));
        assertEquals(r.toString(), 0, r.status);
        assertTrue(r.toString(), r.out.contains("channel net.tern.nio.TernSocketChannel read ping"));
        assertTrue(r.toString(), r.out.contains("http 200 hello from the application"));
        // The stack's counters: the channel pair and at least one HttpClient connection.
        assertTrue(r.toString(), r.out.lines().anyMatch(l -> l.matches("TcpActiveOpens\\s+([2-9]|\\d\\d+)")));
        assertTrue(r.toString(), r.out.lines().anyMatch(l -> l.matches("TcpPassiveOpens\\s+([2-9]|\\d\\d+)")));
        // The stack's socket table: the ports the application's servers used, on the stack.
        assertTrue(r.toString(), r.out.contains("127.0.0.1:" + port(kernelChannelPort)));
        assertTrue(r.toString(), r.out.contains("127.0.0.1:" + port(kernelHttpPort)));
        assertNothingReached(kernelChannelPort);
        assertNothingReached(kernelHttpPort);
    }

    @Test
    public void theApplicationsSystemExitStatusIsTheLaunchersStatus() throws Exception {
        Result r = tern("--app", jar.toString(), port(kernelChannelPort), port(kernelHttpPort), "7");
        assertEquals(r.toString(), 7, r.status);
        assertTrue(r.toString(), r.out.contains("http 200 hello from the application"));
        assertNothingReached(kernelHttpPort);
    }

    /** Jetty 12's {@code ServerConnector} serves 10 MiB on the stack; the bytes arrive unchanged. */
    @Test
    public void anUnmodifiedJettyServesTenMebibytesOnTheStack() throws Exception {
        List<Path> jetty = AppJars.jars(APP_LIB);
        assertTrue("Jetty's jars in " + APP_LIB + ": " + jetty, jetty.size() == 5);
        Path jettyApp = AppJars.applicationJar(dir, "JettyHello", JETTY_APP, jetty);
        Result r = tern("-c", "net:nstat -az TcpPassiveOpens", "--app", jettyApp.toString(), port(kernelHttpPort),
                String.valueOf(10 << 20));
        assertEquals(r.toString(), 0, r.status);
        assertTrue(r.toString(), r.out.contains("jetty 200 bytes 10485760 equal true"));
        assertTrue(r.toString(), r.out.contains("connector net.tern.nio.TernServerSocketChannel"));
        assertTrue(r.toString(), r.out.lines().anyMatch(l -> l.matches("TcpPassiveOpens\\s+[1-9]\\d*")));
        assertNothingReached(kernelHttpPort);
    }

    /**
     * An application on Tern's Netty transport, its manifest asking for it: its event loops
     * and channels are the framework's, on the stack (the kernel's port is held, the stack's
     * socket table and counters show the connection), and a decoder from its own lib/ runs in
     * the pipeline over the framework's Netty.
     */
    @Test
    public void anApplicationOnTernsNettyTransportEchoesOnTheStack() throws Exception {
        List<Path> provided = distributionJars("tern-netty-", "tern-api-", "netty-common-", "netty-buffer-",
                "netty-resolver-", "netty-transport-");
        Path nettyApp = AppJars.applicationJar(dir, "NettyDirect", NETTY_DIRECT_APP,
                List.of(NETTY_APP_LIB.resolve("netty-codec-base.jar")), provided,
                Map.of("Tern-Netty-Transport", "true"));
        Result r = tern("-c", "net:nstat -az TcpActiveOpens TcpPassiveOpens", "--app", nettyApp.toString(),
                port(kernelHttpPort), String.valueOf(1 << 20));
        assertEquals(r.toString(), 0, r.status);
        assertTrue(r.toString(), r.out.contains("netty net.tern.netty.TernSocketChannel echoed 1048576 equal true"));
        // Netty's Channel is the framework's netty-transport bundle's, not a copy in the application.
        assertTrue(r.toString(), r.out.lines().anyMatch(l -> l.startsWith("transport from io.netty.transport")));
        assertTrue(r.toString(), r.out.lines().anyMatch(l -> l.matches("TcpActiveOpens\\s+[1-9]\\d*")));
        assertTrue(r.toString(), r.out.lines().anyMatch(l -> l.matches("TcpPassiveOpens\\s+[1-9]\\d*")));
        assertNothingReached(kernelHttpPort);
    }

    /** Without the manifest header the application does not see the framework's transport, and says so. */
    @Test
    public void withoutTheManifestHeaderTheTransportIsNotTheApplications() throws Exception {
        List<Path> provided = distributionJars("tern-netty-", "tern-api-", "netty-common-", "netty-buffer-",
                "netty-resolver-", "netty-transport-");
        Path nettyApp = AppJars.applicationJar(dir, "NettyDirect", NETTY_DIRECT_APP,
                List.of(NETTY_APP_LIB.resolve("netty-codec-base.jar")), provided, Map.of());
        Result r = tern("--app", nettyApp.toString(), port(kernelHttpPort), "16");
        assertEquals(r.toString(), 1, r.status);
        assertTrue(r.toString(), r.err.contains("NoClassDefFoundError"));
    }

    /** The jars of the distribution's bundle/ folder whose names start with the given prefixes, one each. */
    private static List<Path> distributionJars(String... prefixes) throws IOException {
        List<Path> all = AppJars.jars(HOME.resolve("bundle"));
        List<Path> found = new ArrayList<>();
        for (String prefix : prefixes) {
            List<Path> matching = all.stream().filter(p -> p.getFileName().toString().startsWith(prefix)
                    && Character.isDigit(p.getFileName().toString().charAt(prefix.length()))).toList();
            assertEquals("one " + prefix + "*.jar in " + HOME.resolve("bundle") + ": " + all, 1, matching.size());
            found.add(matching.get(0));
        }
        return found;
    }

    @Test
    public void aJarWithoutMainClassFailsTheLaunchWithTheReason() throws Exception {
        Path none = dir.resolve("none.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(none), new Manifest())) {
            out.putNextEntry(new JarEntry("x.txt"));
            out.closeEntry();
        }
        Result r = tern("--app", none.toString());
        assertEquals(r.toString(), 1, r.status);
        assertTrue(r.toString(), r.err.contains("no Main-Class in its manifest"));
    }

    private static String port(ServerSocket s) {
        return String.valueOf(s.getLocalPort());
    }

    /** The kernel's listener had no connection: the application's went to the stack. */
    private static void assertNothingReached(ServerSocket kernel) throws IOException {
        kernel.setSoTimeout(1);
        try {
            kernel.accept().close();
            fail("a connection reached the kernel's listener on port " + kernel.getLocalPort());
        } catch (SocketTimeoutException expected) {
            // Nothing in its accept queue.
        }
    }

    private static Result tern(String... args) throws IOException, InterruptedException {
        File launcher = HOME.resolve("bin/tern").toFile();
        assertTrue("the distribution is built at " + HOME, launcher.canExecute());
        List<String> command = new ArrayList<>();
        command.add(launcher.getAbsolutePath());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("tern-out", ".txt");
        Path err = Files.createTempFile("tern-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("bin/tern " + String.join(" ", args) + " did not exit within 90 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
