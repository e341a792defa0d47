package net.tern.services;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The services this bundle offers, by their configuration name, with their well-known ports. */
enum Service {
    /** RFC 862, TCP and UDP. */
    ECHO(7),
    /** RFC 863, TCP and UDP. */
    DISCARD(9),
    /** RFC 864, TCP only here. */
    CHARGEN(19),
    /** The status page, HTTP/1.1 over TCP. */
    HTTP(80);

    final int port;

    Service(int port) {
        this.port = port;
    }

    String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The services named in {@code names}, each entry a comma list ({@code "echo,discard"}
     * or one name per entry), in the order given, without repeats. Blank entries are skipped;
     * an unknown name is an {@link IllegalArgumentException} naming it and the known ones.
     */
    static List<Service> parse(String... names) {
        List<Service> services = new ArrayList<>();
        for (String entry : names == null ? new String[0] : names) {
            for (String name : entry.split(",")) {
                String n = name.strip().toLowerCase(Locale.ROOT);
                if (n.isEmpty()) {
                    continue;
                }
                Service s = byName(n);
                if (!services.contains(s)) {
                    services.add(s);
                }
            }
        }
        return services;
    }

    private static Service byName(String name) {
        for (Service s : values()) {
            if (s.configName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown service '" + name + "' (known: echo, discard, chargen, http)");
    }
}
