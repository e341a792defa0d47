package net.tern.inet.impl.ip;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.tern.inet.impl.snmp.EnumCounters;
import net.tern.inet.ip.IcmpSender;
import net.tern.inet.ip.InetConstants;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.TimerService;
import net.tern.wire.IcmpTypes;
import net.tern.wire.Ipv4Packet;

/**
 * Reassembly of IPv4 fragments ({@code net/ipv4/ip_fragment.c}, {@code ip_defrag}; RFC 791
 * 3.2, RFC 815), with the limits that keep a fragment flood from taking memory:
 *
 * <ul>
 * <li><b>Time</b>: a datagram not complete {@link Limits#timeoutNanos} after its first
 *     fragment came is dropped ({@code ipfrag_time}, 30 s), counted in {@code IpReasmTimeout}
 *     and {@code IpReasmFails}; if its first fragment had come, the sender gets ICMP time
 *     exceeded, fragment reassembly (RFC 792).</li>
 * <li><b>Memory</b>: fragments are charged at their true size ({@link Packet#truesize}: the
 *     whole buffer each one holds, so a 20-byte fragment in a buffer sized for the MTU costs
 *     what the buffer costs), and each queue at its own overhead. A fragment that would take
 *     the total past {@link Limits#highThresh} ({@code ipfrag_high_thresh}) or its source's
 *     share past {@link Limits#perSourceThresh} is dropped and counted in
 *     {@code IpReasmFails}, as Linux ({@code inet_frag_find}) drops every fragment while
 *     its fragments' memory is above the high threshold; since Linux 4.17 there is no low
 *     threshold to prune down to ({@code ipfrag_low_thresh} is obsolete), and queues go only
 *     when complete, void or timed out. The per-source share, which Linux does not have,
 *     stops one sender from starving the others.</li>
 * <li><b>Overlap</b>: fragments that overlap make the whole datagram void (RFC 5722's rule,
 *     applied to IPv4 as Linux does since 4.19): it is discarded ({@code IpExtReasmOverlaps},
 *     {@code IpReasmFails}) and its later fragments are dropped until its timer runs. An
 *     exact duplicate is dropped alone.</li>
 * </ul>
 *
 * <p>Input on any thread ({@code ip_rcv}) and the timers take its monitor, held for one
 * fragment or one expiry ({@code ipq}'s lock and the fragment table's, in one).
 */
public final class Reassembly {
    /** The limits, Linux's sysctls: {@code ipfrag_time}, {@code ipfrag_high_thresh}, and a per-source share. */
    public record Limits(long timeoutNanos, long highThresh, long perSourceThresh) {
        /** 30 s, 4 MiB overall, 1 MiB per source. */
        public static Limits defaults() {
            return new Limits(TimeUnit.SECONDS.toNanos(30), 4L << 20, 1L << 20);
        }
    }

    /** Charged per datagram being reassembled ({@code struct ipq}). */
    static final int QUEUE_OVERHEAD = 256;

    /** Replaced by {@link #limits(Limits)}: checked per fragment, timers set keep their time. */
    private volatile Limits limits;
    private final TimerService timers;
    private final PacketAllocator allocator;
    private final EnumCounters<IpMib> mib;
    private final EnumCounters<IpExtMib> ext;
    private final IcmpSender icmp;
    private final Map<FragQueue.Key, FragQueue> queues = new HashMap<>();
    private final Map<Integer, Long> memoryBySource = new HashMap<>();
    private long memory;

    public Reassembly(Limits limits, TimerService timers, PacketAllocator allocator, EnumCounters<IpMib> mib,
            EnumCounters<IpExtMib> ext, IcmpSender icmp) {
        this.limits = limits;
        this.timers = timers;
        this.allocator = allocator;
        this.mib = mib;
        this.ext = ext;
        this.icmp = icmp;
    }

    /** {@code sysctl -w net.ipv4.ipfrag_*}: the next fragment is judged by these limits. */
    public void limits(Limits next) {
        this.limits = next;
    }

    /** Bytes charged now, over all datagrams. */
    public synchronized long memory() {
        return memory;
    }

    /** Bytes charged now to datagrams from {@code source}. */
    public synchronized long memoryOf(int source) {
        return memoryBySource.getOrDefault(source, 0L);
    }

    /** Datagrams being reassembled (or discarded and waiting for their timer). */
    public synchronized int queues() {
        return queues.size();
    }

