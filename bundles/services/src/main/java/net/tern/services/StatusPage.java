package net.tern.services;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.ProcNetSnmp;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;
import net.tern.netlink.Addr6Message;
import net.tern.netlink.AddrMessage;
import net.tern.netlink.LinkMessage;
import net.tern.netlink.Netlink;
import net.tern.netlink.NetlinkSocket;
import net.tern.netlink.NlMsg;
import net.tern.netlink.NlWriter;
import net.tern.netlink.Rtnetlink;
import net.tern.netlink.diag.InetDiag;
import net.tern.netlink.diag.InetDiagMsg;
import net.tern.netlink.diag.InetDiagReqV2;
import net.tern.spi.trace.TraceJson;

/**
 * What the HTTP service shows: the links (as {@code ip -s addr}), the sockets and the
 * protocol counters (as {@code nstat -a}), rendered as an HTML page or as JSON. Links and
 * sockets are read as {@code ip} and {@code ss} read them, through netlink sockets opened
 * with the socket API ({@code RTM_GETLINK}, {@code RTM_GETADDR}, {@code SOCK_DIAG_BY_FAMILY});
 * a stack without the netlink family shows none.
 *
 * <p>Sockets: every TCP and UDP socket of the stack, as {@code ss -tuan} lists them; and the services' own
 * sockets with the bytes each has moved, which only the services know. Each of the two
 * tables shows its first {@link #MAX_ROWS} rows and says how many more there are, so that a
 * page stays small (some 300 KB) and quick to make when the services hold a crowd of
 * connections.
 */
final class StatusPage {
    /** One link as the page shows it. */
    record LinkRow(int index, String name, String flags, boolean up, int mtu, List<String> addresses,
            long rxBytes, long rxPackets, long rxErrors, long rxDropped,
            long txBytes, long txPackets, long txErrors, long txDropped) {
    }

    /** The rows a socket table shows at most. */
    static final int MAX_ROWS = 1000;

    /** The state of the stack at one moment; the tables' rows beyond the first ones are counted, not kept. */
    /** One socket of the stack: its IP protocol and {@code inet_diag_msg}. */
    record DiagRow(int protocol, InetDiagMsg msg) {
    }

    record Snapshot(List<LinkRow> links, List<DiagRow> sockets, int socketsNotShown, List<SocketRow> services,
            int servicesNotShown, Map<String, Map<String, Long>> counters) {
    }

    private final SocketApi sockets;
    private final IntFunction<ServiceLoop.Rows> services;
    private final int maxRows;

    StatusPage(SocketApi sockets, IntFunction<ServiceLoop.Rows> services) {
        this(sockets, services, MAX_ROWS);
    }

    /** With tables of at most {@code maxRows} rows. */
    StatusPage(SocketApi sockets, IntFunction<ServiceLoop.Rows> services, int maxRows) {
        this.sockets = sockets;
        this.services = services;
        this.maxRows = maxRows;
    }

    /** {@code ss}'s name for a {@code TCP_*} state number. */
    static String stateName(int state) {
        return InetDiag.ssStateName(state);
    }

    static String protocolName(int protocol) {
        return switch (protocol) {
            case 6 -> "tcp";
            case 17 -> "udp";
            default -> String.valueOf(protocol);
        };
    }

    Snapshot snapshot() {
        List<LinkRow> rows = links();
        // As nstat -a reads them; none while IPv4 is not running.
        Map<String, Map<String, Long>> values = ProcNetSnmp.read(sockets);
        List<DiagRow> all = sockets();
        // As ss lists them: by protocol, then local address and port, then peer.
        all.sort(Comparator.comparingInt(DiagRow::protocol)
                .thenComparingLong(r -> r.msg().local().address() & 0xffffffffL).thenComparingInt(r -> r.msg().local().port())
                .thenComparingLong(r -> r.msg().peer().address() & 0xffffffffL).thenComparingInt(r -> r.msg().peer().port()));
        int socketsNotShown = Math.max(0, all.size() - maxRows);
        List<DiagRow> shown = socketsNotShown == 0 ? all : List.copyOf(all.subList(0, maxRows));
        ServiceLoop.Rows own = services.apply(maxRows);
        return new Snapshot(rows, shown, socketsNotShown, own.shown(), own.total() - own.shown().size(), values);
    }

