package net.tern.inet.sock;

import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import net.tern.api.socket.Errno;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.TcpInfo;
import net.tern.spi.diag.InetDiagMsg;
import net.tern.spi.proto.ProtoSocket;

/**
 * The state every AF_INET socket has ({@code struct inet_sock} with the parts of
 * {@code struct sock} the family handles): bound and connected addresses and ports, the
 * protocol and socket states, shutdown bits, the generic options, and the socket lock.
 * Transports extend it with their own state ({@code udp_sock}, {@code tcp_sock}).
 *
 * <p>Fields are volatile so readers that do not lock (demultiplexing on the network thread,
 * {@code poll}) see current values; writers hold {@link #lock()}.
 */
public class InetSock {
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

    private final InetProto<?> prot;
    private final int protocol;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile ProtoSocket socket;

    private volatile SocketState socketState = SocketState.UNCONNECTED;
    private volatile SkState state = SkState.CLOSE;
    private volatile int shutdown;

    private volatile int rcvSaddr;
    private volatile int saddr;
    private volatile int num;
    private volatile int daddr;
    private volatile int dport;

    private volatile int ttl = -1;
    private volatile int tos;
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

    // ---- lock_sock

    /** {@code lock_sock}: held around each operation and by input that touches the socket. */
    public void lock() {
        lock.lock();
    }

    /** {@code release_sock}. */
    public void unlock() {
        lock.unlock();
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
        ProtoSocket s = socket;
        return new InetDiagMsg(protocol, diagState, recvQ, sendQ, localAddress(), peerAddress(), s == null ? -1 : s.fd(),
                tcpInfo);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + state + " " + localAddress() + " -> " + peerAddress() + "]";
    }
}
