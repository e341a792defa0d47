package net.tern.itests;

import static org.junit.Assert.assertEquals;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.inject.Inject;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.proto.ProtoSw;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * The option set every Tern itest boots: the freshly built bundles from
 * {@code target/bundles}, installed by file URL, in the order the distribution starts them
 * (logging first). It also watches the logs: a test fails if, while it runs, a framework
 * error event, an OSGi log entry at ERROR or carrying an exception, or an SLF4J line at ERROR
 * or a stack trace on standard error (where the SLF4J binding writes) appears.
 */
public abstract class TernTestSupport {
    /** Start order: what logs must be there before anything logs (BUILD-NOTES, pitfall 1). */
    private static final String[] BOOT = {
        "org.apache.aries.spifly.dynamic.bundle", "asm", "asm-commons", "asm-tree", "asm-analysis", "asm-util",
        "slf4j-api", "slf4j-simple"};
    private static final String[] RUNTIME = {
        "org.apache.felix.log", "org.osgi.util.function", "org.osgi.util.promise", "org.osgi.service.component",
        "org.apache.felix.scr", "org.apache.felix.configadmin", "org.apache.felix.gogo.runtime",
        "netty-common", "netty-buffer"};
    private static final String[] TERN = {
        "tern-api", "tern-spi", "tern-wire", "tern-core", "tern-link-loopback", "tern-socket", "tern-inet", "tern-inet6", "tern-udp", "tern-tcp-api", "tern-tcp", "tern-netlink", "tern-packet", "tern-shell"};

    /**
     * How long a test waits for something the stack does in the background (a service to
     * appear, a protocol to register): generous, since a full build runs on a busy machine;
     * on an idle one the wait ends in milliseconds.
     */
    protected static final long WAIT_MILLIS = 60_000;

    @Inject
    protected BundleContext context;

