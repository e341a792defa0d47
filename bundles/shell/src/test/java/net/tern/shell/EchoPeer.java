package net.tern.shell;

import static net.tern.inet.testing.InetTestBed.datagram;
import static net.tern.inet.testing.InetTestBed.icmpMessage;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import net.tern.core.testing.FakeDevice;
import net.tern.udp.testing.UdpTestBed;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Packet;
import net.tern.wire.IcmpPacket;
import net.tern.wire.IcmpTypes;
import net.tern.wire.Ipv4Address;
import net.tern.wire.Ipv4Packet;
import net.tern.wire.Ipv4Repr;

/**
 * The far end of a point-to-point link in virtual time: it takes the echo requests the stack
 * sends on its {@link FakeDevice} and answers each as its script says (replies after given
 * delays, ICMP errors, or nothing), injecting the answers at exactly the scripted instants so
 * round-trip times are exact.
 */
final class EchoPeer {
    /**
     * One answer to a request: after {@code delayNanos}, an echo reply ({@code type} 0; with
     * {@code corrupt}, its data byte 10 flipped) or an error from {@code from} quoting it.
     */
    record Answer(long delayNanos, int type, int code, String from, boolean corrupt) {
        static Answer reply(long delay, TimeUnit unit) {
            return new Answer(unit.toNanos(delay), IcmpTypes.ECHO_REPLY, 0, null, false);
        }

        static Answer corruptReply(long delay, TimeUnit unit) {
            return new Answer(unit.toNanos(delay), IcmpTypes.ECHO_REPLY, 0, null, true);
        }

        static Answer error(String router, int type, int code) {
            return new Answer(0, type, code, router, false);
        }
    }

    /** A request as it left: its sequence number, TTL and data length. */
    record Request(int sequence, int ttl, int dataLength) {
    }

    private record Due(long atNanos, byte[] datagram) {
    }

    private static final long MILLISECOND = TimeUnit.MILLISECONDS.toNanos(1);

    /** Real time a run may take to reach its next wait on a busy machine. */
    private static final long WALL_BOUND_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final UdpTestBed bed;
    private final FakeDevice device;
    private final IntFunction<List<Answer>> script;
    private final List<Due> due = new ArrayList<>();
    private final List<Request> requestsSeen = new ArrayList<>();

    /** {@code script}: the answers to the request with each sequence number; {@code device} null for a run through lo only. */
    EchoPeer(UdpTestBed bed, FakeDevice device, IntFunction<List<Answer>> script) {
        this.bed = bed;
        this.device = device;
        this.script = script;
    }

    /** The requests seen, in order. */
    List<Request> requestsSeen() {
        return requestsSeen;
    }

    /** Runs {@code run}'s loop on a thread of its own, as the shell's thread would run it. */
    static PingRun background(PingRun run) {
        Thread thread = new Thread(run::run, "net:ping");
        thread.setDaemon(true);
        thread.start();
        return run;
    }

    /** {@code net:ping args} through {@code bed}'s lo, on a thread of its own, with the stack driven until it ends. */
    static PingRun.Result pingThroughLo(UdpTestBed bed, String... args) {
        PingRun run = background(new PingCommand(bed.api()).start(PingOptions.parse(args)));
        new EchoPeer(bed, null, sequence -> List.of()).drive(run, TimeUnit.MINUTES.toNanos(1));
        if (!run.result().isDone()) {
            throw new AssertionError("the ping did not end within a minute of the stack's time: " + run);
        }
        return run.result().join();
    }

    /** {@link #drive(BooleanSupplier, long)} until {@code run} ends. */
    void drive(PingRun run, long limitNanos) {
        drive(run.result()::isDone, limitNanos);
    }

