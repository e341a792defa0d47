package net.tern.inet6.impl;

import java.security.SecureRandom;
import java.util.Random;
import net.tern.inet6.ip.Ip6Transport;
import net.tern.spi.net.Clock;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.TimerService;

/**
 * IPv6 assembled ({@code inet6_init}), without OSGi: counters, addresses and routes,
 * path MTUs, output, ICMPv6, reassembly, input and the AF_INET6 family, each made from the
 * ones before it. {@link Inet6Init} registers the parts as services; tests use them directly.
 */
public final class Inet6 implements AutoCloseable {
    private final Snmp6 snmp = new Snmp6();
    private final Addrconf addrconf;
    private final Ip6Output output;
    private final Icmp6 icmp;
    private final Reassembly6 reassembly;
    private final Ip6Protocols protocols = new Ip6Protocols();
    private final Ip6Input input;
    private final Inet6Family family = new Inet6Family();
    private final Ping6 ping;
    private final Inet6Transport transport;

    /** With the system's entropy for interface identifiers and fragment identifications. */
    public Inet6(Clock clock, TimerService timers, PacketAllocator allocator, Inet6Settings settings) {
        this(clock, timers, allocator, settings, new SecureRandom());
    }

    public Inet6(Clock clock, TimerService timers, PacketAllocator allocator, Inet6Settings settings, Random random) {
        this.addrconf = new Addrconf(random);
        this.output = new Ip6Output(addrconf, new Pmtu6(clock, settings.mtuExpiresNanos()), allocator, snmp, random,
                settings.hopLimit());
        this.icmp = new Icmp6(output, addrconf, allocator, snmp, clock, settings.icmpMsgsPerSec(),
                settings.icmpMsgsBurst());
        this.reassembly = new Reassembly6(timers, allocator, snmp, icmp, settings.fragTimeoutNanos(),
                settings.fragHighThresh());
        this.input = new Ip6Input(addrconf, reassembly, icmp, snmp, protocols);
        // inetsw6_array's ping entry: ping sockets are part of IPv6. Ranked last, and never a
        // type's default (Inet6Family), so SOCK_DGRAM with protocol 0 stays UDP's.
        this.ping = new Ping6(output, allocator, snmp);
        icmp.listener(ping);
        icmp.protocols(protocols);
        this.transport = new Inet6Transport(output, addrconf, icmp);
        family.addProtoSw(ping, Integer.MIN_VALUE, Long.MAX_VALUE);
    }

    /** What IPv6 offers transports (the inet6 bundle's {@code Ip6Transport} service). */
    public Ip6Transport transport() {
        return transport;
    }

    /** {@code sysctl -w net.ipv6.bindv6only}: the {@code IPV6_V6ONLY} new AF_INET6 sockets start with. */
    public void bindv6only(boolean value) {
        transport.bindv6only(value);
    }

    /** The ICMPv6 echo sockets. */
    public Ping6 ping() {
        return ping;
    }

    public Snmp6 snmp() {
        return snmp;
    }

    public Addrconf addrconf() {
        return addrconf;
    }

    public Fib6 fib() {
        return addrconf.fib();
    }

    public Ip6Output output() {
        return output;
    }

    public Icmp6 icmp() {
        return icmp;
    }

    public Reassembly6 reassembly() {
        return reassembly;
    }

    /** {@code ipv6_rcv}, the handler of ethertype 0x86DD. */
    public Ip6Input input() {
        return input;
    }

    /** {@code inet6_protos[]}, which transports join. */
    public Ip6Protocols protocols() {
        return protocols;
    }

    public Inet6Family family() {
        return family;
    }

    /** A counter by its full name ({@code Ip6InReceives}, {@code Icmp6InEchos}). */
    public long counter(String name) {
        return snmp.counter(name);
    }

    /** Drops the packets being reassembled. */
    @Override
    public void close() {
        reassembly.clear();
    }
}
