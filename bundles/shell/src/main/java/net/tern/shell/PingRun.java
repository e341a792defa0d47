package net.tern.shell;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.tern.api.socket.ErrnoException;
import net.tern.inet.ip.EchoSocket;
import net.tern.inet.ip.IcmpEcho;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Timeout;
import net.tern.spi.net.TimerService;
import net.tern.wire.Ipv4Address;

/**
 * One {@code ping}: echo requests on the stack's timers, replies and ICMP errors from
 * {@link IcmpEcho}, round-trip times on the stack's {@link Clock}, and iputils' report.
 *
 * <p>Threading: everything after {@link #start()} runs on the network thread (timers and
 * echo listener calls run there), so the run's state takes no lock; the caller only waits
 * for {@link #result()}. {@link #stop()} asks the network thread to end the run early;
 * {@link #abandon()} gives up on a network thread that does not answer.
 *
 * <p>A run ends once every request has been sent and each has its answer: a reply, an ICMP
 * error, or its {@code -W} timeout passing. A reply that comes after its timeout but before
 * the end is still printed and counted, as iputils would while it runs.
 */
final class PingRun implements IcmpEcho.Listener {
    /** The reply to a request, or what stands for it. */
    private enum State { WAITING, ANSWERED, FAILED, TIMED_OUT }

    /** One request in flight: when it left, what became of it, its timeout. */
    private static final class Probe {
        final long sentNanos;
        State state = State.WAITING;
        Timeout timeout;

        Probe(long sentNanos) {
            this.sentNanos = sentNanos;
        }
    }

    /** The report and whether anything came back (ping's exit status). */
    record Result(String report, long received) {
    }

    private final PingOptions options;
    private final IcmpEcho echo;
    private final Clock clock;
    private final TimerService timers;
    private final byte[] payload;
    private final PingStatistics statistics = new PingStatistics();
    private final List<String> lines = new ArrayList<>();
    /**
     * Requests by the 16-bit sequence number on the wire; a number reused after 65536
     * requests replaces its old probe.
     */
    private final Map<Integer, Probe> probes = new HashMap<>();
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private EchoSocket socket;
    /** The next request's timer, once the first has gone; null after the last. */
    private Timeout nextSend;
    private int waiting;
    private long firstSendNanos;
    private long lastSendNanos;
    /** Written by the network thread, or by {@link #abandon()}; read by both. */
    private volatile boolean finished;

    PingRun(PingOptions options, IcmpEcho echo, Clock clock, TimerService timers) {
        this.options = options;
        this.echo = echo;
        this.clock = clock;
        this.timers = timers;
        // iputils fills the data after its timestamp with 0x00, 0x01, ...; the times here come
        // from the stack's clock, so every byte carries the pattern.
        this.payload = new byte[options.size()];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
    }

    /** Opens the echo endpoint and queues the first request. Any thread. */
    void start() throws ErrnoException {
        socket = echo.open(this);
        String address = Ipv4Address.format(options.destination());
        lines.add("PING " + options.target() + " (" + address + ") " + options.size() + "(" + (options.size() + 28)
                + ") bytes of data.");
        // Not kept in nextSend: the network thread may run it before this thread could store it.
        timers.schedule(0, TimeUnit.NANOSECONDS, this::sendNext);
    }

    /** Completes with the report when the run ends. */
    CompletableFuture<Result> result() {
        return result;
    }

    /** Ends the run on the network thread as soon as it gets there (an interrupted command), with the report so far. */
    void stop() {
        timers.schedule(0, TimeUnit.NANOSECONDS, () -> {
            if (!finished) {
                finish();
            }
        });
    }

    /** Gives up from the calling thread: closes the endpoint; the network thread ignores whatever is left. */
    void abandon() {
        finished = true;
        socket.close();
    }

    // ---- network thread

