package net.tern.shell;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.netlink.LinkMessage;
import net.tern.netlink.Rtnetlink;
import net.tern.packet.IfPacket;
import net.tern.packet.SockAddrLl;
import net.tern.packet.TpacketStats;

/**
 * One capture on one link, as libpcap runs one on Linux: an {@code AF_PACKET} socket
 * ({@code SOCK_RAW}, {@code htons(ETH_P_ALL)}) bound to the link by {@code sll_ifindex}, with
 * {@code SO_TIMESTAMPNS} for each packet's time and a receive buffer of {@value #BUFFER_BYTES}
 * bytes (libpcap's default, set with {@code SO_RCVBUFFORCE}). {@link #pump} reads what the
 * socket holds: packets other than IP (which {@code LINKTYPE_RAW} cannot carry) and, on
 * loopback, the outgoing copy of each packet ({@code PACKET_OUTGOING}: libpcap keeps the
 * received one only, so each packet appears once) are skipped; the rest go through the filter
 * and, up to the count, into the queue the output drains. The run ends at its count, at its
 * time on the stack's monotonic clock, or when {@link #stop} is called; stopping reads what is
 * left, takes the socket's {@code PACKET_STATISTICS} and closes it.
 *
 * <p>The filter runs here, in the capture, not in the stack (Tern has no socket filters):
 * "received by filter" counts the packets that matched it plus those the socket dropped,
 * libpcap's {@code tp_packets} with a kernel filter; "dropped by kernel" is {@code tp_drops}.
 *
 * <p>Threading: one thread, the command's, uses a run.
 */
final class CaptureRun {
    /** libpcap's default buffer on Linux (2 MiB). */
    static final int BUFFER_BYTES = 2 * 1024 * 1024;

    /** One captured packet. */
    record Record(long timestampMicros, byte[] data, int originalLength) {
    }

    private final SocketApi sockets;
    private final LinkMessage link;
    private final CaptureOptions options;
    private final LongSupplier monotonicNanos;
    private final boolean loopback;
    private final ByteBuffer buffer;
    private final MsgHeader msg = new MsgHeader();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ArrayDeque<Record> queue = new ArrayDeque<>();
    private int fd = -1;
    private long startNanos;
    private long captured;
    private long matched;
    private long dropped;
    private boolean stopped;

    /** A run on {@code link}, timed by {@code monotonicNanos} (the stack's clock), keeping {@code snaplen} bytes of each packet. */
    CaptureRun(SocketApi sockets, LinkMessage link, CaptureOptions options, LongSupplier monotonicNanos, int snaplen) {
        this.sockets = sockets;
        this.link = link;
        this.options = options;
        this.monotonicNanos = monotonicNanos;
        this.loopback = (link.flags() & Rtnetlink.IFF_LOOPBACK) != 0;
        this.buffer = ByteBuffer.allocate(snaplen);
    }

    /** Opens and binds the socket; the time limit counts from here. A stack without AF_PACKET: EAFNOSUPPORT. */
    void start() throws ErrnoException {
        fd = sockets.socket(IfPacket.AF_PACKET, SocketConstants.SOCK_RAW | SocketConstants.SOCK_NONBLOCK,
                IfPacket.htons(IfPacket.ETH_P_ALL));
        try {
            sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_RCVBUFFORCE, BUFFER_BYTES);
            sockets.setsockopt(fd, SocketConstants.SOL_SOCKET, SocketConstants.SO_TIMESTAMPNS, 1);
            sockets.bind(fd, SockAddrLl.of(IfPacket.ETH_P_ALL, link.index()));
        } catch (ErrnoException e) {
            sockets.close(fd);
            fd = -1;
            throw e;
        }
        startNanos = monotonicNanos.getAsLong();
    }

    /**
     * Waits up to {@code millis} of the stack's clock (never past the run's end) for packets,
     * then {@link #pump}s. An interrupted wait ends the run.
     */
    void await(long millis) {
        if (stopped) {
            return;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(options.durationNanos() - (monotonicNanos.getAsLong() - startNanos));
        try {
            sockets.poll(fd, SocketConstants.EPOLLIN, (int) Math.max(1, Math.min(millis, left)));
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EINTR) {
                stop();
                return;
            }
            throw new CommandFailedException("capture: poll: " + e.getMessage(), e);
        }
        pump();
    }

    /** Reads every packet the socket holds now, then ends the run if its count or its time is reached. */
    void pump() {
        if (stopped) {
            return;
        }
        read();
        if (captured >= options.count() || monotonicNanos.getAsLong() - startNanos >= options.durationNanos()) {
            stop();
        }
    }

    private void read() {
        while (captured < options.count()) {
            buffer.clear();
            msg.reset();
            long n = sockets.sysRecv(fd, buffer, SocketConstants.MSG_TRUNC, msg);
            if (n == Errno.EAGAIN.negative()) {
                return;
            }
            if (n < 0) {
                // The link went down or away (ENETDOWN): tcpdump ends there too.
                stop();
                return;
            }
            SockAddrLl from = (SockAddrLl) msg.from;
            if (from.protocol() != IfPacket.ETH_P_IP && from.protocol() != IfPacket.ETH_P_IPV6
                    || loopback && from.pkttype() == IfPacket.PACKET_OUTGOING) {
                continue;
            }
            byte[] head = new byte[buffer.position()];
            buffer.flip().get(head);
            if (!options.filter().matches(head, head.length)) {
                continue;
            }
            matched++;
            queue.add(new Record(Math.floorDiv(msg.timestampNanos, 1000), head, (int) n));
            captured++;
        }
    }

    /** Ends the run: reads what is left, takes the socket's statistics and closes it. Idempotent. */
    void stop() {
        if (stopped || fd < 0) {
            stopped = true;
            done.complete(null);
            return;
        }
        read();
        stopped = true;
        try {
            TpacketStats stats = sockets.getsockopt(fd, SocketConstants.SOL_PACKET, IfPacket.PACKET_STATISTICS, TpacketStats.class);
            dropped += stats.drops();
        } catch (ErrnoException e) {
            // The family left the stack: no statistics to report beyond what was read.
        }
        try {
            sockets.close(fd);
        } catch (ErrnoException alreadyGone) {
            // Withdrawn with its family; nothing to release.
        }
        done.complete(null);
    }

    /** Completes when the count is reached, the time is up, or {@link #stop} was called. */
    CompletableFuture<Void> done() {
        return done;
    }

    /** Takes what is queued, in the order it was seen. */
    List<Record> drain() {
        List<Record> out = new ArrayList<>(queue);
        queue.clear();
        return out;
    }

    /** Packets captured (queued for output). */
    long captured() {
        return captured;
    }

    /** Packets that passed the filter, and those the socket dropped for want of room. */
    long receivedByFilter() {
        return matched + dropped;
    }

    /** Packets the socket dropped ({@code tp_drops}). */
    long dropped() {
        return dropped;
    }

    String linkName() {
        return link.name();
    }

    @Override
    public String toString() {
        return "capture on " + link.name() + " (" + captured + " captured" + (stopped ? ", stopped)" : ")");
    }
}
