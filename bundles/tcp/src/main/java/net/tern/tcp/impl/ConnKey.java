package net.tern.tcp.impl;

import net.tern.api.socket.InetSockAddr;
import net.tern.spi.net.FlowHash;
import net.tern.wire.Ipv6Address;

/**
 * A connection's 4-tuple from this host's side, the key of the established hash
 * ({@code inet_ehashfn}, {@code inet6_ehashfn}): local address and port, remote address and
 * port. An IPv6 connection's key carries its addresses in {@code local6} and {@code remote6}
 * and, in the two {@code int}s, each address folded to 32 bits ({@link #fold}) for the hash;
 * an IPv4 one has null there. IPv4 and IPv6 connections share the one table.
 */
record ConnKey(int localAddress, int localPort, int remoteAddress, int remotePort, Ipv6Address local6,
        Ipv6Address remote6) {
    /** An IPv4 connection's key. */
    ConnKey(int localAddress, int localPort, int remoteAddress, int remotePort) {
        this(localAddress, localPort, remoteAddress, remotePort, null, null);
    }

    /** An IPv6 connection's key. */
    static ConnKey of6(Ipv6Address local, int localPort, Ipv6Address remote, int remotePort) {
        return new ConnKey(fold(local), localPort, fold(remote), remotePort, local, remote);
    }

    /** An IPv6 address in 32 bits, for hashes: its four words xor-ed. */
    static int fold(Ipv6Address address) {
        long x = address.high() ^ address.low();
        return (int) (x ^ (x >>> 32));
    }

    boolean isV6() {
        return local6 != null;
    }

    @Override
    public int hashCode() {
        return hash(localAddress, localPort, remoteAddress, remotePort);
    }

    /** One multiply-and-mix over the tuple; records' default hash is slower and weaker here. */
    static int hash(int localAddress, int localPort, int remoteAddress, int remotePort) {
        long h = ((long) localAddress * 0x9E3779B97F4A7C15L) ^ ((long) remoteAddress * 0xC2B2AE3D27D4EB4FL)
                ^ (((long) localPort << 16 | remotePort) * 0x165667B19E3779F9L);
        return (int) (h ^ (h >>> 32));
    }

    /**
     * A 4-tuple to look up without making a key: set, then passed to the established hash's
     * {@code get}, which calls the probe's {@code equals} with each stored key of the same hash
     * ({@link java.util.concurrent.ConcurrentHashMap#get}: "{@code key.equals(k)}"). It equals
     * the IPv4 {@link ConnKey} of its tuple; it is never stored. One per thread that looks up.
     */
    static final class Probe {
        private int localAddress;
        private int localPort;
        private int remoteAddress;
        private int remotePort;

        Probe set(int localAddress, int localPort, int remoteAddress, int remotePort) {
            this.localAddress = localAddress;
            this.localPort = localPort;
            this.remoteAddress = remoteAddress;
            this.remotePort = remotePort;
            return this;
        }

        @Override
        public int hashCode() {
            return hash(localAddress, localPort, remoteAddress, remotePort);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ConnKey k && k.localAddress() == localAddress && k.localPort() == localPort
                    && k.remoteAddress() == remoteAddress && k.remotePort() == remotePort && k.local6() == null;
        }
    }

    /** The flow's hash ({@link FlowHash}): which network thread receives it and runs its timers. */
    int flowHash() {
        return FlowHash.of(localAddress, localPort, remoteAddress, remotePort);
    }

    @Override
    public String toString() {
        if (local6 != null) {
            return "[" + local6 + "]:" + localPort + " <-> [" + remote6 + "]:" + remotePort;
        }
        return InetSockAddr.formatAddress(localAddress) + ":" + localPort + " <-> "
                + InetSockAddr.formatAddress(remoteAddress) + ":" + remotePort;
    }
}
