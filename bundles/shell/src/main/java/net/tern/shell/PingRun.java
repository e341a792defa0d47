package net.tern.shell;

import static net.tern.api.socket.SocketConstants.AF_INET;
import static net.tern.api.socket.SocketConstants.CLOCK_MONOTONIC;
import static net.tern.api.socket.SocketConstants.EPOLLERR;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.IPPROTO_ICMP;
import static net.tern.api.socket.SocketConstants.IP_RECVERR;
import static net.tern.api.socket.SocketConstants.IP_RECVTTL;
import static net.tern.api.socket.SocketConstants.IP_TTL;
import static net.tern.api.socket.SocketConstants.MSG_DONTWAIT;
import static net.tern.api.socket.SocketConstants.MSG_ERRQUEUE;
import static net.tern.api.socket.SocketConstants.SOCK_DGRAM;
import static net.tern.api.socket.SocketConstants.SOL_IP;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.MsgHeader;
import net.tern.api.socket.SockExtendedErr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.wire.Ipv4Address;

/**
 * One {@code ping}, as iputils' {@code ping} runs one over an ICMP ping socket
 * ({@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}): echo requests written with the
 * socket API (the stack picks the identifier and fills the checksum), replies read from the
 * socket with their TTL ({@code IP_RECVTTL}), ICMP errors from its error queue
 * ({@code IP_RECVERR}, {@code MSG_ERRQUEUE}), and iputils' report.
 *
 * <p>Timing is the stack's clock ({@code clock_gettime(CLOCK_MONOTONIC)}): {@link #run()}
 * waits in {@code ppoll} until the next request is due, a request's {@code -W} timeout
 * passes, or something comes back, so under test it runs in virtual time. It runs on the
 * calling thread; an interrupt (Ctrl-C in the shell) ends it with the statistics so far, as
 * ping does on SIGINT, and leaves the interrupt set.
 *
 * <p>A run ends once every request has been sent and each has its answer: a reply, an ICMP
 * error, or its timeout passing. A reply that comes after its timeout but before the end is
 * still printed and counted, as iputils would while it runs.
 */
final class PingRun {
    /** The reply to a request, or what stands for it. */
    private enum State { WAITING, ANSWERED, FAILED, TIMED_OUT }

    /** One request in flight: when it left, what became of it. */
    private static final class Probe {
        final long sentNanos;
        State state = State.WAITING;

        Probe(long sentNanos) {
            this.sentNanos = sentNanos;
        }
    }

    /** The report and whether anything came back (ping's exit status). */
    record Result(String report, long received) {
    }

    /** The ICMP echo header: type, code, checksum, identifier, sequence. */
    private static final int ICMP_HEADER = 8;
    private static final int ICMP_ECHO = 8;
    private static final int ICMP_ECHOREPLY = 0;
    private static final int ICMPV6_ECHO_REQUEST = 128;
    private static final int ICMPV6_ECHO_REPLY = 129;

    private final PingOptions options;
    private final SocketApi api;
    private final byte[] payload;
    private final PingStatistics statistics = new PingStatistics();
    private final List<String> lines = new ArrayList<>();
    /** Requests by the 16-bit sequence number on the wire; a number reused after 65536 requests replaces its old probe. */
    private final Map<Integer, Probe> probes = new HashMap<>();
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private final ByteBuffer request;
    private final ByteBuffer received;
    private final MsgHeader header = new MsgHeader();
    private int fd = -1;
    private int waiting;
    private long nextSendNanos;
    private long firstSendNanos;
    private long lastSendNanos;

    PingRun(PingOptions options, SocketApi api) {
        this.options = options;
        this.api = api;
        // iputils fills the data after its timestamp with 0x00, 0x01, ...; the times here come
        // from the stack's clock, so every byte carries the pattern.
        this.payload = new byte[options.size()];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        this.request = ByteBuffer.allocate(ICMP_HEADER + payload.length);
        this.received = ByteBuffer.allocate(ICMP_HEADER + payload.length + 576);
    }

    /**
     * Opens the ping socket and connects it to the destination, which picks the route and the
     * source as iputils' probe does: fails with the route's errno ({@code ping: connect: ...})
     * when there is none.
     */
    void open() {
        if (options.ipv6()) {
            open6();
            return;
        }
        try {
            fd = api.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
        } catch (ErrnoException e) {
            throw new CommandFailedException("ping: socket: " + e.errno().text(), e);
        }
        try {
            api.setsockopt(fd, SOL_IP, IP_RECVERR, 1);
            api.setsockopt(fd, SOL_IP, IP_RECVTTL, 1);
            if (options.ttl() > 0) {
                api.setsockopt(fd, SOL_IP, IP_TTL, options.ttl());
            }
            api.connect(fd, new InetSockAddr(options.destination(), 0));
        } catch (ErrnoException e) {
            close();
            throw new CommandFailedException("ping: connect: " + e.errno().text(), e);
        }
        lines.add("PING " + options.target() + " (" + Ipv4Address.format(options.destination()) + ") "
                + options.size() + "(" + (options.size() + 28) + ") bytes of data.");
    }

