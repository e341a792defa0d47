package net.tern.testfamily;

import net.tern.api.socket.SockAddr;

/** A {@code testlocal} address: just a port, 0 to 65535 (0 asks bind for an ephemeral port). */
public record LocalSockAddr(int port) implements SockAddr {

    public LocalSockAddr {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range 0..65535: " + port);
        }
    }

    @Override
    public int family() {
        return TestLocal.AF_TESTLOCAL;
    }

    @Override
    public String toString() {
        return TestLocal.NAME + ":" + port;
    }
}
