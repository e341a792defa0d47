package net.tern.nio;

import static net.tern.api.socket.SocketConstants.IP_TOS;
import static net.tern.api.socket.SocketConstants.SOL_IP;
import static net.tern.api.socket.SocketConstants.SOL_SOCKET;
import static net.tern.api.socket.SocketConstants.SOL_TCP;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;

/**
 * The socket options of the channels: which {@link SocketOption}s each kind supports (those the
 * JDK's channel of that kind supports on Linux, where Tern has the feature), and how each maps
 * to a {@code setsockopt} level and name, with the JDK's checks and messages.
 *
 * <p>{@code jdk.net.ExtendedSocketOptions} {@code TCP_KEEPIDLE}, {@code TCP_KEEPINTERVAL},
 * {@code TCP_KEEPCOUNT} and {@code TCP_QUICKACK} are found through the platform class loader,
 * so the bundle imports no {@code jdk.*} package; where the JVM lacks the {@code jdk.net}
 * module they are simply not offered. {@code SO_INCOMING_NAPI_ID} and the multicast options
 * are not: Tern has no such socket option.
 */
final class Options {
    /** An option's place: level and name, and whether its value is a Boolean (else an Integer). */
    private record Key(int level, int name, boolean bool) {
    }

    static final SocketOption<Integer> TCP_KEEPIDLE = extended("TCP_KEEPIDLE");
    static final SocketOption<Integer> TCP_KEEPINTERVAL = extended("TCP_KEEPINTERVAL");
    static final SocketOption<Integer> TCP_KEEPCOUNT = extended("TCP_KEEPCOUNT");
    static final SocketOption<Boolean> TCP_QUICKACK = extended("TCP_QUICKACK");

    private static final Map<SocketOption<?>, Key> KEYS = keys();

    /** SocketChannel's options (the JDK's, less SO_OOBINLINE). */
    static final Set<SocketOption<?>> STREAM = set(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.IP_TOS,
            TCP_KEEPIDLE, TCP_KEEPINTERVAL, TCP_KEEPCOUNT, TCP_QUICKACK);
    /** ServerSocketChannel's options. */
    static final Set<SocketOption<?>> LISTENER = set(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR,
            StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.IP_TOS, TCP_KEEPIDLE, TCP_KEEPINTERVAL, TCP_KEEPCOUNT,
            TCP_QUICKACK);
    /** DatagramChannel's options (the JDK's, less the multicast ones). */
    static final Set<SocketOption<?>> DATAGRAM = set(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_BROADCAST,
            StandardSocketOptions.IP_TOS);

    private Options() {
    }

    private static Map<SocketOption<?>, Key> keys() {
        Map<SocketOption<?>, Key> keys = new java.util.HashMap<>();
        keys.put(StandardSocketOptions.SO_SNDBUF, new Key(SOL_SOCKET, SocketConstants.SO_SNDBUF, false));
        keys.put(StandardSocketOptions.SO_RCVBUF, new Key(SOL_SOCKET, SocketConstants.SO_RCVBUF, false));
        keys.put(StandardSocketOptions.SO_KEEPALIVE, new Key(SOL_SOCKET, SocketConstants.SO_KEEPALIVE, true));
        keys.put(StandardSocketOptions.SO_REUSEADDR, new Key(SOL_SOCKET, SocketConstants.SO_REUSEADDR, true));
        keys.put(StandardSocketOptions.SO_REUSEPORT, new Key(SOL_SOCKET, SocketConstants.SO_REUSEPORT, true));
        keys.put(StandardSocketOptions.SO_LINGER, new Key(SOL_SOCKET, SocketConstants.SO_LINGER, false));
        keys.put(StandardSocketOptions.SO_BROADCAST, new Key(SOL_SOCKET, SocketConstants.SO_BROADCAST, true));
        keys.put(StandardSocketOptions.TCP_NODELAY, new Key(SOL_TCP, SocketConstants.TCP_NODELAY, true));
        keys.put(StandardSocketOptions.IP_TOS, new Key(SOL_IP, IP_TOS, false));
        if (TCP_KEEPIDLE != null) {
            keys.put(TCP_KEEPIDLE, new Key(SOL_TCP, SocketConstants.TCP_KEEPIDLE, false));
        }
        if (TCP_KEEPINTERVAL != null) {
            keys.put(TCP_KEEPINTERVAL, new Key(SOL_TCP, SocketConstants.TCP_KEEPINTVL, false));
        }
        if (TCP_KEEPCOUNT != null) {
            keys.put(TCP_KEEPCOUNT, new Key(SOL_TCP, SocketConstants.TCP_KEEPCNT, false));
        }
        if (TCP_QUICKACK != null) {
            keys.put(TCP_QUICKACK, new Key(SOL_TCP, SocketConstants.TCP_QUICKACK, true));
        }
        return Map.copyOf(keys);
    }