    private void sendNext() {
        if (finished) {
            return;
        }
        statistics.transmitted();
        long sent = statistics.transmittedCount();
        int sequence = (int) (sent & 0xffff);
        long now = clock.nanoTime();
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
        // Waiting before it leaves, so an answer however quick finds it so.
        waiting++;
        probe.timeout = timers.schedule(options.timeoutNanos(), TimeUnit.NANOSECONDS, () -> timedOut(probe));
        try {
            socket.send(options.destination(), sequence, payload, options.ttl());
        } catch (ErrnoException e) {
            // A local error counts as sent, as iputils pretends; there is nothing to wait for.
            resolve(probe, State.FAILED);
            statistics.error();
            if (!options.quiet()) {
                lines.add("ping: sendmsg: " + e.errno().text());
            }
        }
        nextSend = sent < options.count()
                ? timers.schedule(options.intervalNanos(), TimeUnit.NANOSECONDS, this::sendNext)
                : null;
        finishIfDone();
    }

    @Override
    public void echoReply(IcmpEcho.EchoReply reply) {
        if (finished) {
            return;
        }
        Probe probe = probes.get(reply.sequence());
        if (probe == null) {
            return;
        }
        long rttMicros = Math.max(0, (reply.receivedNanos() - probe.sentNanos) / 1000);
        boolean duplicate = probe.state == State.ANSWERED;
        statistics.reply(rttMicros, duplicate);
        if (probe.state == State.WAITING) {
            resolve(probe, State.ANSWERED);
        } else {
            probe.state = State.ANSWERED;
        }
        if (!options.quiet()) {
            byte[] data = reply.data();
            StringBuilder line = new StringBuilder();
            line.append(data.length + 8).append(" bytes from ").append(Ipv4Address.format(reply.from()))
                    .append(": icmp_seq=").append(reply.sequence()).append(" ttl=").append(reply.ttl())
                    .append(" time=").append(PingStatistics.replyTime(rttMicros)).append(" ms");
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
        finishIfDone();
    }

    @Override
    public void echoError(IcmpEcho.EchoError error) {
        if (finished) {
            return;
        }
        Probe probe = probes.get(error.sequence());
        if (probe == null) {
            return;
        }
        statistics.error();
        if (probe.state == State.WAITING) {
            resolve(probe, State.FAILED);
        }
        if (!options.quiet()) {
            lines.add("From " + Ipv4Address.format(error.from()) + " icmp_seq=" + error.sequence() + " "
                    + IcmpErrorText.describe(error.type(), error.code(), error.info()));
        }
        finishIfDone();
    }

    private void timedOut(Probe probe) {
        if (!finished && probe.state == State.WAITING) {
            resolve(probe, State.TIMED_OUT);
            finishIfDone();
        }
    }

    private void resolve(Probe probe, State state) {
        probe.state = state;
        waiting--;
        if (probe.timeout != null) {
            probe.timeout.cancel();
        }
    }

    private void finishIfDone() {
        if (statistics.transmittedCount() >= options.count() && waiting == 0) {
            finish();
        }
    }

    /** {@code finish()}: stops the timers, closes the endpoint, reports. */
    private void finish() {
        finished = true;
        if (nextSend != null) {
            nextSend.cancel();
            nextSend = null;
        }
        for (Probe p : probes.values()) {
            if (p.timeout != null) {
                p.timeout.cancel();
            }
        }
        socket.close();
        lines.add("");
        lines.add("--- " + options.target() + " ping statistics ---");
        long elapsed = statistics.transmittedCount() == 0 ? 0 : lastSendNanos - firstSendNanos;
        lines.add(statistics.summary(elapsed));
        String rtt = statistics.rtt();
        if (rtt != null) {
            lines.add(rtt);
        }
        result.complete(new Result(String.join("\n", lines), statistics.receivedCount()));
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

    /** For messages about the run. */
    @Override
    public String toString() {
        return "ping " + options.target() + " (" + statistics.transmittedCount() + " sent, "
                + statistics.receivedCount() + " received" + (finished ? ", finished" : "") + ")";
    }
}
