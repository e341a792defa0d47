package net.tern.tcp.impl;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.tern.tcp.cc.CongestionControl;
import net.tern.tcp.cc.Reno;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The congestion control algorithms registered now ({@code tcp_cong_list},
 * {@code tcp_register_congestion_control}): reno always, and every {@link CongestionControl}
 * service by its {@code name}. A socket picks one with {@code TCP_CONGESTION}, else the
 * stack's default ({@code tcp_congestion_control}); a default that is not registered means
 * reno. When an algorithm leaves, each connection using it falls back to reno with the
 * window it has and carries on.
 */
public final class CongestionRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(CongestionRegistry.class);

    private final Reno reno = new Reno();
    private final Map<String, CongestionControl> algorithms = new ConcurrentHashMap<>();
    private final Set<TcpSock> sockets;
    private volatile String defaultName;

    /** {@code sockets}: every TCP socket alive, moved to reno when their algorithm leaves. */
    CongestionRegistry(String defaultName, Set<TcpSock> sockets) {
        this.defaultName = defaultName;
        this.sockets = sockets;
        algorithms.put(Reno.NAME, reno);
    }

    public Reno reno() {
        return reno;
    }

    /** {@code tcp_register_congestion_control}; an algorithm named like one present replaces it for new sockets. */
    public void register(CongestionControl algorithm) {
        algorithms.put(algorithm.name(), algorithm);
        LOG.debug("congestion control {} registered", algorithm.name());
    }

    /**
     * {@code tcp_unregister_congestion_control}: the algorithm leaves; connections using it
     * switch to reno (its controller is released, reno starts from the current window).
     */
    public void unregister(CongestionControl algorithm) {
        if (Reno.NAME.equals(algorithm.name()) && algorithm != reno) {
            algorithms.put(Reno.NAME, reno);
        } else if (!algorithms.remove(algorithm.name(), algorithm)) {
            return;
        }
        for (TcpSock sk : sockets) {
            sk.lock();
            try {
                if (sk.ca().algorithm() == algorithm) {
                    sk.ca().reinitCongestionControl(reno);
                    LOG.debug("{}: congestion control {} left, falling back to reno", sk, algorithm.name());
                }
            } finally {
                sk.unlock();
            }
        }
    }

    /** The algorithm called {@code name}, or null. */
    public CongestionControl find(String name) {
        return algorithms.get(name);
    }

    /** The default for new sockets: the configured one if registered, else reno. */
    public CongestionControl defaultAlgorithm() {
        CongestionControl c = algorithms.get(defaultName);
        return c != null ? c : reno;
    }

    public void defaultName(String name) {
        this.defaultName = name;
    }

    /** The names registered, for {@code tcp_available_congestion_control}. */
    public List<String> names() {
        return List.copyOf(algorithms.keySet());
    }
}