    /**
     * {@link #open} for ICMPv6 ({@code ping -6}): an ICMPv6 echo socket, the hop limit of each
     * reply asked for ({@code IPV6_RECVHOPLIMIT}), {@code -t} as {@code IPV6_UNICAST_HOPS}.
     * iputils' header for IPv6 counts data bytes only.
     */
    private void open6() {
        try {
            fd = api.socket(SocketConstants.AF_INET6, SOCK_DGRAM, SocketConstants.IPPROTO_ICMPV6);
        } catch (ErrnoException e) {
            throw new CommandFailedException("ping: socket: " + e.errno().text(), e);
        }
        try {
            api.setsockopt(fd, SocketConstants.SOL_IPV6, SocketConstants.IPV6_RECVHOPLIMIT, 1);
            if (options.ttl() > 0) {
                api.setsockopt(fd, SocketConstants.SOL_IPV6, SocketConstants.IPV6_UNICAST_HOPS, options.ttl());
            }
            api.connect(fd, options.destination6());
        } catch (ErrnoException e) {
            close();
            throw new CommandFailedException("ping: connect: " + e.errno().text(), e);
        }
        String address = Inet6SockAddr.formatAddress(options.destination6().high(), options.destination6().low());
        lines.add("PING " + options.target() + " (" + address + ") " + options.size() + " data bytes");
    }

    /** Completes with the report when the run ends. */
    CompletableFuture<Result> result() {
        return result;
    }

    /** Sends, waits and reads until the run ends; returns (and completes {@link #result()} with) the report. */
    Result run() {
        try {
            long now = now();
            nextSendNanos = now;
            while (true) {
                if (statistics.transmittedCount() < options.count() && now - nextSendNanos >= 0) {
                    send(now);
                    nextSendNanos = now + options.intervalNanos();
                }
                expire(now);
                if (statistics.transmittedCount() >= options.count() && waiting == 0) {
                    break;
                }
                int ready = api.sysPpoll(fd, EPOLLIN, Math.max(0, wakeAt() - now));
                if (ready == Errno.EINTR.negative()) {
                    Thread.currentThread().interrupt(); // Ctrl-C: the statistics so far, as on SIGINT
                    break;
                }
                if (ready < 0) {
                    throw new CommandFailedException("ping: poll: " + Errno.ofResult(ready).text());
                }
                now = now();
                if ((ready & EPOLLERR) != 0) {
                    readErrors();
                }
                if ((ready & EPOLLIN) != 0) {
                    readReplies(now);
                }
            }
        } finally {
            close();
        }
        return finish();
    }

    private long now() {
        try {
            return api.clockGettime(CLOCK_MONOTONIC);
        } catch (ErrnoException e) {
            throw new IllegalStateException("the stack's clock", e);
        }
    }

    /** When the loop must next look: the next request, or the first waiting request's timeout. */
    private long wakeAt() {
        long at = Long.MAX_VALUE;
        if (statistics.transmittedCount() < options.count()) {
            at = nextSendNanos;
        }
        for (Probe p : probes.values()) {
            if (p.state == State.WAITING) {
                at = Math.min(at, p.sentNanos + options.timeoutNanos());
            }
        }
        return at;
    }

    private void send(long now) {
        statistics.transmitted();
        long sent = statistics.transmittedCount();
        int sequence = (int) (sent & 0xffff);
        if (sent == 1) {
            firstSendNanos = now;
        }
        lastSendNanos = now;
        Probe earlier = probes.get(sequence);
        if (earlier != null && earlier.state == State.WAITING) {
            resolve(earlier, State.TIMED_OUT);
        }
        Probe probe = new Probe(now);
        probes.put(sequence, probe);
        waiting++;
        // The stack writes the identifier and the checksum (ping_v4_sendmsg).
        request.clear();
        request.put((byte) (options.ipv6() ? ICMPV6_ECHO_REQUEST : ICMP_ECHO)).put((byte) 0).putShort((short) 0).putShort((short) 0)
                .putShort((short) sequence).put(payload).flip();
        long result = api.sysSend(fd, request, 0, null);
        if (result < 0) {
            // A local error counts as sent, as iputils pretends; there is nothing to wait for.
            resolve(probe, State.FAILED);
            statistics.error();
            if (!options.quiet()) {
                lines.add("ping: sendmsg: " + Errno.ofResult(result).text());
            }
        }
    }

