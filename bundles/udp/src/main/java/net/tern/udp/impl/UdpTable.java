package net.tern.udp.impl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.random.RandomGenerator;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.LocalPortRange;
import net.tern.inet.sock.SkState;
import net.tern.wire.Ipv6Address;

/**
 * The UDP port table ({@code struct udp_table}), in two hashes:
 *
 * <ul>
 * <li>by local port ({@code hslot}): every bound socket, newest first, for bind conflicts and
 *     broadcast delivery; and, apart, the sockets of that port that are not fully connected
 *     (the wildcard matches);</li>
 * <li>by 4-tuple (Linux's {@code hash4} for connected sockets): sockets connected to one
 *     peer with a known local address, for an O(1) exact match.</li>
 * </ul>
 *
 * <p>{@link #lookup} ({@code __udp4_lib_lookup}) tries the exact 4-tuple first, then scores
 * the port's wildcard sockets as {@code compute_score} does: each of bound address, peer
 * address and peer port that is set must match and adds to the score; the highest score
 * wins, the newest socket among equals, or for a {@code SO_REUSEPORT} group a socket picked by
 * a hash of the flow. Nothing scans more than one port's sockets.
 *
 * <p>Threading: lookups run on the network thread without locking (both hashes are
 * concurrent maps of immutable arrays); changes (bind, connect, disconnect, close) come from
 * socket calls under the socket's lock and are serialised here by the table's monitor. Lock
 * order: socket lock, then table monitor; input takes the socket lock only after its lookup.
 */
public final class UdpTable {
    private static final UdpSock[] NONE = {};
    private static final int PORTS = 65536;

    /** One port's sockets: all of them, and those matched by score (not in the exact hash). */
    private record PortSlot(UdpSock[] members, UdpSock[] wildcards) {
    }

    /**
     * Port to its sockets, one slot per port as Linux's {@code udp_table} has at its largest:
     * read without a lock and without boxing the port (every datagram received looks here);
     * written under this table's monitor. 256 KiB per stack.
     */
    private final AtomicReferenceArray<PortSlot> ports = new AtomicReferenceArray<>(PORTS);
    /** Slots of {@link #ports} in use; written under this table's monitor. */
    private volatile int boundPorts;
    private final ConcurrentHashMap<FlowKey, UdpSock[]> flows = new ConcurrentHashMap<>();
    private final LocalPortRange localPorts;
    /** The range {@link #ephemeralInUse} counts in; guarded by this. */
    private LocalPortRange.Range counted;
    private final RandomGenerator random;
    /** Bound ports inside {@link #counted}; guarded by this. */
    private int ephemeralInUse;

    /**
     * @param localPorts IPv4's {@code ip_local_port_range}, read at each ephemeral port chosen
     * @param random picks where the ephemeral search starts; only used under the table's monitor
     */
    public UdpTable(LocalPortRange localPorts, RandomGenerator random) {
        this.localPorts = localPorts;
        this.counted = localPorts.get();
        this.random = random;
    }

    /**
     * The port range in force, with {@link #ephemeralInUse} counted in it. After {@code sysctl
     * -w net.ipv4.ip_local_port_range} the count is taken again (one pass over the table, once
     * per change); sockets bound already keep their ports.
     */
    private LocalPortRange.Range range() {
        LocalPortRange.Range now = localPorts.get();
        if (now != counted) {
            int inRange = 0;
            for (int port = 0; port < PORTS; port++) {
                inRange += ports.get(port) != null && now.contains(port) ? 1 : 0;
            }
            ephemeralInUse = inRange;
            counted = now;
        }
        return now;
    }

    // ==== udp_v4_get_port ================================================================

    /**
     * {@code udp_lib_get_port}: hashes {@code sk} under {@code port}, or under a free
     * ephemeral port when {@code port} is 0, and sets {@code num}. The socket's bound address
     * ({@code rcvSaddr}) is set already. EADDRINUSE when the port is taken, or when no
     * ephemeral port is free.
     */
    public synchronized int bind(UdpSock sk, int port) throws ErrnoException {
        LocalPortRange.Range range = range(); // counted before this socket joins its port
        int chosen = port == 0 ? findEphemeral(sk, range) : checkFree(sk, port);
        addToPort(sk, chosen);
        sk.num(chosen);
        if (range.contains(chosen)) {
            ephemeralInUse += isFirstOnPort(chosen) ? 1 : 0;
        }
        rehash(sk);
        return chosen;
    }

