package net.tern.inet6.impl;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.Timeout;
import net.tern.spi.net.TimerService;
import net.tern.wire.Icmpv6Types;
import net.tern.wire.Ipv6Address;
import net.tern.wire.Ipv6FragmentHeader;
import net.tern.wire.Ipv6Packet;

/**
 * IPv6 reassembly ({@code net/ipv6/reassembly.c}, RFC 8200 4.5): fragments are queued by
 * source, destination, identification (and the link, for link-local addresses), and the
 * packet is rebuilt when the fragments cover it from offset 0 to the last fragment's end:
 * the unfragmentable part from the first fragment, its last next-header field taking the
 * fragment header's, then the fragments' data in order.
 *
 * <p>Bounded: a queue lives at most {@code ip6frag_time} (60 s); when it dies with its first
 * fragment in, the source hears a Time Exceeded, code 1 (RFC 8200 4.5). All queues together
 * hold at most {@code ip6frag_high_thresh} bytes (true size); a fragment that would exceed it
 * is dropped. A fragment that overlaps another kills its whole datagram, the fragments
 * already in and those still to come (RFC 5722 4); an exact duplicate is dropped alone, as
 * Linux does.
 *
 * <p>One lock guards all queues: fragments of one packet may arrive on different network
 * threads, and reassembly is rare.
 */
public final class Reassembly6 {
    /** {@code ip6frag_time}: 60 s. */
    public static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** {@code ip6frag_high_thresh}: 4 MiB. */
    public static final long DEFAULT_HIGH_THRESH = 4L << 20;

    /** A rebuilt packet, and where its walk goes on: the upper-layer header's index, its number, and the field that named it. */
    public record Reassembled(Packet packet, int transportIndex, int nextHeader, int nextHeaderIndex) {
    }

    private record Key(Ipv6Address source, Ipv6Address destination, int identification, int scope) {
    }

    private record Fragment(int offset, int length, Packet packet, int dataIndex) {
    }

    private final class Queue {
        final Key key;
        final TreeMap<Integer, Fragment> fragments = new TreeMap<>();
        int total = -1;
        int maxEnd;
        int received;
        long memory;
        boolean dead;
        Timeout timer;
        /** From the first fragment: the bytes before its fragment header, and its upper-layer number. */
        int unfragmentable = -1;
        int firstNextHeader;
        int previousNextHeader;

        Queue(Key key) {
            this.key = key;
        }
    }

    private final TimerService timers;
    private final PacketAllocator allocator;
    private final Snmp6 mib;
    private final Icmp6 icmp;
    private final Map<Key, Queue> queues = new HashMap<>();
    private volatile long timeoutNanos;
    private volatile long highThresh;
    private long memory;

    public Reassembly6(TimerService timers, PacketAllocator allocator, Snmp6 mib, Icmp6 icmp, long timeoutNanos,
            long highThresh) {
        this.timers = timers;
        this.allocator = allocator;
        this.mib = mib;
        this.icmp = icmp;
        this.timeoutNanos = timeoutNanos;
        this.highThresh = highThresh;
    }

    public void limits(long timeoutNanos, long highThresh) {
        this.timeoutNanos = timeoutNanos;
        this.highThresh = highThresh;
    }

    /** Bytes (true size) the queues hold. */
    public synchronized long memory() {
        return memory;
    }

    /** Datagrams being reassembled (and dead ones waiting out their time). */
    public synchronized int queues() {
        return queues.size();
    }

    /**
     * {@code ipv6_frag_rcv} for a checked fragment: {@code packet}'s IPv6 header is at
     * absolute {@code header}, the fragment header at {@code fragmentHeader}, named by the
     * next-header field at {@code previousNextHeader}; its data run to the packet's end.
     * Takes ownership. Returns the whole packet once the last missing fragment came, else null.
     */
    public synchronized Reassembled add(Packet packet, int header, int fragmentHeader, int previousNextHeader) {
        ByteBuf buf = packet.buf();
        Ipv6Packet ip = Ipv6Packet.at(buf, header);
        Ipv6FragmentHeader fh = Ipv6FragmentHeader.at(buf, fragmentHeader);
        int dataIndex = fragmentHeader + Ipv6FragmentHeader.LENGTH;
        int length = buf.writerIndex() - dataIndex;
        int offset = fh.fragmentOffset();
        int end = offset + length;
        boolean more = fh.moreFragments();
        Ipv6Address destination = ip.destination();
        int scope = destination.isLinkLocal() || destination.isMulticast() || ip.source().isLinkLocal()
                ? (packet.device() == null ? 0 : packet.device().index()) : 0;
        Key key = new Key(ip.source(), destination, fh.identification(), scope);
        Queue q = queues.get(key);
        if (q == null) {
            if (memory + packet.truesize() > highThresh) {
                mib.inc(Ip6Mib.ReasmFails);
                packet.release();
                return null;
            }
            q = new Queue(key);
            Queue created = q;
            q.timer = timers.schedule(timeoutNanos, TimeUnit.NANOSECONDS, () -> expire(created));
            queues.put(key, q);
        }
        if (q.dead || length == 0) {
            packet.release();
            return null;
        }
        if (!more) {
            if ((q.total >= 0 && q.total != end) || end < q.maxEnd) {
                kill(q);
                packet.release();
                return null;
            }
            q.total = end;
        } else if (q.total >= 0 && end > q.total) {
            kill(q);
            packet.release();
            return null;
        }
        Map.Entry<Integer, Fragment> before = q.fragments.floorEntry(offset);
        if (before != null && before.getValue().offset() == offset && before.getValue().length() == length) {
            packet.release();                                    // an exact duplicate: dropped alone
            return null;
        }
        if ((before != null && before.getValue().offset() + before.getValue().length() > offset)
                || overlapsAfter(q, offset, end)) {
            kill(q);                                             // RFC 5722: the whole datagram goes
            packet.release();
            return null;
        }
        if (memory + packet.truesize() > highThresh) {
            kill(q);
            packet.release();
            return null;
        }
        q.fragments.put(offset, new Fragment(offset, length, packet, dataIndex));
        q.memory += packet.truesize();
        memory += packet.truesize();
        q.received += length;
        q.maxEnd = Math.max(q.maxEnd, end);
        if (offset == 0) {
            q.unfragmentable = fragmentHeader - header;
            q.firstNextHeader = fh.nextHeader();
            q.previousNextHeader = previousNextHeader - header;
        }
        if (q.total >= 0 && q.received == q.total && q.unfragmentable >= 0) {
            return rebuild(q);
        }
        return null;
    }

