package net.tern.tcp.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.tern.tcp.script.Script.Array;
import net.tern.tcp.script.Script.Code;
import net.tern.tcp.script.Script.Ellipsis;
import net.tern.tcp.script.Script.Eol;
import net.tern.tcp.script.Script.Line;
import net.tern.tcp.script.Script.Mss;
import net.tern.tcp.script.Script.Nop;
import net.tern.tcp.script.Script.Num;
import net.tern.tcp.script.Script.Packet;
import net.tern.tcp.script.Script.Sack;
import net.tern.tcp.script.Script.SackOk;
import net.tern.tcp.script.Script.Shell;
import net.tern.tcp.script.Script.Str;
import net.tern.tcp.script.Script.Struct;
import net.tern.tcp.script.Script.Sym;
import net.tern.tcp.script.Script.Syscall;
import net.tern.tcp.script.Script.TimePoint;
import net.tern.tcp.script.Script.Timestamp;
import net.tern.tcp.script.Script.Wscale;
import net.tern.wire.TcpPacket;
import org.junit.jupiter.api.Test;

/** Each syntax form {@link ScriptParser} reads, and the messages of lines it cannot. */
class ScriptParserTest {

    private static Line only(String text) {
        Script script = ScriptParser.parse("t.pkt", text);
        assertThat(script.lines()).hasSize(1);
        return script.lines().get(0);
    }

    @Test
    void timesAreAbsoluteRelativeRangesBlockingOrAny() {
        assertThat(only("0.100 close(3) = 0").timing().start()).isEqualTo(new TimePoint(false, 100_000));
        assertThat(only("+.1 close(3) = 0").timing().start()).isEqualTo(new TimePoint(true, 100_000));
        assertThat(only("+0 close(3) = 0").timing().start()).isEqualTo(new TimePoint(true, 0));
        Line range = only("+.3~+.31 > . 1:1(0) ack 1");
        assertThat(range.timing().start()).isEqualTo(new TimePoint(true, 300_000));
        assertThat(range.timing().rangeEnd()).isEqualTo(new TimePoint(true, 310_000));
        Line blocking = only("0...0.5 read(4, ..., 10) = 10");
        assertThat(blocking.timing().start()).isEqualTo(new TimePoint(false, 0));
        assertThat(blocking.timing().returnAt()).isEqualTo(new TimePoint(false, 500_000));
        // packetdrill: the end of a relative start is relative to the same previous event.
        Line relative = only("+.1...0.3 read(4, ..., 10) = 10");
        assertThat(relative.timing().start()).isEqualTo(new TimePoint(true, 100_000));
        assertThat(relative.timing().returnAt()).isEqualTo(new TimePoint(true, 300_000));
        assertThat(only("* > . 1:1(0) ack 1").timing().any()).isTrue();
    }

    @Test
    void inboundSegmentsWithFlagsRangesAckWindowAndOptions() {
        Packet p = (Packet) only("+0 < S 0:0(0) win 32792 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>").event();
        assertThat(p.inbound()).isTrue();
        assertThat(p.flags()).isEqualTo(TcpPacket.SYN);
        assertThat(p.seqStart()).isZero();
        assertThat(p.length()).isZero();
        assertThat(p.ack()).isNull();
        assertThat(p.window()).isEqualTo(32792);
        assertThat(p.options()).containsExactly(new Mss(1000), new SackOk(), new Timestamp(100L, 0L), new Nop(),
                new Wscale(7));

        Packet data = (Packet) only("+0 < P. 1:1001(1000) ack 1 win 257").event();
        assertThat(data.flags()).isEqualTo(TcpPacket.PSH | TcpPacket.ACK);
        assertThat(data.seqStart()).isEqualTo(1);
        assertThat(data.seqEnd()).isEqualTo(1001);
        assertThat(data.length()).isEqualTo(1000);
        assertThat(data.ack()).isEqualTo(1);
        assertThat(data.options()).isNull();
    }

