package net.tern.tcp.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketConstants;
import net.tern.inet.sock.InetSock;
import net.tern.inet.sock.LocalPortRange;
import net.tern.inet.sock.SkState;
import net.tern.wire.Ipv6Address;

/**
 * TCP's lookup tables ({@code struct inet_hashinfo}):
 * <ul>
 * <li>the established hash ({@code ehash}): 4-tuple to a {@link TcpSock}, a
 *     {@link RequestSock} (SYN-RECEIVED) or a {@link TimeWaitSock}; O(1) and lock-free to read;</li>
 * <li>the listening hash ({@code lhash2}): local port to its listeners, a specific address
 *     preferred over the wildcard;</li>
 * <li>the bind hash ({@code bhash}): local port to every owner (sockets and TIME-WAIT
 *     entries), for bind conflicts and ephemeral port choice; changes take this table's lock.</li>
 * </ul>
 */
final class TcpHashTables {
    private final ConcurrentHashMap<ConnKey, Object> established = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, CopyOnWriteArrayList<TcpSock>> listeners = new ConcurrentHashMap<>();
    private final Map<Integer, ArrayList<PortOwner>> bound = new HashMap<>();
    /** IPv4's {@code ip_local_port_range}, read at each ephemeral port chosen. */
    private final LocalPortRange localPorts;
    private final IntSupplier random;

    TcpHashTables(LocalPortRange localPorts, IntSupplier random) {
        this.localPorts = localPorts;
        this.random = random;
    }

    // ---- established (ehash)

    Object lookupEstablished(ConnKey key) {
        return established.get(key);
    }

    /** {@link #lookupEstablished(ConnKey)} of a key or a probe. */
    Object lookupEstablished(Object key) {
        return established.get(key);
    }

    /** {@link #lookupEstablished(ConnKey)} of the probe's tuple, without making a key. */
    Object lookupEstablished(ConnKey.Probe probe) {
        return established.get(probe);
    }

    /** Inserts {@code owner} under {@code key} unless something is there; returns whether it went in. */
    boolean insertEstablished(ConnKey key, Object owner) {
        return established.putIfAbsent(key, owner) == null;
    }

    /** Puts {@code owner} in place of {@code previous} ({@code inet_ehash_nolisten} replacing a request or socket). */
    boolean replaceEstablished(ConnKey key, Object previous, Object owner) {
        return established.replace(key, previous, owner);
    }

    void removeEstablished(ConnKey key, Object owner) {
        if (key != null) {
            established.remove(key, owner);
        }
    }

    /** A snapshot of the established hash's entries (sockets, requests, TIME-WAIT entries). */
    List<Object> establishedEntries() {
        return new ArrayList<>(established.values());
    }

    int establishedCount() {
        return established.size();
    }

    // ---- listeners (lhash)

    void addListener(TcpSock sk) {
        listeners.computeIfAbsent(sk.num(), p -> new CopyOnWriteArrayList<>()).addIfAbsent(sk);
    }

    void removeListener(TcpSock sk) {
        CopyOnWriteArrayList<TcpSock> list = listeners.get(sk.num());
        if (list != null) {
            list.remove(sk);
        }
    }

    /**
     * {@code __inet_lookup_listener}: a listener bound to {@code address} first (an AF_INET6
     * one bound to its IPv4-mapped form too), then an IPv4 one bound to any, then an AF_INET6
     * one bound to :: without {@code IPV6_V6ONLY} (a dual-stack socket: {@code compute_score}
     * ranks AF_INET first).
     */
    TcpSock lookupListener(int address, int port) {
        CopyOnWriteArrayList<TcpSock> list = listeners.get(port);
        if (list == null) {
            return null;
        }
        TcpSock wildcard = null;
        TcpSock dualStack = null;
        for (TcpSock sk : list) {
            if (sk.state() != SkState.LISTEN || !InetSock.takesV4(sk.family(), sk.v6RcvSaddr(), sk.ipv6only())) {
                continue;
            }
            if (sk.rcvSaddr() == address) {
                return sk;
            }
            if (sk.rcvSaddr() == 0 && sk.family() == SocketConstants.AF_INET && wildcard == null) {
                wildcard = sk;
            } else if (sk.rcvSaddr() == 0 && dualStack == null) {
                dualStack = sk;
            }
        }
        return wildcard != null ? wildcard : dualStack;
    }

