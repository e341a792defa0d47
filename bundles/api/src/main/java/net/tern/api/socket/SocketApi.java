package net.tern.api.socket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The socket system calls ({@code net/socket.c}), as a service.
 *
 * <p>Descriptors are small ints, allocated lowest-free first as Linux does. A socket is
 * blocking unless created with {@link SocketConstants#SOCK_NONBLOCK} or switched with
 * {@link #setNonBlocking}; a blocking call waits for as long as the socket's
 * {@code SO_RCVTIMEO} (receive, accept) or {@code SO_SNDTIMEO} (send, connect) allows and
 * then fails with {@link Errno#EAGAIN} ({@link Errno#EINPROGRESS} for connect), as on Linux.
 * A non-blocking call that cannot proceed fails at once with {@code EAGAIN}.
 *
 * <p>Every method may be called from any application thread. A call on a descriptor that is
 * not open fails with {@link Errno#EBADF}; a socket whose protocol family left the stack
 * fails its calls with the errno the family withdrew it with (see {@code DESIGN.md}, hot swap).
 *
 * <h2>Errors as values: the {@code sys*} calls</h2>
 * The data path has a second form of each call, named {@code sys*} ({@link #sysRecv},
 * {@link #sysSend}, {@link #sysAccept}, {@link #sysConnect}, {@link #sysEpollWait}), that
 * returns its outcome as the kernel's system call entry points do: the result, or a negative
 * errno ({@code Errno.EAGAIN.negative()}), never an exception for a failed call. They wait as
 * the throwing calls do on a blocking socket (and end a wait with {@code -EAGAIN} at the
 * timeout, {@code -EINTR} on an interrupt, {@code -EBADF} when the descriptor is closed); on a
 * non-blocking socket, or with {@link SocketConstants#MSG_DONTWAIT}, a call that cannot
 * proceed returns {@code -EAGAIN} ({@code -EINPROGRESS} or {@code -EALREADY} for connect) and
 * allocates nothing. The throwing calls are built on them and add a message naming the call
 * ({@link ErrnoException#check} does the same for a caller of a {@code sys*} call).
 */
@ProviderType
public interface SocketApi {

    /** {@code socket(2)}: creates a socket; {@code type} may carry {@code SOCK_NONBLOCK}. */
    int socket(int family, int type, int protocol) throws ErrnoException;

    /** {@code bind(2)}. */
    void bind(int fd, SockAddr address) throws ErrnoException;

    /** {@code listen(2)}: the backlog is capped by the family's somaxconn. */
    void listen(int fd, int backlog) throws ErrnoException;

    /** {@code accept4(2)}: {@code flags} may carry {@code SOCK_NONBLOCK} for the new socket. */
    Accepted accept(int fd, int flags) throws ErrnoException;

    /** {@code accept(2)}. */
    default Accepted accept(int fd) throws ErrnoException {
        return accept(fd, 0);
    }

    /**
     * {@code connect(2)}. A non-blocking socket whose connection cannot complete at once
     * fails with {@link Errno#EINPROGRESS}; completion is then seen as writability, and
     * {@code SO_ERROR} says how it ended.
     */
    void connect(int fd, SockAddr address) throws ErrnoException;

    /** {@code sendto(2)}; {@code to} may be {@code null} on a connected socket. Returns the bytes taken. */
    int sendto(int fd, ByteBuffer data, int flags, SockAddr to) throws ErrnoException;

    /** {@code send(2)}. */
    default int send(int fd, ByteBuffer data, int flags) throws ErrnoException {
        return sendto(fd, data, flags, null);
    }

    /** {@code recvfrom(2)}: fills {@code dst} from its position. */
    RecvResult recvfrom(int fd, ByteBuffer dst, int flags) throws ErrnoException;

    /** {@code recv(2)}: the bytes stored, or 0 when a stream's peer has closed its side. */
    int recv(int fd, ByteBuffer dst, int flags) throws ErrnoException;

    /** {@code shutdown(2)} with {@code SHUT_RD}, {@code SHUT_WR} or {@code SHUT_RDWR}. */
    void shutdown(int fd, int how) throws ErrnoException;

    /** {@code close(2)}: releases the descriptor; a second close fails with {@code EBADF}. */
    void close(int fd) throws ErrnoException;

    /** {@code setsockopt(2)} for an integer option (booleans are 0 or 1). */
    void setsockopt(int fd, int level, int name, int value) throws ErrnoException;

    /** {@code setsockopt(2)} for a string option such as {@code TCP_CONGESTION}. */
    void setsockopt(int fd, int level, int name, String value) throws ErrnoException;

    /**
     * {@code ioctl(2)} on a socket with an {@code int *} argument: {@link SocketConstants#SIOCINQ}
     * ({@code FIONREAD}), {@link SocketConstants#SIOCOUTQ}, {@link SocketConstants#SIOCOUTQNSD}
     * return the count the kernel would write through the pointer; {@link SocketConstants#FIONBIO}
     * takes {@code arg} (nonzero: non-blocking) and returns 0. A request the socket's protocol
     * does not know fails with {@link Errno#ENOTTY}, as on Linux.
     *
     * @since 1.6
     */
    int ioctl(int fd, int request, int arg) throws ErrnoException;

    /** {@code getsockopt(2)} for an integer option. {@code SO_ERROR} reads and clears the pending error. */
    int getsockopt(int fd, int level, int name) throws ErrnoException;

    /** {@code getsockopt(2)} for a string option. */
    String getsockoptString(int fd, int level, int name) throws ErrnoException;

    /**
     * {@code getsockopt(2)} for a struct-valued option, such as {@code TCP_INFO} read as
     * {@link TcpInfo}; integer and string options may be read as {@code Integer.class} and
     * {@code String.class} too. Fails with {@link Errno#EINVAL} when {@code type} is not the
     * option's type, {@link Errno#ENOPROTOOPT} for an option the protocol does not know, and
     * {@link Errno#EOPNOTSUPP} for an option of another protocol's level (as Linux's
     * {@code ip_getsockopt} does: {@code TCP_INFO} on a UDP socket).
     */
    <T> T getsockopt(int fd, int level, int name, Class<T> type) throws ErrnoException;

    /** {@code getsockname(2)}. */
    SockAddr getsockname(int fd) throws ErrnoException;

    /** {@code getpeername(2)}: fails with {@code ENOTCONN} when there is no peer. */
    SockAddr getpeername(int fd) throws ErrnoException;

    /** {@code fcntl(fd, F_SETFL, O_NONBLOCK)}. */
    void setNonBlocking(int fd, boolean nonBlocking) throws ErrnoException;

    /** {@code fcntl(fd, F_GETFL) & O_NONBLOCK}. */
    boolean isNonBlocking(int fd) throws ErrnoException;

    /**
     * {@code poll(2)} on one descriptor: waits up to {@code timeoutMillis} (negative: for
     * ever, 0: not at all) for any of {@code events}, and returns the ready mask, which
     * always includes {@code EPOLLERR} and {@code EPOLLHUP} when they hold.
     */
    int poll(int fd, int events, int timeoutMillis) throws ErrnoException;

    /** {@code epoll_create1(2)}: a new readiness set, itself a descriptor. */
    int epollCreate() throws ErrnoException;

    /**
     * {@code epoll_ctl(2)}: {@code EPOLL_CTL_ADD}, {@code _MOD} or {@code _DEL} interest in
     * {@code events} (with {@code EPOLLET} for edge-triggered, {@code EPOLLONESHOT}) on
     * {@code fd}; {@code data} comes back with each event.
     */
    void epollCtl(int epfd, int op, int fd, int events, long data) throws ErrnoException;

    /**
     * {@code epoll_wait(2)}: waits up to {@code timeoutMillis} (negative: for ever) for at
     * least one registered descriptor to be ready, and stores up to {@code events.length}
     * events. Returns how many were stored; 0 on timeout.
     */
    int epollWait(int epfd, EpollEvent[] events, int timeoutMillis) throws ErrnoException;

    // ==== errors as values (since 1.3) =============================================================

    /**
     * {@code recvmsg(2)} with the error as a value: stores into {@code dst} from its position
     * and returns the bytes stored (0 when a stream's peer has closed its side, or {@code dst}
     * has no room), or a negative errno: {@code -EAGAIN} when nothing is there and the call may
     * not wait, the connection's error ({@code -ECONNRESET}, ...), {@code -ENOTCONN}, ...
     * {@code msg}, when not null, is filled with the sender and the result flags
     * ({@code MSG_TRUNC}); a stream socket's receive may leave its sender null.
     *
     * @since 1.3
     */
    long sysRecv(int fd, ByteBuffer dst, int flags, MsgHeader msg);

    /**
     * {@code recvmsg(2)} into {@code length} buffers from {@code dsts[offset]}, each filled from
     * its position before the next ({@code readv}): the bytes stored in all, or a negative errno
     * as {@link #sysRecv(int, ByteBuffer, int, MsgHeader)}. A datagram is scattered over the
     * buffers; what does not fit in them all is discarded ({@code MSG_TRUNC}).
     *
     * @since 1.3
     */
    long sysRecv(int fd, ByteBuffer[] dsts, int offset, int length, int flags, MsgHeader msg);

    /**
     * {@code recvmsg(2)} into buffers the stack hands over, without a copy where it can: up to
     * {@code maxBytes} of a stream's next bytes, each run given to {@code sink} as a
     * {@link ByteBuf} the caller then owns (and releases). Bytes that arrived in order into a
     * packet that TCP kept on its receive queue are handed over as retained slices of that
     * packet, as Linux's {@code TCP_ZEROCOPY_RECEIVE} maps the pages of the skbs it would copy
     * from; bytes the stack holds otherwise are copied once into a buffer from
     * {@code alloc}. Returns the bytes handed over (0 when the peer has closed its side), or a
     * negative errno as {@link #sysRecv(int, ByteBuffer, int, MsgHeader)}; on a datagram
     * socket, one datagram copied into one buffer. {@code sink} runs under the socket's lock: it
     * must only keep the buffer, never call the stack. {@code maxBytes} must be positive
     * ({@code -EINVAL}); {@code MSG_PEEK} copies.
     *
     * @since 1.10
     */
    long sysRecvBuffers(int fd, ByteBufAllocator alloc, int maxBytes, int flags, Consumer<? super ByteBuf> sink);

    /**
     * {@code sendmsg(2)} with the error as a value: the bytes taken from {@code src} (its
     * position advanced), or a negative errno: {@code -EAGAIN} when nothing fits and the call
     * may not wait, {@code -EPIPE} after the sending side was shut, the connection's error ...
     * {@code to} is null on a connected socket. A blocking stream send waits until every byte
     * is taken and returns the bytes taken when the wait ends early (timeout, interrupt, close).
     *
     * @since 1.3
     */
    long sysSend(int fd, ByteBuffer src, int flags, SockAddr to);

    /**
     * {@code sendmsg(2)} from {@code length} buffers from {@code srcs[offset]}, each taken from
     * its position before the next ({@code writev}): the bytes taken from all, or a negative
     * errno as {@link #sysSend(int, ByteBuffer, int, SockAddr)}. On a datagram socket the
     * buffers' remaining bytes are gathered into one datagram.
     *
     * @since 1.3
     */
    long sysSend(int fd, ByteBuffer[] srcs, int offset, int length, int flags, SockAddr to);

    /**
     * {@code accept4(2)} with the error as a value: the new connection's descriptor, or a
     * negative errno ({@code -EAGAIN} when no connection waits and the call may not wait).
     * {@link #getpeername} gives the peer.
     *
     * @since 1.3
     */
    int sysAccept(int fd, int flags);

    /**
     * {@code connect(2)} with the error as a value: 0 once connected (or, for a datagram
     * socket, associated), or a negative errno: {@code -EINPROGRESS} when a non-blocking
     * socket's connection has started, {@code -EALREADY} while it is under way, then 0 once it
     * is up or its error ({@code -ECONNREFUSED}, {@code -ETIMEDOUT}, ...) when it failed, and
     * {@code -EISCONN} after that, as Linux's {@code __inet_stream_connect}.
     *
     * @since 1.3
     */
    int sysConnect(int fd, SockAddr address);

    /**
     * {@code epoll_wait(2)} with the error as a value, into arrays: stores up to
     * {@code min(events.length, data.length)} ready events, each event mask in {@code events}
     * and its registration's data at the same index of {@code data}, and returns how many (0 on
     * timeout), or a negative errno ({@code -EINTR} on an interrupt, {@code -EBADF} ...).
     * Negative {@code timeoutMillis} waits for ever. Stores nothing on the heap.
     *
     * @since 1.3
     */
    int sysEpollWait(int epfd, int[] events, long[] data, int timeoutMillis);

    /**
     * {@code epoll_ctl(2)} with the error as a value: 0, or a negative errno ({@code -EEXIST},
     * {@code -ENOENT}, {@code -EBADF}, ...), and no message built.
     *
     * @since 1.4
     */
    int sysEpollCtl(int epfd, int op, int fd, int events, long data);

    // ==== eventfd (since 1.4) ======================================================================

    /**
     * {@code eventfd(2)}: a counter as a descriptor, starting at {@code initial} (0 to
     * {@code Integer.MAX_VALUE}); {@code flags} may be {@link SocketConstants#EFD_NONBLOCK}. It
     * polls {@code EPOLLIN} while the counter is not 0, so an epoll set watching it can be woken
     * from any thread by {@link #sysEventfdWrite}. {@link #close} closes it.
     *
     * @since 1.4
     */
    int eventfd(long initial, int flags) throws ErrnoException;

    /**
     * {@code eventfd_write(3)}: adds {@code value} to the counter and returns 0, or a negative
     * errno: {@code -EAGAIN} when the counter would pass its maximum on a non-blocking eventfd
     * (a blocking one waits for a read), {@code -EINVAL} for a negative value or a descriptor
     * that is not an eventfd. The maximum is {@code Long.MAX_VALUE} (Linux's is
     * 0xfffffffffffffffe), so that {@link #sysEventfdRead} returns the counter as a non-negative
     * {@code long}.
     *
     * @since 1.4
     */
    int sysEventfdWrite(int fd, long value);

    /**
     * {@code eventfd_read(3)}: the counter, left at 0, or a negative errno: {@code -EAGAIN}
     * while it is 0 on a non-blocking eventfd (a blocking one waits for a write).
     *
     * @since 1.4
     */
    long sysEventfdRead(int fd);

    /** The protocol families registered now, like {@code /proc/net/protocols}. */
    List<FamilyInfo> families();

    // ==== time and /proc (since 1.5) ===============================================================

    /**
     * {@code clock_gettime(2)}: {@link SocketConstants#CLOCK_MONOTONIC} is the stack's own clock
     * in nanoseconds, the one its timers, {@code SO_RCVTIMEO} and poll timeouts follow (virtual
     * time when a test drives the stack); {@link SocketConstants#CLOCK_REALTIME} is the wall
     * clock in nanoseconds since the epoch. Another clock is {@link Errno#EINVAL}.
     *
     * @since 1.5
     */
    long clockGettime(int clockId) throws ErrnoException;

    /**
     * {@code ppoll(2)} on one descriptor with the error as a value: waits up to
     * {@code timeoutNanos} of the stack's {@link SocketConstants#CLOCK_MONOTONIC} clock (negative:
     * for ever, 0: not at all) for any of {@code events}, and returns the ready mask (with
     * {@code EPOLLERR} and {@code EPOLLHUP} when they hold), 0 on timeout, or a negative errno
     * ({@code -EINTR} when the thread is interrupted, {@code -EBADF}). The wait ends on the
     * stack's timer tick at or after the timeout, never before it.
     *
     * @since 1.5
     */
    int sysPpoll(int fd, int events, long timeoutNanos);

    /**
     * Reads a file of the stack's {@code /proc}, named as under Linux's {@code /proc} without
     * the leading part: {@code "net/snmp"}, {@code "net/netstat"} (whose text {@link ProcNetSnmp}
     * reads). The protocols running serve them; a file no protocol serves now is
     * {@link Errno#ENOENT}.
     *
     * @since 1.5
     */
    String procRead(String path) throws ErrnoException;
}