    private static Set<SocketOption<?>> set(SocketOption<?>... options) {
        Set<SocketOption<?>> set = new HashSet<>();
        for (SocketOption<?> option : options) {
            if (option != null) {
                set.add(option);
            }
        }
        return Collections.unmodifiableSet(set);
    }

    /** A {@code jdk.net.ExtendedSocketOptions} constant, or null without the {@code jdk.net} module. */
    @SuppressWarnings("unchecked")
    private static <T> SocketOption<T> extended(String name) {
        try {
            Class<?> options = Class.forName("jdk.net.ExtendedSocketOptions", true, ClassLoader.getPlatformClassLoader());
            Field field = options.getField(name);
            return (SocketOption<T>) field.get(null);
        } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
            return null;
        }
    }

    /** The JDK's checks before a set: supported, and a value of the option's type. */
    static void checkSet(Set<SocketOption<?>> supported, SocketOption<?> name, Object value) {
        Objects.requireNonNull(name);
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        if (!name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "'");
        }
    }

    static void checkGet(Set<SocketOption<?>> supported, SocketOption<?> name) {
        Objects.requireNonNull(name);
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    /**
     * {@code Net.setSocketOption}: the JDK's value checks, then {@code setsockopt}; {@code inet6}
     * for an AF_INET6 socket, whose {@code IP_TOS} is {@code IPV6_TCLASS} as well.
     */
    static void set(SocketApi api, int fd, boolean inet6, SocketOption<?> name, Object value) throws IOException {
        Key key = KEYS.get(name);
        int v;
        if (key.bool()) {
            v = (Boolean) value ? 1 : 0;
        } else {
            v = (Integer) value;
            if (name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) {
                if (v < 0) {
                    throw new IllegalArgumentException("Invalid send/receive buffer size");
                }
            } else if (name == StandardSocketOptions.SO_LINGER) {
                v = v < 0 ? -1 : Math.min(v, 65535);
            } else if (name == StandardSocketOptions.IP_TOS) {
                if (v < 0 || v > 255) {
                    throw new IllegalArgumentException("Invalid IP_TOS value");
                }
            }
        }
        try {
            if (inet6 && name == StandardSocketOptions.IP_TOS) {
                // The JDK on Linux: IPV6_TCLASS on an IPv6 socket, and IP_TOS for its IPv4 side.
                api.setsockopt(fd, SocketConstants.SOL_IPV6, SocketConstants.IPV6_TCLASS, v);
            }
            api.setsockopt(fd, key.level(), key.name(), v);
        } catch (ErrnoException e) {
            throw IoErrors.setup(e);
        }
    }

    /**
     * {@code Net.getSocketOption}: {@code getsockopt} as the option's type ({@code IP_TOS} of an
     * IPv6 socket is its {@code IPV6_TCLASS}, as the JDK reads it). The buffer sizes
     * are halved, as the JDK's {@code NET_GetSockOpt} does on Linux so that a size reads back
     * as it was set (Linux, and Tern, double what is set to leave room for overhead).
     */
    static Object get(SocketApi api, int fd, boolean inet6, SocketOption<?> name) throws IOException {
        Key key = KEYS.get(name);
        int v;
        try {
            v = inet6 && name == StandardSocketOptions.IP_TOS
                    ? api.getsockopt(fd, SocketConstants.SOL_IPV6, SocketConstants.IPV6_TCLASS)
                    : api.getsockopt(fd, key.level(), key.name());
        } catch (ErrnoException e) {
            throw IoErrors.setup(e);
        }
        if (name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) {
            v /= 2;
        }
        return key.bool() ? Boolean.valueOf(v != 0) : Integer.valueOf(v);
    }
}