    /** {@code inet6_lookup_listener}: an IPv6 listener bound to {@code address} first, then one bound to ::. */
    TcpSock lookupListener6(Ipv6Address address, int port) {
        CopyOnWriteArrayList<TcpSock> list = listeners.get(port);
        if (list == null) {
            return null;
        }
        TcpSock wildcard = null;
        for (TcpSock sk : list) {
            if (sk.state() != SkState.LISTEN || sk.family() != SocketConstants.AF_INET6 || sk.v6RcvSaddr().isV4Mapped()) {
                continue;
            }
            if (sk.v6RcvSaddr().equals(address)) {
                return sk;
            }
            if (sk.v6RcvSaddr().isUnspecified() && wildcard == null) {
                wildcard = sk;
            }
        }
        return wildcard;
    }

    // ---- bind (bhash)

    /**
     * {@code inet_csk_get_port}: gives {@code sk} local port {@code port}, or an ephemeral one
     * for 0. EADDRINUSE when the port is taken ({@code inet_csk_bind_conflict}); EADDRINUSE
     * too when no ephemeral port is free, as Linux's bind says.
     */
    synchronized void bind(TcpSock sk, int port) throws ErrnoException {
        if (port == 0) {
            LocalPortRange.Range ports = localPorts.get();
            int range = ports.size();
            int start = Math.floorMod(random.getAsInt(), range);
            for (int i = 0; i < range; i++) {
                int candidate = ports.low() + (start + i) % range;
                if (!bound.containsKey(candidate)) {
                    take(sk, candidate);
                    return;
                }
            }
            throw new ErrnoException(Errno.EADDRINUSE, "bind(" + sk.localAddress() + "): no free ephemeral port in "
                    + ports.low() + "-" + ports.high() + " (ip_local_port_range)");
        }
        Object conflict = conflict(sk, port, sk.rcvSaddr());
        if (conflict != null) {
            throw new ErrnoException(Errno.EADDRINUSE, "bind(" + sk.localAddress().address() + ":" + port
                    + "): port " + port + " is in use by " + conflict);
        }
        take(sk, port);
    }

    /** {@code inet_csk_bind_conflict}, also used by listen: the owner {@code sk} clashes with, or null. */
    synchronized Object conflict(TcpSock sk, int port, int address) {
        List<PortOwner> owners = bound.get(port);
        if (owners == null) {
            return null;
        }
        for (PortOwner owner : owners) {
            if (owner == sk) {
                continue;
            }
            if (owner instanceof TcpSock other) {
                boolean overlap = InetSock.bindOverlap(sk.family(), address, sk.v6RcvSaddr(), sk.ipv6only(),
                        other.family(), other.rcvSaddr(), other.v6RcvSaddr(), other.ipv6only());
                if (!overlap) {
                    continue;
                }
                // Only the other socket's state counts (inet_bind_conflict): a listener restarting
                // with SO_REUSEADDR shares its port with connections still closing.
                boolean reuse = sk.reuseAddr() && other.reuseAddr() && other.state() != SkState.LISTEN;
                boolean reusePort = sk.reusePort() && other.reusePort();
                if (!reuse && !reusePort) {
                    return other;
                }
            } else if (owner instanceof TimeWaitSock tw) {
                boolean overlap = InetSock.bindOverlap(sk.family(), address, sk.v6RcvSaddr(), sk.ipv6only(),
                        tw.key.isV6() ? SocketConstants.AF_INET6 : SocketConstants.AF_INET, tw.key.localAddress(),
                        tw.key.local6(), false);
                if (overlap && !sk.reuseAddr()) {
                    return tw;
                }
            }
        }
        return null;
    }