    private void expire(long now) {
        for (Probe p : probes.values()) {
            if (p.state == State.WAITING && now - (p.sentNanos + options.timeoutNanos()) >= 0) {
                resolve(p, State.TIMED_OUT);
            }
        }
    }

    /** The replies waiting, each timed now (the stack's clock when it was read). */
    private void readReplies(long now) {
        while (true) {
            received.clear();
            long n = api.sysRecv(fd, received, MSG_DONTWAIT, header.reset());
            if (n < 0) {
                return; // -EAGAIN: none left (a pending error is read from the error queue)
            }
            received.flip();
            if (n >= ICMP_HEADER && (received.get(0) & 0xff) == (options.ipv6() ? ICMPV6_ECHO_REPLY : ICMP_ECHOREPLY)) {
                reply(received, header, now);
            }
        }
    }

    private void reply(ByteBuffer message, MsgHeader from, long now) {
        int sequence = message.getShort(6) & 0xffff;
        Probe probe = probes.get(sequence);
        if (probe == null) {
            return;
        }
        long rttMicros = Math.max(0, (now - probe.sentNanos) / 1000);
        boolean duplicate = probe.state == State.ANSWERED;
        statistics.reply(rttMicros, duplicate);
        if (probe.state == State.WAITING) {
            resolve(probe, State.ANSWERED);
        } else {
            probe.state = State.ANSWERED;
        }
        if (options.quiet()) {
            return;
        }
        byte[] data = new byte[message.remaining() - ICMP_HEADER];
        message.position(ICMP_HEADER);
        message.get(data);
        StringBuilder line = new StringBuilder();
        line.append(data.length + ICMP_HEADER).append(" bytes from ")
                .append(from.from instanceof Inet6SockAddr six ? Inet6SockAddr.formatAddress(six.high(), six.low())
                        : Ipv4Address.format(((InetSockAddr) from.from).address()))
                .append(": icmp_seq=").append(sequence)
                .append(" ttl=").append(options.ipv6() ? from.control(SocketConstants.SOL_IPV6, SocketConstants.IPV6_HOPLIMIT)
                        : from.control(SOL_IP, IP_TTL)).append(" time=").append(PingStatistics.replyTime(rttMicros)).append(" ms");
        if (duplicate) {
            line.append(" (DUP!)");
        }
        if (data.length < payload.length) {
            line.append(" (truncated)");
        }
        lines.add(line.toString());
        int wrong = firstDifference(data);
        if (wrong >= 0) {
            lines.add(String.format("wrong data byte #%d should be 0x%x but was 0x%x", wrong, payload[wrong] & 0xff,
                    data[wrong] & 0xff));
        }
    }

    /** The error queue ({@code MSG_ERRQUEUE}): each error quotes the request it is about. */
    private void readErrors() {
        while (true) {
            received.clear();
            long n = api.sysRecv(fd, received, MSG_ERRQUEUE | MSG_DONTWAIT, header.reset());
            if (n < 0) {
                return;
            }
            SockExtendedErr error = header.error;
            if (n < ICMP_HEADER || error == null) {
                continue;
            }
            int sequence = received.getShort(6) & 0xffff;
            Probe probe = probes.get(sequence);
            if (probe == null) {
                continue;
            }
            statistics.error();
            if (probe.state == State.WAITING) {
                resolve(probe, State.FAILED);
            }
            if (!options.quiet()) {
                lines.add("From " + Ipv4Address.format(error.offender()) + " icmp_seq=" + sequence + " "
                        + IcmpErrorText.describe(error.type(), error.code(), error.info()));
            }
        }
    }

    private void resolve(Probe probe, State state) {
        probe.state = state;
        waiting--;
    }

    private void close() {
        if (fd >= 0) {
            try {
                api.close(fd);
            } catch (ErrnoException alreadyClosed) {
                // the run is ending either way
            }
            fd = -1;
        }
    }

    /** The statistics lines, and the report. */
    private Result finish() {
        lines.add("");
        lines.add("--- " + options.target() + " ping statistics ---");
        long elapsed = statistics.transmittedCount() == 0 ? 0 : lastSendNanos - firstSendNanos;
        lines.add(statistics.summary(elapsed));
        String rtt = statistics.rtt();
        if (rtt != null) {
            lines.add(rtt);
        }
        Result done = new Result(String.join("\n", lines), statistics.receivedCount());
        result.complete(done);
        return done;
    }

    /** The first data byte of a reply that differs from what was sent, or -1. */
    private int firstDifference(byte[] data) {
        int n = Math.min(data.length, payload.length);
        for (int i = 0; i < n; i++) {
            if (data[i] != payload[i]) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "ping " + options.target() + " (" + statistics.transmittedCount() + " sent, "
                + statistics.receivedCount() + " received" + (result.isDone() ? ", finished" : "") + ")";
    }
}