    /**
     * Runs the stack until {@code done}, at most {@code limitNanos} of virtual time: steps to
     * each scripted answer and to each millisecond (when timers fire), answering requests as
     * they leave. Time moves only while the command's thread is asleep in the socket layer
     * ({@code parkedCallers}) and the network has nothing left to do, so that the command reads
     * the clock at the instant that woke it, as it would on an idle machine.
     */
    void drive(BooleanSupplier done, long limitNanos) {
        long end = bed.stack().clock().nanoTime() + limitNanos;
        settle(done);
        while (!done.getAsBoolean() && bed.stack().clock().nanoTime() < end) {
            collectRequests();
            long now = bed.stack().clock().nanoTime();
            long step = MILLISECOND - now % MILLISECOND;
            for (Due d : due) {
                step = Math.min(step, Math.max(0, d.atNanos() - now));
            }
            bed.advance(step, TimeUnit.NANOSECONDS);
            injectDue();
            settle(done);
        }
        collectRequests();
    }

    /** Waits until the command sleeps (or is done) and the network is idle with it asleep. */
    private void settle(BooleanSupplier done) {
        long deadline = System.nanoTime() + WALL_BOUND_NANOS;
        while (true) {
            while (!done.getAsBoolean() && bed.socketLayer().parkedCallers() == 0) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("the command neither slept nor ended within 60 s");
                }
                Thread.onSpinWait();
            }
            bed.runUntilIdle();
            if (done.getAsBoolean() || bed.socketLayer().parkedCallers() > 0) {
                return;
            }
        }
    }

    private void collectRequests() {
        if (device == null) {
            return; // through lo only: the stack answers itself
        }
        long now = bed.stack().clock().nanoTime();
        Packet packet;
        while ((packet = device.takeTransmitted()) != null) {
            byte[] bytes = new byte[packet.length()];
            packet.buf().getBytes(packet.buf().readerIndex(), bytes);
            packet.release();
            Ipv4Packet ip = Ipv4Packet.at(Unpooled.wrappedBuffer(bytes), 0);
            IcmpPacket icmp = IcmpPacket.at(Unpooled.wrappedBuffer(bytes), ip.headerLength());
            if (ip.protocol() != 1 || icmp.type() != IcmpTypes.ECHO) {
                continue;
            }
            requestsSeen.add(new Request(icmp.sequence(), ip.ttl(),
                    bytes.length - ip.headerLength() - IcmpPacket.HEADER_LENGTH));
            for (Answer answer : script.apply(icmp.sequence())) {
                due.add(new Due(now + answer.delayNanos(), answerTo(bytes, ip, icmp, answer)));
            }
        }
    }

    private static byte[] answerTo(byte[] request, Ipv4Packet ip, IcmpPacket icmp, Answer answer) {
        String requester = Ipv4Address.format(ip.source());
        if (answer.type() == IcmpTypes.ECHO_REPLY) {
            byte[] data = Arrays.copyOfRange(request, ip.headerLength() + IcmpPacket.HEADER_LENGTH, request.length);
            if (answer.corrupt()) {
                data[10] ^= (byte) 0xff;
            }
            return datagram(Ipv4Address.format(ip.destination()), requester, 1,
                    icmpMessage(IcmpTypes.ECHO_REPLY, 0, (icmp.identifier() << 16) | icmp.sequence(), data));
        }
        // An error quotes the request's header and its first 8 data bytes (RFC 792).
        byte[] quote = Arrays.copyOf(request, ip.headerLength() + 8);
        return datagram(Ipv4Repr.builder().source(Ipv4Address.parse(answer.from())).destination(ip.source())
                .protocol(1).payloadLength(IcmpPacket.HEADER_LENGTH + quote.length).ttl(63).identification(7).build(),
                icmpMessage(answer.type(), answer.code(), 0, quote));
    }

    private void injectDue() {
        long now = bed.stack().clock().nanoTime();
        List<Due> ready = due.stream().filter(d -> d.atNanos() <= now).toList();
        due.removeAll(ready);
        for (Due d : ready) {
            device.inject(bed.stack().packet(EtherType.IPV4, d.datagram()));
        }
        bed.runUntilIdle();
    }
}
