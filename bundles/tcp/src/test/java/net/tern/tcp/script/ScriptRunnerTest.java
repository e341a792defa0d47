package net.tern.tcp.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.tern.core.testing.PacketLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What {@link ScriptRunner} checks, and how a script that does not hold fails. */
@ExtendWith(PacketLeakCheck.class)
class ScriptRunnerTest {
    /** A passive open to a listener on fd 3, the connection accepted as fd 4, without timestamps. */
    private static final String ESTABLISHED = """
            0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0    bind(3, ..., ...) = 0
            +0    listen(3, 1) = 0
            +0    < S 0:0(0) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>
            +0    > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
            +.1   < . 1:1(0) ack 1 win 514
            +0    accept(3, ..., ...) = 4
            """;

    /** {@link #ESTABLISHED} without tail loss probes, for scripts that watch the retransmission timer itself. */
    private static final String ESTABLISHED_NO_TLP = "`sysctl -q net.ipv4.tcp_early_retrans=0`\n" + ESTABLISHED;

    private static void run(String text) {
        ScriptRunner.run(ScriptParser.parse("t.pkt", text));
    }

    private static ScriptFailure failure(String text) {
        try {
            run(text);
        } catch (ScriptFailure f) {
            return f;
        }
        throw new AssertionError("the script passed:\n" + text);
    }

    @Test
    void aScriptThatHoldsRuns() {
        assertThatCode(() -> run(ESTABLISHED + "+0 %{ assert tcpi_state == TCP_ESTABLISHED }%\n")).doesNotThrowAnyException();
    }

    @Test
    void aNewDescriptorTakesTheScriptsNumberAsPacketdrillMapsIt() {
        assertThatCode(() -> run(ESTABLISHED.replace("accept(3, ..., ...) = 4", "accept(3, ..., ...) = 7")
                + "+0 write(7, ..., 10) = 10\n+0 > P. 1:11(10) ack 1\n+0 close(7) = 0\n")).doesNotThrowAnyException();
        assertThat(failure(ESTABLISHED + "+0 write(4, ..., 10) = 11\n").getMessage()).contains("write returned 10, expected 11");
    }

    @Test
    void theTunDevicesSegmentationOffloadsMayBeTurnedOffAsTheWireStaysTheSame() {
        assertThatCode(() -> run("`ethtool -K tun0 tso off gso off`\n" + ESTABLISHED)).doesNotThrowAnyException();
        assertThat(failure("`ethtool -K tun0 gro off`\n" + ESTABLISHED).getMessage())
                .contains("unsupported shell command").contains("ethtool -K tun0 gro off");
    }

    @Test
    void aWrongOutboundLineReportsScriptLineExpectedAndActual() {
        ScriptFailure f = failure(ESTABLISHED + "+0 write(4, ..., 10) = 10\n+0 > P. 1:21(20) ack 1\n");
        assertThat(f.line()).isEqualTo(9);
        assertThat(f.getMessage()).startsWith("t.pkt:9: sequence 1:11(10), expected 1:21(20)")
                .contains("expected: +0 > P. 1:21(20) ack 1")
                .contains("actual: 0.100000 > P. 1:11(10) ack 1 win 508"); // as Linux 6.18 offers: 129940 aligned up
    }

    @Test
    void anOutboundLineWithoutOptionsExpectsNone() {
        ScriptFailure f = failure("""
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
                +0 > S 0:0(0) win 65535
                """);
        assertThat(f.getMessage()).contains("options <mss 1460,sackOK,TS val")
                .contains("expected <>");
    }

