package net.tern.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.TcpInfo;
import net.tern.spi.diag.InetDiagHandler;
import net.tern.spi.diag.InetDiagMsg;
import net.tern.spi.diag.SkMemInfo;
import net.tern.netlink.impl.NetlinkStack;
import net.tern.netlink.testing.NetlinkWiring;
import net.tern.udp.testing.UdpTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code net:ss}: ss's columns, option and state selection, and the filter expression. */
class SsCommandTest {
    private static final InetSockAddr ANY = new InetSockAddr(0, 0);

    private static InetSockAddr at(String text) {
        return InetSockAddr.parse(text);
    }

    private static InetDiagMsg tcp(int state, int recvQ, int sendQ, String local, String peer, int fd) {
        return new InetDiagMsg(6, state, recvQ, sendQ, at(local), peer == null ? ANY : at(peer), fd);
    }

    private final UdpTestBed bed;
    private final NetlinkStack netlink;
    private final SsCommand command;
    private final InetDiagHandler tcpHandler;
    private final InetDiagHandler udpHandler;

    SsCommandTest() throws Exception {
        bed = new UdpTestBed();
        netlink = NetlinkWiring.attach(bed.socketLayer(), bed.stack(), bed.inet().fib());
        command = new SsCommand(bed.api());
        tcpHandler = () -> List.of(
                tcp(1, 0, 5, "127.0.0.1:80", "127.0.0.1:40000", 5),
                tcp(10, 1, 128, "0.0.0.0:80", null, 3),
                tcp(1, 12, 0, "127.0.0.1:40000", "127.0.0.1:80", 4),
                tcp(6, 0, 0, "127.0.0.1:41000", "127.0.0.1:7", -1),
                tcp(3, 0, 0, "10.0.0.1:80", "10.0.0.2:1001", -1),
                tcp(10, 0, 4096, "127.0.0.1:7", null, 6));
        udpHandler = () -> List.of(
                new InetDiagMsg(17, 7, 768, 0, at("0.0.0.0:5353"), ANY, 8),
                new InetDiagMsg(17, 1, 0, 0, at("127.0.0.1:33000"), at("127.0.0.1:53"), 9));
        netlink.registerDiag(6, tcpHandler);
        netlink.registerDiag(17, udpHandler);
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    @Test
    void tuanPrintsUdpThenTcpWithNetidListenersFirstAndAddressesAlignedOnTheColon() {
        assertThat(command.ss("-tuan").lines().toList()).containsExactly(
                "Netid State     Recv-Q Send-Q Local Address:Port  Peer Address:Port  Process",
                "udp   UNCONN    768    0            0.0.0.0:5353       0.0.0.0:*",
                "udp   ESTAB     0      0          127.0.0.1:33000    127.0.0.1:53",
                "tcp   LISTEN    0      4096       127.0.0.1:7          0.0.0.0:*",
                "tcp   LISTEN    1      128          0.0.0.0:80         0.0.0.0:*",
                "tcp   SYN-RECV  0      0           10.0.0.1:80        10.0.0.2:1001",
                "tcp   ESTAB     0      5          127.0.0.1:80       127.0.0.1:40000",
                "tcp   ESTAB     12     0          127.0.0.1:40000    127.0.0.1:80",
                "tcp   TIME-WAIT 0      0          127.0.0.1:41000    127.0.0.1:7");
    }

    @Test
    void withoutAllOnlyConnectionsAreShownAndOneProtocolHasNoNetid() {
        assertThat(command.ss("-t").lines().toList()).containsExactly(
                "State Recv-Q Send-Q Local Address:Port  Peer Address:Port  Process",
                "ESTAB 0      5          127.0.0.1:80       127.0.0.1:40000",
                "ESTAB 12     0          127.0.0.1:40000    127.0.0.1:80");
    }

    @Test
    void listeningShowsTcpListenersAndUnconnectedUdpSockets() {
        assertThat(command.ss("-ln").lines().skip(1).toList()).containsExactly(
                "udp   UNCONN 768    0            0.0.0.0:5353      0.0.0.0:*",
                "tcp   LISTEN 0      4096       127.0.0.1:7         0.0.0.0:*",
                "tcp   LISTEN 1      128          0.0.0.0:80        0.0.0.0:*");
    }

    @Test
    void processesNameTheOwningDescriptor() {
        assertThat(command.ss("-tlp").lines().toList()).containsExactly(
                "State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process",
                "LISTEN 0      4096       127.0.0.1:7         0.0.0.0:*    users:((\"tern\",fd=6))",
                "LISTEN 1      128          0.0.0.0:80        0.0.0.0:*    users:((\"tern\",fd=3))");
    }

    @Test
    void stateSelectsAndExcludeRemoves() {
        assertThat(rows("-t", "state", "established")).containsExactly("127.0.0.1:80", "127.0.0.1:40000");
        assertThat(rows("-t", "state", "listening", "state", "time-wait")).containsExactly("127.0.0.1:7",
                "0.0.0.0:80", "127.0.0.1:41000");
        assertThat(rows("-ta", "exclude", "listening", "exclude", "bucket")).containsExactly("127.0.0.1:80",
                "127.0.0.1:40000");
    }

    @Test
    void portAndAddressExpressions() {
        assertThat(rows("-ta", "sport", "=", ":80")).containsExactly("0.0.0.0:80", "10.0.0.1:80", "127.0.0.1:80");
        assertThat(rows("-ta", "dport = :7")).containsExactly("127.0.0.1:41000");
        assertThat(rows("-ta", "sport", "==", "80", "and", "dst", "127.0.0.1")).containsExactly("127.0.0.1:80");
        assertThat(rows("-ta", "( sport = :7 or dport = :7 )")).containsExactly("127.0.0.1:7", "127.0.0.1:41000");
        assertThat(rows("-ta", "not", "sport", "<", "1024")).containsExactly("127.0.0.1:40000", "127.0.0.1:41000");
        assertThat(rows("-ta", "src", "10.0.0.0/8")).containsExactly("10.0.0.1:80");
        assertThat(rows("-ta", "state", "established", "dport", "!=", ":80")).containsExactly("127.0.0.1:80");
    }

    @Test
    void infoPrintsTcpInfoUnderEachTcpSocketInSsWords() {
        TcpInfo info = new TcpInfo(1, 0, 0, 0, 0,
                TcpInfo.TCPI_OPT_TIMESTAMPS | TcpInfo.TCPI_OPT_SACK | TcpInfo.TCPI_OPT_WSCALE, 7, 8,
                204_000, 40_000, 65_483, 536, 2, 0, 0, 1, 12, 0, 3, 65_535, 0, 517, 258, 7, 10, 65_483, 3, 0, 0,
                4, 2_000, 150, 9, 8, 0, 80, 3, 5, 0, 0, 0, 2_100, 100, 1, 2, 65_536, 131_072, "cubic");
        netlink.registerDiag(6, () -> List.of(new InetDiagMsg(6, 1, 0, 100, at("127.0.0.1:40000"), at("127.0.0.1:7"), 4, info),
                new InetDiagMsg(6, 6, 0, 0, at("127.0.0.1:41000"), at("127.0.0.1:7"), -1)));
        SsCommand one = command;

        assertThat(one.ss("-tani").lines().toList()).containsExactly(
                "State     Recv-Q Send-Q Local Address:Port  Peer Address:Port Process",
                "ESTAB     0      100        127.0.0.1:40000    127.0.0.1:7",
                "\t ts sack cubic wscale:7,8 rto:204 rtt:0.517/0.258 ato:40 mss:65483 pmtu:65535 rcvmss:536"
                        + " advmss:65483 cwnd:10 ssthresh:7 bytes_sent:2100 bytes_retrans:100 bytes_acked:2000"
                        + " bytes_received:150 segs_out:9 segs_in:8 data_segs_out:5 data_segs_in:3 lastsnd:12"
                        + " lastack:3 unacked:2 retrans:1/4 dsack_dups:1 reord_seen:2 minrtt:0.08 snd_wnd:65536"
                        + " rcv_wnd:131072",
                "TIME-WAIT 0      0          127.0.0.1:41000    127.0.0.1:7",
                "\t"); // ss starts the second line for every TCP socket, and a TIME-WAIT entry has nothing for it
    }

    @Test
    void optionsExtendedAndMemoryGoThroughSockDiagAndPrintAsSsDoes() {
        SkMemInfo listenerMem = new SkMemInfo(0, 131_072, 0, 16_384, 0, 0, 0, 0, 0);
        SkMemInfo connMem = new SkMemInfo(1_280, 212_992, 0, 212_992, 2_816, 4_352, 0, 0, 1);
        netlink.registerDiag(6, () -> List.of(
                new InetDiagMsg(6, 10, 0, 5, at("0.0.0.0:45123"), ANY, 3, null, 0, 0, 0, 0x1, 0, listenerMem),
                new InetDiagMsg(6, 1, 0, 3000, at("127.0.0.1:38182"), at("127.0.0.1:45123"), 4, null,
                        InetDiagMsg.TIMER_ON, 1, 400, 0x1f, 0, connMem),
                new InetDiagMsg(6, 1, 0, 0, at("127.0.0.1:45123"), at("127.0.0.1:38182"), 5, null,
                        InetDiagMsg.TIMER_KEEPALIVE, 0, 7_159_000, 0x20, 2, connMem),
                new InetDiagMsg(6, 6, 0, 0, at("127.0.0.1:41000"), at("127.0.0.1:7"), -1, null,
                        InetDiagMsg.TIMER_TIMEWAIT, 0, 54_000, 0x5, -1, null)));
        netlink.registerDiag(17, () -> List.of(new InetDiagMsg(17, 7, 0, 0, at("0.0.0.0:5353"), ANY, 8, null, 0, 0, 0,
                0x21, 0, new SkMemInfo(768, 212_992, 0, 212_992, 3_328, 0, 0, 0, 4))));

        assertThat(command.ss("-tanmeo").lines().toList()).containsExactly(
                "State     Recv-Q Send-Q Local Address:Port  Peer Address:Port  Process",
                "LISTEN    0      5            0.0.0.0:45123      0.0.0.0:*     ino:3 sk:1 <->",
                "\t skmem:(r0,rb131072,t0,tb16384,f0,w0,o0,bl0,d0)",
                "ESTAB     0      3000       127.0.0.1:38182    127.0.0.1:45123 timer:(on,400ms,1) ino:4 sk:1f <->",
                "\t skmem:(r1280,rb212992,t0,tb212992,f2816,w4352,o0,bl0,d1)",
                "TIME-WAIT 0      0          127.0.0.1:41000    127.0.0.1:7     timer:(timewait,54sec,0) ino:0 sk:5",
                "\t",
                "ESTAB     0      0          127.0.0.1:45123    127.0.0.1:38182 timer:(keepalive,119min,0) ino:5 sk:20 <--",
                "\t skmem:(r1280,rb212992,t0,tb212992,f2816,w4352,o0,bl0,d1)");
        assertThat(command.ss("-uanm").lines().toList()).containsExactly(
                "State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process",
                "UNCONN 0      0            0.0.0.0:5353      0.0.0.0:*",
                "\t skmem:(r768,rb212992,t0,tb212992,f3328,w0,o0,bl0,d4)");
        assertThat(command.ss("-tno", "sport", "=", ":38182").lines().skip(1).toList()).containsExactly(
                "ESTAB 0      3000       127.0.0.1:38182    127.0.0.1:45123 timer:(on,400ms,1)");
    }

    @Test
    void badInputSaysWhatIsWrong() {
        assertThatThrownBy(() -> command.ss("-x")).hasMessageStartingWith("ss: invalid option -- 'x'");
        assertThatThrownBy(() -> command.ss("state", "sleepy")).hasMessage("ss: wrong state name: sleepy");
        assertThatThrownBy(() -> command.ss("sport", "=", ":http")).hasMessageContaining("not a port number");
        assertThatThrownBy(() -> command.ss("sport", "=", ":80", "bogus")).hasMessageContaining("near \"bogus\"");
        assertThatThrownBy(() -> command.ss("(", "sport", "=", ":80")).hasMessageContaining("ends before");
    }

    @Test
    void aProtocolWithoutAHandlerShowsNothing() {
        netlink.unregisterDiag(tcpHandler);
        netlink.unregisterDiag(udpHandler);
        SsCommand empty = command;
        assertThat(empty.ss("-tuan")).isEqualTo(
                "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n");
    }

    /** The local address:port of each row shown. */
    private List<String> rows(String... args) {
        return command.ss(args).lines().skip(1).map(line -> line.trim().split("\\s+"))
                .map(cells -> cells[cells.length > 0 && cells[0].matches("tcp|udp") ? 4 : 3]).toList();
    }

    /**
     * Sockets of both families, printed as ss 6.1 prints them on Linux 6.18: an AF_INET6
     * address in brackets, a dual-stack socket's :: as {@code *}, an IPV6_V6ONLY one's as
     * {@code [::]}, a dual-stack connection by its IPv4-mapped addresses; the AF_INET dump
     * before the AF_INET6 one.
     */
    private void registerBothFamilies() {
        Inet6SockAddr any = Inet6SockAddr.ANY;
        netlink.registerDiag(6, () -> List.of(
                InetDiagMsg.of(6, 10, 0, 128, new Inet6SockAddr(0, 0, 47007), any, 3, null, false),
                InetDiagMsg.of(6, 10, 0, 128, Inet6SockAddr.parse("[::1]:47008"), any, 4, null, true),
                InetDiagMsg.of(6, 10, 0, 128, new Inet6SockAddr(0, 0, 47011), any, 5, null, true),
                InetDiagMsg.of(6, 1, 0, 0, Inet6SockAddr.parse("[::ffff:127.0.0.1]:47007"),
                        Inet6SockAddr.parse("[::ffff:127.0.0.1]:50406"), 6, null, false),
                tcp(10, 0, 128, "0.0.0.0:47009", null, 7),
                tcp(1, 0, 0, "127.0.0.1:50406", "127.0.0.1:47007", 8)));
        netlink.registerDiag(17, () -> List.of(
                InetDiagMsg.of(17, 7, 0, 0, new Inet6SockAddr(0, 0, 47010), any, 9, null, false)));
    }

    @Test
    void bothFamiliesByDefaultIpv6AddressesInBracketsAndTheDualStackWildcardAsStar() {
        registerBothFamilies();
        assertThat(command.ss("-tuan").lines().toList()).containsExactly(
                "Netid State  Recv-Q Send-Q      Local Address:Port        Peer Address:Port  Process",
                "udp   UNCONN 0      0                       *:47010                  *:*",
                "tcp   LISTEN 0      128               0.0.0.0:47009            0.0.0.0:*",
                "tcp   ESTAB  0      0               127.0.0.1:50406          127.0.0.1:47007",
                "tcp   LISTEN 0      128                     *:47007                  *:*",
                "tcp   LISTEN 0      128                 [::1]:47008               [::]:*",
                "tcp   LISTEN 0      128                  [::]:47011               [::]:*",
                "tcp   ESTAB  0      0      [::ffff:127.0.0.1]:47007 [::ffff:127.0.0.1]:50406");
    }

    @Test
    void fourAndSixChooseTheFamilyAndBothTogetherShowBoth() {
        registerBothFamilies();
        assertThat(command.ss("-6tan").lines().toList()).containsExactly(
                "State  Recv-Q Send-Q      Local Address:Port        Peer Address:Port  Process",
                "LISTEN 0      128                     *:47007                  *:*",
                "LISTEN 0      128                 [::1]:47008               [::]:*",
                "LISTEN 0      128                  [::]:47011               [::]:*",
                "ESTAB  0      0      [::ffff:127.0.0.1]:47007 [::ffff:127.0.0.1]:50406");
        assertThat(command.ss("-4tan").lines().toList()).containsExactly(
                "State  Recv-Q Send-Q Local Address:Port  Peer Address:Port  Process",
                "LISTEN 0      128          0.0.0.0:47009      0.0.0.0:*",
                "ESTAB  0      0          127.0.0.1:50406    127.0.0.1:47007");
        assertThat(command.ss("-4", "-6", "-ta")).isEqualTo(command.ss("-ta"));
        assertThat(command.ss("--ipv6", "-u", "-a").lines().skip(1).toList())
                .containsExactly("UNCONN 0      0                  *:47010            *:*");
    }

    /** A port selects in both families; an IPv4 address matches a dual-stack socket's IPv4-mapped one, no other IPv6 one. */
    @Test
    void filtersSelectIpv6SocketsByPortAndIpv4MappedAddress() {
        registerBothFamilies();
        assertThat(command.ss("-tan", "sport", "=", ":47007").lines().skip(1).toList()).containsExactly(
                "LISTEN 0      128                     *:47007                  *:*",
                "ESTAB  0      0      [::ffff:127.0.0.1]:47007 [::ffff:127.0.0.1]:50406");
        assertThat(command.ss("-tan", "src", "127.0.0.1").lines().skip(1).toList()).containsExactly(
                "ESTAB 0      0               127.0.0.1:50406          127.0.0.1:47007",
                "ESTAB 0      0      [::ffff:127.0.0.1]:47007 [::ffff:127.0.0.1]:50406");
    }

    /**
     * IPv6 addresses in the expression as ss 6.1 takes them, in brackets with any prefix
     * inside: {@code [::1]}, {@code [::ffff:127.0.0.0/104]}, {@code [::]:PORT}; they match
     * AF_INET6 sockets only.
     */
    @Test
    void ipv6AddressesInBracketsSelectIpv6Sockets() {
        registerBothFamilies();
        assertThat(command.ss("-tan", "src", "[::1]").lines().skip(1).toList())
                .containsExactly("LISTEN 0      128            [::1]:47008         [::]:*");
        assertThat(command.ss("-tan", "dst", "[::ffff:127.0.0.0/104]").lines().skip(1).toList())
                .containsExactly("ESTAB 0      0      [::ffff:127.0.0.1]:47007 [::ffff:127.0.0.1]:50406");
        assertThat(command.ss("-tan", "src", "[::]:47011").lines().skip(1).toList())
                .containsExactly("LISTEN 0      128             [::]:47011         [::]:*");
        assertThat(command.ss("-tan", "src", "[::/0]", "and", "sport", "=", ":47009").lines().skip(1).toList()).isEmpty();
        assertThat(command.ss("-tan", "src", "[::1/128]:47008")).isEqualTo(command.ss("-tan", "src", "[::1]"));
        assertThatThrownBy(() -> command.ss("-tan", "src", "[::1"))
                .hasMessage("ss: \"[::1\" is not an address");
        assertThatThrownBy(() -> command.ss("-tan", "src", "[::1]/64"))
                .hasMessage("ss: \"[::1]/64\" is not an address");
    }
}