    private boolean isFirstOnPort(int port) {
        PortSlot slot = ports.get(port);
        return slot != null && slot.members.length == 1;
    }

    private int checkFree(UdpSock sk, int port) throws ErrnoException {
        PortSlot slot = ports.get(port);
        if (slot == null) {
            return port;
        }
        for (UdpSock other : slot.members) {
            if (conflicts(sk, other)) {
                String wanted = boundName(sk, port);
                String why = sk.reuseAddr() && other.reuseAddr() ? "" : ", and SO_REUSEADDR is not set on both sockets";
                throw new ErrnoException(Errno.EADDRINUSE, "bind(" + wanted + "): port " + port
                        + " is in use by a socket bound to " + boundName(other, port) + why);
            }
        }
        return port;
    }

    /** The address {@code sk} binds with {@code port}, of its family, for messages. */
    private static String boundName(UdpSock sk, int port) {
        return sk.family() == SocketConstants.AF_INET6 ? "[" + sk.v6RcvSaddr() + "]:" + port
                : new InetSockAddr(sk.rcvSaddr(), port).toString();
    }

    /**
     * {@code udp_lib_lport_inuse}: two sockets on one port conflict when their bound addresses
     * overlap ({@link InetSock#bindOverlap}: equal, or either the wildcard, across the
     * families [::] taking IPv4's), unless both set {@code SO_REUSEADDR}, or both set
     * {@code SO_REUSEPORT}.
     */
    private static boolean conflicts(UdpSock sk, UdpSock other) {
        if (other == sk) {
            return false;
        }
        boolean overlap = InetSock.bindOverlap(sk.family(), sk.rcvSaddr(), sk.v6RcvSaddr(), sk.ipv6only(),
                other.family(), other.rcvSaddr(), other.v6RcvSaddr(), other.ipv6only());
        if (!overlap) {
            return false;
        }
        if (sk.reuseAddr() && other.reuseAddr()) {
            return false;
        }
        return !(sk.reusePort() && other.reusePort());
    }

    /**
     * An ephemeral port no socket uses, from a random start in {@code ip_local_port_range},
     * probing onward and wrapping round. Each probe is one hash lookup, and the search stops
     * at once when the range is known to be full, so a sparse range costs O(1) expected.
     */
    private int findEphemeral(UdpSock sk, LocalPortRange.Range range) throws ErrnoException {
        int low = range.low();
        int size = range.size();
        if (ephemeralInUse < size) {
            int start = random.nextInt(size);
            for (int i = 0; i < size; i++) {
                int candidate = low + (start + i) % size;
                if (ports.get(candidate) == null) {
                    return candidate;
                }
            }
        }
        throw new ErrnoException(Errno.EADDRINUSE, "bind(" + boundName(sk, 0)
                + "): every ephemeral port in " + low + ".." + range.high()
                + " (ip_local_port_range) is in use");
    }

    private void addToPort(UdpSock sk, int port) {
        PortSlot slot = ports.get(port);
        UdpSock[] members = slot == null ? NONE : slot.members;
        UdpSock[] grown = new UdpSock[members.length + 1];
        grown[0] = sk;
        System.arraycopy(members, 0, grown, 1, members.length);
        ports.set(port, new PortSlot(grown, slot == null ? NONE : slot.wildcards));
        if (slot == null) {
            boundPorts++;
        }
        sk.hashedPort = port;
    }

    // ==== rehash / unhash ================================================================

    /**
     * {@code udp_lib_rehash}: files {@code sk} in the exact hash when it is connected to one
     * peer with a known local address, else among its port's wildcard sockets. Call after
     * connect or disconnect changed its addresses.
     */
    public synchronized void rehash(UdpSock sk) {
        int port = sk.hashedPort;
        if (port == 0) {
            return;
        }
        removeFromFlows(sk);
        PortSlot slot = ports.get(port);
        UdpSock[] wildcards = without(slot.wildcards, sk);
        if (isExact(sk)) {
            FlowKey key = new FlowKey(sk.rcvSaddr(), port, sk.daddr(), sk.dport());
            flows.compute(key, (k, v) -> prepend(v == null ? NONE : v, sk));
            sk.hashedFlow = key;
        } else {
            wildcards = prepend(wildcards, sk);
        }
        ports.set(port, new PortSlot(slot.members, wildcards));
    }