    @Test
    void aSegmentOutsideTheToleranceIsLateOrEarly() {
        String script = ESTABLISHED + "+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1\n";
        // The retransmission comes at +300 ms (RTO after a 100 ms sample).
        assertThat(failure(script + "+.2 > P. 1:11(10) ack 1\n").getMessage())
                .contains("expected an outbound segment at 0.300000, but the stack sent nothing by 0.304000");
        assertThat(failure(script + "+.4 > P. 1:11(10) ack 1\n").getMessage())
                .contains("the segment left too early: at 0.400000, expected 0.500000 ± 4000 us");
        assertThatCode(() -> run(script + "+.297 > P. 1:11(10) ack 1\n")).doesNotThrowAnyException();
        assertThatCode(() -> run(script + "+.25~+.35 > P. 1:11(10) ack 1\n")).doesNotThrowAnyException();
        assertThatCode(() -> run(script + "* > P. 1:11(10) ack 1\n")).doesNotThrowAnyException();
        assertThatCode(() -> run("--tolerance_usecs=50000\n" + script + "+.26 > P. 1:11(10) ack 1\n"))
                .doesNotThrowAnyException();
    }

    @Test
    void consecutiveSegmentsMergeUnlessStrict() {
        String script = ESTABLISHED + "+0 write(4, ..., 2920) = 2920\n+0 > P. 1:2921(2920) ack 1\n";
        assertThatCode(() -> run(script)).doesNotThrowAnyException();
        assertThat(failure("--strict_segments\n" + script).getMessage())
                .contains("flags ., expected P.; sequence 1:1461(1460), expected 1:2921(2920)");
        assertThatCode(() -> run("--strict_segments\n" + ESTABLISHED + """
                +0 write(4, ..., 2920) = 2920
                +0 > . 1:1461(1460) ack 1
                +0 > P. 1461:2921(1460) ack 1
                """)).doesNotThrowAnyException();
    }

    @Test
    void systemCallResultsAndErrnosAreChecked() {
        // A call that blocks without start...end timing holds the script; nothing wakes this one.
        assertThat(failure(ESTABLISHED + "+0 read(4, ..., 10) = 10\n").getMessage())
                .contains("t.pkt:8: read blocked, and no timer of the stack woke it by 600.100000");
        assertThat(failure(ESTABLISHED + "+0...1 read(4, ..., 10) = 10\n").getMessage())
                .contains("t.pkt:8: the blocking call never returned");
        String nonBlocking = ESTABLISHED + "+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n";
        assertThatCode(() -> run(nonBlocking + "+0 read(4, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)\n"))
                .doesNotThrowAnyException();
        assertThat(failure(nonBlocking + "+0 read(4, ..., 10) = 0\n").getMessage())
                .contains("read failed: -1 EAGAIN").contains("expected 0");
        assertThat(failure(ESTABLISHED + "+0 listen(4, 1) = -1 EBADF\n").getMessage())
                .contains("listen returned -1 EINVAL").contains("expected -1 EBADF");
        assertThat(failure(ESTABLISHED + "+0 getsockopt(4, SOL_SOCKET, SO_RCVBUF, [1], [4]) = 0\n").getMessage())
                .contains("getsockopt gave 262144, expected 1");
        assertThatCode(() -> run(ESTABLISHED + "+0 close(9) = -1 EBADF (Bad file descriptor)\n")).doesNotThrowAnyException();
    }

    @Test
    void aBlockingReadReturnsWhenDataArriveAndItsReturnTimeIsChecked() {
        String script = ESTABLISHED + """
                +0...0.2 read(4, ..., 100) = 10
                +.2 < P. 1:11(10) ack 1 win 514
                +0 > . 1:1(0) ack 11
                """;
        assertThatCode(() -> run(script)).doesNotThrowAnyException();
        assertThat(failure(script.replace("+0...0.2", "+0...0.1")).getMessage())
                .contains("the call returned at 0.300000, expected at 0.200000");
    }

    @Test
    void aSegmentSentByTheEndThatNoLineExpectsIsIgnoredAsPacketdrillDoesButFailsAStrictScript() {
        // packetdrill reads the stack's segments only when a line expects one: what is sent
        // after the last such line is not checked (the corpus relies on it, e.g.
        // validate/validate-established-no-flags.pkt, which passes on Linux 6.18).
        assertThatCode(() -> run(ESTABLISHED + "+0 write(4, ..., 10) = 10\n")).doesNotThrowAnyException();
        ScriptFailure f = failure("--strict_segments\n" + ESTABLISHED + "+0 write(4, ..., 10) = 10\n");
        assertThat(f.line()).isEqualTo(9);
        assertThat(f.getMessage()).contains("the stack sent 1 segment(s) by the script's end that no line expects")
                .contains("0.100000 > P. 1:11(10) ack 1");
        assertThatCode(() -> run(ESTABLISHED + "+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1\n"))
                .doesNotThrowAnyException();
    }

