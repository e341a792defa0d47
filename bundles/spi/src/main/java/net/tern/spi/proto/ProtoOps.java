package net.tern.spi.proto;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.SockAddr;
import net.tern.api.socket.SocketConstants;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The socket-facing operations of one kind of socket ({@code struct proto_ops}, like
 * {@code inet_stream_ops} and {@code inet_dgram_ops}); stateless and shared by every socket
 * of that kind, with the state in {@link ProtoSocket#sk()}.
 *
 * <p>Every operation is non-blocking: where the call cannot complete now it says
 * {@code EAGAIN} (or {@code EINPROGRESS} for connect), and the socket layer waits for
 * {@link #poll} readiness, woken by {@link ProtoSocket#wakeUp}, and calls again. That is how
 * the socket layer implements blocking, timeouts and epoll once for every protocol.
 *
 * <p>The data path's operations have two forms. The {@code try*} forms ({@link #trySendmsg},
 * {@link #tryRecvmsg}, {@link #tryAccept}, {@link #tryConnect}) return would-block, and the
 * connection's own outcomes, as a negative errno ({@code -EAGAIN}, as Linux's
 * {@code proto_ops} return them), so a call that cannot proceed allocates nothing; they may
 * still throw for a call they refuse with a reason worth a message (a bad address, a socket in
 * the wrong state). The socket layer calls only these. The throwing forms are the older
 * contract: their defaults in the {@code try*} forms turn EAGAIN, EINPROGRESS and EALREADY
 * exceptions into values, so a protocol written before them keeps working; a protocol that
 * implements the {@code try*} forms implements the throwing ones on top of them.
 */
@ConsumerType
public interface ProtoOps {
    /** The family these operations belong to. */
    int family();

    /** {@code release}: the socket is closed by the application; free what it holds. */
    void release(ProtoSocket sock);

    /**
     * {@code sk_stream_closing}, asked after {@link #release} by a socket layer whose blocking
     * {@code close} lingers ({@code SO_LINGER} with a positive time, {@code sk_stream_wait_close}):
     * whether the released socket is still sending what it had queued, its end of stream not
     * yet acknowledged. The protocol wakes the socket ({@link ProtoSocket#wakeUp}) when that
     * changes. Protocols without such a closing phase keep the default, false.
     *
     * @since 1.1
     */
    default boolean lingering(ProtoSocket sock) {
        return false;
    }

    /**
     * Reads and clears the socket's soft error ({@code sk_err_soft}): the last error that did
     * not end what the socket does (an ICMP error on an established TCP connection, RFC 1122
     * 4.2.3.9), or null. {@code SO_ERROR} reports it when no hard error is pending
     * ({@code sk_getsockopt}: {@code -sock_error(sk)}, else {@code xchg(&sk->sk_err_soft, 0)}).
     * Protocols that keep no soft error keep the default, null.
     *
     * @since 1.3
     */
    default Errno takeSoftError(ProtoSocket sock) {
        return null;
    }

    void bind(ProtoSocket sock, SockAddr address) throws ErrnoException;

    /**
     * Starts or checks a connection. Returns when connected (or, for datagrams, associated);
     * throws EINPROGRESS while a stream connection is under way, EALREADY when asked again
     * before it completes, EISCONN once it has. How it ended is the socket's pending error.
     */
    void connect(ProtoSocket sock, SockAddr address, int flags) throws ErrnoException;

    void listen(ProtoSocket sock, int backlog) throws ErrnoException;

    /**
     * Takes one established connection off the accept queue and attaches it to
     * {@code newSock}; EAGAIN when the queue is empty, EINVAL when not listening.
     */
    void accept(ProtoSocket sock, ProtoSocket newSock, int flags) throws ErrnoException;

    /** {@code getname}: the local address, or the peer's ({@code ENOTCONN} without one). */
    SockAddr getname(ProtoSocket sock, boolean peer) throws ErrnoException;

    /** The readiness mask now: {@code EPOLLIN}, {@code EPOLLOUT}, {@code EPOLLERR}, {@code EPOLLHUP}, {@code EPOLLRDHUP}. */
    int poll(ProtoSocket sock);

    void shutdown(ProtoSocket sock, int how) throws ErrnoException;

    /**
     * {@code ioctl(2)} ({@code sock->ops->ioctl}): the value the request writes through its
     * {@code int *} argument ({@code SIOCINQ}, {@code SIOCOUTQ}, ...). ENOTTY for a request the
     * socket does not know (the default), as Linux answers one no protocol takes.
     *
     * @since 1.4
     */
    default int ioctl(ProtoSocket sock, int request, int arg) throws ErrnoException {
        throw new ErrnoException(Errno.ENOTTY, "ioctl(" + SocketConstants.ioctlName(request)
                + "): not a request of this socket");
    }

    /** {@code value} is an Integer or a String; ENOPROTOOPT for an option the protocol lacks. */
    void setsockopt(ProtoSocket sock, int level, int name, Object value) throws ErrnoException;

    /** Returns an Integer or a String; ENOPROTOOPT for an option the protocol lacks. */
    Object getsockopt(ProtoSocket sock, int level, int name) throws ErrnoException;

    /**
     * {@code getsockopt} of a struct-valued option (such as {@code TCP_INFO} as
     * {@code TcpInfo}), or of an integer or string option as {@code type}. EINVAL when the
     * option's value is not a {@code type}; ENOPROTOOPT for an option the protocol lacks;
     * EOPNOTSUPP for an option level the socket does not serve. The default reads
     * {@link #getsockopt(ProtoSocket, int, int)} and checks the type, for operations that have
     * no struct-valued options.
     *
     * @since 1.1
     */
    default <T> T getsockopt(ProtoSocket sock, int level, int name, Class<T> type) throws ErrnoException {
        return optionAs(getsockopt(sock, level, name), type, level, name);
    }

    /** {@code value} as a {@code type}, or EINVAL naming what the option holds instead. */
    static <T> T optionAs(Object value, Class<T> type, int level, int name) throws ErrnoException {
        if (!type.isInstance(value)) {
            throw new ErrnoException(Errno.EINVAL, "getsockopt(level " + level + ", option " + name + "): the value is a "
                    + (value == null ? "null" : value.getClass().getSimpleName()) + ", not a " + type.getSimpleName());
        }
        return type.cast(value);
    }

    /**
     * {@code sendmsg}: takes what fits from {@code data} (advancing its position) and returns
     * how many bytes it took; EAGAIN when nothing fits now. {@code to} is null on a
     * connected socket.
     */
    int sendmsg(ProtoSocket sock, ByteBuffer data, SockAddr to, int flags) throws ErrnoException;

    /**
     * {@code recvmsg}: stores into {@code dst} from its position, fills {@code msg}, and
     * returns the bytes stored; 0 at a stream's end; EAGAIN when nothing is there yet.
     */
    int recvmsg(ProtoSocket sock, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException;

    // ==== the data path with would-block as a value (since 1.2) ================================

    /**
     * {@link #sendmsg} with its outcome as a value: the bytes taken, or a negative errno
     * ({@code -EAGAIN} when nothing fits now, {@code -EPIPE}, the connection's error).
     *
     * @since 1.2
     */
    default int trySendmsg(ProtoSocket sock, ByteBuffer data, SockAddr to, int flags) throws ErrnoException {
        try {
            return sendmsg(sock, data, to, flags);
        } catch (ErrnoException e) {
            return wouldBlockAsValue(e);
        }
    }

    /**
     * {@link #recvmsg} with its outcome as a value: the bytes stored (0 at a stream's end), or
     * a negative errno ({@code -EAGAIN} when nothing is there yet, the connection's error).
     * {@code msg} may be null when the caller wants neither sender nor flags.
     *
     * @since 1.2
     */
    default int tryRecvmsg(ProtoSocket sock, ByteBuffer dst, int flags, net.tern.api.socket.MsgHeader msg)
            throws ErrnoException {
        MsgHeader header = msg instanceof MsgHeader own ? own : new MsgHeader();
        try {
            int n = recvmsg(sock, dst, flags, header);
            if (msg != null && msg != header) {
                msg.from = header.from;
                msg.flags = header.flags;
            }
            return n;
        } catch (ErrnoException e) {
            return wouldBlockAsValue(e);
        }
    }

    /**
     * A stream's receive into buffers handed to {@code sink} ({@code SocketApi.sysRecvBuffers}):
     * up to {@code maxBytes}, without a copy where the protocol keeps received data in buffers
     * it can give away, else copied once into a buffer from {@code alloc}. The bytes handed
     * over, or a negative errno as {@link #tryRecvmsg}. {@code sink} only keeps each buffer. The
     * default copies through {@link #tryRecvmsg}.
     *
     * @since 1.5
     */
    default int tryRecvBuffers(ProtoSocket sock, ByteBufAllocator alloc, int maxBytes, int flags,
            Consumer<? super ByteBuf> sink) throws ErrnoException {
        return CopiedReceive.handOver(alloc, maxBytes, sink, dst -> tryRecvmsg(sock, dst, flags, null));
    }

    /**
     * {@link #accept} with its outcome as a value: 0 with a connection attached to
     * {@code newSock}, or a negative errno ({@code -EAGAIN} when none waits).
     *
     * @since 1.2
     */
    default int tryAccept(ProtoSocket sock, ProtoSocket newSock, int flags) throws ErrnoException {
        try {
            accept(sock, newSock, flags);
            return 0;
        } catch (ErrnoException e) {
            return wouldBlockAsValue(e);
        }
    }

    /**
     * {@link #connect} with its outcome as a value: 0 when connected (or associated), or a
     * negative errno: {@code -EINPROGRESS} when a connection has started, {@code -EALREADY}
     * while it is under way, {@code -EISCONN} once it is up, or how it failed.
     *
     * @since 1.2
     */
    default int tryConnect(ProtoSocket sock, SockAddr address, int flags) throws ErrnoException {
        try {
            connect(sock, address, flags);
            return 0;
        } catch (ErrnoException e) {
            return wouldBlockAsValue(e);
        }
    }

    /**
     * An exception from a throwing operation as the {@code try*} forms return it: EAGAIN,
     * EINPROGRESS and EALREADY as their negative numbers; any other error rethrown.
     *
     * @since 1.2
     */
    static int wouldBlockAsValue(ErrnoException e) throws ErrnoException {
        Errno errno = e.errno();
        if (errno == Errno.EAGAIN || errno == Errno.EINPROGRESS || errno == Errno.EALREADY) {
            return errno.negative();
        }
        throw e;
    }
}
