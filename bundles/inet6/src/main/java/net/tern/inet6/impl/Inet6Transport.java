package net.tern.inet6.impl;

import net.tern.api.socket.ErrnoException;
import net.tern.inet6.ip.Dst6;
import net.tern.inet6.ip.Ip6Transport;
import net.tern.spi.net.Packet;
import net.tern.wire.Ipv6Address;

/** {@link Ip6Transport} over this stack's output, addresses and ICMPv6. */
final class Inet6Transport implements Ip6Transport {
    private final Ip6Output output;
    private final Addrconf addrconf;
    private final Icmp6 icmp;
    private volatile boolean bindv6only;

    Inet6Transport(Ip6Output output, Addrconf addrconf, Icmp6 icmp) {
        this.output = output;
        this.addrconf = addrconf;
        this.icmp = icmp;
    }

    @Override
    public Dst6 route(Ipv6Address destination, int oif) throws ErrnoException {
        return output.route(destination, oif);
    }

    @Override
    public Ipv6Address source(Dst6 dst, Ipv6Address destination) throws ErrnoException {
        return output.source(dst, destination);
    }

    @Override
    public void xmit(Packet payload, Dst6 dst, Ipv6Address source, Ipv6Address destination, int nextHeader,
            int hopLimit, int trafficClass) throws ErrnoException {
        output.xmit(payload, dst, source, destination, nextHeader, hopLimit, trafficClass);
    }

    @Override
    public boolean isLocal(Ipv6Address address) {
        return addrconf.local(address) != null;
    }

    @Override
    public void sendError(Packet invoking, int header, int type, int code, int info) {
        icmp.sendError(invoking, header, type, code, info, false);
    }

    @Override
    public int hopLimit() {
        return output.hopLimit();
    }

    @Override
    public boolean bindv6only() {
        return bindv6only;
    }

    void bindv6only(boolean value) {
        this.bindv6only = value;
    }
}
