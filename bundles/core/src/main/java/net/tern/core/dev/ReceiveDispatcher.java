package net.tern.core.dev;

import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.LongAdder;
import net.tern.spi.net.EtherType;
import net.tern.spi.net.Link;
import net.tern.spi.net.Packet;
import net.tern.spi.net.PacketHandler;
import net.tern.spi.whiteboard.IntProperty;
import net.tern.spi.whiteboard.ServiceRank;
import net.tern.spi.whiteboard.SlotTable;
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
 * {@code service.ranking} wins (then the older service, as OSGi orders services) and the
 * other waits in reserve, taking over when the winner leaves. Lookup is O(1): a
 * {@link SlotTable} of all 65536 ethertypes, copied on write when handlers come and go and
 * read without a lock per packet.
 *
 * <p>{@link #dispatch} runs on the network thread; handlers are added and removed from any.
 */
@Component(service = ReceiveDispatcher.class, immediate = true)
public final class ReceiveDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ReceiveDispatcher.class);

    /** The service property naming the type handled: an Integer, or a String such as "0x0800". */
    private static final IntProperty ETHERTYPE = new IntProperty(PacketHandler.ETHERTYPE, 0, 0xffff);

    /** {@code ptype_base}: the handler of each ethertype, and the handlers in reserve. */
    private final SlotTable<PacketHandler> handlers = new SlotTable<>(0x10000);

    private final LongAdder unknownType = new LongAdder();
    private final LongAdder linkDown = new LongAdder();
    private final LongAdder backlogDrops = new LongAdder();
    private final LongAdder handlerErrors = new LongAdder();
    private final LongAdder delivered = new LongAdder();

    /** DS: a {@link PacketHandler} service arrives. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            updated = "updatedPacketHandler")
    void bindPacketHandler(PacketHandler handler, Map<String, Object> properties) {
        OptionalInt ethertype = ETHERTYPE.read(properties);
        if (ethertype.isEmpty()) {
            LOG.error("PacketHandler {} ignored: property '{}' must be an ethertype 0..0xffff, got {}",
                    handler, PacketHandler.ETHERTYPE, properties.get(PacketHandler.ETHERTYPE));
            return;
        }
        ServiceRank rank = ServiceRank.of(properties);
        addHandler(handler, ethertype.getAsInt(), rank.ranking(), rank.order());
    }

    void updatedPacketHandler(PacketHandler handler, Map<String, Object> properties) {
        unbindPacketHandler(handler, properties);
        bindPacketHandler(handler, properties);
    }

    void unbindPacketHandler(PacketHandler handler, Map<String, Object> properties) {
        // By service id: one object may be registered as several services (several types).
        handlers.remove(handler, ServiceRank.of(properties).order());
    }

    /**
     * {@code dev_add_pack}: {@code handler} receives packets of {@code ethertype}, unless a
     * handler of higher {@code ranking} (or equal ranking and lower {@code order}) claims it.
     */
    public void addHandler(PacketHandler handler, int ethertype, int ranking, long order) {
        if (!handlers.isKey(ethertype)) {
            throw new IllegalArgumentException("dev_add_pack: ethertype out of range 0..0xffff: " + ethertype);
        }
        handlers.add(ethertype, handler, new ServiceRank(ranking, order));
        LOG.debug("handler for {} added: {} (ranking {})", EtherType.name(ethertype), handler, ranking);
    }

    /** {@code dev_remove_pack}: removes every registration of {@code handler}. */
    public void removeHandler(PacketHandler handler) {
        handlers.remove(handler);
    }

    /** The handler that receives {@code ethertype} now, or null. */
    public PacketHandler handlerFor(int ethertype) {
        return handlers.get(ethertype);
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

    /** Counts a packet dropped because its link's receive backlog was full. */
    void countBacklogDrop() {
        backlogDrops.increment();
    }

    /** Packets dropped because their link's receive backlog was full ({@code softnet_stat}'s dropped). */
    public long backlogDrops() {
        return backlogDrops.sum();
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
}
