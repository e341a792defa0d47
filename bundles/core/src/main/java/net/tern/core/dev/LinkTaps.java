package net.tern.core.dev;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.LongAdder;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketTap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The taps attached to one link: its share of {@code ptype_all}, as
 * {@code dev_queue_xmit_nit} and {@code deliver_skb} walk it for every packet.
 *
 * <p>The taps live in an array behind a volatile field, replaced whole when a tap comes or
 * goes (rare), so the data path pays one volatile read and a length check while no tap is
 * attached, and walks the array without a lock while some are. Each tap gets a read-only
 * view of the packet's readable bytes, sharing its memory: nothing is copied or retained, so
 * the packet's ownership is untouched whatever the tap does.
 */
final class LinkTaps {
    private static final Logger LOG = LoggerFactory.getLogger(LinkTaps.class);
    private static final PacketTap[] NONE = new PacketTap[0];

    private volatile PacketTap[] taps = NONE;
    private final LongAdder failures = new LongAdder();

    /** Whether any tap is attached: the data path's only cost when none is. */
    boolean isEmpty() {
        return taps.length == 0;
    }

    synchronized void add(PacketTap tap) {
        PacketTap[] now = taps;
        for (PacketTap t : now) {
            if (t == tap) {
                return;
            }
        }
        PacketTap[] next = new PacketTap[now.length + 1];
        System.arraycopy(now, 0, next, 0, now.length);
        next[now.length] = tap;
        taps = next;
    }

    synchronized boolean remove(PacketTap tap) {
        PacketTap[] now = taps;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == tap) {
                PacketTap[] next = new PacketTap[now.length - 1];
                System.arraycopy(now, 0, next, 0, i);
                System.arraycopy(now, i + 1, next, i, now.length - i - 1);
                taps = next.length == 0 ? NONE : next;
                return true;
            }
        }
        return false;
    }

    /** Lends {@code packet} to every tap, each with its own read-only view. */
    void deliver(Link link, PacketTap.Direction direction, long timestampNanos, Packet packet) {
        PacketTap[] now = taps;
        ByteBuf buf = packet.buf();
        for (PacketTap tap : now) {
            ByteBuf view = buf.slice(buf.readerIndex(), buf.readableBytes()).asReadOnly();
            try {
                tap.tap(link, direction, timestampNanos, packet.protocol(), view);
            } catch (RuntimeException | LinkageError e) {
                failures.increment();
                LOG.error("{}: packet tap {} threw on {}; the packet goes on", link.name(), tap, packet, e);
            }
        }
    }

    /** Tap calls that threw. */
    long failures() {
        return failures.sum();
    }
}
