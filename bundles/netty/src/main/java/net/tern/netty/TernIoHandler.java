package net.tern.netty;

import static net.tern.api.socket.SocketConstants.EPOLLIN;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_ADD;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_DEL;
import static net.tern.api.socket.SocketConstants.EPOLL_CTL_MOD;

import io.netty.channel.ChannelException;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SocketApi;
import net.tern.api.socket.SocketConstants;

/**
 * The I/O half of a Netty event loop over Tern: one epoll set of the socket layer
 * ({@link SocketApi#epollCreate}), waited on with {@link SocketApi#sysEpollWait} for as long as
 * the loop has no task due, and an eventfd in the set that {@link #wakeup()} writes when a task
 * arrives from another thread. Each ready descriptor's channel is run on the loop's thread.
 *
 * <p>The set is level-triggered: a channel asks for {@code EPOLLIN} while it wants to read and
 * {@code EPOLLOUT} while it has bytes the socket would not take (or a connect under way), and
 * leaves the set while it wants neither. Every event is handled by the thread that owns the loop,
 * so the registrations need no lock.
 *
 * <p>{@link #newFactory(SocketApi)} gives the factory a {@code MultiThreadIoEventLoopGroup}
 * takes; {@link TernEventLoopGroup} is that group.
 */
public final class TernIoHandler implements IoHandler {
    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(TernIoHandler.class);
    /** The epoll data of the wake-up eventfd; a registration's data is never 0. */
    private static final long WAKEUP_DATA = 0;
    private static final int MAX_EVENTS = 4096;

    private final SocketApi api;
    private final ThreadAwareExecutor executor;
    private final int epfd;
    private final int eventfd;
    /**
     * False while the loop is in (or about to enter) its wait; a wake-up from another thread that
     * finds it false writes the eventfd. Set false before the loop looks for tasks, so a task that
     * arrives after the look always writes.
     */
    private final AtomicBoolean awake = new AtomicBoolean(true);
    private final TernIoEvent event = new TernIoEvent();
    private int[] readyEvents = new int[128];
    private long[] readyData = new long[128];
    /** Registrations by slot; a registration's epoll data is its slot and a serial number. */
    private Registration[] slots = new Registration[64];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int nextSlot = 1;
    private int registered;
    private int serial;
    /**
     * Registrations whose interest changed since the last wait, applied to the epoll set just
     * before the next one: a channel that asks for {@code EPOLLOUT} and, once it has flushed,
     * stops asking, within one turn of the loop, costs no {@code epoll_ctl} (as the JDK's
     * selector applies interest changes at its next select).
     */
    private Registration[] changed = new Registration[16];
    private int changedCount;

    private TernIoHandler(SocketApi api, ThreadAwareExecutor executor) {
        this.api = Objects.requireNonNull(api, "api");
        this.executor = Objects.requireNonNull(executor, "executor");
        int ep = -1;
        try {
            ep = api.epollCreate();
            int efd = api.eventfd(0, SocketConstants.EFD_NONBLOCK);
            int r = api.sysEpollCtl(ep, EPOLL_CTL_ADD, efd, EPOLLIN, WAKEUP_DATA);
            if (r < 0) {
                api.close(efd);
                ErrnoException.check(r, "epoll_ctl(ADD eventfd)");
            }
            this.epfd = ep;
            this.eventfd = efd;
        } catch (ErrnoException e) {
            closeQuietly(ep);
            throw new ChannelException("cannot open the event loop's epoll set: " + e.getMessage(), e);
        }
    }

    /** The factory of handlers over {@code api}, one per event loop. */
    public static IoHandlerFactory newFactory(SocketApi api) {
        Objects.requireNonNull(api, "api");
        return executor -> new TernIoHandler(api, executor);
    }

    /** The socket API this handler waits on. */
    SocketApi api() {
        return api;
    }

    @Override
    public int run(IoHandlerContext context) {
        applyChangedInterest();
        int timeoutMillis = 0;
        int n;
        awake.set(false);
        try {
            if (context.canBlock()) {
                long delayNanos = context.delayNanos(System.nanoTime());
                timeoutMillis = (int) Math.min(Integer.MAX_VALUE,
                        Math.max(0, TimeUnit.NANOSECONDS.toMillis(delayNanos + 999_999)));
            }
            n = api.sysEpollWait(epfd, readyEvents, readyData, timeoutMillis);
        } finally {
            awake.set(true);
        }
        if (n < 0) {
            if (n == Errno.EINTR.negative()) {
                // An interrupt of the loop's thread ends the wait at once, and would end every
                // later one: clear it, as Netty's NIO handler does.
                Thread.interrupted();
                return 0;
            }
            LOG.warn("epoll_wait on the event loop's set failed: {}", Errno.ofResult(n));
            return 0;
        }
        for (int i = 0; i < n; i++) {
            long data = readyData[i];
            if (data == WAKEUP_DATA) {
                api.sysEventfdRead(eventfd);
                continue;
            }
            int slot = (int) data;
            Registration registration = slot < slots.length ? slots[slot] : null;
            if (registration == null || registration.data != data) {
                continue; // cancelled by an earlier event of this wait
            }
            event.set(readyEvents[i]);
            try {
                registration.handle.handle(registration, event);
            } catch (Throwable t) {
                LOG.warn("a channel failed to handle its readiness {}", event, t);
            }
        }
        if (n == readyEvents.length && n < MAX_EVENTS) {
            readyEvents = new int[n * 2];
            readyData = new long[n * 2];
        }
        return n;
    }

