package net.tern.shell;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.api.socket.TcpInfo;
import net.tern.netlink.Netlink;
import net.tern.netlink.NetlinkSocket;
import net.tern.netlink.NlAttrs;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.diag.InetDiag;
import net.tern.netlink.diag.InetDiagMsg;
import net.tern.netlink.diag.InetDiagReqV2;
import net.tern.netlink.diag.TcpInfoLayout;
import net.tern.spi.diag.SkMemInfo;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code net:ss [-t] [-u] [-4] [-6] [-a] [-l] [-n] [-p] [-o] [-e] [-m] [-i] [FILTER]}: the stack's sockets as iproute2's
 * {@code ss} prints them, read as {@code ss} reads them: {@code SOCK_DIAG_BY_FAMILY} dumps of a
 * {@code NETLINK_SOCK_DIAG} socket, one per protocol, with the states asked for in
 * {@code idiag_states} and, for {@code -i}, {@code INET_DIAG_INFO} and {@code INET_DIAG_CONG}: Netid (when more than one protocol is shown), State,
 * Recv-Q, Send-Q (for a listener: the accept queue's length and the backlog), Local and
 * Peer Address:Port and Process, each column as wide as its widest cell, addresses aligned on
 * the colon.
 * UDP comes before TCP, as ss dumps them; within each, the AF_INET dump before the AF_INET6 one
 * ({@code -4} and {@code -6} choose one; both or neither, both), each with listeners first, then by
 * local port. An AF_INET6 address prints in brackets ({@code [::1]:7},
 * {@code [::ffff:10.0.0.1]:7}); a dual-stack socket's {@code ::} as {@code *}, an
 * {@code IPV6_V6ONLY} one's as {@code [::]} ({@code INET_DIAG_SKV6ONLY}), as ss prints them.
 *
 * <p>Without {@code -a} or {@code -l} only connections are shown (not listening, closed,
 * TIME-WAIT or SYN-RECV, ss's default); {@code -l} shows listening sockets (for UDP, the
 * unconnected ones); {@code -a} all. {@code -n} is accepted: names are never resolved.
 * {@code -p} adds the owner ({@code users:(("tern",fd=N))}, the descriptor the stack gives as
 * {@code idiag_inode}). {@code -i} adds, under each TCP
 * socket, its {@code tcp_info} in ss's {@code key:value} words ({@link #infoLine}). {@code -o}
 * adds the pending timer ({@code idiag_timer}, {@code idiag_expires}, {@code idiag_retrans}),
 * {@code -e} the owner's uid when not 0, the inode (the descriptor) and the cookie, and the
 * shutdown state, {@code -m} the memory ({@code INET_DIAG_SKMEMINFO}), each as ss prints it
 * ({@link SsDetails}). The filter is {@link SsFilter}'s.
 */
@Component(service = SsCommand.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=ss"})
public final class SsCommand {
    static final String USAGE = String.join("\n",
            "Usage: net:ss [ OPTIONS ] [ FILTER ]",
            "   -h, --help          this message",
            "   -n, --numeric       don't resolve service names (always the case)",
            "   -a, --all           display all sockets",
            "   -l, --listening     display listening sockets",
            "   -p, --processes     show the descriptor owning each socket",
            "   -o, --options       show timer information",
            "   -e, --extended      show detailed socket information",
            "   -m, --memory        show socket memory usage",
            "   -i, --info          show TCP internal information",
            "   -t, --tcp           display only TCP sockets",
            "   -u, --udp           display only UDP sockets",
            "   -4, --ipv4          display only IP version 4 sockets",
            "   -6, --ipv6          display only IP version 6 sockets",
            "   FILTER := [ state STATE-FILTER ] [ exclude STATE ] [ EXPRESSION ]",
            "   STATE-FILTER := {all|connected|synchronized|bucket|big|established|syn-sent|syn-recv|",
            "                    fin-wait-1|fin-wait-2|time-wait|closed|close-wait|last-ack|listening|closing}",
            "   EXPRESSION := sport|dport OP [ADDR]:PORT | src|dst [OP] ADDR[/LEN][:PORT] | src|dst [OP]",
            "                 [IPV6[/LEN]][:PORT], joined by",
            "                 and, or, not and parentheses; OP := = != > >= < <= (or eq ne gt ge lt le)");

    private static final int TCP = 6;
    private static final int UDP = 17;

    /**
     * One socket of a dump: its protocol, its {@code inet_diag_msg}, its {@code tcp_info}, its
     * {@code SK_MEMINFO_*} and {@code inet_diag_meminfo} when asked and given (else null), and
     * its shutdown bits ({@code INET_DIAG_SHUTDOWN}, -1 when not given) and, for an AF_INET6
     * socket, {@code INET_DIAG_SKV6ONLY} (false when not given).
     */
    record SockRow(int protocol, InetDiagMsg msg, TcpInfo tcpInfo, SkMemInfo skmem, int[] meminfo, int shutdown,
            boolean v6only) {
        SockRow(int protocol, InetDiagMsg msg, TcpInfo tcpInfo, SkMemInfo skmem, int[] meminfo, int shutdown) {
            this(protocol, msg, tcpInfo, skmem, meminfo, shutdown, false);
        }
    }

    /** What a row shows besides ss's columns: {@code -p}, {@code -o}, {@code -e}, {@code -m}, {@code -i}. */
    record Show(boolean processes, boolean options, boolean extended, boolean memory, boolean info) {
    }

    private final SocketApi sockets;

    @Activate
    public SsCommand(@Reference(name = "sockets") SocketApi sockets) {
        this.sockets = sockets;
    }

    public String ss(String... args) {
        boolean tcp = false;
        boolean udp = false;
        boolean ipv4 = false;
        boolean ipv6 = false;
        boolean all = false;
        boolean listening = false;
        boolean processes = false;
        boolean info = false;
        boolean options = false;
        boolean extended = false;
        boolean memory = false;
        List<String> filter = new ArrayList<>();
        for (String arg : args == null ? new String[0] : args) {
            if (arg.startsWith("--")) {
                switch (arg) {
                    case "--tcp" -> tcp = true;
                    case "--udp" -> udp = true;
                    case "--ipv4" -> ipv4 = true;
                    case "--ipv6" -> ipv6 = true;
                    case "--all" -> all = true;
                    case "--listening" -> listening = true;
                    case "--numeric" -> { }
                    case "--processes" -> processes = true;
                    case "--info" -> info = true;
                    case "--options" -> options = true;
                    case "--extended" -> extended = true;
                    case "--memory" -> memory = true;
                    case "--help" -> {
                        return USAGE;
                    }
                    default -> throw new IllegalArgumentException("ss: unrecognized option '" + arg + "'\n" + USAGE);
                }
            } else if (arg.startsWith("-") && arg.length() > 1 && filter.isEmpty()) {
                for (char c : arg.substring(1).toCharArray()) {
                    switch (c) {
                        case 't' -> tcp = true;
                        case 'u' -> udp = true;
                        case '4' -> ipv4 = true;
                        case '6' -> ipv6 = true;
                        case 'a' -> all = true;
                        case 'l' -> listening = true;
                        case 'n' -> { }
                        case 'p' -> processes = true;
                        case 'i' -> info = true;
                        case 'o' -> options = true;
                        case 'e' -> extended = true;
                        case 'm' -> memory = true;
                        case 'h' -> {
                            return USAGE;
                        }
                        default -> throw new IllegalArgumentException("ss: invalid option -- '" + c + "'\n" + USAGE);
                    }
                }
            } else {
                filter.add(arg);
            }
        }
        if (!tcp && !udp) {
            tcp = true;
            udp = true;
        }
        if (!ipv4 && !ipv6) {
            ipv4 = true;
            ipv6 = true;
        }
        List<Integer> families = new ArrayList<>();
        if (ipv4) {
            families.add(SocketConstants.AF_INET);
        }
        if (ipv6) {
            families.add(SocketConstants.AF_INET6);
        }
        SsFilter f = SsFilter.parse(filter);
        int states = f.states(all, listening);
        List<SockRow> shown = new ArrayList<>();
        try (NetlinkSocket nl = NetlinkSocket.open(sockets, Netlink.NETLINK_SOCK_DIAG)) {
            int memExt = memory ? InetDiag.ext(InetDiag.INET_DIAG_MEMINFO) | InetDiag.ext(InetDiag.INET_DIAG_SKMEMINFO) : 0;
            int infoExt = info ? InetDiag.ext(InetDiag.INET_DIAG_INFO) | InetDiag.ext(InetDiag.INET_DIAG_CONG) : 0;
            for (int family : families) {
                if (udp) {
                    shown.addAll(select(nl, family, UDP, states, f, memExt));
                }
            }
            for (int family : families) {
                if (tcp) {
                    shown.addAll(select(nl, family, TCP, states, f, memExt | infoExt));
                }
            }
        } catch (ErrnoException e) {
            throw new IllegalStateException("ss: netlink: " + e.getMessage(), e);
        }
        return format(shown, tcp && udp, new Show(processes, options, extended, memory, info));
    }

    /**
     * One family's dump of one protocol ({@code inet_diag_req_v2} with {@code states} and the
     * attributes {@code ext} asks for), filtered by the expression, in ss's order.
     */
    private static List<SockRow> select(NetlinkSocket nl, int family, int protocol, int states, SsFilter filter,
            int ext) throws ErrnoException {
        NlWriter w = nl.request(InetDiag.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_DUMP);
        InetDiagReqV2.dump(family, protocol, ext, states).write(w);
        List<NlMsg> answer;
        try {
            answer = nl.dump(w);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return List.of(); // the protocol's bundle is not running: it has no sockets to show
            }
            throw e;
        }
        List<SockRow> rows = new ArrayList<>();
        for (NlMsg m : answer) {
            InetDiagMsg msg = InetDiagMsg.read(m);
            if (!filter.matches(msg)) {
                continue;
            }
            NlAttrs attrs = m.attrs(InetDiagMsg.SIZE);
            TcpInfo tcpInfo = attrs.has(InetDiag.INET_DIAG_INFO)
                    ? TcpInfoLayout.read(attrs.payload(InetDiag.INET_DIAG_INFO),
                            attrs.has(InetDiag.INET_DIAG_CONG) ? attrs.string(InetDiag.INET_DIAG_CONG) : null)
                    : null;
            SkMemInfo skmem = attrs.has(InetDiag.INET_DIAG_SKMEMINFO)
                    ? SkMemInfo.of(u32s(attrs.payload(InetDiag.INET_DIAG_SKMEMINFO))) : null;
            int[] meminfo = attrs.has(InetDiag.INET_DIAG_MEMINFO)
                    ? Arrays.copyOf(u32s(attrs.payload(InetDiag.INET_DIAG_MEMINFO)), 4) : null;
            int shutdown = attrs.has(InetDiag.INET_DIAG_SHUTDOWN) ? attrs.u8(InetDiag.INET_DIAG_SHUTDOWN) : -1;
            boolean v6only = attrs.has(InetDiag.INET_DIAG_SKV6ONLY) && attrs.u8(InetDiag.INET_DIAG_SKV6ONLY) != 0;
            rows.add(new SockRow(protocol, msg, tcpInfo, skmem, meminfo, shutdown, v6only));
        }
        rows.sort(Comparator.comparing((SockRow r) -> r.msg().state() != TcpInfo.TCP_LISTEN)
                .thenComparingInt(r -> r.msg().local().port())
                .thenComparingLong(r -> Integer.toUnsignedLong(r.msg().local().address()))
                .thenComparingLong(r -> Integer.toUnsignedLong(r.msg().peer().address()))
                .thenComparingInt(r -> r.msg().peer().port()));
        return rows;
    }

    /** An attribute's payload as u32s in host order, as ss reads {@code SK_MEMINFO_*}. */
    private static int[] u32s(ByteBuffer payload) {
        ByteBuffer b = payload.duplicate().order(ByteOrder.nativeOrder());
        int[] out = new int[b.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getInt();
        }
        return out;
    }

    /**
     * ss's columns: left-aligned words and numbers, addresses right-aligned up to the colon,
     * ports left; the last column holds, as ss's Process column does, the owner ({@code -p}),
     * the timer ({@code -o}) and the socket's details ({@code -e}). With {@code -m}, or
     * {@code -i} for TCP, a second line starts with a tab: the memory, then the
     * {@code tcp_info} words (a socket without them, a TIME-WAIT entry, gets the tab alone, as
     * from ss).
     */
    static String format(List<SockRow> msgs, boolean netid, Show show) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Netid", "State", "Recv-Q", "Send-Q", "Local Address:", "Port", "Peer Address:",
            "Port", "Process"});
        for (SockRow row : msgs) {
            InetDiagMsg m = row.msg();
            rows.add(new String[] {row.protocol() == TCP ? "tcp" : row.protocol() == UDP ? "udp" : "p" + row.protocol(),
                InetDiag.ssStateName(m.state()), Integer.toUnsignedString(m.rqueue()), Integer.toUnsignedString(m.wqueue()),
                address(m.localName(), row.v6only()) + ":", port(m.local().port()),
                address(m.peerName(), row.v6only()) + ":", port(m.peer().port()),
                lastColumn(row, show)});
        }
        int[] width = new int[9];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            StringBuilder line = new StringBuilder();
            for (int i = netid ? 0 : 1; i < 4; i++) {
                line.append(pad(row[i], width[i], false)).append(' ');
            }
            line.append(pad(row[4], width[4], true)).append(pad(row[5], width[5], false)).append(' ');
            line.append(pad(row[6], width[6], true)).append(pad(row[7], width[7], false)).append(' ');
            line.append(row[8]);
            out.append(line.toString().stripTrailing()).append('\n');
            SockRow sock = r == 0 ? null : msgs.get(r - 1);
            if (sock != null && (show.memory() || (show.info() && sock.protocol() != UDP))) {
                StringBuilder second = new StringBuilder("\t");
                String mem = show.memory() ? SsDetails.memory(sock.skmem(), sock.meminfo()) : null;
                if (mem != null) {
                    second.append(' ').append(mem);
                }
                if (show.info() && sock.tcpInfo() != null) {
                    second.append(infoLine(sock.tcpInfo()));
                }
                out.append(second).append('\n');
            }
        }
        return out.toString();
    }

    /** The Process column: {@code users:((...))}, {@code timer:(...)}, then {@code ino:... sk:... <->}. */
    private static String lastColumn(SockRow row, Show show) {
        InetDiagMsg m = row.msg();
        List<String> words = new ArrayList<>();
        if (show.processes() && m.fd() >= 0) {
            words.add("users:((\"tern\",fd=" + m.fd() + "))");
        }
        if (show.options()) {
            String timer = SsDetails.timer(m);
            if (timer != null) {
                words.add(timer);
            }
        }
        if (show.extended()) {
            words.add(SsDetails.extended(m, row.shutdown()));
        }
        return String.join(" ", words);
    }

    /**
     * {@code tcp_show_info}'s words, in its order, each only when it has something to say:
     * {@code ts sack reno wscale:7,7 rto:201 rtt:0.5/0.25 ato:40 mss:65483 pmtu:65535
     * rcvmss:536 advmss:65483 cwnd:10 ssthresh:7 bytes_sent:10 bytes_acked:10 ... retrans:0/1
     * ... minrtt:0.5 snd_wnd:65536 rcv_wnd:65536}. Times in milliseconds, as ss prints them.
     */
    static String infoLine(TcpInfo i) {
        StringBuilder sb = new StringBuilder();
        if ((i.options() & TcpInfo.TCPI_OPT_TIMESTAMPS) != 0) {
            sb.append(" ts");
        }
        if ((i.options() & TcpInfo.TCPI_OPT_SACK) != 0) {
            sb.append(" sack");
        }
        if (i.congestion() != null) {
            sb.append(' ').append(i.congestion());
        }
        if ((i.options() & TcpInfo.TCPI_OPT_WSCALE) != 0) {
            sb.append(" wscale:").append(i.sndWscale()).append(',').append(i.rcvWscale());
        }
        word(sb, "rto", i.rto() == 0 ? null : millis(i.rto()));
        word(sb, "backoff", i.backoff());
        word(sb, "rtt", i.rtt() == 0 ? null : millis(i.rtt()) + "/" + millis(i.rttvar()));
        word(sb, "ato", i.ato() == 0 ? null : millis(i.ato()));
        word(sb, "mss", i.sndMss());
        word(sb, "pmtu", i.pmtu());
        word(sb, "rcvmss", i.rcvMss());
        word(sb, "advmss", i.advmss());
        word(sb, "cwnd", i.sndCwnd());
        word(sb, "ssthresh", i.sndSsthresh() < 0xFFFF ? i.sndSsthresh() : 0); // ss hides an "infinite" ssthresh
        word(sb, "bytes_sent", i.bytesSent());
        word(sb, "bytes_retrans", i.bytesRetrans());
        word(sb, "bytes_acked", i.bytesAcked());
        word(sb, "bytes_received", i.bytesReceived());
        word(sb, "segs_out", i.segsOut());
        word(sb, "segs_in", i.segsIn());
        word(sb, "data_segs_out", i.dataSegsOut());
        word(sb, "data_segs_in", i.dataSegsIn());
        word(sb, "lastsnd", i.lastDataSent());
        word(sb, "lastrcv", i.lastDataRecv());
        word(sb, "lastack", i.lastAckRecv());
        word(sb, "unacked", i.unacked());
        word(sb, "retrans", i.retrans() == 0 && i.totalRetrans() == 0 ? null : i.retrans() + "/" + i.totalRetrans());
        word(sb, "lost", i.lost());
        word(sb, "sacked", i.sacked());
        word(sb, "dsack_dups", i.dsackDups());
        word(sb, "reordering", i.reordering() == 3 ? 0 : i.reordering());
        word(sb, "reord_seen", i.reordSeen());
        word(sb, "rcv_rtt", i.rcvRtt() == 0 ? null : millis(i.rcvRtt()));
        word(sb, "rcv_space", i.rcvSpace());
        word(sb, "rcv_ssthresh", i.rcvSsthresh());
        word(sb, "notsent", i.notsentBytes());
        word(sb, "minrtt", i.minRtt() == 0 ? null : millis(i.minRtt()));
        word(sb, "snd_wnd", i.sndWnd());
        word(sb, "rcv_wnd", i.rcvWnd());
        return sb.toString();
    }

    private static void word(StringBuilder sb, String key, long value) {
        if (value != 0) {
            sb.append(' ').append(key).append(':').append(value);
        }
    }

    private static void word(StringBuilder sb, String key, String value) {
        if (value != null) {
            sb.append(' ').append(key).append(':').append(value);
        }
    }

    /** Microseconds as milliseconds in C's {@code %g}: six significant digits, no trailing zeros. */
    private static String millis(long micros) {
        BigDecimal ms = new BigDecimal(micros).movePointLeft(3).round(new MathContext(6)).stripTrailingZeros();
        return ms.scale() < 0 ? ms.setScale(0).toPlainString() : ms.toPlainString();
    }

    /**
     * An address as ss's {@code inet_addr_print}: IPv4 dotted; IPv6 in brackets, but {@code ::}
     * as {@code *} unless the socket is {@code IPV6_V6ONLY}.
     */
    static String address(SockAddr name, boolean v6only) {
        if (name instanceof Inet6SockAddr v6) {
            if (v6.high() == 0 && v6.low() == 0 && !v6only) {
                return "*";
            }
            return "[" + Inet6SockAddr.formatAddress(v6.high(), v6.low()) + "]";
        }
        return InetSockAddr.formatAddress(((InetSockAddr) name).address());
    }

    private static String port(int port) {
        return port == 0 ? "*" : Integer.toString(port);
    }

    private static String pad(String text, int width, boolean right) {
        String fill = " ".repeat(width - text.length());
        return right ? fill + text : text + fill;
    }
}