    @Test
    void descriptorNumbersAreTheStacksOwnUnlessTheScriptNamesAnother() {
        // A descriptor closed is free for the next socket, lowest first.
        assertThatCode(() -> run(ESTABLISHED + """
                +0 close(4) = 0
                +0 > F. 1:1(0) ack 1
                +0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4
                """)).doesNotThrowAnyException();
    }

    @Test
    void blockingCallsWaitInTheSocketLayer() {
        // The descriptor is blocking as accept made it: the read sleeps in the socket layer
        // until data come; made non-blocking with fcntl, the socket layer says EAGAIN.
        String script = ESTABLISHED + """
                +0 fcntl(4, F_GETFL) = 0x2
                +0...0.1 read(4, ..., 100) = 10
                +.1 < P. 1:11(10) ack 1 win 514
                +0 > . 1:1(0) ack 11
                """;
        assertThatCode(() -> run(script)).doesNotThrowAnyException();
        assertThatCode(() -> run(ESTABLISHED + """
                +0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0 fcntl(4, F_GETFL) = 0x802
                +0 read(4, ..., 100) = -1 EAGAIN (Resource temporarily unavailable)
                """)).doesNotThrowAnyException();
        // A lingering close waits for the ACK of its FIN (close/linger-close.pkt), on the socket
        // layer's linger deadline when none comes: 2 s, during which the FIN is sent again.
        assertThatCode(() -> run(ESTABLISHED_NO_TLP + """
                +0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=2}, 8) = 0
                +0...2 close(4) = 0
                +0 > F. 1:1(0) ack 1
                +.3 > F. 1:1(0) ack 1
                +.6 > F. 1:1(0) ack 1
                +1.2 > F. 1:1(0) ack 1
                """)).doesNotThrowAnyException();
    }

    @Test
    void aCallThatBlocksWithoutItsEndTimeHoldsTheScriptAndTheNextLineIsLate() {
        // A blocking read that only the keepalive timeout ends (probe at 1.1 s, reset at 2.1 s).
        String script = ESTABLISHED + """
                +0 setsockopt(4, SOL_SOCKET, SO_KEEPALIVE, [1], 4) = 0
                +0 setsockopt(4, IPPROTO_TCP, TCP_KEEPIDLE, [1], 4) = 0
                +0 setsockopt(4, IPPROTO_TCP, TCP_KEEPINTVL, [1], 4) = 0
                +0 setsockopt(4, IPPROTO_TCP, TCP_KEEPCNT, [1], 4) = 0
                +0 read(4, ..., 10) = -1 ETIMEDOUT
                """;
        // The read holds the script while the stack's timers run; what they sent meanwhile is
        // matched by the lines after it, each at the time it was sent.
        assertThatCode(() -> run(script + "+1 > . 0:0(0) ack 1\n+1 > R. 1:1(0) ack 1\n")).doesNotThrowAnyException();
        assertThat(failure(script + "+.5 < . 1:1(0) ack 1 win 514\n").getMessage())
                .contains("t.pkt:13: the line is late: due at 0.600000, but the call at line 12")
                .contains("blocked the script until 2.100000");
    }

    @Test
    void tcpInfoAssertionsNameTheFailingExpressionAndValues() {
        ScriptFailure f = failure(ESTABLISHED + "+0 %{ assert tcpi_snd_cwnd == 11 }%\n");
        assertThat(f.getMessage()).contains("assertion failed: tcpi_snd_cwnd == 11 where tcpi_snd_cwnd = 10");
        assertThat(failure(ESTABLISHED + "+0 %{ assert tcpi_nonsense == 1 }%\n").getMessage())
                .contains("unknown name 'tcpi_nonsense'");
    }

