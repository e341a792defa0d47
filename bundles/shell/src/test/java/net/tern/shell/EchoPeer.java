package net.tern.shell;

import static net.tern.inet.testing.InetTestBed.datagram;
import static net.tern.inet.testing.InetTestBed.icmpMessage;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import net.tern.core.testing.FakeDevice;
import net.tern.inet.testing.InetTestBed;
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

    private final InetTestBed bed;
    private final FakeDevice device;
    private final IntFunction<List<Answer>> script;
    private final List<Due> due = new ArrayList<>();
    private final List<Request> requestsSeen = new ArrayList<>();

    /** {@code script}: the answers to the request with each sequence number. */
    EchoPeer(InetTestBed bed, FakeDevice device, IntFunction<List<Answer>> script) {
        this.bed = bed;
        this.device = device;
        this.script = script;
    }

    /** The requests seen, in order. */
    List<Request> requestsSeen() {
        return requestsSeen;
    }

    /**
     * Runs the stack until {@code run} ends, at most {@code limitNanos} of virtual time: steps
     * to each scripted answer and to each millisecond (when timers fire), answering requests
     * as they leave.
     */
    void drive(PingRun run, long limitNanos) {
        long end = bed.stack().clock().nanoTime() + limitNanos;
        bed.runUntilIdle();
        while (!run.result().isDone() && bed.stack().clock().nanoTime() < end) {
            collectRequests();
            long now = bed.stack().clock().nanoTime();
            long step = MILLISECOND - now % MILLISECOND;
            for (Due d : due) {
                step = Math.min(step, Math.max(0, d.atNanos() - now));
            }
            bed.advance(step, TimeUnit.NANOSECONDS);
            injectDue();
        }
        collectRequests();
    }

    private void collectRequests() {
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
