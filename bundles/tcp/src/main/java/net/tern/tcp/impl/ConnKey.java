package net.tern.tcp.impl;

import net.tern.api.socket.InetSockAddr;
import net.tern.spi.net.FlowHash;

/**
 * A connection's 4-tuple from this host's side, the key of the established hash
 * ({@code inet_ehashfn}): local address and port, remote address and port.
 */
record ConnKey(int localAddress, int localPort, int remoteAddress, int remotePort) {
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
     * the {@link ConnKey} of its tuple; it is never stored. One per thread that looks up.
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
                    && k.remoteAddress() == remoteAddress && k.remotePort() == remotePort;
        }
    }

    /** The flow's hash ({@link FlowHash}): which network thread receives it and runs its timers. */
    int flowHash() {
        return FlowHash.of(localAddress, localPort, remoteAddress, remotePort);
    }

    @Override
    public String toString() {
        return InetSockAddr.formatAddress(localAddress) + ":" + localPort + " <-> "
                + InetSockAddr.formatAddress(remoteAddress) + ":" + remotePort;
    }
}