    /** A connect's 4-tuple, in the established hash, and the TIME-WAIT entry it took over, or null. */
    record Connection(ConnKey key, TimeWaitSock recycled) {
    }

    /**
     * {@code inet_hash_connect}: an ephemeral port for {@code sk}'s connection ({@code keyAt}:
     * its 4-tuple with a given local port, of either family), one no bind()-bound or listening
     * socket holds and whose 4-tuple is free or held by a TIME-WAIT entry {@code twReuse} lets
     * it take over ({@code __inet_check_established}); {@code sk} is in the established hash
     * under it on return. EADDRNOTAVAIL when there is none, as Linux's connect says.
     */
    synchronized Connection hashConnect(TcpSock sk, IntFunction<ConnKey> keyAt, int offset, TcpTwReuse twReuse)
            throws ErrnoException {
        LocalPortRange.Range ports = localPorts.get();
        int range = ports.size();
        int start = Math.floorMod(offset, range);
        for (int i = 0; i < range; i++) {
            int candidate = ports.low() + (start + i) % range;
            if (!connectUsable(candidate)) {
                continue;
            }
            Connection connection = checkEstablished(sk, keyAt.apply(candidate), twReuse, true);
            if (connection != null) {
                take(sk, candidate);
                return connection;
            }
        }
        throw new ErrnoException(Errno.EADDRNOTAVAIL, "connect: no free local port in " + ports.low() + "-" + ports.high()
                + " for the destination");
    }

    /**
     * {@code __inet_check_established}: {@code sk} goes into the established hash under
     * {@code key} if the 4-tuple is free, or in place of a TIME-WAIT entry {@code twReuse}
     * judges it may take over ({@code portSearch}: the port is being chosen by connect());
     * null when the 4-tuple is in use.
     */
    Connection checkEstablished(TcpSock sk, ConnKey key, TcpTwReuse twReuse, boolean portSearch) {
        Object holder = established.putIfAbsent(key, sk);
        if (holder == null) {
            return new Connection(key, null);
        }
        if (holder instanceof TimeWaitSock tw && twReuse.twskUnique(tw, portSearch) && established.replace(key, tw, sk)) {
            return new Connection(key, tw);
        }
        return null;
    }

    private boolean connectUsable(int port) {
        List<PortOwner> owners = bound.get(port);
        if (owners == null) {
            return true;
        }
        for (PortOwner owner : owners) {
            if (owner instanceof TcpSock s && (s.userBound() || s.state() == SkState.LISTEN)) {
                return false;
            }
        }
        return true;
    }

    private void take(PortOwner owner, int port) {
        ArrayList<PortOwner> owners = bound.computeIfAbsent(port, p -> new ArrayList<>(1));
        owner.ownerSlot(owners.size());
        owners.add(owner);
        if (owner instanceof TcpSock sk) {
            sk.num(port);
        }
    }

    /** Adds {@code owner} to {@code port}'s owners (a child or a TIME-WAIT entry sharing its parent's port). */
    synchronized void addOwner(PortOwner owner, int port) {
        take(owner, port);
    }

    /**
     * {@code inet_put_port}: constant time however many owners share the port; the last owner
     * takes the place of the one leaving (the list's order carries no meaning).
     */
    synchronized void release(PortOwner owner, int port) {
        ArrayList<PortOwner> owners = bound.get(port);
        int slot = owner.ownerSlot();
        if (owners == null || slot < 0 || slot >= owners.size() || owners.get(slot) != owner) {
            return; // Not an owner of this port (released already).
        }
        PortOwner last = owners.remove(owners.size() - 1);
        if (last != owner) {
            owners.set(slot, last);
            last.ownerSlot(slot);
        }
        owner.ownerSlot(PortOwner.NOT_LISTED);
        if (owners.isEmpty()) {
            bound.remove(port);
        }
    }

    synchronized int boundPorts() {
        return bound.size();
    }
}
