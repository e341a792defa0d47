package net.tern.core.dev;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.spi.net.Clock;
import net.tern.spi.net.Link;
import net.tern.spi.net.LinkEvent;
import net.tern.spi.net.LinkListener;
import net.tern.spi.net.LinkRegistry;
import net.tern.spi.net.NetDevice;
import net.tern.spi.net.NetworkThread;
import net.tern.spi.net.PacketAllocator;
import net.tern.spi.net.TimerService;
import net.tern.spi.trace.Tracepoints;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device registry ({@code dev_base_head}, {@code register_netdev},
 * {@code unregister_netdev}) and the netdevice notifier chain.
 *
 * <p>{@link NetDevice} services are a whiteboard: each one that arrives gets the next
 * interface index (from 1, never reused), is wrapped in a {@link Link} that is also its
 * {@code NetDeviceContext}, gets its initial addresses and is brought up, as an init system
 * brings up every interface it finds. A name already taken is refused ({@code EEXIST},
 * logged; the device stays unregistered). A device that leaves is brought down, then
 * unregistered.
 *
 * <p>{@link LinkListener} services hear every change; one that arrives late first hears
 * REGISTER, and UP for links that are up, for every link already there.
 *
 * <p>Threading: configuration changes take one registry-wide lock (Linux's RTNL) and notify
 * listeners under it, so listeners see changes in the order they happened. Lookups and the
 * data path take no lock.
 */
@Component(service = LinkRegistry.class, immediate = true)
public final class DeviceRegistry implements LinkRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistry.class);
    /** {@code IFNAMSIZ} - 1. */
    static final int MAX_NAME_LENGTH = 15;

    private final NetworkThread networkThread;
    private final TimerService timers;
    private final Clock clock;
    private final PacketAllocator allocator;
    private final ReceiveDispatcher dispatcher;

    /** RTNL: serialises registration, configuration and the notifications they cause. */
    private final ReentrantLock rtnl = new ReentrantLock();
    private final Map<Integer, CoreLink> byIndex = new ConcurrentSkipListMap<>();
    private final Map<String, CoreLink> byName = new ConcurrentHashMap<>();
    /** Guarded by rtnl. A service object is identified by identity, not equals. */
    private final Map<NetDevice, CoreLink> byDevice = new IdentityHashMap<>();
    private final List<LinkListener> listeners = new CopyOnWriteArrayList<>();
    /** Guarded by rtnl. */
    private int lastIndex;

    @Activate
    public DeviceRegistry(@Reference(name = "networkThread") NetworkThread networkThread,
            @Reference(name = "timers") TimerService timers,
            @Reference(name = "clock") Clock clock,
            @Reference(name = "allocator") PacketAllocator allocator,
            @Reference(name = "dispatcher") ReceiveDispatcher dispatcher) {
        this.networkThread = Objects.requireNonNull(networkThread, "networkThread");
        this.timers = Objects.requireNonNull(timers, "timers");
        this.clock = Objects.requireNonNull(clock, "clock");
        Tracepoints.traceClock(clock); // events fired where no clock is at hand are stamped by the stack's
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
    }

    // ---- DS whiteboards

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindNetDevice(NetDevice device) {
        try {
            register(device);
        } catch (ErrnoException e) {
            LOG.error("device not registered: {}", e.getMessage());
        }
    }

    void unbindNetDevice(NetDevice device) {
        unregister(device);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindLinkListener(LinkListener listener) {
        addListener(listener);
    }

    void unbindLinkListener(LinkListener listener) {
        removeListener(listener);
    }

    /** Bundle stop: every device goes down and is unregistered, newest first. */
    @Deactivate
    public void close() {
        rtnl.lock();
        try {
            List<CoreLink> all = new ArrayList<>(byIndex.values());
            for (int i = all.size() - 1; i >= 0; i--) {
                unregister(all.get(i).device());
            }
        } finally {
            rtnl.unlock();
        }
    }

    // ---- register_netdev

    /**
     * {@code register_netdev}: registers {@code device} and brings it up. Throws EEXIST when
     * its name is taken, EINVAL for a bad name or an MTU outside 68..its maximum. A device
     * that fails to open stays registered and down.
     */
    public Link register(NetDevice device) throws ErrnoException {
        Objects.requireNonNull(device, "device");
        rtnl.lock();
        try {
            String name = device.name();
            String call = "register_netdev(" + name + ")";
            validateName(call, name);
            if (byDevice.containsKey(device)) {
                throw new ErrnoException(Errno.EEXIST, call + ": this device is already registered");
            }
            if (byName.containsKey(name)) {
                throw new ErrnoException(Errno.EEXIST, call + ": the name " + name + " is taken by ifindex "
                        + byName.get(name).index());
            }
            int mtu = device.mtu();
            if (mtu < CoreLink.MIN_MTU || mtu > device.maxMtu()) {
                throw new ErrnoException(Errno.EINVAL, call + ": MTU " + mtu + " outside " + CoreLink.MIN_MTU
                        + ".." + device.maxMtu());
            }
            CoreLink link = new CoreLink(this, device, ++lastIndex, name);
            link.applyInitialAddresses(device.addresses());
            byDevice.put(device, link);
            byIndex.put(link.index(), link);
            byName.put(name, link);
            LOG.info("registered {}", link);
            notifyListeners(link, LinkEvent.REGISTER);
            try {
                link.setUp(true);
            } catch (ErrnoException e) {
                LOG.error("{} registered but left down: {}", name, e.getMessage());
            }
            return link;
        } finally {
            rtnl.unlock();
        }
    }

    /** {@code unregister_netdev}: down (DOWN to listeners), then UNREGISTER, then gone. */
    public void unregister(NetDevice device) {
        rtnl.lock();
        try {
            CoreLink link = byDevice.get(device);
            if (link == null) {
                return; // refused at registration, or already gone
            }
            try {
                link.setUp(false);
            } catch (ErrnoException e) {
                LOG.error("{}: could not bring down before unregistering: {}", link.name(), e.getMessage());
            }
            notifyListeners(link, LinkEvent.UNREGISTER);
            link.markUnregistered();
            byDevice.remove(device);
            byIndex.remove(link.index());
            byName.remove(link.name());
            LOG.info("unregistered {}: {}", link.index(), link.name());
        } finally {
            rtnl.unlock();
        }
    }

    // ---- notifier chain

    /** {@code register_netdevice_notifier}: replays REGISTER (and UP) for the links there. */
    public void addListener(LinkListener listener) {
        Objects.requireNonNull(listener, "listener");
        rtnl.lock();
        try {
            listeners.add(listener);
            for (CoreLink link : byIndex.values()) {
                tell(listener, link, LinkEvent.REGISTER);
                if (link.isUp()) {
                    tell(listener, link, LinkEvent.UP);
                }
            }
        } finally {
            rtnl.unlock();
        }
    }

    public void removeListener(LinkListener listener) {
        rtnl.lock();
        try {
            listeners.remove(listener);
        } finally {
            rtnl.unlock();
        }
    }

    /** Called with rtnl held. */
    void notifyListeners(Link link, LinkEvent event) {
        for (LinkListener listener : listeners) {
            tell(listener, link, event);
        }
    }

    private static void tell(LinkListener listener, Link link, LinkEvent event) {
        try {
            listener.linkChanged(link, event);
        } catch (RuntimeException e) {
            LOG.error("link listener {} threw on {} {}", listener, event, link.name(), e);
        }
    }

    // ---- LinkRegistry

    @Override
    public List<Link> links() {
        return List.copyOf(byIndex.values());
    }

    @Override
    public Optional<Link> byName(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(byName.get(name));
    }

    @Override
    public Optional<Link> byIndex(int index) {
        return Optional.ofNullable(byIndex.get(index));
    }

    // ---- for links

    void rtnlLock() {
        rtnl.lock();
    }

    void rtnlUnlock() {
        rtnl.unlock();
    }

    NetworkThread networkThread() {
        return networkThread;
    }

    Clock clock() {
        return clock;
    }

    /** Where a link's impairment sets its delay and hold timers. */
    TimerService timers() {
        return timers;
    }

    PacketAllocator allocator() {
        return allocator;
    }

    ReceiveDispatcher dispatcher() {
        return dispatcher;
    }

    /** {@code dev_valid_name}. */
    private static void validateName(String call, String name) throws ErrnoException {
        if (name == null || name.isEmpty()) {
            throw new ErrnoException(Errno.EINVAL, call + ": the device has no name");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new ErrnoException(Errno.EINVAL, call + ": name longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new ErrnoException(Errno.EINVAL, call + ": '" + name + "' is not a device name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c)) {
                throw new ErrnoException(Errno.EINVAL, call + ": '" + c + "' is not allowed in a device name");
            }
        }
    }
}