    private void applyChangedInterest() {
        for (int i = 0; i < changedCount; i++) {
            Registration r = changed[i];
            changed[i] = null;
            r.queued = false;
            r.apply(r.wanted);
        }
        changedCount = 0;
    }

    private void queueChange(Registration r) {
        if (changedCount == changed.length) {
            changed = Arrays.copyOf(changed, changedCount * 2);
        }
        changed[changedCount++] = r;
        r.queued = true;
    }

    @Override
    public void wakeup() {
        if (!executor.isExecutorThread(Thread.currentThread()) && !awake.getAndSet(true)) {
            api.sysEventfdWrite(eventfd, 1);
        }
    }

    @Override
    public IoRegistration register(IoHandle handle) {
        TernIoHandle ternHandle = (TernIoHandle) handle;
        int slot = freeCount > 0 ? freeSlots[--freeCount] : nextSlot++;
        if (slot >= slots.length) {
            slots = Arrays.copyOf(slots, slots.length * 2);
        }
        long data = (long) ++serial << 32 | slot;
        Registration registration = new Registration(ternHandle, slot, data);
        slots[slot] = registration;
        registered++;
        handle.registered();
        return registration;
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return TernIoHandle.class.isAssignableFrom(handleType);
    }

    @Override
    public void prepareToDestroy() {
        List<Registration> open = new ArrayList<>(registered);
        for (Registration r : slots) {
            if (r != null) {
                open.add(r);
            }
        }
        for (Registration r : open) {
            try {
                r.handle.close();
            } catch (Exception e) {
                LOG.debug("closing a channel of a stopping event loop failed", e);
            }
        }
    }

    @Override
    public void destroy() {
        awake.set(true); // no wake-up writes the eventfd once it is closed
        closeQuietly(eventfd);
        closeQuietly(epfd);
    }

    private void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                api.close(fd);
            } catch (ErrnoException e) {
                LOG.debug("closing fd {} failed", fd, e);
            }
        }
    }

    private void release(Registration registration) {
        slots[registration.slot] = null;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        }
        freeSlots[freeCount++] = registration.slot;
        registered--;
    }

    /**
     * A channel's place in the epoll set. Its attachment is the {@link SocketApi}, so a channel
     * made before it knew its stack opens its socket on the stack of the loop it joins.
     */
    private final class Registration implements IoRegistration {
        final TernIoHandle handle;
        final int slot;
        final long data;
        private volatile boolean valid = true;
        /** The interest submitted last, and whether the descriptor is in the set for it. */
        private int interest;
        private boolean inSet;
        private int inSetFd = -1;
        /** The interest submitted last, to apply before the next wait; whether it is queued for that. */
        private int wanted;
        private boolean queued;

        Registration(TernIoHandle handle, int slot, long data) {
            this.handle = handle;
            this.slot = slot;
            this.data = data;
        }

        @SuppressWarnings("unchecked")
        @Override
        public <T> T attachment() {
            return (T) api;
        }

        @Override
        public long submit(IoOps ops) {
            int events = ((TernIoOps) ops).events();
            if (!valid) {
                return -1;
            }
            if (executor.isExecutorThread(Thread.currentThread())) {
                wanted = events;
                if (!queued) {
                    queueChange(this);
                }
            } else {
                executor.execute(() -> submit(ops));
            }
            return events;
        }

        /** Brings the descriptor's place in the epoll set to {@code events}: DEL for none, else ADD or MOD. */
        void apply(int events) {
            if (!valid) {
                return;
            }
            int fd = handle.fd();
            if (inSet && fd != inSetFd) {
                inSet = false; // the descriptor was closed, which took it out of the set
            }
            if (fd < 0 || (events == interest && inSet == (events != 0))) {
                interest = events;
                return;
            }
            int r;
            if (events == 0) {
                r = inSet ? api.sysEpollCtl(epfd, EPOLL_CTL_DEL, fd, 0, 0) : 0;
                inSet = false;
            } else if (inSet) {
                r = api.sysEpollCtl(epfd, EPOLL_CTL_MOD, fd, events, data);
            } else {
                r = api.sysEpollCtl(epfd, EPOLL_CTL_ADD, fd, events, data);
                inSet = r == 0;
                inSetFd = fd;
            }
            interest = events;
            if (r < 0 && r != Errno.EBADF.negative() && r != Errno.ENOENT.negative()) {
                // EBADF, ENOENT: the channel closed its descriptor, which left the set with it.
                LOG.warn("epoll_ctl on fd {} for 0x{} failed: {}", fd, Integer.toHexString(events), Errno.ofResult(r));
            }
        }

        @Override
        public boolean isValid() {
            return valid;
        }

        @Override
        public boolean cancel() {
            if (!valid) {
                return false;
            }
            valid = false;
            if (executor.isExecutorThread(Thread.currentThread())) {
                cancelled();
            } else {
                executor.execute(this::cancelled);
            }
            return true;
        }

        private void cancelled() {
            int fd = handle.fd();
            if (inSet && fd == inSetFd) {
                api.sysEpollCtl(epfd, EPOLL_CTL_DEL, fd, 0, 0);
            }
            inSet = false;
            release(this);
            handle.unregistered();
        }
    }
}