    /**
     * {@code ip_defrag}: takes a fragment (data at its validated IP header, network header
     * set) and returns the whole datagram once its last missing piece arrives, or null while
     * it is incomplete or when the fragment was dropped. Takes ownership of {@code fragment}.
     */
    public synchronized Packet defrag(Packet fragment) {
        mib.inc(IpMib.ReasmReqds);
        ByteBuf buf = fragment.buf();
        Ipv4Packet ip = Ipv4Packet.at(buf, buf.readerIndex());
        FragQueue.Key key = new FragQueue.Key(ip.source(), ip.destination(), ip.identification(), ip.protocol());
        int headerLength = ip.headerLength();
        int offset = ip.fragmentOffset();
        int end = offset + fragment.length() - headerLength;
        boolean more = ip.moreFragments();
        long truesize = fragment.truesize();

        FragQueue q = queues.get(key);
        if (q != null && q.discarded) {
            fragment.release();
            return null;
        }
        long charge = truesize + (q == null ? QUEUE_OVERHEAD : 0);
        if (memory + charge > limits.highThresh() || memoryOf(key.source()) + charge > limits.perSourceThresh()) {
            mib.inc(IpMib.ReasmFails);
            fragment.release();
            return null;
        }
        if (q == null) {
            q = new FragQueue(key);
            FragQueue created = q;
            queues.put(key, q);
            charge(q, QUEUE_OVERHEAD);
            q.timer = timers.schedule(limits.timeoutNanos(), TimeUnit.NANOSECONDS, () -> expire(created));
        }

        // ip_frag_queue's checks on what this fragment says about the datagram's length.
        if (end + headerLength > Ipv4Packet.MAX_TOTAL_LENGTH) {
            return discard(q, fragment, false);
        }
        if (!more) {
            if (end < q.length || (q.lastIn && end != q.length)) {
                return discard(q, fragment, false);
            }
            q.lastIn = true;
            q.length = end;
        } else {
            if ((end & 7) != 0) {
                // Every fragment but the last carries a multiple of 8 bytes; cut the excess.
                end &= ~7;
                fragment.trim(headerLength + end - offset);
            }
            if (end > q.length) {
                if (q.lastIn) {
                    return discard(q, fragment, false);
                }
                q.length = end;
            }
        }
        if (end <= offset) {
            return discard(q, fragment, false);
        }
        int at = q.insertionPoint(offset, end);
        if (at == -1) {
            fragment.release(); // an exact duplicate: harmless, dropped alone
            return null;
        }
        if (at == -2) {
            return discard(q, fragment, true);
        }
        q.fragments.add(at, new FragQueue.Fragment(offset, end, fragment, buf.readerIndex() + headerLength, truesize));
        q.meat += end - offset;
        charge(q, truesize);
        if (offset == 0) {
            q.firstIn = true;
        }
        if (ip.dontFragment()) {
            q.dontFragment = true;
        }
        return q.complete() ? reassemble(q) : null;
    }

    /** {@code ip_frag_reasm}: joins the fragments into one datagram and forgets the queue. */
    private Packet reassemble(FragQueue q) {
        FragQueue.Fragment first = q.fragments.get(0);
        FragQueue.Fragment last = q.fragments.get(q.fragments.size() - 1);
        ByteBuf firstBuf = first.packet().buf();
        int headerLength = first.payloadIndex() - firstBuf.readerIndex();
        int total = headerLength + q.length;
        if (total > Ipv4Packet.MAX_TOTAL_LENGTH) {
            return discard(q, null, false);
        }
        Packet whole = allocator.allocate(InetConstants.MAX_IP_HEADROOM, total);
        ByteBuf out = whole.buf();
        int start = out.writerIndex();
        out.writeBytes(firstBuf, firstBuf.readerIndex(), headerLength);
        for (FragQueue.Fragment f : q.fragments) {
            out.setBytes(start + headerLength + f.offset(), f.packet().buf(), f.payloadIndex(), f.end() - f.offset());
        }
        out.writerIndex(start + total);
        Ipv4Packet.at(out, start).setTotalLength(total).setFragmentWord(q.dontFragment ? Ipv4Packet.FLAG_DF : 0)
                .fillChecksum();
        whole.protocol(EtherType.IPV4).device(last.packet().device()).timestampNanos(last.packet().timestampNanos());
        whole.resetNetworkHeader();
        forget(q);
        mib.inc(IpMib.ReasmOKs);
        return whole;
    }

    /**
     * {@code inet_frag_kill}: the datagram is void. Its fragments are released and the queue
     * stays, empty, until its timer, so later fragments are dropped. Returns null for the caller.
     */
    private Packet discard(FragQueue q, Packet fragment, boolean overlap) {
        if (fragment != null) {
            fragment.release();
        }
        if (overlap) {
            ext.inc(IpExtMib.ReasmOverlaps);
        }
        mib.inc(IpMib.ReasmFails);
        for (FragQueue.Fragment f : q.fragments) {
            f.packet().release();
            charge(q, -f.truesize());
        }
        q.fragments.clear();
        q.meat = 0;
        q.discarded = true;
        return null;
    }

    /** {@code ip_expire}: the timer of {@code q} ran. */
    private synchronized void expire(FragQueue q) {
        if (queues.get(q.key) != q) {
            return;
        }
        if (q.discarded) {
            forget(q);
            return;
        }
        mib.inc(IpMib.ReasmFails);
        mib.inc(IpMib.ReasmTimeout);
        if (q.firstIn && !q.fragments.isEmpty() && q.fragments.get(0).offset() == 0) {
            icmp.send(q.fragments.get(0).packet(), IcmpTypes.TIME_EXCEEDED, IcmpTypes.EXC_FRAGTIME, 0);
        }
        forget(q);
    }

    /** Releases what {@code q} holds, uncharges it, cancels its timer and removes it. */
    private void forget(FragQueue q) {
        for (FragQueue.Fragment f : q.fragments) {
            f.packet().release();
        }
        q.fragments.clear();
        charge(q, -q.memory);
        if (q.timer != null) {
            q.timer.cancel();
        }
        queues.remove(q.key, q);
    }

    private void charge(FragQueue q, long bytes) {
        q.memory += bytes;
        memory += bytes;
        memoryBySource.merge(q.key.source(), bytes, Long::sum);
        if (memoryBySource.get(q.key.source()) == 0L) {
            memoryBySource.remove(q.key.source());
        }
    }

    /** Drops every datagram being reassembled (the stack is stopping). */
    public synchronized void clear() {
        for (FragQueue q : new ArrayList<>(queues.values())) {
            forget(q);
        }
    }

    /** For tests: the number of fragments held in all queues. */
    int fragmentsHeld() {
        int n = 0;
        for (FragQueue q : queues.values()) {
            n += q.fragments.size();
        }
        return n;
    }

    List<FragQueue.Key> keys() {
        return List.copyOf(queues.keySet());
    }
}