    /** IPv6 sockets are always scored ({@link #lookup6}): the exact hash is IPv4's. */
    private static boolean isExact(UdpSock sk) {
        return sk.family() == SocketConstants.AF_INET && sk.state() == SkState.ESTABLISHED && sk.rcvSaddr() != 0 && sk.daddr() != 0 && sk.dport() != 0;
    }

    /** {@code udp_lib_unhash}: takes {@code sk} out of both hashes; its port is free for others. */
    public synchronized void unhash(UdpSock sk) {
        int port = sk.hashedPort;
        if (port == 0) {
            return;
        }
        LocalPortRange.Range range = range(); // counted while this socket still holds its port
        removeFromFlows(sk);
        PortSlot slot = ports.get(port);
        UdpSock[] members = without(slot.members, sk);
        if (members.length == 0) {
            ports.set(port, null);
            boundPorts--;
            if (range.contains(port)) {
                ephemeralInUse--;
            }
        } else {
            ports.set(port, new PortSlot(members, without(slot.wildcards, sk)));
        }
        sk.hashedPort = 0;
    }

    private void removeFromFlows(UdpSock sk) {
        FlowKey key = sk.hashedFlow;
        if (key != null) {
            flows.computeIfPresent(key, (k, v) -> {
                UdpSock[] rest = without(v, sk);
                return rest.length == 0 ? null : rest;
            });
            sk.hashedFlow = null;
        }
    }

    private static UdpSock[] prepend(UdpSock[] array, UdpSock sk) {
        UdpSock[] grown = new UdpSock[array.length + 1];
        grown[0] = sk;
        System.arraycopy(array, 0, grown, 1, array.length);
        return grown;
    }

    private static UdpSock[] without(UdpSock[] array, UdpSock sk) {
        for (int i = 0; i < array.length; i++) {
            if (array[i] == sk) {
                UdpSock[] shrunk = new UdpSock[array.length - 1];
                System.arraycopy(array, 0, shrunk, 0, i);
                System.arraycopy(array, i + 1, shrunk, i, array.length - i - 1);
                return shrunk;
            }
        }
        return array;
    }

    // ==== __udp4_lib_lookup ==============================================================

    /**
     * {@code __udp4_lib_lookup}: the socket that receives a datagram from
     * {@code remoteAddress:remotePort} to {@code localAddress:localPort}, or null.
     */
    public UdpSock lookup(int remoteAddress, int remotePort, int localAddress, int localPort) {
        // No connected socket, no key to make: the lookup of most datagrams allocates nothing.
        if (!flows.isEmpty()) {
            UdpSock[] exact = flows.get(new FlowKey(localAddress, localPort, remoteAddress, remotePort));
            if (exact != null && exact.length > 0) {
                return exact[0];
            }
        }
        PortSlot slot = ports.get(localPort);
        if (slot == null) {
            return null;
        }
        UdpSock best = null;
        int bestScore = -1;
        int ties = 0;
        for (UdpSock sk : slot.wildcards) {
            int score = score(sk, remoteAddress, remotePort, localAddress);
            if (score > bestScore) {
                best = sk;
                bestScore = score;
                ties = 1;
            } else if (score == bestScore && score >= 0) {
                ties++;
            }
        }
        if (best != null && ties > 1 && best.reusePort()) {
            return reuseportSelect(slot.wildcards, bestScore, remoteAddress, remotePort, localAddress, localPort);
        }
        return best;
    }

    /**
     * {@code compute_score}: -1 when {@code sk} cannot take the datagram; otherwise 4 for each
     * of bound address, peer address and peer port that is set (and matches).
     */
    private static int score(UdpSock sk, int remoteAddress, int remotePort, int localAddress) {
        if (!takesV4(sk)) {
            return -1;
        }
        // An IPv4 socket before a dual-stack IPv6 one that matches as well, as compute_score ranks them.
        int score = sk.family() == SocketConstants.AF_INET ? 2 : 1;
        int bound = sk.rcvSaddr();
        if (bound != 0) {
            if (bound != localAddress) {
                return -1;
            }
            score += 4;
        }
        int peer = sk.daddr();
        if (peer != 0) {
            if (peer != remoteAddress) {
                return -1;
            }
            score += 4;
        }
        int peerPort = sk.dport();
        if (peerPort != 0) {
            if (peerPort != remotePort) {
                return -1;
            }
            score += 4;
        }
        return score;
    }