    @Inject
    protected LogReaderService logReader;

    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final FrameworkListener frameworkListener = event -> {
        if (event.getType() == FrameworkEvent.ERROR) {
            problems.add("framework error from " + event.getBundle().getSymbolicName() + ": " + event.getThrowable());
        }
    };
    private final LogListener logListener = this::logged;
    private final ByteArrayOutputStream stderrCopy = new ByteArrayOutputStream();
    private PrintStream originalStderr;

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>();
        options.add(cleanCaches());
        options.add(systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("warn"));
        options.add(systemProperty("ds.loglevel").value("warn"));
        int level = 1;
        for (String[] group : new String[][] {BOOT, RUNTIME, TERN}) {
            for (String name : group) {
                options.add(builtBundle(name, level));
            }
            level++;
        }
        options.add(junitBundles());
        options.addAll(List.of(extraOptions()));
        return options.toArray(new Option[0]);
    }

    /** A bundle from {@code target/bundles}, started at {@code startLevel}. */
    private static Option builtBundle(String name, int startLevel) {
        String dir = System.getProperty("bundles.dir", "target/bundles");
        return bundle(new File(dir, name + ".jar").toURI().toString()).startLevel(startLevel).start();
    }

    /** A Tern bundle that not every test boots (tern-tcp-cubic, say), started with the stack's bundles. */
    protected static Option optionalTernBundle(String name) {
        return builtBundle(name, 3);
    }

    /** What a test class adds to the common set. */
    protected Option[] extraOptions() {
        return new Option[] {composite()};
    }

    @Before
    public void watchLogs() {
        context.addFrameworkListener(frameworkListener);
        logReader.addLogListener(logListener);
        // The SLF4J binding looks System.err up on each write, so a tee sees every line.
        originalStderr = System.err;
        System.setErr(new PrintStream(new TeeOutputStream(originalStderr, stderrCopy), true, StandardCharsets.UTF_8));
    }

    @After
    public void noErrorsLogged() {
        context.removeFrameworkListener(frameworkListener);
        logReader.removeLogListener(logListener);
        System.setErr(originalStderr);
        for (String line : stderrCopy.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.contains(" ERROR ") || line.contains("Exception") || line.startsWith("\tat ")) {
                problems.add("standard error: " + line);
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("errors reached the framework log:\n  " + String.join("\n  ", problems));
        }
    }

    private void logged(LogEntry entry) {
        if (entry.getLogLevel() == LogLevel.ERROR || entry.getException() != null) {
            problems.add(entry.getLogLevel() + " from " + entry.getBundle().getSymbolicName() + ": "
                    + entry.getMessage() + (entry.getException() == null ? "" : " " + entry.getException()));
        }
    }

    protected Bundle installedBundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    /**
     * Waits, bounded, for a service offering {@code type} (any type when it is
     * {@code Object}) and matching {@code filter}; fails the test if none appears.
     */
    protected <T> T awaitService(Class<T> type, String filter, long millis) throws Exception {
        String clazz = type == Object.class ? null : type.getName();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() - deadline < 0) {
            ServiceReference<?>[] refs = context.getServiceReferences(clazz, filter);
            if (refs != null && refs.length > 0) {
                return type.cast(context.getService(refs[0]));
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no " + type.getSimpleName() + " service " + (filter == null ? "" : filter)
                + " within " + millis + " ms");
    }

    /**
     * Runs a Gogo command as the shell would and returns what it printed, its result
     * formatted as the shell formats it. A command that throws fails the test.
     */
    protected String runCommand(String command) {
        CommandProcessor shell;
        try {
            shell = awaitService(CommandProcessor.class, null, WAIT_MILLIS);
        } catch (Exception e) {
            throw new AssertionError("no Gogo command processor", e);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CommandSession session = shell.createSession(InputStream.nullInputStream(), out, out);
        try {
            Object result = session.execute(command);
            if (result != null) {
                out.println(session.format(result, 0));
            }
        } catch (Exception e) {
            throw new AssertionError(command + " failed", e);
        } finally {
            session.close();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * The TUN driver's factory configuration for the link {@code name}, made (not yet updated)
     * so that a test holds it for {@link #detachTun} before anything can fail.
     */
    protected static org.osgi.service.cm.Configuration tunConfiguration(ConfigurationAdmin configAdmin, String name)
            throws IOException {
        return configAdmin.getFactoryConfiguration("net.tern.link.tun", name, "?");
    }

    /**
     * Gives the TUN driver's configuration of {@code name} its properties ({@code name} and
     * {@code keyValues}, as {@link #properties}) and waits until the link is up in the stack.
     */
    protected static void attachTun(org.osgi.service.cm.Configuration config, LinkRegistry links, String name,
            long millis, Object... keyValues) throws Exception {
        Dictionary<String, Object> props = properties(keyValues);
        props.put("name", name);
        config.update(props);
        await(name + " up in the stack", millis, () -> links.byName(name).map(Link::isUp).orElse(false));
    }

    /** Deletes the TUN driver's configuration of {@code name}, if made, and waits until the link has left the stack. */
    protected static void detachTun(org.osgi.service.cm.Configuration config, LinkRegistry links, String name)
            throws Exception {
        if (config != null) {
            config.delete();
            await(name + " to leave the stack", WAIT_MILLIS, () -> links.byName(name).isEmpty());
        }
    }

    /** Configuration properties from alternating keys and values, for Config Admin's {@code update}. */
    protected static Dictionary<String, Object> properties(Object... keyValues) {
        Dictionary<String, Object> d = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            d.put((String) keyValues[i], keyValues[i + 1]);
        }
        return d;
    }

    /** A receive buffer unlike the default (256 KiB) that marks a TCP configuration as in force: new sockets get it. */
    private static final int MARKER_RCVBUF = 131_072;

    /**
     * Sets {@code drainMillis} for PID net.tern.tcp and waits until TCP has it. The component
     * takes the update in place (DS {@code @Modified}, no restart: the same protosw service
     * stays), and applies the drain time first, so the wait is for a setting that shows: new
     * sockets' receive buffer, set in the same configuration.
     */
    protected void configureTcpDrain(ConfigurationAdmin configAdmin, SocketApi sockets, long millis) throws Exception {
        Object before = awaitTcpProtoSw().getProperty(Constants.SERVICE_ID);
        configAdmin.getConfiguration("net.tern.tcp", "?")
                .update(properties("drainMillis", millis, "tcpRmemDefault", MARKER_RCVBUF));
        await("the TCP configuration in force", WAIT_MILLIS, () -> newSocketRcvbuf(sockets) == MARKER_RCVBUF);
        assertEquals("TCP took the configuration without a restart", before,
                awaitTcpProtoSw().getProperty(Constants.SERVICE_ID));
    }

    /** SO_RCVBUF of a new TCP socket, or -1 while TCP is not there. */
    protected static int newSocketRcvbuf(SocketApi sockets) {
        try {
            int fd = sockets.socket(SocketConstants.AF_INET, SocketConstants.SOCK_STREAM, 0);
            try {
                return sockets.getsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVBUF);
            } finally {
                sockets.close(fd);
            }
        } catch (ErrnoException e) {
            return -1;
        }
    }

    /** The TCP protosw service, once there. */
    private ServiceReference<?> awaitTcpProtoSw() throws Exception {
        String filter = "(&(" + ProtoSw.FAMILY + "=2)(" + ProtoSw.PROTOCOL + "=6))";
        await("the TCP protosw service", WAIT_MILLIS, () -> {
            try {
                return context.getServiceReferences(ProtoSw.class.getName(), filter) != null;
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
        return context.getServiceReferences(ProtoSw.class.getName(), filter)[0];
    }

    /** Waits, bounded, until AF_INET offers IP protocol {@code protocol} (its family and protosw are both up). */
    protected static void awaitInetProtocol(SocketApi sockets, int protocol)
            throws InterruptedException {
        await("AF_INET with protocol " + protocol, WAIT_MILLIS, () -> sockets.families().stream()
                .anyMatch(f -> f.family() == SocketConstants.AF_INET
                        && f.protocols().stream().anyMatch(p -> p.protocol() == protocol)));
    }

    /**
     * A kernel TCP echo in namespace {@code ns} ({@code socat TCP-LISTEN:port,bind=address
     * EXEC:cat}: one connection, no fork, so socat exits when the echo ends and is the only
     * process to stop), returned once it listens; stopped again if it never does.
     */
    protected static Process startKernelEcho(String ns, String address, int port) throws Exception {
        Process echo = new ProcessBuilder("ip", "netns", "exec", ns, "socat",
                "TCP-LISTEN:" + port + ",bind=" + address + ",reuseaddr", "EXEC:cat")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            await("the kernel's echo server to listen", WAIT_MILLIS, () -> echo.isAlive()
                    && HostCommands.output(5, "ip", "netns", "exec", ns, "ss", "-Hltn", "sport", "=", ":" + port)
                            .contains(":" + port));
            return echo;
        } catch (AssertionError | Exception e) {
            HostCommands.stop(echo);
            throw e;
        }
    }

    /**
     * A blocking TCP socket connected to the kernel at {@code address}:{@code port}, its sends
     * and receives timing out after {@code timeoutMillis}. The kernel's side of a persistent
     * TUN only gets its carrier when a file attaches, so a first SYN can race that; a failed
     * attempt is tried again, a bounded number of times.
     */
    protected static int connectToKernel(SocketApi sockets, String address, int port, int timeoutMillis)
            throws Exception {
        InetSockAddr peer = new InetSockAddr(InetSockAddr.parseAddress(address), port);
        ErrnoException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int fd = sockets.socket(SocketConstants.AF_INET, SocketConstants.SOCK_STREAM, 0);
            sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_SNDTIMEO, timeoutMillis);
            sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVTIMEO, timeoutMillis);
            try {
                sockets.connect(fd, peer);
                return fd;
            } catch (ErrnoException e) {
                last = e;
                sockets.close(fd);
                Thread.sleep(200);
            }
        }
        throw new AssertionError("cannot connect to the kernel at " + peer, last);
    }

    /** Polls {@code condition} every 10 ms for at most {@code millis}; fails with {@code what} if it never holds. */
    protected static void await(String what, long millis, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + millis + " ms waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Writes to two streams: what the test watches, and where the output belongs. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        TeeOutputStream(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
        }
    }

    /** The stack's links, addresses, routes and counters (as net:nstat -a prints them), for a failure's report. */
    protected String stackState() {
        return runCommand("net:links") + runCommand("net:ip addr") + runCommand("net:ip route show table all")
                + runCommand("net:nstat -a");
    }

    /**
     * {@code failure} with {@code report} (state worth seeing) added to its message, at the
     * failure's own place. Not wrapped as a cause: Pax Exam reports a failure's root cause,
     * which would drop the report.
     */
    protected static AssertionError withReport(AssertionError failure, String report) {
        AssertionError reported = new AssertionError(failure.getMessage() + "\n" + report);
        reported.setStackTrace(failure.getStackTrace());
        return reported;
    }
}
