package net.tern.shell;

import static net.tern.shell.EchoPeer.Answer.corruptReply;
import static net.tern.shell.EchoPeer.Answer.error;
import static net.tern.shell.EchoPeer.Answer.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.tern.core.testing.FakeDevice;
import net.tern.core.testing.PacketLeakCheck;
import net.tern.udp.testing.UdpTestBed;
import net.tern.wire.IcmpTypes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code net:ping} on a real stack in virtual time: to itself through {@code lo}, and to a scripted peer on eth0. */
@ExtendWith(PacketLeakCheck.class)
class PingCommandTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private UdpTestBed bed;
    private FakeDevice eth0;
    private PingCommand ping;

    @BeforeEach
    void start() throws Exception {
        bed = new UdpTestBed(); // IPv4 with lo, the socket layer, and its ping sockets
        eth0 = bed.fake("eth0", 1500, "10.0.0.1/24");
        ping = new PingCommand(bed.api());
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    /** Starts {@code net:ping args}, lets {@code peer} answer until it ends (at most a minute of stack time). */
    private PingRun.Result run(EchoPeer peer, String... args) {
        PingRun run = EchoPeer.background(ping.start(PingOptions.parse(args)));
        peer.drive(run, 60 * SECOND);
        assertThat(run.result()).as("the run ended").isDone();
        return run.result().getNow(null);
    }

    private EchoPeer peer(Map<Integer, List<EchoPeer.Answer>> answers) {
        return new EchoPeer(bed, eth0, sequence -> answers.getOrDefault(sequence, List.of()));
    }

    private long now() {
        return bed.stack().clock().nanoTime();
    }

    @Test
    void pingingItselfThroughLoopbackPrintsEachReplyAndTheStatistics() {
        PingRun.Result result = run(peer(Map.of()), "-c", "2", "127.0.0.1");

        assertThat(result.report().lines()).containsExactly(
                "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.",
                "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.000 ms",
                "64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.000 ms",
                "",
                "--- 127.0.0.1 ping statistics ---",
                "2 packets transmitted, 2 received, 0% packet loss, time 1000ms",
                "rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms");
        assertThat(result.received()).isEqualTo(2);
        assertThat(now()).as("ends with the last reply").isEqualTo(SECOND);
        assertThat(bed.inet().icmp().pingSockets()).as("socket closed").isZero();
        assertThat(bed.socketLayer().openDescriptors()).as("descriptor closed").isZero();
        assertThat(bed.stack().time().pendingTimers()).as("no timer left behind").isZero();
        assertThat(bed.icmp("OutEchos")).isEqualTo(2);
        assertThat(bed.icmp("InEchoReps")).isEqualTo(2);
    }

    @Test
    void roundTripTimesComeFromTheStackClockAndPrintAsIputilsDoes() {
        EchoPeer peer = peer(Map.of(
                1, List.of(reply(1500, TimeUnit.MICROSECONDS)),
                2, List.of(reply(12340, TimeUnit.MICROSECONDS)),
                3, List.of(reply(250, TimeUnit.MICROSECONDS)),
                4, List.of(reply(150, TimeUnit.MILLISECONDS))));

        PingRun.Result result = run(peer, "10.0.0.2");

        assertThat(result.report().lines()).containsExactly(
                "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.",
                "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=1.50 ms",
                "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=12.3 ms",
                "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=0.250 ms",
                "64 bytes from 10.0.0.2: icmp_seq=4 ttl=64 time=150 ms",
                "",
                "--- 10.0.0.2 ping statistics ---",
                "4 packets transmitted, 4 received, 0% packet loss, time 3000ms",
                "rtt min/avg/max/mdev = 0.250/41.022/150.000/63.093 ms");
        assertThat(peer.requestsSeen()).extracting(EchoPeer.Request::sequence).containsExactly(1, 2, 3, 4);
        assertThat(now()).isEqualTo(3 * SECOND + 150 * MS);
    }

    @Test
    void aLostReplyCountsAsLossOnceItsTimeoutPasses() {
        EchoPeer peer = peer(Map.of(1, List.of(reply(1, TimeUnit.MILLISECONDS)), 3, List.of(reply(1, TimeUnit.MILLISECONDS))));

        PingRun.Result result = run(peer, "-c", "3", "-W", "2", "10.0.0.2");

        assertThat(result.report().lines()).containsSubsequence(
                "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=1.00 ms",
                "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=1.00 ms",
                "3 packets transmitted, 2 received, 33.3333% packet loss, time 2000ms",
                "rtt min/avg/max/mdev = 1.000/1.000/1.000/0.000 ms");
        assertThat(result.report()).doesNotContain("icmp_seq=2");
        assertThat(now()).as("ends when request 2's timeout passes").isEqualTo(3 * SECOND);
    }

    @Test
    void noReplyAtAllReportsFullLossWithoutRoundTripTimes() {
        PingRun.Result result = run(peer(Map.of()), "-c", "2", "-W", "1.5", "10.0.0.2");

        assertThat(result.received()).isZero();
        assertThat(result.report().lines()).containsExactly(
                "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.",
                "",
                "--- 10.0.0.2 ping statistics ---",
                "2 packets transmitted, 0 received, 100% packet loss, time 1000ms");
        assertThat(now()).isEqualTo(2500 * MS);
    }

    @Test
    void icmpErrorsAboutARequestArePrintedAndCounted() {
        EchoPeer peer = peer(Map.of(
                1, List.of(error("10.0.0.254", IcmpTypes.DEST_UNREACH, IcmpTypes.HOST_UNREACH)),
                2, List.of(error("10.0.0.253", IcmpTypes.TIME_EXCEEDED, IcmpTypes.EXC_TTL)),
                3, List.of(reply(1, TimeUnit.MILLISECONDS))));

        PingRun.Result result = run(peer, "-c", "3", "10.0.0.2");

        assertThat(result.report().lines()).containsExactly(
                "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.",
                "From 10.0.0.254 icmp_seq=1 Destination Host Unreachable",
                "From 10.0.0.253 icmp_seq=2 Time to live exceeded",
                "64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=1.00 ms",
                "",
                "--- 10.0.0.2 ping statistics ---",
                "3 packets transmitted, 1 received, +2 errors, 66.6667% packet loss, time 2000ms",
                "rtt min/avg/max/mdev = 1.000/1.000/1.000/0.000 ms");
    }

    @Test
    void aRequestTheStackCannotSendIsAnErrorAndTheRunGoesOn() throws Exception {
        EchoPeer peer = peer(Map.of(1, List.of(reply(1, TimeUnit.MILLISECONDS))));
        PingRun run = EchoPeer.background(ping.start(PingOptions.parse("-c", "2", "10.0.0.2")));
        peer.drive(run, 500 * MS);
        bed.link("eth0").setUp(false); // its routes go with it

        peer.drive(run, 60 * SECOND);

        assertThat(run.result().getNow(null).report().lines()).containsExactly(
                "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.",
                "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=1.00 ms",
                "ping: sendmsg: Network is unreachable",
                "",
                "--- 10.0.0.2 ping statistics ---",
                "2 packets transmitted, 1 received, +1 errors, 50% packet loss, time 1000ms",
                "rtt min/avg/max/mdev = 1.000/1.000/1.000/0.000 ms");
        assertThat(now()).as("nothing to wait for after the failed send").isEqualTo(SECOND);
    }

    @Test
    void aDuplicateReplyIsMarkedAndCountedApart() {
        EchoPeer peer = peer(Map.of(
                1, List.of(reply(1, TimeUnit.MILLISECONDS), reply(2, TimeUnit.MILLISECONDS)),
                2, List.of(reply(1, TimeUnit.MILLISECONDS))));

        PingRun.Result result = run(peer, "-c", "2", "10.0.0.2");

        assertThat(result.report().lines()).containsSubsequence(
                "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=1.00 ms",
                "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=2.00 ms (DUP!)",
                "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=1.00 ms",
                "2 packets transmitted, 2 received, +1 duplicates, 0% packet loss, time 1000ms",
                "rtt min/avg/max/mdev = 1.000/1.333/2.000/0.472 ms");
    }

    @Test
    void aReplyWithOtherDataNamesTheFirstWrongByte() {
        PingRun.Result result = run(peer(Map.of(1, List.of(corruptReply(1, TimeUnit.MILLISECONDS)))), "-c", "1",
                "10.0.0.2");

        assertThat(result.report().lines()).containsSubsequence(
                "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=1.00 ms",
                "wrong data byte #10 should be 0xa but was 0xf5");
    }

    @Test
    void sizeTtlAndIntervalShapeTheRequests() {
        EchoPeer peer = peer(Map.of(
                1, List.of(reply(1, TimeUnit.MILLISECONDS)),
                2, List.of(reply(1, TimeUnit.MILLISECONDS)),
                3, List.of(reply(1, TimeUnit.MILLISECONDS))));

        PingRun.Result result = run(peer, "-c3", "-s", "100", "-t", "5", "-i", "0.01", "10.0.0.2");

        assertThat(result.report().lines()).containsSubsequence(
                "PING 10.0.0.2 (10.0.0.2) 100(128) bytes of data.",
                "108 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=1.00 ms",
                "3 packets transmitted, 3 received, 0% packet loss, time 20ms");
        assertThat(peer.requestsSeen()).containsExactly(
                new EchoPeer.Request(1, 5, 100), new EchoPeer.Request(2, 5, 100), new EchoPeer.Request(3, 5, 100));
    }

    @Test
    void quietPrintsOnlyTheHeaderAndTheStatistics() {
        PingRun.Result result = run(peer(Map.of()), "-q", "-c", "2", "127.0.0.1");

        assertThat(result.report().lines()).containsExactly(
                "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.",
                "",
                "--- 127.0.0.1 ping statistics ---",
                "2 packets transmitted, 2 received, 0% packet loss, time 1000ms",
                "rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms");
    }

    @Test
    void aDestinationWithoutARouteFailsAtOnceAsConnectWould() {
        assertThatThrownBy(() -> ping.ping("192.168.1.1"))
                .isInstanceOf(CommandFailedException.class).hasMessage("ping: connect: Network is unreachable");
        assertThat(bed.inet().icmp().pingSockets()).isZero();
    }

    @Test
    void badArgumentsGetPingsMessages() {
        Map<List<String>, String> cases = Map.ofEntries(
                Map.entry(List.of(), "ping: usage error: Destination address required"),
                Map.entry(List.of("-c", "0", "127.0.0.1"),
                        "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807"),
                Map.entry(List.of("-c", "many", "127.0.0.1"), "ping: invalid argument: 'many'"),
                Map.entry(List.of("-s", "70000", "127.0.0.1"), "ping: packet size 70000 is too large. Maximum is 65507"),
                Map.entry(List.of("-s", "-1", "127.0.0.1"),
                        "ping: invalid argument: '-1': out of range: 0 <= value <= 2147483647"),
                Map.entry(List.of("-i", "0.001", "127.0.0.1"),
                        "ping: cannot flood; minimal interval allowed for user is 10ms"),
                Map.entry(List.of("-i", "soon", "127.0.0.1"), "ping: bad timing interval: soon"),
                Map.entry(List.of("-W", "0", "127.0.0.1"), "ping: bad linger time: 0"),
                Map.entry(List.of("-t", "256", "127.0.0.1"),
                        "ping: invalid argument: '256': out of range: 1 <= value <= 255"),
                Map.entry(List.of("localhost"), "ping: localhost: Name or service not known"),
                Map.entry(List.of("127.0.0.1", "127.0.0.2"),
                        "ping: usage error: one destination only, got 127.0.0.1 127.0.0.2"));
        cases.forEach((args, message) -> assertThatThrownBy(() -> ping.ping(args.toArray(String[]::new)))
                .as("ping %s", args).isInstanceOf(IllegalArgumentException.class).hasMessage(message));
        assertThatThrownBy(() -> ping.ping("-x", "127.0.0.1"))
                .hasMessageStartingWith("ping: invalid option -- 'x'\nUsage");
        assertThatThrownBy(() -> ping.ping("127.0.0.1", "-c"))
                .hasMessageStartingWith("ping: option requires an argument -- 'c'\nUsage");
        assertThat(bed.inet().icmp().pingSockets()).isZero();
    }

    @Test
    void helpPrintsTheUsage() {
        assertThat(ping.ping("-h")).isEqualTo(PingOptions.USAGE).contains("-c <count>", "-W <timeout>");
    }

    @Test
    void optionsMayFollowTheDestinationAndGroup() {
        PingOptions options = PingOptions.parse("127.0.0.1", "-qc", "7", "-W2");
        assertThat(options.count()).isEqualTo(7);
        assertThat(options.quiet()).isTrue();
        assertThat(options.timeoutNanos()).isEqualTo(2 * SECOND);
        assertThat(options.intervalNanos()).isEqualTo(SECOND);
        assertThat(options.size()).isEqualTo(56);
    }

    @Test
    void withoutCountItSendsFour() {
        PingRun.Result result = run(peer(Map.of()), "127.0.0.1");
        assertThat(result.report()).contains("4 packets transmitted, 4 received, 0% packet loss, time 3000ms");
    }
}
