package net.tern.nio;

import static net.tern.api.socket.SocketConstants.EFD_NONBLOCK;
import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_DEL;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_MOD;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;

/**
 * A {@link Selector} over one epoll set of the socket layer (the JDK's {@code EPollSelectorImpl}).
 *
 * <ul>
 * <li>Level-triggered: the epoll set re-polls every ready socket at each wait, so a key's
 * readiness is computed afresh against its interest at every selection.</li>
 * <li>{@link #wakeup()} writes to an eventfd in the same epoll set: a selection in progress
 * returns at once, and a wake-up with no selection in progress makes the next one return at
 * once (it is sticky); {@code selectNow} clears it.</li>
 * <li>No spurious zero: a selection returns 0 only when its timeout passed, it was woken, or
 * its thread was interrupted. Readiness that meets none of a key's interest (OP_CONNECT
 * interest on a connected channel) leaves the descriptor out of the epoll set until the key's
 * interest is set again, so it cannot spin.</li>
 * <li>The selected-key set is an array ({@link SelectedKeys}); a key's epoll data is its slot in
 * an array of keys, so dispatching an event is an index, and a selection allocates nothing.</li>
 * <li>Registration, interest changes and cancellation are queued and applied to the epoll set by
 * the selecting thread, as in the JDK: a registration made during a blocking selection takes
 * effect at the next one (or after {@link #wakeup()}). Cancelled keys go through
 * {@link AbstractSelector}'s cancelled-key set and {@link #deregister}; a closed channel's
 * descriptor is closed when its last key has gone.</li>
 * <li>A selection waits in the socket layer, parked on a {@code java.util.concurrent} condition,
 * and holds a {@link ReentrantLock}, not a monitor: no platform thread is pinned.</li>
 * </ul>
 */
final class TernSelector extends AbstractSelector {
    /** Events taken per wait; more ready keys are reported by the next selection. */
    private static final int MAX_EVENTS = 1024;
    /** The epoll data of the wake-up eventfd (key slots are 0 and up). */
    private static final long WAKEUP = -1;

    private final SocketApi api;
    private final int epfd;
    private final int wakeupFd;

    /** Held by a selection, and by close. */
    private final ReentrantLock selectLock = new ReentrantLock();
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final SelectedKeys selectedKeys = new SelectedKeys();

    /** Guards the slots and the update queue. */
    private final ReentrantLock updateLock = new ReentrantLock();
    private TernSelectionKey[] slots = new TernSelectionKey[16];
    private int[] freeSlots = new int[16];
    private int freeCount;
    private int slotsUsed;
    private final ArrayDeque<TernSelectionKey> updates = new ArrayDeque<>();

    /** Guards the wake-up state. */
    private final ReentrantLock wakeupLock = new ReentrantLock();
    private boolean wakeupPending;

    // Owned by the selecting thread.
    private final int[] events = new int[MAX_EVENTS];
    private final long[] data = new long[MAX_EVENTS];