    @Test
    void inboundTimestampEchoesAreMappedToTheStacksValues() {
        // The stack's real TS val is not 200; the echo of "200" must reach it as its own value,
        // or the RTT it measures from the echo would be absurd.
        assertThatCode(() -> run("""
                0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0    bind(3, ..., ...) = 0
                +0    listen(3, 1) = 0
                +0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
                +0    > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 200 ecr 100,nop,wscale 8>
                +.9   < . 1:1(0) ack 1 win 514 <nop,nop,TS val 1000 ecr 200>
                +0    accept(3, ..., ...) = 4
                +0    %{ assert tcpi_rtt == 900000 }%
                """)).doesNotThrowAnyException();
        assertThat(failure(ESTABLISHED.replace("<mss 1460,nop,nop,sackOK,nop,wscale 7>",
                "<mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>").replace("<mss 1460,nop,nop,sackOK,nop,wscale 8>",
                "<mss 1460,sackOK,TS val 200 ecr 99,nop,wscale 8>")).getMessage()).contains("TS ecr 100, expected 99");
    }

    @Test
    void unsupportedCommandsAndOptionsAreRefusedByName() {
        assertThat(failure("`ip link set tun0 mtu 1400`\n").getMessage())
                .contains("unsupported shell command");
        assertThat(failure("0 `tc qdisc add dev tun0 root fq`\n").getMessage())
                .contains("only `pfifo limit N` and `netem ...`");
        assertThat(failure("0 `tc qdisc add dev lo root pfifo limit 0`\n").getMessage())
                .contains("unsupported tc command");
        assertThat(failure("0 `sysctl -q net.ipv4.tcp_ecn=1`\n").getMessage())
                .contains("sysctl net.ipv4.tcp_ecn=1: Tern has no setting for net.ipv4.tcp_ecn");
        assertThat(failure("`sysctl -q net.ipv4.tcp_syn_linear_timeouts=4`\n").getMessage())
                .contains("it always behaves as net.ipv4.tcp_syn_linear_timeouts=0");
        // The test stack has the algorithms Linux builds in: reno and cubic (its default).
        assertThatCode(() -> run("`sysctl -q net.ipv4.tcp_congestion_control=cubic`\n")).doesNotThrowAnyException();
        assertThat(failure("`sysctl -q net.ipv4.tcp_congestion_control=vegas`\n").getMessage())
                .contains("tcp_congestion_control=vegas: the test stack has reno and cubic only");
        // tcp_cubic's module parameters are CUBIC's options.
        assertThatCode(() -> run("`echo 3 > /sys/module/tcp_cubic/parameters/hystart_detect`\n"))
                .doesNotThrowAnyException();
        assertThat(failure("`echo 1 > /sys/module/tcp_cubic/parameters/hystart_detect_x`\n").getMessage())
                .contains("Tern's CUBIC has no parameter hystart_detect_x");
        assertThat(failure("`echo 800 > /sys/module/tcp_cubic/parameters/beta`\n").getMessage())
                .contains("tcp_cubic beta is always 717 in Tern");
        assertThat(failure("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 mmap(3, 4096) = 0\n").getMessage())
                .contains("unsupported system call mmap");
        assertThatThrownBy(() -> run("--bogus=1\n0 close(3) = -1 EBADF\n")).hasMessageContaining("unknown option --bogus");
    }

    @Test
    void sysctlLinesSetTheStackAsConfigAdminWould() {
        // tcp_rmem[2] of 32 MiB gives window scale 10 (Tern's default 15 MiB gives 8); the init
        // command without a time runs before the script's time 0, as packetdrill's.
        String handshake = """
                0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0    bind(3, ..., ...) = 0
                +0    listen(3, 1) = 0
                +0    < S 0:0(0) win 65535 <mss 1460,nop,nop,sackOK,nop,wscale 7>
                +0    > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 10>
                """;
        assertThatCode(() -> run("`sysctl -q net.ipv4.tcp_rmem=\"4096 262144 33554432\" net.ipv4.tcp_sack=1`\n" + handshake))
                .doesNotThrowAnyException();
        assertThat(failure(handshake).getMessage()).contains("<mss 1460,nop,nop,sackOK,nop,wscale 8>");
        // tcp_syn_retries=2 (with tcp_syn_linear_timeouts=0, Tern's only schedule): ETIMEDOUT after 1 + 2 + 4 s.
        assertThatCode(() -> run("""
                `sysctl -q net.ipv4.tcp_syn_retries=2 net.ipv4.tcp_syn_linear_timeouts=0`
                0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0...7 connect(3, ..., ...) = -1 ETIMEDOUT (Connection timed out)
                0     > S 0:0(0) <...>
                1     > S 0:0(0) <...>
                3     > S 0:0(0) <...>
                7.1   close(3) = 0
                """)).doesNotThrowAnyException();
    }

