package net.tern.testfamily;

import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOCK_STREAM;

import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.ProtocolInfo;
import net.tern.spi.net.TimerService;
import net.tern.spi.proto.ProtoSocket;
import net.tern.spi.proto.ProtocolFamily;
import net.tern.testfamily.impl.DgramOps;
import net.tern.testfamily.impl.LocalNamespace;
import net.tern.testfamily.impl.StreamOps;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@code testlocal} protocol family ({@code net_proto_family}), registered with the
 * property {@code family=250}: in-memory SOCK_STREAM ({@value TestLocal#PROTO_STREAM_NAME})
 * and SOCK_DGRAM ({@value TestLocal#PROTO_DGRAM_NAME}) sockets between numbered ports.
 *
 * <p>Each instance is its own port space. Stopping the component aborts its open sockets
 * with ECONNABORTED through {@code ProtoSocket.withdraw}, as a protocol bundle that leaves
 * the stack does.
 */
@Component(service = ProtocolFamily.class,
        property = ProtocolFamily.FAMILY + ":Integer=" + TestLocal.AF_TESTLOCAL)
@Designate(ocd = TestLocalFamily.Config.class)
public final class TestLocalFamily implements ProtocolFamily {

    /** Configuration (PID {@code net.tern.testfamily.TestLocalFamily}). */
    @ObjectClassDefinition(name = "Tern testlocal family")
    public @interface Config {
        @AttributeDefinition(description = "Milliseconds before a connect to the black-hole port fails with ETIMEDOUT")
        long blackhole_timeout_ms() default TestLocal.DEFAULT_BLACKHOLE_TIMEOUT_MS;
    }

    private static final List<ProtocolInfo> PROTOCOLS = List.of(
            new ProtocolInfo(SOCK_STREAM, TestLocal.PROTO_STREAM, TestLocal.PROTO_STREAM_NAME, true),
            new ProtocolInfo(SOCK_DGRAM, TestLocal.PROTO_DGRAM, TestLocal.PROTO_DGRAM_NAME, true));

    private final LocalNamespace ns;
    private final StreamOps streamOps;
    private final DgramOps dgramOps;

    @Activate
    public TestLocalFamily(@Reference(name = "timers") TimerService timers, Config config) {
        this(timers, config.blackhole_timeout_ms());
    }

    /** A family whose black-hole connects time out after the default 3 s. */
    public TestLocalFamily(TimerService timers) {
        this(timers, TestLocal.DEFAULT_BLACKHOLE_TIMEOUT_MS);
    }

    public TestLocalFamily(TimerService timers, long blackholeTimeoutMillis) {
        if (blackholeTimeoutMillis <= 0) {
            throw new IllegalArgumentException("black-hole timeout must be positive: " + blackholeTimeoutMillis);
        }
        this.ns = new LocalNamespace(timers, blackholeTimeoutMillis);
        this.streamOps = new StreamOps(ns);
        this.dgramOps = new DgramOps(ns);
    }

    @Override
    public int family() {
        return TestLocal.AF_TESTLOCAL;
    }

    @Override
    public String name() {
        return TestLocal.NAME;
    }

    /**
     * {@code pf->create}: SOCK_STREAM takes protocol 0 or {@value TestLocal#PROTO_STREAM},
     * SOCK_DGRAM 0 or {@value TestLocal#PROTO_DGRAM}; the other's protocol is EPROTOTYPE, any
     * other protocol EPROTONOSUPPORT, any other type ESOCKTNOSUPPORT.
     */
    @Override
    public void create(ProtoSocket sock, int protocol) throws ErrnoException {
        int type = sock.type();
        if (type != SOCK_STREAM && type != SOCK_DGRAM) {
            throw new ErrnoException(Errno.ESOCKTNOSUPPORT, TestLocal.NAME + " has no socket type " + type);
        }
        if (protocol < 0) {
            throw new ErrnoException(Errno.EINVAL, "protocol " + protocol + " is negative");
        }
        int wanted = type == SOCK_STREAM ? TestLocal.PROTO_STREAM : TestLocal.PROTO_DGRAM;
        int other = type == SOCK_STREAM ? TestLocal.PROTO_DGRAM : TestLocal.PROTO_STREAM;
        if (protocol == other) {
            throw new ErrnoException(Errno.EPROTOTYPE, "protocol " + protocol + " ("
                    + (other == TestLocal.PROTO_STREAM ? TestLocal.PROTO_STREAM_NAME : TestLocal.PROTO_DGRAM_NAME)
                    + ") is not of socket type " + type);
        }
        if (protocol != 0 && protocol != wanted) {
            throw new ErrnoException(Errno.EPROTONOSUPPORT, TestLocal.NAME + " has no protocol " + protocol);
        }
        ns.locked(() -> {
            if (ns.isClosed()) {
                throw new ErrnoException(Errno.EAFNOSUPPORT, TestLocal.NAME + " is stopping");
            }
            if (type == SOCK_STREAM) {
                streamOps.init(sock);
            } else {
                dgramOps.init(sock);
            }
        });
    }

    @Override
    public List<ProtocolInfo> protocols() {
        return PROTOCOLS;
    }

    /** Datagrams dropped so far (receive queue full, nobody on the port, or the black hole). */
    public long datagramsDropped() {
        return ns.datagramsDropped();
    }

    /** Sockets of this family the socket layer holds now. */
    public int openSockets() {
        return ns.locked(ns::liveSockets);
    }

    /**
     * Stops the family: refuses new sockets, releases every open socket (peers see the
     * connection end) and withdraws it with ECONNABORTED. Returns how many were aborted.
     */
    public int abortAll() {
        return ns.abortAll(Errno.ECONNABORTED, "protocol family " + TestLocal.AF_TESTLOCAL + " ("
                + TestLocal.NAME + ") stopped");
    }

    @Deactivate
    void deactivate() {
        abortAll();
    }
}
