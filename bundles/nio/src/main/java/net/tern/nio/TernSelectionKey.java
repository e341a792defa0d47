package net.tern.nio;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registration of a Tern channel with a {@link TernSelector} (the JDK's
 * {@code SelectionKeyImpl}). Cancelling goes through {@link AbstractSelectionKey}, which queues
 * the key on its selector's cancelled set; the selector deregisters it at its next selection.
 * A change of interest is queued too and applied to the epoll set by the selecting thread.
 */
final class TernSelectionKey extends AbstractSelectionKey {
    final SelectableChannel channel;
    final TernSelectable selectable;
    final TernSelector selector;
    private final AtomicInteger interestOps = new AtomicInteger();
    private volatile int readyOps;

    // Owned by the selector (its select lock or update lock).
    /** The key's slot in its selector, the data of its epoll registration. */
    int slot = -1;
    /** The epoll events registered for it now; 0 when the descriptor is not in the epoll set. */
    int registeredEvents;
    /** Readiness met none of the interest: left out of the epoll set until the interest is set again. */
    boolean parked;
    /** Where the key is in the selected-key set, or -1. */
    int selectedIndex = -1;

    TernSelectionKey(SelectableChannel channel, TernSelector selector) {
        this.channel = channel;
        this.selectable = (TernSelectable) channel;
        this.selector = selector;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps.get();
    }

    @Override
    public SelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops: " + ops);
        }
        int old = interestOps.getAndSet(ops);
        if (old != ops || parked) {
            selector.interestChanged(this);
        }
        return this;
    }

    @Override
    public int interestOpsOr(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("Invalid interest ops: " + ops);
        }
        int old;
        do {
            old = interestOps.get();
        } while (!interestOps.compareAndSet(old, old | ops));
        if (old != (old | ops) || parked) {
            selector.interestChanged(this);
        }
        return old;
    }

    @Override
    public int interestOpsAnd(int ops) {
        ensureValid();
        int old;
        do {
            old = interestOps.get();
        } while (!interestOps.compareAndSet(old, old & ops));
        if (old != (old & ops)) {
            selector.interestChanged(this);
        }
        return old;
    }

    /** The interest without the validity check, for the selector. */
    int interest() {
        return interestOps.get();
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    void readyOps(int ops) {
        readyOps = ops;
    }

    int ready() {
        return readyOps;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("channel=").append(channel).append(", selector=").append(selector);
        if (isValid()) {
            sb.append(", interestOps=").append(interestOps.get()).append(", readyOps=").append(readyOps);
        } else {
            sb.append(", invalid");
        }
        return sb.toString();
    }
}
