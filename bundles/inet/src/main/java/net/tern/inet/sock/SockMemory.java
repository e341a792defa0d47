package net.tern.inet.sock;

import java.util.Objects;

/**
 * One socket's memory account against its protocol's {@link ProtoMemory}, the fields of
 * {@code struct sock} Linux keeps for it: receive memory charged ({@code sk_rmem_alloc}),
 * send memory charged ({@code sk_wmem_queued}), and pages taken from the protocol ahead of
 * use ({@code sk_forward_alloc}).
 *
 * <p>A buffer is charged in two steps, as Linux does: first make room
 * ({@link #rmemSchedule} / {@link #wmemSchedule}, {@code sk_rmem_schedule} /
 * {@code sk_wmem_schedule}: take whole pages from the protocol when the pages taken ahead do
 * not cover it, which the protocol may refuse), then charge it at its true size
 * ({@link #chargeRecv} / {@link #chargeSend}, {@code skb_set_owner_r} /
 * {@code sk_wmem_queued_add} with {@code sk_mem_charge}). Freeing a buffer uncharges it and
 * gives whole pages back ({@link #unchargeRecv} / {@link #unchargeSend}, then
 * {@code sk_mem_reclaim}), so a socket keeps less than one page ahead while idle.
 *
 * <p>The comparison of {@link #rmemAlloc()} with {@code SO_RCVBUF} (and of
 * {@link #wmemQueued()} with {@code SO_SNDBUF}) is the protocol's, as is what it drops. Not
 * thread-safe: the owner's socket lock guards every call; the three figures are volatile so
 * diagnostics may read them without the lock.
 */
public final class SockMemory {
    private final ProtoMemory proto;
    private volatile int forwardAlloc;
    private volatile int rmemAlloc;
    private volatile int wmemQueued;

    public SockMemory(ProtoMemory proto) {
        this.proto = Objects.requireNonNull(proto, "proto");
    }

    /** The protocol's pool this account draws on. */
    public ProtoMemory proto() {
        return proto;
    }

    /** Bytes taken from the protocol and not yet spent ({@code sk_forward_alloc}). */
    public int forwardAlloc() {
        return forwardAlloc;
    }

    /** Receive memory charged ({@code sk_rmem_alloc}). */
    public int rmemAlloc() {
        return rmemAlloc;
    }

    /** Send memory charged ({@code sk_wmem_queued}). */
    public int wmemQueued() {
        return wmemQueued;
    }

    /** Everything this socket holds from its protocol: charged plus taken ahead. */
    public long held() {
        return (long) rmemAlloc + wmemQueued + forwardAlloc;
    }

    /** {@code sk_rmem_schedule}: makes room for {@code size} bytes of receive memory; false when the protocol refuses. */
    public boolean rmemSchedule(int size) {
        return schedule(size, ProtoMemory.Kind.RECV);
    }

    /** {@code sk_wmem_schedule}: makes room for {@code size} bytes of send memory; false when the protocol refuses. */
    public boolean wmemSchedule(int size) {
        return schedule(size, ProtoMemory.Kind.SEND);
    }

    /**
     * {@code sk_forced_mem_schedule}: makes room for {@code size} bytes whatever the limits
     * say, for the one buffer a socket must be able to hold to make progress (the first
     * segment of an empty queue).
     */
    public void forceSchedule(int size) {
        int delta = size - forwardAlloc;
        if (delta <= 0) {
            return;
        }
        int pages = ProtoMemory.pages(delta);
        forwardAlloc += pages << ProtoMemory.PAGE_SHIFT;
        proto.forceAllocated(pages);
    }

    /** {@code skb_set_owner_r}: charges {@code truesize} bytes of received data, from the room made. */
    public void chargeRecv(int truesize) {
        rmemAlloc += truesize;
        forwardAlloc -= truesize;
    }

    /** {@code sock_rfree}: uncharges {@code truesize} bytes of received data and gives whole pages back. */
    public void unchargeRecv(int truesize) {
        rmemAlloc -= truesize;
        forwardAlloc += truesize;
        reclaim();
    }

    /** {@code sk_wmem_queued_add} with {@code sk_mem_charge}: charges {@code truesize} bytes queued to send. */
    public void chargeSend(int truesize) {
        wmemQueued += truesize;
        forwardAlloc -= truesize;
    }

    /** {@code sk_wmem_free_skb}: uncharges {@code truesize} bytes queued to send and gives whole pages back. */
    public void unchargeSend(int truesize) {
        wmemQueued -= truesize;
        forwardAlloc += truesize;
        reclaim();
    }

    /** {@code sk_mem_reclaim}: gives back the whole pages taken ahead and not spent. */
    public void reclaim() {
        int reclaimable = forwardAlloc >> ProtoMemory.PAGE_SHIFT;
        if (reclaimable > 0) {
            forwardAlloc -= reclaimable << ProtoMemory.PAGE_SHIFT;
            proto.reduceAllocated(reclaimable);
        }
    }

    /**
     * The socket is destroyed with whatever it still holds ({@code sk_mem_reclaim_final}
     * after the queues are purged): every charge and every page taken ahead goes back.
     */
    public void releaseAll() {
        long total = held();
        rmemAlloc = 0;
        wmemQueued = 0;
        forwardAlloc = 0;
        int pages = ProtoMemory.pages(total);
        if (pages > 0) {
            proto.reduceAllocated(pages);
        }
    }

    private boolean schedule(int size, ProtoMemory.Kind kind) {
        int delta = size - forwardAlloc;
        if (delta <= 0) {
            return true;
        }
        // __sk_mem_schedule: take the pages first, so the protocol's fairness test sees them.
        int pages = ProtoMemory.pages(delta);
        forwardAlloc += pages << ProtoMemory.PAGE_SHIFT;
        if (proto.raiseAllocated(this, delta, pages, kind)) {
            return true;
        }
        forwardAlloc -= pages << ProtoMemory.PAGE_SHIFT;
        return false;
    }

    @Override
    public String toString() {
        return "rmem " + rmemAlloc + " wmem " + wmemQueued + " fwd " + forwardAlloc;
    }
}
