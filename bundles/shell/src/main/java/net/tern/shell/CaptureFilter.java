package net.tern.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketConstants;

/**
 * The part of tcpdump's filter language ({@code pcap-filter(7)}) that {@code net:capture}
 * takes: primitives {@code host A.B.C.D} (source or destination), {@code port N} (TCP or UDP,
 * source or destination), and the protocols {@code icmp}, {@code udp}, {@code tcp}, joined by
 * {@code and} (or {@code &&}). No words: every packet matches. A packet that is not IPv4
 * matches no primitive, as in tcpdump, where these primitives imply {@code ip}.
 */
final class CaptureFilter {
    /** One primitive, tested against an IPv4 packet's bytes. */
    private interface Primitive {
        boolean matches(CapturedIpv4 packet);
    }

    private final List<Primitive> all;
    private final String text;

    private CaptureFilter(List<Primitive> all, String text) {
        this.all = all;
        this.text = text;
    }

    static final CaptureFilter ANY = new CaptureFilter(List.of(), "");

    /** Parses {@code words}; a bad expression is refused, naming the word at fault. */
    static CaptureFilter parse(List<String> words) {
        if (words.isEmpty()) {
            return ANY;
        }
        List<Primitive> primitives = new ArrayList<>();
        String expression = String.join(" ", words);
        int i = 0;
        while (true) {
            if (i >= words.size()) {
                throw syntax(expression, "expected a primitive at the end");
            }
            String word = words.get(i++).toLowerCase(Locale.ROOT);
            switch (word) {
                case "icmp" -> primitives.add(p -> p.ip().protocol() == SocketConstants.IPPROTO_ICMP);
                case "udp" -> primitives.add(p -> p.ip().protocol() == SocketConstants.IPPROTO_UDP);
                case "tcp" -> primitives.add(p -> p.ip().protocol() == SocketConstants.IPPROTO_TCP);
                case "host" -> {
                    if (i >= words.size()) {
                        throw syntax(expression, "'host' needs an address");
                    }
                    String address = words.get(i++);
                    int host;
                    try {
                        host = InetSockAddr.parseAddress(address);
                    } catch (RuntimeException e) {
                        throw syntax(expression, "'" + address + "' is not an IPv4 address");
                    }
                    primitives.add(p -> p.ip().source() == host || p.ip().destination() == host);
                }
                case "port" -> {
                    if (i >= words.size()) {
                        throw syntax(expression, "'port' needs a number");
                    }
                    String number = words.get(i++);
                    int port;
                    try {
                        port = Integer.parseInt(number);
                    } catch (NumberFormatException e) {
                        port = -1;
                    }
                    if (port < 0 || port > 65535) {
                        throw syntax(expression, "'" + number + "' is not a port (0..65535)");
                    }
                    int wanted = port;
                    primitives.add(p -> p.hasPorts() && (p.sourcePort() == wanted || p.destinationPort() == wanted));
                }
                default -> throw syntax(expression, "unknown primitive '" + words.get(i - 1)
                        + "' (expected host, port, icmp, udp or tcp)");
            }
            if (i == words.size()) {
                break;
            }
            String joiner = words.get(i++);
            if (!joiner.equalsIgnoreCase("and") && !joiner.equals("&&")) {
                throw syntax(expression, "expected 'and' before '" + joiner + "'");
            }
        }
        return new CaptureFilter(List.copyOf(primitives), expression);
    }

    private static IllegalArgumentException syntax(String expression, String what) {
        return new IllegalArgumentException("capture: syntax error in filter expression '" + expression + "': " + what);
    }

    /** Whether the packet whose bytes start at the IP header passes every primitive. */
    boolean matches(byte[] data, int length) {
        if (all.isEmpty()) {
            return true;
        }
        CapturedIpv4 view = CapturedIpv4.of(data, length);
        if (view == null) {
            return false;
        }
        for (Primitive p : all) {
            if (!p.matches(view)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