    @Test
    void shellWordsAreSplitAsTheShellSplitsThem() {
        assertThat(ScriptRunner.shellWords("sysctl -q net.ipv4.tcp_rmem=\"4096 131072 6291456\"  a='b c'"))
                .containsExactly("sysctl", "-q", "net.ipv4.tcp_rmem=4096 131072 6291456", "a=b c");
    }

    @Test
    void epollReportsEdgesAsTheScriptSays() {
        // Edge-triggered: EPOLLOUT once at registration, then nothing until data comes in.
        String script = ESTABLISHED + """
                +0    epoll_create(1) = 5
                +0    epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT|EPOLLIN|EPOLLET, fd=4}) = 0
                +0    epoll_wait(5, {events=EPOLLOUT, fd=4}, 1, 0) = 1
                +0    epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0
                +.1   < P. 1:1001(1000) ack 1 win 514
                +0    > . 1:1(0) ack 1001
                +0    epoll_wait(5, {events=EPOLLIN|EPOLLOUT, fd=4}, 1, 0) = 1
                """;
        assertThatCode(() -> run(script)).doesNotThrowAnyException();
        assertThat(failure(script.replace("{events=EPOLLIN|EPOLLOUT, fd=4}, 1, 0) = 1",
                "{events=EPOLLOUT, fd=4}, 1, 0) = 1")).getMessage())
                .contains("epoll_wait gave EpollEvent[IN|OUT, data=4], expected EpollEvent[OUT, data=4]");
        assertThat(failure(script.replace("{events=0, ptr=0}, 1, 0) = 0", "{events=0, ptr=0}, 1, 0) = 1")).getMessage())
                .contains("epoll_wait returned 0, expected 1");
    }

    @Test
    void pollOverSeveralLinesWaitsForItsEvents() {
        // A blocking poll returns when the data arrives, 50 ms after it started.
        String script = ESTABLISHED + """
                +0...0.05 poll([{fd=4,
                                 events=POLLIN,
                                 revents=POLLIN}], 1, 1000) = 1
                +.05  < P. 1:1001(1000) ack 1 win 514
                +0    > . 1:1(0) ack 1001
                +0    poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLIN|POLLOUT}], 1, 0) = 1
                """;
        assertThatCode(() -> run(script)).doesNotThrowAnyException();
        assertThat(failure(script.replace("revents=POLLIN|POLLOUT}", "revents=POLLOUT}")).getMessage())
                .contains("poll gave revents IN|OUT, expected OUT");
    }

    @Test
    void tsValIsCheckedInTicksWhenTheScriptGivesTheirLength() {
        String script = """
                --tcp_ts_tick_usecs=1000
                0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0    bind(3, ..., ...) = 0
                +0    listen(3, 1) = 0
                +0    < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
                +0    > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 700 ecr 100,nop,wscale 8>
                +.1   < . 1:1(0) ack 1 win 514 <nop,nop,TS val 200 ecr 700>
                +0    accept(3, ..., ...) = 4
                +0    write(4, ..., 10) = 10
                +0    > P. 1:11(10) ack 1 <nop,nop,TS val 800 ecr 200>
                """;
        assertThatCode(() -> run(script)).doesNotThrowAnyException();
        // 100 ms after the SYN-ACK is 100 ticks of 1 ms: 810 is 10 ms off, beyond the 4 ms tolerance.
        assertThat(failure(script.replace("TS val 800 ecr 200", "TS val 810 ecr 200")).getMessage())
                .contains("TS val 800, expected 810 ± 4 ticks of 1000 us");
        // Without the option TS val is not compared.
        assertThatCode(() -> run(script.replace("--tcp_ts_tick_usecs=1000\n", "")
                .replace("TS val 800 ecr 200", "TS val 810 ecr 200"))).doesNotThrowAnyException();
    }

