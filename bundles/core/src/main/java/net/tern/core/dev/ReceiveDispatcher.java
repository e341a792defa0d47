package net.tern.core.dev;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketHandler;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receive dispatch by packet type: {@code ptype_base} filled by {@code dev_add_pack}, and
 * {@code __netif_receive_skb}, which hands each received packet to the handler for its
 * {@link Packet#protocol() ethertype}.
 *
 * <p>Handlers are {@link PacketHandler} services with the property
 * {@value PacketHandler#ETHERTYPE}; when two claim one type, the higher
 * {@code service.ranking} wins (then the older service, as OSGi orders services). Lookup is
 * O(1): a two-level table indexed by the ethertype's high and low byte, rebuilt (copy on
 * write) when handlers come and go, and read without a lock per packet.
 *
 * <p>{@link #dispatch} runs on the network thread; handlers are added and removed from any.
 */
@Component(service = ReceiveDispatcher.class, immediate = true)
public final class ReceiveDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveDispatcher.class);

    /** One handler registration: a service, or a direct registration in tests. */
    private record Registration(PacketHandler handler, int ethertype, int ranking, long order) {
    }

    private static final Comparator<Registration> PRECEDENCE =
            Comparator.comparingInt(Registration::ranking).reversed().thenComparingLong(Registration::order);

    private final List<Registration> registrations = new ArrayList<>();
    /** [high byte][low byte] of the ethertype; an inner array exists only where a handler is. */
    private volatile PacketHandler[][] table = new PacketHandler[256][];

    private final LongAdder unknownType = new LongAdder();
    private final LongAdder linkDown = new LongAdder();
    private final LongAdder handlerErrors = new LongAdder();
    private final LongAdder delivered = new LongAdder();

    /** DS: a {@link PacketHandler} service arrives. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            updated = "updatedPacketHandler")
    void bindPacketHandler(PacketHandler handler, Map<String, Object> properties) {
        Integer ethertype = ethertypeOf(properties);
        if (ethertype == null) {
            LOG.error("PacketHandler {} ignored: property '{}' must be an ethertype 0..0xffff, got {}",
                    handler, PacketHandler.ETHERTYPE, properties.get(PacketHandler.ETHERTYPE));
            return;
        }
        addHandler(handler, ethertype, rankingOf(properties), serviceIdOf(properties));
    }

    void updatedPacketHandler(PacketHandler handler, Map<String, Object> properties) {
        unbindPacketHandler(handler, properties);
        bindPacketHandler(handler, properties);
    }

    void unbindPacketHandler(PacketHandler handler, Map<String, Object> properties) {
        long serviceId = serviceIdOf(properties);
        // By service id: one object may be registered as several services (several types).
        remove(r -> r.handler == handler && r.order == serviceId);
    }

    /**
     * {@code dev_add_pack}: {@code handler} receives packets of {@code ethertype}, unless a
     * handler of higher {@code ranking} (or equal ranking and lower {@code order}) claims it.
     */
    public void addHandler(PacketHandler handler, int ethertype, int ranking, long order) {
        if (ethertype < 0 || ethertype > 0xffff) {
            throw new IllegalArgumentException("dev_add_pack: ethertype out of range 0..0xffff: " + ethertype);
        }
        synchronized (registrations) {
            registrations.add(new Registration(handler, ethertype, ranking, order));
            rebuild();
        }
        LOG.debug("handler for {} added: {} (ranking {})", EtherType.name(ethertype), handler, ranking);
    }

    /** {@code dev_remove_pack}: removes every registration of {@code handler}. */
    public void removeHandler(PacketHandler handler) {
        remove(r -> r.handler == handler);
    }

    private void remove(java.util.function.Predicate<Registration> which) {
        synchronized (registrations) {
            if (registrations.removeIf(which)) {
                rebuild();
            }
        }
    }

    /** The handler that receives {@code ethertype} now, or null. */
    public PacketHandler handlerFor(int ethertype) {
        if (ethertype < 0 || ethertype > 0xffff) {
            return null;
        }
        PacketHandler[] low = table[ethertype >>> 8];
        return low == null ? null : low[ethertype & 0xff];
    }

    /**
     * {@code __netif_receive_skb}: hands {@code packet} to the handler for its type, which
     * then owns it. A packet nobody handles, or one whose link went down while it waited, is
     * counted as a receive drop on its link and released. Called on the network thread.
     */
    public void dispatch(Packet packet) {
        Link link = packet.device();
        if (link != null && !link.isUp()) {
            linkDown.increment();
            link.stats().rxDropped.increment();
            packet.release();
            return;
        }
        PacketHandler handler = handlerFor(packet.protocol());
        if (handler == null) {
            unknownType.increment();
            if (link != null) {
                link.stats().rxDropped.increment();
            }
            packet.release();
            return;
        }
        delivered.increment();
        try {
            handler.receive(packet);
        } catch (RuntimeException | LinkageError error) {
            handlerErrors.increment();
            LOG.error("handler for {} threw on {}; packet dropped", EtherType.name(packet.protocol()), packet, error);
            if (!packet.isReleased()) {
                packet.release();
            }
        }
    }

    /** Counts a packet dropped before dispatch because its link was down. */
    void countLinkDown() {
        linkDown.increment();
    }

    /** Packets dropped because no handler took their type. */
    public long unknownTypeDrops() {
        return unknownType.sum();
    }

    /** Packets dropped because their link was down. */
    public long linkDownDrops() {
        return linkDown.sum();
    }

    /** Handler calls that threw. */
    public long handlerErrors() {
        return handlerErrors.sum();
    }

    /** Packets handed to a handler. */
    public long delivered() {
        return delivered.sum();
    }

    private void rebuild() {
        PacketHandler[][] next = new PacketHandler[256][];
        List<Registration> ordered = new ArrayList<>(registrations);
        ordered.sort(PRECEDENCE);
        for (Registration r : ordered) {
            PacketHandler[] low = next[r.ethertype >>> 8];
            if (low == null) {
                low = new PacketHandler[256];
                next[r.ethertype >>> 8] = low;
            }
            if (low[r.ethertype & 0xff] == null) {
                low[r.ethertype & 0xff] = r.handler; // first in precedence order wins
            }
        }
        table = next;
    }

    private static Integer ethertypeOf(Map<String, Object> properties) {
        Object value = properties.get(PacketHandler.ETHERTYPE);
        long type;
        if (value instanceof Number n) {
            type = n.longValue();
        } else if (value instanceof String s) {
            try {
                type = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            } catch (NumberFormatException e) {
                return null;
            }
        } else {
            return null;
        }
        return type < 0 || type > 0xffff ? null : (int) type;
    }

    private static int rankingOf(Map<String, Object> properties) {
        Object value = properties.get(Constants.SERVICE_RANKING);
        return value instanceof Integer i ? i : 0;
    }

    private static long serviceIdOf(Map<String, Object> properties) {
        Object value = properties.get(Constants.SERVICE_ID);
        return value instanceof Long l ? l : Long.MAX_VALUE;
    }
}