    @Test
    void everyFlagCombinationScriptsUse() {
        assertThat(((Packet) only("0 > S. 0:0(0) ack 1 <...>").event()).flags()).isEqualTo(TcpPacket.SYN | TcpPacket.ACK);
        assertThat(((Packet) only("0 > F. 1:1(0) ack 1").event()).flags()).isEqualTo(TcpPacket.FIN | TcpPacket.ACK);
        assertThat(((Packet) only("0 > R 1:1(0)").event()).flags()).isEqualTo(TcpPacket.RST);
        assertThat(((Packet) only("0 > R. 1:1(0) ack 1").event()).flags()).isEqualTo(TcpPacket.RST | TcpPacket.ACK);
        assertThat(((Packet) only("0 > FP. 1:11(10) ack 1").event()).flags())
                .isEqualTo(TcpPacket.FIN | TcpPacket.PSH | TcpPacket.ACK);
        assertThat(((Packet) only("0 > S. 0:0(0) ack 1 <...>").event()).anyOptions()).isTrue();
        // '-': a segment with no flag at all (not even ACK), as packetdrill writes it.
        Packet none = (Packet) only("+0 < - 1:1001(1000) win 20000").event();
        assertThat(none.flags()).isZero();
        assertThat(none.length()).isEqualTo(1000);
        assertThat(none.window()).isEqualTo(20000);
    }

    @Test
    void sackBlocksEolAndEmptyOptionLists() {
        Packet p = (Packet) only("0 < . 1:1(0) ack 1 win 257 <nop,nop,sack 1001:2001 3001:4001,eol>").event();
        assertThat(p.options()).hasSize(4);
        Sack sack = (Sack) p.options().get(2);
        assertThat(sack.blocks()).satisfiesExactly(b -> assertThat(b).containsExactly(1001, 2001),
                b -> assertThat(b).containsExactly(3001, 4001));
        assertThat(p.options().get(3)).isEqualTo(new Eol());
        assertThat(((Packet) only("0 > . 1:1(0) ack 1 <>").event()).options()).isEmpty();
        assertThat(((Packet) only("0 > . 1:1(0) ack 1 <nop,nop,TS val ... ecr 5>").event()).options())
                .contains(new Timestamp(null, 5L));
    }

    @Test
    void theRemotePortExtension() {
        Packet p = (Packet) only("0 < @45001 S 0:0(0) win 100").event();
        assertThat(p.remotePort()).isEqualTo(45001);
        assertThat(((Packet) only("0 < S 0:0(0) win 100").event()).remotePort()).isNull();
    }

    @Test
    void systemCallsWithConstantsArraysStructsStringsAndErrnos() {
        Syscall socket = (Syscall) only("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3").event();
        assertThat(socket.name()).isEqualTo("socket");
        assertThat(socket.args()).containsExactly(new Ellipsis(), new Sym(List.of("SOCK_STREAM")),
                new Sym(List.of("IPPROTO_TCP")));
        assertThat(socket.expected().value()).isEqualTo(3);

        Syscall setsockopt = (Syscall) only("+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0").event();
        assertThat(setsockopt.args().get(3)).isEqualTo(new Array(List.of(new Num(1))));

        Syscall linger = (Syscall) only("+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0")
                .event();
        assertThat(((Struct) linger.args().get(3)).fields()).containsEntry("l_onoff", new Num(1))
                .containsEntry("l_linger", new Num(0));

        Syscall cc = (Syscall) only("+0 setsockopt(3, SOL_TCP, TCP_CONGESTION, \"reno\", 4) = 0").event();
        assertThat(cc.args().get(3)).isEqualTo(new Str("reno"));

        Syscall connect = (Syscall) only("+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)").event();
        assertThat(connect.expected().value()).isEqualTo(-1);
        assertThat(connect.expected().errno()).isEqualTo("EINPROGRESS");

        Syscall fcntl = (Syscall) only("+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0").event();
        assertThat(fcntl.args().get(2)).isEqualTo(new Sym(List.of("O_RDWR", "O_NONBLOCK")));
        Syscall getfl = (Syscall) only("+0 fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)").event();
        assertThat(getfl.expected().value()).isEqualTo(2);
        assertThat(((Syscall) only("+0 read(4, ..., 10) = ...").event()).expected().value()).isNull();
    }

