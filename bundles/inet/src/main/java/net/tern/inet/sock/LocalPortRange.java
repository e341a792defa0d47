package net.tern.inet.sock;

import java.util.Objects;

/**
 * {@code net.ipv4.ip_local_port_range}: the ports a transport hands out to sockets that bind to
 * port 0, connect or send without binding. One setting of IPv4 that every inet transport reads
 * ({@code inet_get_local_port_range}), so TCP and UDP draw from the same range; a change applies
 * to the next port chosen, and sockets keep the ports they have. Registered by IPv4 as a service.
 */
public final class LocalPortRange {
    /** Linux's default range. */
    public static final Range DEFAULT = new Range(32768, 60999);

    /** Replaced whole, so a reader sees a low and a high that belong together. */
    private volatile Range current;

    public LocalPortRange() {
        this(DEFAULT);
    }

    public LocalPortRange(Range initial) {
        this.current = Objects.requireNonNull(initial, "initial");
    }

    /** {@code inet_get_local_port_range}: the range in force now. */
    public Range get() {
        return current;
    }

    /** {@code sysctl -w net.ipv4.ip_local_port_range="low high"}. */
    public void set(Range next) {
        current = Objects.requireNonNull(next, "next");
    }

    /** A range {@code low..high} of ports, both included. */
    public record Range(int low, int high) {
        public Range {
            if (low < 1 || high > 0xffff || low > high) {
                throw new IllegalArgumentException("ip_local_port_range must satisfy 1 <= low <= high <= 65535, got "
                        + low + " " + high);
            }
        }

        /** The sysctl's text form, two numbers apart ({@code "32768 60999"}, tabs and commas taken too). */
        public static Range parse(String text) {
            String[] parts = text.trim().split("[\\s,]+");
            if (parts.length != 2) {
                throw new IllegalArgumentException("ip_local_port_range needs two ports \"low high\", got \"" + text + "\"");
            }
            try {
                return new Range(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ip_local_port_range needs two ports \"low high\", got \"" + text + "\"");
            }
        }

        /** How many ports the range holds. */
        public int size() {
            return high - low + 1;
        }

        public boolean contains(int port) {
            return port >= low && port <= high;
        }

        @Override
        public String toString() {
            return low + " " + high;
        }
    }
}