    /**
     * Whether {@code sk} receives IPv4 datagrams: an AF_INET socket, or a dual-stack AF_INET6
     * one ({@code ipv6_only_sock} false: bound to :: or an IPv4-mapped address, without
     * {@code IPV6_V6ONLY}) that is unconnected or connected to an IPv4-mapped peer; its IPv4
     * addresses ({@code inet_rcv_saddr}, {@code inet_daddr}) are then those the mapped ones hold.
     */
    private static boolean takesV4(UdpSock sk) {
        return sk.family() == SocketConstants.AF_INET || (InetSock.takesV4(sk.family(), sk.v6RcvSaddr(), sk.ipv6only())
                && (sk.v6Daddr().isUnspecified() || sk.v6Daddr().isV4Mapped()));
    }

    /**
     * {@code reuseport_select_sock}: among the best-scoring {@code SO_REUSEPORT} sockets, one
     * chosen by a hash of the flow, so each flow keeps going to the same socket.
     */
    private static UdpSock reuseportSelect(UdpSock[] candidates, int bestScore, int remoteAddress, int remotePort,
            int localAddress, int localPort) {
        List<UdpSock> group = new ArrayList<>();
        for (UdpSock sk : candidates) {
            if (sk.reusePort() && score(sk, remoteAddress, remotePort, localAddress) == bestScore) {
                group.add(sk);
            }
        }
        int hash = Arrays.hashCode(new int[] {remoteAddress, remotePort, localAddress, localPort});
        hash ^= hash >>> 16;
        return group.get(Math.floorMod(hash, group.size()));
    }

    // ==== __udp6_lib_lookup ==============================================================

    /**
     * {@code __udp6_lib_lookup}: the IPv6 socket that receives a datagram from
     * {@code remote:remotePort} to {@code local:localPort}, or null: the port's sockets scored
     * as {@code compute_score} does for IPv6 (bound address, peer and peer port each must
     * match if set and add 4), the newest among equals.
     */
    public UdpSock lookup6(Ipv6Address remote, int remotePort, Ipv6Address local, int localPort) {
        PortSlot slot = ports.get(localPort);
        if (slot == null) {
            return null;
        }
        UdpSock best = null;
        int bestScore = -1;
        for (UdpSock sk : slot.wildcards) {
            int score = score6(sk, remote, remotePort, local);
            if (score > bestScore) {
                best = sk;
                bestScore = score;
            }
        }
        return best;
    }

    private static int score6(UdpSock sk, Ipv6Address remote, int remotePort, Ipv6Address local) {
        if (sk.family() != SocketConstants.AF_INET6) {
            return -1;
        }
        int score = 0;
        if (!sk.v6RcvSaddr().isUnspecified()) {
            if (!sk.v6RcvSaddr().equals(local)) {
                return -1;
            }
            score += 4;
        }
        if (!sk.v6Daddr().isUnspecified()) {
            if (!sk.v6Daddr().equals(remote)) {
                return -1;
            }
            score += 4;
        }
        if (sk.dport() != 0) {
            if (sk.dport() != remotePort) {
                return -1;
            }
            score += 4;
        }
        return score;
    }

    /**
     * {@code __udp_v4_is_mcast_sock} over one port: every socket taking IPv4 bound there whose bound
     * address is the wildcard or {@code localAddress}, and whose peer, if it has one, is the
     * sender. Broadcast and multicast datagrams go to each of them.
     */
    public List<UdpSock> groupMembers(int remoteAddress, int remotePort, int localAddress, int localPort) {
        PortSlot slot = ports.get(localPort);
        if (slot == null) {
            return List.of();
        }
        List<UdpSock> found = new ArrayList<>(slot.members.length);
        for (UdpSock sk : slot.members) {
            if (takesV4(sk) && (sk.rcvSaddr() == 0 || sk.rcvSaddr() == localAddress)
                    && (sk.daddr() == 0 || sk.daddr() == remoteAddress)
                    && (sk.dport() == 0 || sk.dport() == remotePort)) {
                found.add(sk);
            }
        }
        return found;
    }

    /** Ports with at least one socket. */
    public int boundPorts() {
        return boundPorts;
    }

    /** Whether any socket is bound to {@code port}. */
    public boolean isBound(int port) {
        return port >= 0 && port < PORTS && ports.get(port) != null;
    }
}
