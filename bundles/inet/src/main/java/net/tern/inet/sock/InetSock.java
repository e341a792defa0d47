package net.tern.inet.sock;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.api.socket.Errno;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.api.socket.TcpInfo;
import net.tern.inet.ip.InetConstants;
import net.tern.spi.diag.InetDiagMsg;
import net.tern.spi.diag.SkMemInfo;
import net.tern.spi.net.Packet;
import net.tern.spi.net.Softnet;
import net.tern.spi.proto.ProtoSocket;
import net.tern.wire.Ipv6Address;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state every AF_INET socket has ({@code struct inet_sock} with the parts of
 * {@code struct sock} the family handles): bound and connected addresses and ports, the
 * protocol and socket states, shutdown bits, the generic options, and the socket lock.
 * Transports extend it with their own state ({@code udp_sock}, {@code tcp_sock}).
 *
 * <p>Fields are volatile so readers that do not lock (demultiplexing, {@code poll}) see
 * current values; writers hold {@link #lock()}.
 *
 * <p>The threading rule, per socket: a socket's protocol state changes only under its lock.
 * Socket calls and timers take it ({@link #lock()}: {@code lock_sock}); input, which runs on
 * whichever thread received the packet (the sender's own thread on loopback, a network
 * thread otherwise), takes it only if no thread holds it ({@link #tryLockForInput()}:
 * {@code bh_lock_sock} and {@code sock_owned_by_user}) and otherwise leaves the packet on
 * the socket's backlog ({@link #addBacklog}), which the owner runs when it lets go
 * ({@link #unlock()}: {@code release_sock}). So the input of one socket runs in the order it
 * arrived, one packet at a time, and input never waits for a lock.
 */
public class InetSock {
    private static final Logger LOG = LoggerFactory.getLogger(InetSock.class);
    /** {@code RCV_SHUTDOWN}: no more receiving. */
    public static final int RCV_SHUTDOWN = 1;
    /** {@code SEND_SHUTDOWN}: no more sending. */
    public static final int SEND_SHUTDOWN = 2;
    public static final int SHUTDOWN_MASK = RCV_SHUTDOWN | SEND_SHUTDOWN;

    /** {@code net.core.rmem_default} / {@code wmem_default}: a socket's buffers unless its protocol says otherwise. */
    public static final int DEFAULT_BUFFER = 212_992;
    /** {@code net.core.rmem_max} / {@code wmem_max}: the most SO_RCVBUF / SO_SNDBUF may ask for (then doubled). */
    public static final int MAX_BUFFER = 212_992;
    /** {@code SOCK_MIN_RCVBUF}. */
    public static final int MIN_RCVBUF = 2_304;
    /** {@code SOCK_MIN_SNDBUF}. */
    public static final int MIN_SNDBUF = 4_608;

    /** {@code sock_gen_cookie}'s generator: one sequence for the sockets of every protocol, never reused. */
    private static final AtomicLong COOKIES = new AtomicLong();
    private static final AtomicLongFieldUpdater<InetSock> COOKIE =
            AtomicLongFieldUpdater.newUpdater(InetSock.class, "cookie");

    private final InetProto<?> prot;
    /** {@code sk_cookie}: 0 until first asked for, as Linux numbers a socket only when a tool asks. */
    private volatile long cookie;
    private final int protocol;
    private final ReentrantLock lock = new ReentrantLock();
    private final SockBacklog backlog = new SockBacklog();
    private volatile ProtoSocket socket;

    private volatile SocketState socketState = SocketState.UNCONNECTED;
    private volatile SkState state = SkState.CLOSE;
    private volatile int shutdown;

    /** {@code sk_family}: AF_INET, or AF_INET6 for a socket of the IPv6 family (made by its protosw entry). */
    private volatile int family = SocketConstants.AF_INET;
    /** {@code sk_v6_rcv_saddr}, {@code np->saddr}, {@code sk_v6_daddr}: an AF_INET6 socket's addresses. */
    private volatile Ipv6Address v6RcvSaddr = Ipv6Address.UNSPECIFIED;
    private volatile Ipv6Address v6Saddr = Ipv6Address.UNSPECIFIED;
    private volatile Ipv6Address v6Daddr = Ipv6Address.UNSPECIFIED;
    /** {@code sk_ipv6only} ({@code IPV6_V6ONLY}): an AF_INET6 socket bound to :: takes IPv6 alone. */
    private volatile boolean ipv6only;
    private volatile int rcvSaddr;
    private volatile int saddr;
    private volatile int num;
    private volatile int daddr;
    private volatile int dport;

    private volatile int ttl = -1;
    /** {@code np->hop_limit} ({@code IPV6_UNICAST_HOPS}): an AF_INET6 socket's hop limit, -1 for IPv6's default. */
    private volatile int hopLimit = -1;
    /** {@code np->tclass} ({@code IPV6_TCLASS}): an AF_INET6 socket's traffic class. */
    private volatile int tclass;
    private volatile int tos;
    private volatile int pmtudisc = InetConstants.IP_PMTUDISC_WANT;
    private volatile boolean reuseAddr;
    private volatile boolean reusePort;
    private volatile boolean broadcast;
    private volatile boolean keepAlive;
    private volatile int rcvbuf;
    private volatile int sndbuf;
    private volatile int lingerSeconds = -1;
    private volatile Errno softError;

    /** A socket of {@code prot}, carrying IP protocol {@code protocol}, with the default buffers. */
    public InetSock(InetProto<?> prot, int protocol) {
        this(prot, protocol, DEFAULT_BUFFER, DEFAULT_BUFFER);
    }

    public InetSock(InetProto<?> prot, int protocol, int rcvbuf, int sndbuf) {
        this.prot = Objects.requireNonNull(prot, "prot");
        this.protocol = protocol;
        this.rcvbuf = rcvbuf;
        this.sndbuf = sndbuf;
    }

    /** The transport's operations ({@code sk->sk_prot}). */
    public InetProto<?> prot() {
        return prot;
    }

    /** The IP protocol number ({@code sk->sk_protocol}). */
    public int protocol() {
        return protocol;
    }

    // ---- lock_sock, and input while another thread owns the socket

    /**
     * {@code lock_sock}: the caller owns the socket until {@link #unlock()}. Socket calls and
     * timers take it; input takes it only with {@link #tryLockForInput()}, never waiting.
     */
    public void lock() {
        lock.lock();
    }

    /**
     * {@code release_sock}: the owner's last release first runs the input queued on the
     * backlog meanwhile ({@code __release_sock} → {@code sk_backlog_rcv}), with the lock
     * still held and in a receive section ({@link Softnet}), then lets go. Input queued after
     * its last look, by a thread that found the lock still held, is run by whichever of the
     * two takes the lock next: the queuing thread tries once more after queuing, this one
     * after letting go.
     */
    public void unlock() {
        if (lock.getHoldCount() != 1) {
            lock.unlock();
            return;
        }
        do {
            if (backlog.pending()) {
                processBacklog();
            }
            lock.unlock();
        } while (backlog.pending() && lock.tryLock());
    }

    /**
     * {@code bh_lock_sock} with {@code !sock_owned_by_user}: takes the lock for input when no
     * thread holds it, and returns false when one does, this one included (an owner's own
     * send that runs input to completion finds its socket owned, as Linux's softirq finds it
     * owned by the task it interrupted). Input that gets false queues its work on the
     * backlog ({@link #addBacklog}) and never waits for the lock: input runs on whatever
     * thread received the packet, and two such threads waiting for each other's socket would
     * wait for ever.
     */
    public boolean tryLockForInput() {
        if (lock.isHeldByCurrentThread() || !lock.tryLock()) {
            return false;
        }
        if (backlog.pending()) {
            // Input queued before this packet, whose owner has just let go: it runs first.
            processBacklog();
        }
        return true;
    }

    /**
     * {@code sk_add_backlog}: queues {@code packet} for the transport's
     * {@link InetProto#backlogRcv}, run by the socket's owner when it lets go, unless the
     * backlog holds {@code limit} bytes already: then returns false and the caller, which
     * keeps the packet, counts the drop and releases it. If the owner let go meanwhile, the
     * calling thread takes the socket and runs the backlog itself.
     */
    public boolean addBacklog(Packet packet, int limit) {
        if (!backlog.add(packet, packet.truesize(), limit)) {
            return false;
        }
        runBacklogIfUnowned();
        return true;
    }

    /**
     * Input work for this socket that is not a packet (an ICMP error to report): runs it now
     * with the lock held if the socket is not owned, else queues it on the backlog like a
     * packet; false when the backlog is full and the work is dropped.
     */
    public boolean runOrBacklog(Runnable work, int limit) {
        if (tryLockForInput()) {
            try {
                work.run();
            } finally {
                unlock();
            }
            return true;
        }
        if (!backlog.add(work, SockBacklog.WORK_SIZE, limit)) {
            return false;
        }
        runBacklogIfUnowned();
        return true;
    }

    /** Input refused for a full backlog since the socket was made (part of Linux's {@code sk_drops}). */
    public int backlogDrops() {
        return backlog.refused();
    }

    /**
     * {@code sock_gen_cookie}: this socket's number, given at the first call from a sequence
     * the stack's sockets share, then kept ({@code ss -e} prints it as {@code sk:}).
     */
    public long cookie() {
        long c = cookie;
        if (c == 0) {
            long next = nextCookie();
            c = COOKIE.compareAndSet(this, 0, next) ? next : cookie;
        }
        return c;
    }

    /** The cookie if one was given, else 0 ({@code atomic64_read(&sk->sk_cookie)}: a TIME-WAIT entry inherits it). */
    public long cookieIfGiven() {
        return cookie;
    }

    /** A new cookie from the sequence every socket's is taken from: for the protocols' light sockets (requests, TIME-WAIT). */
    public static long nextCookie() {
        return COOKIES.incrementAndGet();
    }

    /**
     * {@code sk_get_meminfo}: the memory {@code account} charges with this socket's buffers
     * and backlog, and the {@code drops} its protocol counts ({@code INET_DIAG_SKMEMINFO}).
     */
    public SkMemInfo memInfo(SockMemory account, int drops) {
        return new SkMemInfo(account.rmemAlloc(), rcvbuf, 0, sndbuf, account.forwardAlloc(), account.wmemQueued(), 0,
                backlog.len(), drops);
    }

    /** {@code sk_rcvbuf + sk_sndbuf}: how much the backlog may hold ({@code tcp_add_backlog}'s limit). */
    public int backlogLimit() {
        return rcvbuf + sndbuf;
    }

    private void runBacklogIfUnowned() {
        if (!lock.isHeldByCurrentThread() && lock.tryLock()) {
            unlock();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void processBacklog() {
        Softnet.enter();
        try {
            Object entry;
            while ((entry = backlog.poll()) != null) {
                try {
                    if (entry instanceof Packet packet) {
                        ((InetProto) prot).backlogRcv(this, packet);
                    } else {
                        ((Runnable) entry).run();
                    }
                } catch (RuntimeException e) {
                    LOG.error("{}: backlog input threw; the socket goes on", this, e);
                }
            }
        } finally {
            Softnet.exit();
        }
    }

    public boolean isLockedByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    // ---- the socket it belongs to

    /** The socket layer's socket, or null before {@link #graft} (a connection waiting to be accepted). */
    public ProtoSocket socket() {
        return socket;
    }

    /** {@code sock_graft}: ties this state to {@code sock}. */
    public void graft(ProtoSocket sock) {
        this.socket = sock;
    }

    /** {@code sk_data_ready} / {@code sk_write_space} / {@code sk_state_change}: wakes the socket's waiters, if grafted. */
    public void wakeUp(int mask) {
        ProtoSocket s = socket;
        if (s != null) {
            s.wakeUp(mask);
        }
    }

    /** Sets the pending error ({@code sk->sk_err}) and wakes waiters, if grafted. */
    public void reportError(Errno errno) {
        ProtoSocket s = socket;
        if (s != null) {
            s.setError(errno);
        }
    }

    /**
     * {@code sk_err_soft}: the last error that did not end the socket's work (an ICMP error
     * about an established connection, RFC 1122 4.2.3.9), or null. Written under the lock.
     */
    public Errno softError() {
        return softError;
    }

    public void softError(Errno errno) {
        this.softError = errno;
    }

    /** Reads and clears the soft error ({@code xchg(&sk->sk_err_soft, 0)}); under the lock. */
    public Errno takeSoftError() {
        Errno e = softError;
        softError = null;
        return e;
    }

    // ---- states

    public SocketState socketState() {
        return socketState;
    }

    public void socketState(SocketState value) {
        this.socketState = value;
    }

    public SkState state() {
        return state;
    }

    public void state(SkState value) {
        this.state = value;
    }

    /** The shutdown bits ({@link #RCV_SHUTDOWN}, {@link #SEND_SHUTDOWN}). */
    public int shutdown() {
        return shutdown;
    }

    public void shutdown(int bits) {
        this.shutdown = bits & SHUTDOWN_MASK;
    }

    // ---- addresses (host order) and ports

    /** {@code inet_rcv_saddr}: the address bound to, 0 for any. */
    public int rcvSaddr() {
        return rcvSaddr;
    }

    public void rcvSaddr(int address) {
        this.rcvSaddr = address;
    }

    /** {@code inet_saddr}: the source address to send from, 0 until chosen. */
    public int saddr() {
        return saddr;
    }

    public void saddr(int address) {
        this.saddr = address;
    }

    /** {@code inet_num}: the local port, 0 while unbound. */
    public int num() {
        return num;
    }

    public void num(int port) {
        this.num = port;
    }

    /** {@code inet_daddr}: the peer's address, 0 while unconnected. */
    public int daddr() {
        return daddr;
    }

    public void daddr(int address) {
        this.daddr = address;
    }

    /** {@code inet_dport}: the peer's port, 0 while unconnected. */
    public int dport() {
        return dport;
    }

    public void dport(int port) {
        this.dport = port;
    }

    /** {@code sk_family}: {@link SocketConstants#AF_INET} or {@link SocketConstants#AF_INET6}. */
    public int family() {
        return family;
    }

    public void family(int value) {
        this.family = value;
    }

    /** {@code sk_ipv6only}: {@code IPV6_V6ONLY}, or {@code bindv6only} when the socket was made. */
    public boolean ipv6only() {
        return ipv6only;
    }

    public void ipv6only(boolean value) {
        this.ipv6only = value;
    }

    /** {@code sk_v6_rcv_saddr}: the IPv6 address bound to, :: for any. */
    public Ipv6Address v6RcvSaddr() {
        return v6RcvSaddr;
    }

    public void v6RcvSaddr(Ipv6Address address) {
        this.v6RcvSaddr = address;
    }

    /** {@code np->saddr}: the IPv6 source address to send from, :: until chosen. */
    public Ipv6Address v6Saddr() {
        return v6Saddr;
    }

    public void v6Saddr(Ipv6Address address) {
        this.v6Saddr = address;
    }

    /** {@code sk_v6_daddr}: the IPv6 peer, :: while unconnected. */
    public Ipv6Address v6Daddr() {
        return v6Daddr;
    }

    public void v6Daddr(Ipv6Address address) {
        this.v6Daddr = address;
    }

    /** {@code inet_getname} / {@code inet6_getname}: the local name, of the socket's family. */
    public SockAddr localName() {
        if (family != SocketConstants.AF_INET6) {
            return localAddress();
        }
        Ipv6Address address = v6RcvSaddr.isUnspecified() ? v6Saddr : v6RcvSaddr;
        return new Inet6SockAddr(address.high(), address.low(), num);
    }

    /** The peer's name, of the socket's family. */
    public SockAddr peerName() {
        if (family != SocketConstants.AF_INET6) {
            return peerAddress();
        }
        return new Inet6SockAddr(v6Daddr.high(), v6Daddr.low(), dport);
    }

    /**
     * {@code inet_rcv_saddr_equal} with a wildcard matching: whether two bound addresses, each
     * of its family ({@code v4} for AF_INET, {@code v6} for AF_INET6), take a common address.
     * Across families an IPv6 wildcard without {@code IPV6_V6ONLY} ({@code v6only}) takes
     * IPv4's addresses too ({@code ipv6_rcv_saddr_equal}), an IPv4-mapped address its IPv4
     * address; a socket bound to an IPv6 address takes none of IPv4's. Checked on Linux 6.18 here (real sockets, TCP and
     * UDP, both orders). Transports judge bind conflicts with it ({@code inet_csk_bind_conflict},
     * {@code udp_lib_lport_inuse}).
     */
    public static boolean bindOverlap(int family, int v4, Ipv6Address v6, boolean v6only, int otherFamily, int otherV4,
            Ipv6Address otherV6, boolean otherV6only) {
        boolean v4s = takesV4(family, v6, v6only) && takesV4(otherFamily, otherV6, otherV6only);
        if (v4s) {
            int a = boundV4(family, v4, v6);
            int b = boundV4(otherFamily, otherV4, otherV6);
            if (a == 0 || b == 0 || a == b) {
                return true;
            }
        }
        return takesV6(family, v6) && takesV6(otherFamily, otherV6)
                && (v6.isUnspecified() || otherV6.isUnspecified() || v6.equals(otherV6));
    }

    /** Whether a socket so bound receives IPv4: an AF_INET one, or AF_INET6 bound to an IPv4-mapped address or to :: without IPV6_V6ONLY. */
    public static boolean takesV4(int family, Ipv6Address v6, boolean v6only) {
        return family == SocketConstants.AF_INET || v6.isV4Mapped() || (v6.isUnspecified() && !v6only);
    }

    private static boolean takesV6(int family, Ipv6Address v6) {
        return family == SocketConstants.AF_INET6 && !v6.isV4Mapped();
    }

    /** The IPv4 address a socket so bound takes, 0 for any. */
    private static int boundV4(int family, int v4, Ipv6Address v6) {
        return family == SocketConstants.AF_INET ? v4 : v6.isV4Mapped() ? (int) v6.low() : 0;
    }

    /** {@code ::ffff:a.b.c.d}, how an AF_INET6 socket names an IPv4 address (RFC 4291 2.5.5.2). */
    public static Ipv6Address v4Mapped(int v4) {
        return new Ipv6Address(0, 0xffff_0000_0000L | (v4 & 0xffff_ffffL));
    }

    /** The local address and port, as {@code getsockname} shows them. */
    public InetSockAddr localAddress() {
        int address = rcvSaddr != 0 ? rcvSaddr : saddr;
        return new InetSockAddr(address, num);
    }

    /** The peer's address and port. */
    public InetSockAddr peerAddress() {
        return new InetSockAddr(daddr, dport);
    }

    // ---- options

    /** {@code IP_TTL}; -1 means the stack's default. */
    /** {@code IPV6_UNICAST_HOPS} as set: 0..255, or -1 for IPv6's default. @since 1.12 */
    public int hopLimit() {
        return hopLimit;
    }

    /** @since 1.12 */
    public void hopLimit(int value) {
        this.hopLimit = value;
    }

    /** {@code IPV6_TCLASS}: the traffic class of the IPv6 packets sent, 0..255. @since 1.12 */
    public int tclass() {
        return tclass;
    }

    /** @since 1.12 */
    public void tclass(int value) {
        this.tclass = value;
    }

    public int ttl() {
        return ttl;
    }

    public void ttl(int value) {
        this.ttl = value;
    }

    /** {@code IP_TOS}. */
    public int tos() {
        return tos;
    }

    public void tos(int value) {
        this.tos = value;
    }

    /** {@code IP_MTU_DISCOVER} ({@code inet->pmtudisc}). */
    public int pmtudisc() {
        return pmtudisc;
    }

    public void pmtudisc(int value) {
        this.pmtudisc = value;
    }

    /**
     * {@code ip_dont_fragment}: whether packets sent in a connection's own output carry Don't
     * Fragment: with {@code IP_PMTUDISC_DO}, or {@code WANT} (the default).
     */
    public boolean dontFragment() {
        int p = pmtudisc;
        return p == InetConstants.IP_PMTUDISC_DO || p == InetConstants.IP_PMTUDISC_WANT;
    }

    /**
     * Whether what ICMP says of the path's MTU counts ({@code tcp_v4_mtu_reduced}'s test with
     * {@code ip_sk_accept_pmtu}): not with {@code DONT}, {@code INTERFACE} or {@code OMIT}.
     */
    public boolean acceptsPathMtu() {
        int p = pmtudisc;
        return p != InetConstants.IP_PMTUDISC_DONT && p != InetConstants.IP_PMTUDISC_INTERFACE
                && p != InetConstants.IP_PMTUDISC_OMIT;
    }

    /** {@code SO_REUSEADDR} ({@code sk->sk_reuse}). */
    public boolean reuseAddr() {
        return reuseAddr;
    }

    public void reuseAddr(boolean on) {
        this.reuseAddr = on;
    }

    /** {@code SO_REUSEPORT}. */
    public boolean reusePort() {
        return reusePort;
    }

    public void reusePort(boolean on) {
        this.reusePort = on;
    }

    /** {@code SO_BROADCAST}: whether sending to a broadcast address is allowed. */
    public boolean broadcast() {
        return broadcast;
    }

    public void broadcast(boolean on) {
        this.broadcast = on;
    }

    /** {@code SO_KEEPALIVE}. */
    public boolean keepAlive() {
        return keepAlive;
    }

    public void keepAlive(boolean on) {
        this.keepAlive = on;
    }

    /** {@code sk->sk_rcvbuf}: the receive queue's budget in bytes. */
    public int rcvbuf() {
        return rcvbuf;
    }

    public void rcvbuf(int bytes) {
        this.rcvbuf = bytes;
    }

    /** {@code sk->sk_sndbuf}: the send queue's budget in bytes. */
    public int sndbuf() {
        return sndbuf;
    }

    public void sndbuf(int bytes) {
        this.sndbuf = bytes;
    }

    /** {@code SO_LINGER} in seconds; -1 when lingering is off. */
    public int lingerSeconds() {
        return lingerSeconds;
    }

    public void lingerSeconds(int seconds) {
        this.lingerSeconds = seconds;
    }

    /**
     * {@code inet_sk_diag_fill}'s common part: this socket's addresses and owner, with the
     * state and queue lengths its protocol reports. Call under the lock.
     */
    public InetDiagMsg diagMsg(int diagState, int recvQ, int sendQ) {
        return diagMsg(diagState, recvQ, sendQ, null);
    }

    /** {@link #diagMsg(int, int, int)} with TCP's {@code tcp_info} ({@code INET_DIAG_INFO}). */
    public InetDiagMsg diagMsg(int diagState, int recvQ, int sendQ, TcpInfo tcpInfo) {
        return diagMsg(diagState, recvQ, sendQ, tcpInfo, null);
    }

    /**
     * {@link #diagMsg(int, int, int, TcpInfo)} with the socket's memory ({@code mem}, null for
     * none), its cookie and its shutdown bits; no timer (the protocol adds its own).
     */
    public InetDiagMsg diagMsg(int diagState, int recvQ, int sendQ, TcpInfo tcpInfo, SkMemInfo mem) {
        ProtoSocket s = socket;
        if (family == SocketConstants.AF_INET6) {
            // inet_diag_msg_common_fill: an AF_INET6 socket by its IPv6 addresses (IPv4-mapped for its IPv4 traffic)
            SockAddr local = localName();
            SockAddr peer = peerName();
            return new InetDiagMsg(protocol, diagState, recvQ, sendQ, InetDiagMsg.v4View(local), InetDiagMsg.v4View(peer),
                    s == null ? -1 : s.fd(), tcpInfo, InetDiagMsg.TIMER_NONE, 0, 0, cookie(), shutdown, mem, local, peer,
                    ipv6only);
        }
        return new InetDiagMsg(protocol, diagState, recvQ, sendQ, localAddress(), peerAddress(), s == null ? -1 : s.fd(),
                tcpInfo, InetDiagMsg.TIMER_NONE, 0, 0, cookie(), shutdown, mem);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + state + " " + localName() + " -> " + peerName() + "]";
    }
}