    private static boolean overlapsAfter(Queue q, int offset, int end) {
        Map.Entry<Integer, Fragment> after = q.fragments.higherEntry(offset);
        return after != null && after.getKey() < end;
    }

    /** {@code ip6_frag_reasm}. */
    private Reassembled rebuild(Queue q) {
        Fragment first = q.fragments.firstEntry().getValue();
        ByteBuf from = first.packet().buf();
        int firstHeader = first.dataIndex() - Ipv6FragmentHeader.LENGTH - q.unfragmentable;
        int payload = q.unfragmentable - Ipv6Packet.HEADER_LENGTH + q.total;
        if (payload > Ipv6Packet.MAX_PAYLOAD_LENGTH) {
            kill(q);
            return null;
        }
        Packet whole = allocator.allocate(Ip6Output.HEADROOM, q.unfragmentable + q.total);
        ByteBuf out = whole.buf();
        int at = out.writerIndex();
        out.setBytes(at, from, firstHeader, q.unfragmentable);
        out.setByte(at + q.previousNextHeader, q.firstNextHeader);
        Ipv6Packet.at(out, at).setPayloadLength(payload);
        int position = at + q.unfragmentable;
        for (Fragment f : q.fragments.values()) {
            out.setBytes(position, f.packet().buf(), f.dataIndex(), f.length());
            position += f.length();
        }
        out.writerIndex(position);
        whole.resetNetworkHeader();
        whole.protocol(EtherType.IPV6);
        whole.device(first.packet().device());
        Reassembled result = new Reassembled(whole, at + q.unfragmentable, q.firstNextHeader,
                at + q.previousNextHeader);
        discard(q);
        queues.remove(q.key);
        q.timer.cancel();
        mib.inc(Ip6Mib.ReasmOKs);
        return result;
    }

    /** The datagram is given up: its fragments go, and it stays dead until its time is up. */
    private void kill(Queue q) {
        if (!q.dead) {
            mib.inc(Ip6Mib.ReasmFails);
        }
        discard(q);
        q.dead = true;
    }

    private void discard(Queue q) {
        for (Fragment f : q.fragments.values()) {
            f.packet().release();
        }
        q.fragments.clear();
        memory -= q.memory;
        q.memory = 0;
    }

    /** {@code ip6_frag_expire}: Time Exceeded to the source when the first fragment is in (RFC 8200 4.5). */
    private void expire(Queue q) {
        List<Packet> first = new ArrayList<>(1);
        synchronized (this) {
            if (queues.get(q.key) != q) {
                return;
            }
            queues.remove(q.key);
            if (q.dead) {
                return;
            }
            mib.inc(Ip6Mib.ReasmTimeout);
            mib.inc(Ip6Mib.ReasmFails);
            Map.Entry<Integer, Fragment> head = q.fragments.firstEntry();
            if (head != null && head.getKey() == 0) {
                first.add(head.getValue().packet());
                q.fragments.remove(0);
                memory -= head.getValue().packet().truesize();
                q.memory -= head.getValue().packet().truesize();
            }
            discard(q);
        }
        for (Packet p : first) {
            try {
                icmp.sendError(p, p.buf().readerIndex(), Icmpv6Types.TIME_EXCEED, Icmpv6Types.EXC_FRAGTIME, 0, false);
            } finally {
                p.release();
            }
        }
    }

    /** Drops every queue (IPv6 stopping). */
    public synchronized void clear() {
        for (Queue q : queues.values()) {
            q.timer.cancel();
            discard(q);
        }
        queues.clear();
    }
}
