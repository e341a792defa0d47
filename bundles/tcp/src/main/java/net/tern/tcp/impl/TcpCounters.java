package net.tern.tcp.impl;

import java.util.concurrent.atomic.LongAdder;
import net.tern.inet.snmp.CounterGroup;
import net.tern.inet.snmp.SnmpCounters;

/**
 * TCP's counters in the stack's {@link SnmpCounters}: the {@code Tcp} group ({@link TcpMib})
 * and TCP's part of {@code TcpExt} ({@link TcpExtMib}). Adders are looked up once, so
 * counting on the data path is one {@code increment()}.
 */
public final class TcpCounters implements AutoCloseable {
    private final SnmpCounters snmp;
    private final CounterGroup tcp;
    private final CounterGroup tcpExt;
    private final LongAdder[] tcpAdders;
    private final LongAdder[] extAdders;

    public TcpCounters(SnmpCounters snmp) {
        this.snmp = snmp;
        this.tcp = snmp.register("Tcp", TcpMib.class);
        this.tcpExt = snmp.register("TcpExt", TcpExtMib.class);
        this.tcpAdders = new LongAdder[TcpMib.values().length];
        for (TcpMib m : TcpMib.values()) {
            tcpAdders[m.ordinal()] = tcp.adder(m);
        }
        this.extAdders = new LongAdder[TcpExtMib.values().length];
        for (TcpExtMib m : TcpExtMib.values()) {
            extAdders[m.ordinal()] = tcpExt.adder(m);
        }
    }

    public void inc(TcpMib counter) {
        tcpAdders[counter.ordinal()].increment();
    }

    public void dec(TcpMib counter) {
        tcpAdders[counter.ordinal()].decrement();
    }

    public void inc(TcpExtMib counter) {
        extAdders[counter.ordinal()].increment();
    }

    public void add(TcpExtMib counter, long n) {
        extAdders[counter.ordinal()].add(n);
    }

    public long get(TcpMib counter) {
        return tcpAdders[counter.ordinal()].sum();
    }

    public long get(TcpExtMib counter) {
        return extAdders[counter.ordinal()].sum();
    }

    /** Removes the groups from the stack's counters (the bundle is stopping). */
    @Override
    public void close() {
        snmp.unregister(tcp);
        snmp.unregister(tcpExt);
    }
}