    @Test
    void codeBlocksMaySpanLinesAndShellCommandsAreKept() {
        Script script = ScriptParser.parse("t.pkt", "0 %{\nassert tcpi_snd_cwnd == 10\nassert tcpi_rto > 0\n}%\n"
                + "0 `sysctl -q net.ipv4.tcp_syncookies=0`\n");
        assertThat(script.lines()).hasSize(2);
        assertThat(((Code) script.lines().get(0).event()).source()).contains("tcpi_snd_cwnd == 10", "tcpi_rto > 0");
        assertThat(script.lines().get(1).number()).isEqualTo(5);
        assertThat(((Shell) script.lines().get(1).event()).command()).isEqualTo("sysctl -q net.ipv4.tcp_syncookies=0");
    }

    @Test
    void commentsOptionsAndLineNumbers() {
        Script script = ScriptParser.parse("t.pkt", "--tolerance_usecs=10000\n// a comment\n/* a\nblock */\n"
                + "0 close(3) = 0 // trailing\n");
        assertThat(script.options()).containsEntry("tolerance_usecs", "10000");
        assertThat(script.lines()).singleElement().satisfies(l -> assertThat(l.number()).isEqualTo(5));
    }

    @Test
    void aLineThatDoesNotParseNamesScriptLineAndWhatWasExpected() {
        assertThatThrownBy(() -> ScriptParser.parse("bad.pkt", "0 close(3) = 0\n+0 < X 0:0(0) win 1\n"))
                .isInstanceOfSatisfying(ScriptFailure.class, f -> {
                    assertThat(f.script()).isEqualTo("bad.pkt");
                    assertThat(f.line()).isEqualTo(2);
                    assertThat(f.getMessage()).startsWith("bad.pkt:2: cannot parse: expected TCP flags")
                            .contains("+0 < X 0:0(0) win 1");
                });
        assertThatThrownBy(() -> ScriptParser.parse("bad.pkt", "0 < S 0:10(5) win 1"))
                .hasMessageContaining("bad.pkt:1: cannot parse: expected a consistent range: 0:10 is 10 bytes, not 5");
        assertThatThrownBy(() -> ScriptParser.parse("bad.pkt", "0 < S 0:0(0) win 1 <mss 1460,bogus 3>"))
                .hasMessageContaining("expected a TCP option");
        assertThatThrownBy(() -> ScriptParser.parse("bad.pkt", "0 connect(3, ..., ...) = -1"))
                .hasMessageContaining("an errno name after -1");
        assertThatThrownBy(() -> ScriptParser.parse("bad.pkt", "0 %{ assert 1"))
                .hasMessageContaining("without its closing }%");
        assertThatThrownBy(() -> ScriptParser.parse("bad.pkt", "+0...+.2 read(4, ..., 10) = 10"))
                .hasMessageContaining("the end of a blocking call's time without '+'");
    }

    @Test
    void aCallGoesOnOverLinesUntilItsBracketsClose() {
        Script script = ScriptParser.parse("t.pkt", """
                +0 poll([{fd=4,
                          events=POLLIN, // comment
                          revents=POLLIN}], 1, 0) = 1
                +0 close(4) = 0
                """);
        assertThat(script.lines()).hasSize(2);
        Syscall poll = (Syscall) script.lines().get(0).event();
        assertThat(poll.name()).isEqualTo("poll");
        assertThat(((Struct) ((Array) poll.args().get(0)).items().get(0)).fields()).containsOnlyKeys("fd", "events", "revents");
        assertThat(script.lines().get(1).number()).isEqualTo(4);
    }
}
