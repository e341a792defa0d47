package net.tern.inet.impl.ip;

import net.tern.spi.proto.NetProtocol;
import net.tern.spi.whiteboard.ServiceRank;
import net.tern.spi.whiteboard.SlotTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inet_protos[]} and {@code inet_add_protocol}: the handler of each IP protocol
 * number, a {@link SlotTable} of 256 read without locking per packet. When two handlers claim
 * one number (a protocol bundle being replaced, say), the higher service ranking holds the
 * slot, then the older registration; the other takes over if the holder leaves.
 */
public final class IpProtocolTable {
    private static final Logger LOG = LoggerFactory.getLogger(IpProtocolTable.class);

    private final SlotTable<NetProtocol> slots = new SlotTable<>(256);

    /**
     * {@code inet_add_protocol}: {@code handler} receives IP protocol {@code protocol}, unless
     * a registration that takes precedence holds it. The same handler added twice for one
     * protocol is one registration: the first stays, with its rank (ICMP, built in, comes back
     * through the whiteboard as a service and must keep its place).
     */
    public synchronized void add(NetProtocol handler, int protocol, int ranking, long order) {
        if (!slots.isKey(protocol)) {
            throw new IllegalArgumentException("inet_add_protocol: protocol out of range 0..255: " + protocol);
        }
        for (SlotTable.Candidate<NetProtocol> registered : slots.candidates(protocol)) {
            if (registered.service() == handler) {
                return;
            }
        }
        slots.add(protocol, handler, new ServiceRank(ranking, order));
        LOG.debug("IP protocol {} handler added: {}", protocol, handler);
    }

    /** {@code inet_del_protocol}: removes the registration of {@code handler} made with {@code order}. */
    public synchronized void remove(NetProtocol handler, long order) {
        slots.remove(handler, order);
    }

    /** Removes every registration of {@code handler}. */
    public synchronized void remove(NetProtocol handler) {
        slots.remove(handler);
    }

    /** The handler of {@code protocol} now, or null. */
    public NetProtocol get(int protocol) {
        return slots.get(protocol);
    }
}
