package net.tern.udp.impl;

import java.util.ArrayList;
import java.util.List;
import net.tern.inet.sock.SkState;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.diag.InetDiagMsg;

/**
 * {@code udp_diag}: the bound UDP sockets of both families (AF_INET6 ones by their IPv6
 * addresses and {@code IPV6_V6ONLY}; as Linux dumps the UDP hash, an unbound socket is
 * not listed), each read under its lock. A connected socket is ESTABLISHED, any other CLOSE
 * ({@code ss} shows UNCONN); Recv-Q is the receive memory charged ({@code sk_rmem_alloc}),
 * Send-Q 0, since a datagram leaves within its {@code sendmsg}. Each carries its memory
 * ({@code INET_DIAG_SKMEMINFO}, with the socket's drops), cookie and shutdown bits; UDP has no timers.
 */
final class UdpDiag implements InetDiagHandler {
    private final UdpProt prot;

    UdpDiag(UdpProt prot) {
        this.prot = prot;
    }

    @Override
    public List<InetDiagMsg> dump() {
        List<InetDiagMsg> out = new ArrayList<>();
        for (UdpSock sk : prot.live()) {
            sk.lock();
            try {
                if (sk.isDead() || sk.num() == 0) {
                    continue;
                }
                int state = sk.state() == SkState.ESTABLISHED ? InetDiagMsg.ESTABLISHED : InetDiagMsg.CLOSE;
                out.add(sk.diagMsg(state, sk.rmemAlloc(), 0, null,
                        sk.memInfo(sk.memory(), (int) Math.min(Integer.MAX_VALUE, sk.drops()))));
            } finally {
                sk.unlock();
            }
        }
        return out;
    }
}
