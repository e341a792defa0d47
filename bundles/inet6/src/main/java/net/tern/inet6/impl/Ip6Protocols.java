package net.tern.inet6.impl;

import java.util.concurrent.atomic.AtomicReferenceArray;
import net.tern.inet6.ip.Ip6Protocol;

/** {@code inet6_protos[]}: the upper-layer protocol of each next-header number, or none. */
public final class Ip6Protocols {
    private final AtomicReferenceArray<Ip6Protocol> table = new AtomicReferenceArray<>(256);

    public Ip6Protocol get(int nextHeader) {
        return table.get(nextHeader & 0xff);
    }

    /** {@code inet6_add_protocol}: false when the number is taken. */
    public boolean add(int nextHeader, Ip6Protocol protocol) {
        return table.compareAndSet(nextHeader & 0xff, null, protocol);
    }

    /** {@code inet6_del_protocol}. */
    public boolean remove(int nextHeader, Ip6Protocol protocol) {
        return table.compareAndSet(nextHeader & 0xff, protocol, null);
    }
}