    /** The links with their IPv4 and IPv6 addresses and counters ({@code RTM_GETLINK}, {@code RTM_GETADDR} dumps). */
    private List<LinkRow> links() {
        List<LinkRow> rows = new ArrayList<>();
        try (NetlinkSocket nl = NetlinkSocket.open(sockets, Netlink.NETLINK_ROUTE)) {
            List<AddrMessage> addresses = AddrMessage.dump(nl);
            // IPv6's too, while the stack has IPv6 (the AF_INET6 dump is empty without it).
            List<Addr6Message> addresses6 = Addr6Message.dump(nl);
            for (LinkMessage l : LinkMessage.dump(nl)) {
                List<String> shown = new ArrayList<>();
                for (AddrMessage a : addresses) {
                    if (a.index() == l.index()) {
                        shown.add(InetSockAddr.formatAddress(a.local()) + "/" + a.prefixLen());
                    }
                }
                for (Addr6Message a : addresses6) {
                    if (a.index() == l.index()) {
                        shown.add(a.address() + "/" + a.prefixLen());
                    }
                }
                rows.add(new LinkRow(l.index(), l.name(), Rtnetlink.ifFlagsToString(l.flags()), l.isUp(), l.mtu(), shown,
                        l.rxBytes(), l.rxPackets(), l.rxErrors(), l.rxDropped(),
                        l.txBytes(), l.txPackets(), l.txErrors(), l.txDropped()));
            }
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EAFNOSUPPORT) {
                throw new IllegalStateException("netlink: " + e.getMessage(), e);
            }
        }
        return rows;
    }

    /** Every UDP and TCP socket ({@code SOCK_DIAG_BY_FAMILY} dumps of all states); a protocol not running has none. */
    private List<DiagRow> sockets() {
        List<DiagRow> rows = new ArrayList<>();
        try (NetlinkSocket nl = NetlinkSocket.open(sockets, Netlink.NETLINK_SOCK_DIAG)) {
            for (int protocol : new int[] {SocketConstants.IPPROTO_TCP, SocketConstants.IPPROTO_UDP}) {
                NlWriter w = nl.request(InetDiag.SOCK_DIAG_BY_FAMILY, Netlink.NLM_F_DUMP);
                InetDiagReqV2.dump(SocketConstants.AF_INET, protocol, 0, InetDiag.TCPF_ALL).write(w);
                try {
                    for (NlMsg m : nl.dump(w)) {
                        rows.add(new DiagRow(protocol, InetDiagMsg.read(m)));
                    }
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.ENOENT) {
                        throw e;
                    }
                }
            }
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EAFNOSUPPORT) {
                throw new IllegalStateException("netlink: " + e.getMessage(), e);
            }
        }
        return rows;
    }

    String html() {
        Snapshot s = snapshot();
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Tern status</title>\n")
                .append("<style>body{font-family:sans-serif}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #999;padding:2px 6px;text-align:left}</style></head>\n<body>\n")
                .append("<h1>Tern status</h1>\n<p><a href=\"/status.json\">as JSON</a> · ")
                .append("<a href=\"/conn.html\">live trace of every connection</a></p>\n");
        b.append("<h2>Links</h2>\n<table><tr><th>#</th><th>name</th><th>flags</th><th>state</th><th>MTU</th>")
                .append("<th>addresses</th><th>RX bytes</th><th>RX packets</th><th>RX errors</th><th>RX dropped</th>")
                .append("<th>TX bytes</th><th>TX packets</th><th>TX errors</th><th>TX dropped</th></tr>\n");
        for (LinkRow l : s.links()) {
            b.append("<tr>");
            cells(b, l.index(), l.name(), l.flags(), l.up() ? "UP" : "DOWN", l.mtu(), String.join(" ", l.addresses()),
                    l.rxBytes(), l.rxPackets(), l.rxErrors(), l.rxDropped(),
                    l.txBytes(), l.txPackets(), l.txErrors(), l.txDropped());
            b.append("</tr>\n");
        }
        b.append("</table>\n<h2>Sockets</h2>\n<table><tr><th>protocol</th><th>state</th><th>Recv-Q</th>")
                .append("<th>Send-Q</th><th>local</th><th>peer</th><th>trace</th></tr>\n");
        for (DiagRow r : s.sockets()) {
            InetDiagMsg m = r.msg();
            b.append("<tr>");
            cells(b, protocolName(r.protocol()), stateName(m.state()), Integer.toUnsignedString(m.rqueue()),
                    Integer.toUnsignedString(m.wqueue()), m.local(), m.peer());
            b.append("<td>");
            if (r.protocol() == SocketConstants.IPPROTO_TCP && m.peer().port() != 0) {
                b.append("<a href=\"/conn.html?a=").append(m.local()).append("&amp;b=").append(m.peer())
                        .append("\">live</a>");
            }
            b.append("</td></tr>\n");
        }
        b.append("</table>\n");
        notShown(b, s.socketsNotShown());
        b.append("<h2>Services</h2>\n<table><tr><th>service</th>")
                .append("<th>protocol</th><th>state</th><th>local</th><th>peer</th><th>bytes in</th>")
                .append("<th>bytes out</th></tr>\n");
        for (SocketRow r : s.services()) {
            b.append("<tr>");
            cells(b, r.service(), r.protocol(), r.state(), r.local(), r.peer(), r.bytesIn(), r.bytesOut());
            b.append("</tr>\n");
        }
        b.append("</table>\n");
        notShown(b, s.servicesNotShown());
        b.append("<h2>Counters</h2>\n<table><tr><th>counter</th><th>value</th></tr>\n");
        for (Map.Entry<String, Map<String, Long>> group : s.counters().entrySet()) {
            for (Map.Entry<String, Long> c : group.getValue().entrySet()) {
                b.append("<tr>");
                cells(b, group.getKey() + c.getKey(), c.getValue());
                b.append("</tr>\n");
            }
        }
        return b.append("</table>\n</body></html>\n").toString();
    }

    private static void notShown(StringBuilder b, int count) {
        if (count > 0) {
            b.append("<p>").append(count).append(" more not shown</p>\n");
        }
    }

    private static void cells(StringBuilder b, Object... values) {
        for (Object v : values) {
            b.append("<td>").append(escapeHtml(String.valueOf(v))).append("</td>");
        }
    }

    static String escapeHtml(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    String json() {
        Snapshot s = snapshot();
        StringBuilder b = new StringBuilder(4096).append("{\"links\":[");
        String sep = "";
        for (LinkRow l : s.links()) {
            b.append(sep).append("{\"index\":").append(l.index()).append(",\"name\":").append(quote(l.name()))
                    .append(",\"flags\":").append(quote(l.flags()))
                    .append(",\"state\":").append(quote(l.up() ? "UP" : "DOWN"))
                    .append(",\"mtu\":").append(l.mtu()).append(",\"addresses\":[");
            String asep = "";
            for (String a : l.addresses()) {
                b.append(asep).append(quote(a));
                asep = ",";
            }
            b.append("],\"rx\":{\"bytes\":").append(l.rxBytes()).append(",\"packets\":").append(l.rxPackets())
                    .append(",\"errors\":").append(l.rxErrors()).append(",\"dropped\":").append(l.rxDropped())
                    .append("},\"tx\":{\"bytes\":").append(l.txBytes()).append(",\"packets\":").append(l.txPackets())
                    .append(",\"errors\":").append(l.txErrors()).append(",\"dropped\":").append(l.txDropped())
                    .append("}}");
            sep = ",";
        }
        b.append("],\"sockets\":[");
        sep = "";
        for (DiagRow r : s.sockets()) {
            InetDiagMsg m = r.msg();
            b.append(sep).append("{\"protocol\":").append(quote(protocolName(r.protocol())))
                    .append(",\"state\":").append(quote(stateName(m.state())))
                    .append(",\"recvQ\":").append(Integer.toUnsignedString(m.rqueue()))
                    .append(",\"sendQ\":").append(Integer.toUnsignedString(m.wqueue()))
                    .append(",\"local\":").append(quote(m.local().toString()))
                    .append(",\"peer\":").append(quote(m.peer().toString())).append('}');
            sep = ",";
        }
        b.append("],\"socketsNotShown\":").append(s.socketsNotShown()).append(",\"services\":[");
        sep = "";
        for (SocketRow r : s.services()) {
            b.append(sep).append("{\"service\":").append(quote(r.service())).append(",\"protocol\":")
                    .append(quote(r.protocol())).append(",\"state\":").append(quote(r.state()))
                    .append(",\"local\":").append(quote(r.local())).append(",\"peer\":").append(quote(r.peer()))
                    .append(",\"bytesIn\":").append(r.bytesIn()).append(",\"bytesOut\":").append(r.bytesOut())
                    .append('}');
            sep = ",";
        }
        b.append("],\"servicesNotShown\":").append(s.servicesNotShown()).append(",\"counters\":{");
        sep = "";
        for (Map.Entry<String, Map<String, Long>> group : s.counters().entrySet()) {
            b.append(sep).append(quote(group.getKey())).append(":{");
            String csep = "";
            for (Map.Entry<String, Long> c : group.getValue().entrySet()) {
                b.append(csep).append(quote(c.getKey())).append(':').append(c.getValue());
                csep = ",";
            }
            b.append('}');
            sep = ",";
        }
        return b.append("}}\n").toString();
    }

    /** A JSON string (RFC 8259 section 7). */
    static String quote(String text) {
        StringBuilder b = new StringBuilder(text.length() + 2);
        TraceJson.quote(b, text);
        return b.toString();
    }
}