    @Test
    void aNameOneBlockAssignsIsSeenByTheBlocksAfterIt() {
        String script = ESTABLISHED_NO_TLP + """
                +0    %{ first_rto = tcpi_rto }%
                +0    write(4, ..., 1000) = 1000
                +0    > P. 1:1001(1000) ack 1
                +.3   > P. 1:1001(1000) ack 1
                +0    %{ assert tcpi_rto == 2 * first_rto }%
                """;
        assertThatCode(() -> run(script)).doesNotThrowAnyException();
        assertThat(failure(script.replace("2 * first_rto", "first_rto")).getMessage())
                .contains("assertion failed: tcpi_rto == first_rto where tcpi_rto = 600000, first_rto = 300000");
    }

    @Test
    void sendmsgAndRecvmsgMoveTheBytesOfTheirIovecs() {
        String script = ESTABLISHED + """
                +0    sendmsg(4, {msg_name(...)=...,
                                  msg_iov(2)=[{..., 100}, {iov_base=..., iov_len=200}], msg_flags=0}, 0) = 300
                +0    > P. 1:301(300) ack 1
                +.1   < P. 1:501(500) ack 301 win 514
                +0    > . 301:301(0) ack 501
                +0    recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 400}], msg_flags=0}, 0) = 400
                +0    recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 400}], msg_flags=0}, 0) = 100
                """;
        assertThatCode(() -> run(script)).doesNotThrowAnyException();
        assertThat(failure(script.replace("= 300\n", "= 301\n")).getMessage()).contains("sendmsg returned 300, expected 301");
        assertThat(failure(ESTABLISHED + "+0 recvmsg(4, {msg_iov(1)=[{..., 10}], msg_control=[{cmsg_level=SOL_TCP}]}, 0) = 0\n")
                .getMessage()).contains("a control message {cmsg_level=..., cmsg_type=..., cmsg_data=...} expected");
        assertThat(failure(ESTABLISHED + "+0 sendmsg(4, {msg_iov(1)=[{..., 10}], msg_control=[{cmsg_level=SOL_TCP, "
                + "cmsg_type=TCP_CM_INQ, cmsg_data=1}]}, 0) = 10\n").getMessage())
                .contains("sendmsg with control messages (msg_control): the socket API sends none");
        // TCP_INQ off: a receive carries no control message, and one expected is a mismatch.
        assertThat(failure(ESTABLISHED + "+0 < P. 1:11(10) ack 1 win 514\n+0 > . 1:1(0) ack 11\n"
                + "+0 recvmsg(4, {msg_iov(1)=[{..., 4}], msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, "
                + "cmsg_data=6}]}, 0) = 4\n").getMessage())
                .contains("recvmsg gave control messages [], expected [{level 6, type 36, data 6}]");
    }

    @Test
    void aNullBufferIsAnsweredWithEfault() {
        String script = ESTABLISHED + """
                +0    write(4, NULL, 1000) = -1 EFAULT (Bad address)
                +0    sendto(4, NULL, 1000, 0, ..., ...) = -1 EFAULT (Bad address)
                +0    recvfrom(4, NULL, 1000, 0, ..., ...) = -1 EFAULT (Bad address)
                +0    read(4, NULL, 1000) = -1 EFAULT (Bad address)
                """;
        assertThatCode(() -> run(script)).doesNotThrowAnyException();
        assertThat(failure(ESTABLISHED + "+0 write(4, ..., 1000) = -1 EFAULT (Bad address)\n").getMessage())
                .contains("write returned 1000, expected -1 EFAULT");
    }
}
