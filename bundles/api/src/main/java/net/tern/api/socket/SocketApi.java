package net.tern.api.socket;

import java.nio.ByteBuffer;
import java.util.List;
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

    /** The protocol families registered now, like {@code /proc/net/protocols}. */
    List<FamilyInfo> families();
}
