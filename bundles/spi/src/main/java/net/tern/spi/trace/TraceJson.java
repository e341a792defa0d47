package net.tern.spi.trace;

import net.tern.api.socket.InetSockAddr;

/**
 * An event as one line of JSON, the form tools write and read ({@code net:trace -o FILE}, the
 * status page's live view): {@code time_ns}, {@code function}, {@code system}, {@code fd}, and
 * when present {@code local} and {@code peer} ({@code "127.0.0.1:7"}), {@code old_state} and
 * {@code new_state}, {@code segment} ({@code flags} as the header's bits, {@code seq},
 * {@code ack} unsigned, {@code len}, {@code win}, {@code sack} as [start, end] pairs),
 * {@code detail}, and {@code probe} with {@code tcp_probe}'s field names ({@code snd_nxt},
 * {@code snd_una}, {@code snd_cwnd}, {@code ssthresh}, {@code snd_wnd}, {@code rcv_wnd},
 * {@code srtt_us}, {@code rttvar_us}, {@code in_flight}, {@code mss}, {@code bytes_acked},
 * {@code ca_state}). A field that is absent is left out.
 */
public final class TraceJson {
    private TraceJson() {
    }

    /** {@code event} as a JSON object, without a line end. */
    public static String of(TraceEvent event) {
        StringBuilder sb = new StringBuilder(160);
        append(sb, event);
        return sb.toString();
    }

    /** Appends {@code event} as a JSON object to {@code sb}. */
    public static void append(StringBuilder sb, TraceEvent event) {
        sb.append("{\"time_ns\":").append(event.timeNanos());
        string(sb, "function", event.function());
        string(sb, "system", event.system());
        sb.append(",\"fd\":").append(event.fd());
        address(sb, "local", event.local());
        address(sb, "peer", event.peer());
        string(sb, "old_state", event.oldState());
        string(sb, "new_state", event.newState());
        TraceSegment seg = event.segment();
        if (seg != null) {
            sb.append(",\"segment\":{\"flags\":").append(seg.flags())
                    .append(",\"seq\":").append(Integer.toUnsignedLong(seg.seq()))
                    .append(",\"ack\":").append(Integer.toUnsignedLong(seg.ack()))
                    .append(",\"len\":").append(seg.length());
            if (seg.window() >= 0) {
                sb.append(",\"win\":").append(seg.window());
            }
            if (seg.sack().length > 0) {
                sb.append(",\"sack\":[");
                for (int i = 0; i + 1 < seg.sack().length; i += 2) {
                    sb.append(i == 0 ? "[" : ",[").append(Integer.toUnsignedLong(seg.sack()[i])).append(',')
                            .append(Integer.toUnsignedLong(seg.sack()[i + 1])).append(']');
                }
                sb.append(']');
            }
            sb.append('}');
        }
        string(sb, "detail", event.detail());
        TraceProbe p = event.probe();
        if (p != null) {
            sb.append(",\"probe\":{\"snd_nxt\":").append(Integer.toUnsignedLong(p.sndNxt()))
                    .append(",\"snd_una\":").append(Integer.toUnsignedLong(p.sndUna()))
                    .append(",\"snd_cwnd\":").append(p.cwnd())
                    .append(",\"ssthresh\":").append(p.ssthresh())
                    .append(",\"snd_wnd\":").append(p.sndWnd())
                    .append(",\"rcv_wnd\":").append(p.rcvWnd())
                    .append(",\"srtt_us\":").append(p.srttUs())
                    .append(",\"rttvar_us\":").append(p.rttvarUs())
                    .append(",\"in_flight\":").append(p.packetsInFlight())
                    .append(",\"mss\":").append(p.mss())
                    .append(",\"bytes_acked\":").append(p.bytesAcked());
            string(sb, "ca_state", p.caState());
            sb.append('}');
        }
        sb.append('}');
    }

    private static void address(StringBuilder sb, String name, InetSockAddr a) {
        if (a != null) {
            string(sb, name, InetSockAddr.formatAddress(a.address()) + ":" + a.port());
        }
    }

    private static void string(StringBuilder sb, String name, String value) {
        if (value != null) {
            sb.append(",\"").append(name).append("\":");
            quote(sb, value);
        }
    }

    /** Appends {@code value} as a JSON string (RFC 8259 section 7). */
    public static void quote(StringBuilder sb, String value) {
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
