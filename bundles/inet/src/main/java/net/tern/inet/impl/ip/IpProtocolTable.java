package net.tern.inet.impl.ip;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import net.tern.spi.proto.NetProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inet_protos[]} and {@code inet_add_protocol}: the handler of each IP protocol
 * number, an array of 256 read without locking per packet. When two handlers claim one
 * number (a protocol bundle being replaced, say), the higher service ranking holds the slot,
 * then the older registration; the other takes over if the holder leaves.
 */
public final class IpProtocolTable {
    private static final Logger LOG = LoggerFactory.getLogger(IpProtocolTable.class);

    private record Registration(NetProtocol handler, int protocol, int ranking, long order) {
    }

    private static final Comparator<Registration> PRECEDENCE =
            Comparator.comparingInt(Registration::ranking).reversed().thenComparingLong(Registration::order);

    private final AtomicReferenceArray<NetProtocol> slots = new AtomicReferenceArray<>(256);
    private final List<Registration> registrations = new ArrayList<>();

    /**
     * {@code inet_add_protocol}: {@code handler} receives IP protocol {@code protocol}, unless
     * a registration that takes precedence holds it. The same handler added twice for one
     * protocol is one registration.
     */
    public synchronized void add(NetProtocol handler, int protocol, int ranking, long order) {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("inet_add_protocol: protocol out of range 0..255: " + protocol);
        }
        for (Registration r : registrations) {
            if (r.handler == handler && r.protocol == protocol) {
                return;
            }
        }
        registrations.add(new Registration(handler, protocol, ranking, order));
        elect(protocol);
        LOG.debug("IP protocol {} handler added: {}", protocol, handler);
    }

    /** {@code inet_del_protocol}: removes the registration of {@code handler} made with {@code order}. */
    public synchronized void remove(NetProtocol handler, long order) {
        removeIf(handler, order, true);
    }

    /** Removes every registration of {@code handler}. */
    public synchronized void remove(NetProtocol handler) {
        removeIf(handler, 0, false);
    }

    private void removeIf(NetProtocol handler, long order, boolean matchOrder) {
        List<Integer> touched = new ArrayList<>();
        registrations.removeIf(r -> {
            boolean match = r.handler == handler && (!matchOrder || r.order == order);
            if (match) {
                touched.add(r.protocol);
            }
            return match;
        });
        for (int protocol : touched) {
            elect(protocol);
        }
    }

    /** The handler of {@code protocol} now, or null. */
    public NetProtocol get(int protocol) {
        return protocol < 0 || protocol > 255 ? null : slots.get(protocol);
    }

    private void elect(int protocol) {
        Registration best = null;
        for (Registration r : registrations) {
            if (r.protocol == protocol && (best == null || PRECEDENCE.compare(r, best) < 0)) {
                best = r;
            }
        }
        slots.set(protocol, best == null ? null : best.handler);
    }
}
