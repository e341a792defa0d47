package net.tern.udp.impl;

import net.tern.api.socket.InetSockAddr;

/** A connected socket's 4-tuple, the key of the port table's exact lookup (addresses in host order). */
record FlowKey(int localAddress, int localPort, int remoteAddress, int remotePort) {
    @Override
    public String toString() {
        return InetSockAddr.formatAddress(localAddress) + ":" + localPort + " <-> "
                + InetSockAddr.formatAddress(remoteAddress) + ":" + remotePort;
    }
}
