package net.tern.shell;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.tern.spi.net.Clock;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkFlags;
import net.tern.spi.net.PacketTap;
import net.tern.spi.net.Timeout;
import net.tern.spi.net.TimerService;

/**
 * One capture on one link: the {@link PacketTap} that copies each packet passing the filter
 * (up to the snapshot length) into a queue, until the count is reached or its timer on the
 * stack's {@link TimerService} fires. The command's thread drains the queue into the output.
 *
 * <p>Timestamps are wall-clock microseconds from the stack {@link Clock}: the wall time read
 * once at the start plus the packet's monotonic offset from then, so they are as fine as the
 * stack clock's nanoseconds (and advance with virtual time in tests).
 *
 * <p>Threading: {@link #tap} runs on whichever thread transmits or on the network thread, so
 * the run's state is guarded by its monitor; the tap only copies bytes under it.
 */
final class CaptureRun implements PacketTap {
    /** What is held in memory before the command's thread writes it out; beyond it packets are dropped and counted. */
    static final int QUEUE_LIMIT = 65536;

    /** One captured packet. */
    record Record(long timestampMicros, byte[] data, int originalLength) {
    }

    private final Link link;
    private final CaptureOptions options;
    private final Clock clock;
    private final TimerService timers;
    private final int snaplen;
    private final boolean loopback;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ArrayDeque<Record> queue = new ArrayDeque<>();
    private long startNanos;
    private long startWallMicros;
    private Timeout timer;
    private long captured;
    private long matched;
    private long dropped;
    private boolean stopped;

    CaptureRun(Link link, CaptureOptions options, Clock clock, TimerService timers, int snaplen) {
        this.link = link;
        this.options = options;
        this.clock = clock;
        this.timers = timers;
        this.snaplen = snaplen;
        this.loopback = (link.flags() & LinkFlags.IFF_LOOPBACK) != 0;
    }

    /** Attaches the tap and arms the time limit. */
    void start() {
        synchronized (this) {
            startNanos = clock.nanoTime();
            startWallMicros = clock.currentTimeMillis() * 1000;
        }
        link.addTap(this);
        Timeout t = timers.schedule(options.durationNanos(), TimeUnit.NANOSECONDS, this::stop);
        synchronized (this) {
            timer = t;
        }
    }

    /** Detaches the tap and ends the run; what is queued stays for {@link #drain}. Idempotent. */
    void stop() {
        Timeout t;
        synchronized (this) {
            stopped = true;
            t = timer;
        }
        link.removeTap(this);
        if (t != null) {
            t.cancel();
        }
        done.complete(null);
    }

    /** Completes when the count is reached, the time is up, or {@link #stop} was called. */
    CompletableFuture<Void> done() {
        return done;
    }

    @Override
    public void tap(Link from, Direction direction, long timestampNanos, int protocol, ByteBuf data) {
        if (protocol != EtherType.IPV4 && protocol != EtherType.IPV6) {
            return; // LINKTYPE_RAW carries IP only
        }
        if (loopback && direction == Direction.TRANSMIT) {
            // Every packet lo sends it also receives: keep the received copy only, as
            // libpcap does on Linux, so each packet appears once.
            return;
        }
        int length = data.readableBytes();
        byte[] head = new byte[Math.min(length, snaplen)];
        data.getBytes(data.readerIndex(), head);
        boolean reachedCount;
        synchronized (this) {
            if (stopped || captured >= options.count() || !options.filter().matches(head, head.length)) {
                return;
            }
            matched++;
            if (queue.size() >= QUEUE_LIMIT) {
                dropped++;
                return;
            }
            long micros = startWallMicros + Math.max(0, timestampNanos - startNanos) / 1000;
            queue.add(new Record(micros, head, length));
            captured++;
            reachedCount = captured >= options.count();
        }
        if (reachedCount) {
            done.complete(null);
        }
    }

    /** Takes what is queued, in the order it was seen. */
    synchronized List<Record> drain() {
        List<Record> out = new ArrayList<>(queue);
        queue.clear();
        return out;
    }

    /** Packets captured (queued for output). */
    synchronized long captured() {
        return captured;
    }

    /** Packets that passed the filter, including those dropped for want of room. */
    synchronized long receivedByFilter() {
        return matched;
    }

    /** Packets that passed the filter but found the queue full. */
    synchronized long dropped() {
        return dropped;
    }

    Link link() {
        return link;
    }

    @Override
    public synchronized String toString() {
        return "capture on " + link.name() + " (" + captured + " captured" + (stopped ? ", stopped)" : ")");
    }
}
