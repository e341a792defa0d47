package net.tern.spi.net;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;

/**
 * Objects kept for reuse once their last user is done with them, so that a path needing one
 * per packet or segment allocates none in steady state, as the kernel's slab caches keep
 * {@code sk_buff}s with a cache per CPU in front of a shared one: each thread keeps what it gives
 * back in a small stack of its own and passes what exceeds it to a shared queue, from which a
 * thread whose stack is empty takes. So an object made by one thread (an application's send) and
 * given back by another (the network thread processing the ACK) comes back into use. Bounded:
 * beyond the shared queue's capacity an object is left to the collector. Thread-safe; a
 * thread's stack is its own ({@link FastThreadLocal}) and the shared queue takes no lock.
 *
 * @param <T> what is kept; the user resets an object it takes
 */
public final class Spares<T> {
    /** Objects one thread keeps before passing them on. */
    static final int PER_THREAD = 64;

    private final FastThreadLocal<Stack> stacks = new FastThreadLocal<>() {
        @Override
        protected Stack initialValue() {
            return new Stack();
        }
    };
    private final Queue<T> shared;

    /** Spares with a shared queue of {@code sharedCapacity} objects behind the threads' own. */
    public Spares(int sharedCapacity) {
        this.shared = PlatformDependent.newFixedMpmcQueue(sharedCapacity);
    }

    /** A kept object, the calling thread's own first; null when there is none. */
    @SuppressWarnings("unchecked")
    public T take() {
        Stack stack = stacks.get();
        if (stack.count > 0) {
            int top = --stack.count;
            T t = (T) stack.items[top];
            stack.items[top] = null;
            return t;
        }
        return shared.poll();
    }

    /** Keeps {@code t}, which no one uses any more, for a later {@link #take}. */
    public void give(T t) {
        Stack stack = stacks.get();
        if (stack.count < PER_THREAD) {
            stack.items[stack.count++] = t;
            return;
        }
        shared.offer(t);
    }

    /** One thread's kept objects. */
    private static final class Stack {
        final Object[] items = new Object[PER_THREAD];
        int count;
    }
}
