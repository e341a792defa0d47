package net.tern.netlink.testing;

import java.util.Map;
import java.util.Random;
import net.tern.api.socket.SocketConstants;
import net.tern.inet6.impl.Inet6;
import net.tern.inet6.impl.Inet6Settings;
import net.tern.netlink.impl.Inet6Netlink;
import net.tern.netlink.impl.NetlinkStack;
import net.tern.spi.net.EtherType;
import net.tern.udp.testing.UdpTestBed;

/**
 * IPv6 on a {@link UdpTestBed} joined to its netlink, as the inet6 and netlink bundles wire
 * it: {@code ipv6_rcv} for 0x86DD, addrconf hearing the links, AF_INET6 with the socket layer,
 * the {@code net/snmp6} file, and netlink's AF_INET6 addresses and routes. Closed before the bed.
 */
public final class Inet6Wiring implements AutoCloseable {
    private final Inet6 inet6;
    private final Inet6Netlink joined;

    private Inet6Wiring(Inet6 inet6, Inet6Netlink joined) {
        this.inet6 = inet6;
        this.joined = joined;
    }

    /** IPv6 on {@code bed} (interface identifiers from {@code seed}), joined to {@code netlink}. */
    public static Inet6Wiring attach(UdpTestBed bed, NetlinkStack netlink, long seed) {
        Inet6 inet6 = new Inet6(bed.stack().clock(), bed.stack().timers(), bed.stack().allocator(),
                Inet6Settings.defaults(), new Random(seed));
        bed.stack().addPacketHandler(EtherType.IPV6, inet6.input());
        bed.stack().addLinkListener(inet6.addrconf());
        bed.socketLayer().bindFamily(inet6.family(), Map.of("family", SocketConstants.AF_INET6));
        bed.socketLayer().addProcFile("net/snmp6", inet6.snmp());
        return new Inet6Wiring(inet6, Inet6Netlink.attach(netlink, inet6.addrconf()));
    }

    public Inet6 inet6() {
        return inet6;
    }

    /** Netlink's AF_INET6 side, to withdraw it alone ({@link Inet6Netlink#close}, idempotent). */
    public Inet6Netlink netlink() {
        return joined;
    }

    @Override
    public void close() {
        joined.close();
        inet6.close();
    }
}