    TernSelector(TernSelectorProvider provider, SocketApi api) throws IOException {
        super(provider);
        this.api = api;
        try {
            this.epfd = api.epollCreate();
        } catch (ErrnoException e) {
            throw new IOException(e.getMessage(), e);
        }
        try {
            this.wakeupFd = api.eventfd(0, EFD_NONBLOCK);
        } catch (ErrnoException e) {
            closeQuietly(epfd);
            throw new IOException(e.getMessage(), e);
        }
        int added = api.sysEpollCtl(epfd, EPOLL_CTL_ADD, wakeupFd, EPOLLIN, WAKEUP);
        if (added < 0) {
            closeQuietly(wakeupFd);
            closeQuietly(epfd);
            throw new IOException("epoll_ctl(ADD) of the wake-up eventfd: " + IoErrors.text(-added));
        }
    }

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return selectedKeys;
    }

    // ---- registration ---------------------------------------------------------------------

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object attachment) {
        if (!(ch instanceof TernSelectable)) {
            throw new IllegalSelectorException();
        }
        TernSelectionKey key = new TernSelectionKey(ch, this);
        key.attach(attachment);
        updateLock.lock();
        try {
            ensureOpen();
            key.slot = allocateSlot(key);
        } finally {
            updateLock.unlock();
        }
        keys.add(key);
        // Queues the registration itself; a cancelled key is dropped by the selection first.
        key.interestOps(ops);
        return key;
    }

    /** Under updateLock. */
    private int allocateSlot(TernSelectionKey key) {
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else {
            if (slotsUsed == slots.length) {
                slots = Arrays.copyOf(slots, slotsUsed * 2);
            }
            slot = slotsUsed++;
        }
        slots[slot] = key;
        return slot;
    }

    /** Under updateLock. */
    private void freeSlot(int slot) {
        slots[slot] = null;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        }
        freeSlots[freeCount++] = slot;
    }

    /** A key's interest changed (or it was parked and is set again): queued for the next selection. */
    void interestChanged(TernSelectionKey key) {
        updateLock.lock();
        try {
            ensureOpen();
            updates.addLast(key);
        } finally {
            updateLock.unlock();
        }
    }

    /** Applies the queued interest changes to the epoll set. Under selectLock. */
    private void processUpdates() {
        updateLock.lock();
        try {
            TernSelectionKey key;
            while ((key = updates.pollFirst()) != null) {
                if (!key.isValid()) {
                    continue;
                }
                key.parked = false;
                control(key, TernSelectable.epollEvents(key.interest()));
            }
        } finally {
            updateLock.unlock();
        }
    }

    /**
     * Puts the key's descriptor in the epoll set with {@code wanted} events, or takes it out
     * for none (as the JDK does, so a key without interest hears no error or hang-up either).
     * A descriptor that fails (closed under the key) is left to the key's cancellation.
     */
    private void control(TernSelectionKey key, int wanted) {
        if (wanted == key.registeredEvents) {
            return;
        }
        int fd = key.selectable.descriptor().fd;
        int result;
        if (wanted == 0) {
            result = api.sysEpollCtl(epfd, EPOLL_CTL_DEL, fd, 0, 0);
        } else if (key.registeredEvents == 0) {
            result = api.sysEpollCtl(epfd, EPOLL_CTL_ADD, fd, wanted, key.slot);
        } else {
            result = api.sysEpollCtl(epfd, EPOLL_CTL_MOD, fd, wanted, key.slot);
        }
        key.registeredEvents = result == 0 ? wanted : 0;
    }

    /** Deregisters the cancelled keys. Under selectLock. */
    private void processDeregistrations() {
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            if (cancelled.isEmpty()) {
                return;
            }
            Iterator<SelectionKey> i = cancelled.iterator();
            while (i.hasNext()) {
                deregisterKey((TernSelectionKey) i.next());
                i.remove();
            }
        }
    }

    /** {@code implDereg}: out of the epoll set, the slot and the sets; a closed channel's last key closes it. */
    private void deregisterKey(TernSelectionKey key) {
        if (key.registeredEvents != 0) {
            api.sysEpollCtl(epfd, EPOLL_CTL_DEL, key.selectable.descriptor().fd, 0, 0);
            key.registeredEvents = 0;
        }
        updateLock.lock();
        try {
            if (key.slot >= 0 && slots[key.slot] == key) {
                freeSlot(key.slot);
            }
            key.slot = -1;
        } finally {
            updateLock.unlock();
        }
        keys.remove(key);
        selectedKeys.remove(key);
        deregister(key);
        if (!key.channel.isOpen() && !key.channel.isRegistered()) {
            key.selectable.descriptor().kill();
        }
    }

    // ---- selection --------------------------------------------------------------------------

    @Override
    public int selectNow() throws IOException {
        return doSelect(null, 0);
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return doSelect(null, timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select() throws IOException {
        return doSelect(null, -1);
    }

    @Override
    public int select(Consumer<SelectionKey> action, long timeout) throws IOException {
        Objects.requireNonNull(action);
        if (timeout < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return doSelect(action, timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        Objects.requireNonNull(action);
        return doSelect(action, -1);
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        Objects.requireNonNull(action);
        return doSelect(action, 0);
    }

    /**
     * One selection: {@code timeoutMillis} negative waits until a key is ready, a wake-up or an
     * interrupt; 0 does not wait; positive waits at most that long. With {@code action}, each
     * ready key is handed to it instead of joining the selected-key set. Returns how many keys
     * were updated.
     */
    private int doSelect(Consumer<SelectionKey> action, long timeoutMillis) throws IOException {
        selectLock.lock();
        try {
            ensureOpen();
            long deadline = timeoutMillis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
            processDeregistrations();
            processUpdates();
            int updated = 0;
            while (true) {
                int wait = waitMillis(timeoutMillis, deadline);
                int n;
                if (wait != 0) {
                    begin(); // an interrupt wakes the selection
                    try {
                        n = api.sysEpollWait(epfd, events, data, wait);
                    } finally {
                        end();
                    }
                } else {
                    n = api.sysEpollWait(epfd, events, data, 0);
                }
                if (n < 0 && n != Errno.EINTR.negative()) {
                    throw new IOException("epoll_wait: " + IoErrors.text(-n));
                }
                processDeregistrations();
                boolean woken = false;
                for (int i = 0; i < n; i++) {
                    if (data[i] == WAKEUP) {
                        woken = true;
                    } else {
                        updated += ready((int) data[i], events[i], action);
                    }
                }
                if (woken) {
                    clearWakeup();
                }
                if (updated > 0 || woken || n < 0 || timeoutMillis == 0 || Thread.currentThread().isInterrupted()
                        || (timeoutMillis > 0 && deadline - System.nanoTime() <= 0)) {
                    break;
                }
                // Only readiness that met no interest: those keys are parked now; wait again.
                processUpdates();
            }
            processDeregistrations();
            return updated;
        } finally {
            selectLock.unlock();
        }
    }

    /** The wait for epoll: -1 for ever, 0 none, else the milliseconds left (at least 1). */
    private static int waitMillis(long timeoutMillis, long deadline) {
        if (timeoutMillis <= 0) {
            return (int) timeoutMillis;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime() + 999_999);
        return (int) Math.max(1, Math.min(left, Integer.MAX_VALUE));
    }

    /** One ready event for the key in {@code slot}: 1 when the key was updated, else 0. */
    private int ready(int slot, int epollEvents, Consumer<SelectionKey> action) {
        TernSelectionKey key;
        updateLock.lock();
        try {
            key = slot < slotsUsed ? slots[slot] : null;
        } finally {
            updateLock.unlock();
        }
        // A key deregistered after this wait may have left its slot to a key registered since,
        // which is not in the epoll set yet: its event is stale.
        if (key == null || !key.isValid() || key.registeredEvents == 0) {
            return 0;
        }
        int interest = key.interest();
        int ready = key.selectable.readyOps(epollEvents, interest);
        if (ready == 0) {
            // Readiness meets no interest: out of the epoll set until the interest is set again.
            key.parked = true;
            control(key, 0);
            return 0;
        }
        if (action != null) {
            key.readyOps(ready);
            action.accept(key);
            ensureOpen();
            return 1;
        }
        if (selectedKeys.contains(key)) {
            int merged = key.ready() | ready;
            if (merged != key.ready()) {
                key.readyOps(merged);
                return 1;
            }
            return 0;
        }
        key.readyOps(ready);
        selectedKeys.insert(key);
        return 1;
    }

    // ---- wake-up ------------------------------------------------------------------------------

    @Override
    public Selector wakeup() {
        wakeupLock.lock();
        try {
            if (!wakeupPending) {
                wakeupPending = true;
                api.sysEventfdWrite(wakeupFd, 1);
            }
        } finally {
            wakeupLock.unlock();
        }
        return this;
    }

    private void clearWakeup() {
        wakeupLock.lock();
        try {
            api.sysEventfdRead(wakeupFd);
            wakeupPending = false;
        } finally {
            wakeupLock.unlock();
        }
    }

    // ---- close --------------------------------------------------------------------------------

    @Override
    protected void implCloseSelector() throws IOException {
        wakeup();
        selectLock.lock();
        try {
            updateLock.lock();
            try {
                updates.clear();
            } finally {
                updateLock.unlock();
            }
            processDeregistrations();
            for (SelectionKey k : keys.toArray(new SelectionKey[0])) {
                TernSelectionKey key = (TernSelectionKey) k;
                key.registeredEvents = 0; // the epoll set goes with the selector
                deregisterKey(key);
            }
            selectedKeys.clear();
            closeQuietly(wakeupFd);
            closeQuietly(epfd);
        } finally {
            selectLock.unlock();
        }
    }

    private void closeQuietly(int fd) {
        try {
            api.close(fd);
        } catch (ErrnoException ignored) {
            // closed already (the socket layer stopped)
        }
    }

    @Override
    public String toString() {
        return "TernSelector[epfd " + epfd + ", " + keys.size() + " keys]";
    }
}
