package net.tern.spi.diag;

/**
 * A socket's memory as {@code sock_diag_put_meminfo} reports it ({@code INET_DIAG_SKMEMINFO},
 * the {@code SK_MEMINFO_*} array that {@code ss -m} prints as
 * {@code skmem:(r,rb,t,tb,f,w,o,bl,d)}), in bytes but for {@code drops}.
 *
 * @param rmemAlloc  {@code sk_rmem_alloc}: receive memory charged (queued data by true size)
 * @param rcvbuf     {@code sk_rcvbuf} ({@code SO_RCVBUF})
 * @param wmemAlloc  {@code sk_wmem_alloc}: sent packets the device has not freed yet; the
 *                   stack hands a packet to the device and does not keep its account, so 0
 * @param sndbuf     {@code sk_sndbuf} ({@code SO_SNDBUF})
 * @param fwdAlloc   {@code sk_forward_alloc}: memory taken from the protocol's pool ahead of use
 * @param wmemQueued {@code sk_wmem_queued}: send memory charged (data not yet acknowledged)
 * @param optmem     {@code sk_omem_alloc}: option memory; the stack keeps none per socket, so 0
 * @param backlog    {@code sk_backlog.len}: bytes waiting in the backlog for the socket's owner
 * @param drops      {@code sk_drops}: packets dropped at this socket (a full backlog; for UDP
 *                   also a full receive queue)
 */
public record SkMemInfo(int rmemAlloc, int rcvbuf, int wmemAlloc, int sndbuf, int fwdAlloc, int wmemQueued,
        int optmem, int backlog, int drops) {
    /** {@code SK_MEMINFO_VARS}: the array's length. */
    public static final int VARS = 9;

    /** The values in {@code SK_MEMINFO_*} order. */
    public int[] toArray() {
        return new int[] {rmemAlloc, rcvbuf, wmemAlloc, sndbuf, fwdAlloc, wmemQueued, optmem, backlog, drops};
    }

    /** From an array in {@code SK_MEMINFO_*} order; missing trailing values (an older kernel's) are 0. */
    public static SkMemInfo of(int[] v) {
        int[] a = java.util.Arrays.copyOf(v, VARS);
        return new SkMemInfo(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
    }
}
