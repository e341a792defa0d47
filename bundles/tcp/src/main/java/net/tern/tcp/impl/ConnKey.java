package net.tern.tcp.impl;

import net.tern.api.socket.InetSockAddr;

/**
 * A connection's 4-tuple from this host's side, the key of the established hash
 * ({@code inet_ehashfn}): local address and port, remote address and port.
 */
record ConnKey(int localAddress, int localPort, int remoteAddress, int remotePort) {
    @Override
    public int hashCode() {
        // One multiply-and-mix over the tuple; records' default hash is slower and weaker here.
        long h = ((long) localAddress * 0x9E3779B97F4A7C15L) ^ ((long) remoteAddress * 0xC2B2AE3D27D4EB4FL)
                ^ (((long) localPort << 16 | remotePort) * 0x165667B19E3779F9L);
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public String toString() {
        return InetSockAddr.formatAddress(localAddress) + ":" + localPort + " <-> "
                + InetSockAddr.formatAddress(remoteAddress) + ":" + remotePort;
    }
}
