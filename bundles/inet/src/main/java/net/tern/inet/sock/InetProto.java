package net.tern.inet.sock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import net.tern.api.socket.Errno;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.Inet6SockAddr;
import net.tern.api.socket.InetSockAddr;
import net.tern.api.socket.SocketConstants;
import net.tern.spi.net.Packet;
import net.tern.spi.proto.CopiedReceive;
import net.tern.spi.proto.MsgHeader;
import net.tern.spi.proto.Proto;
import net.tern.spi.proto.ProtoOps;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A transport's side of an AF_INET socket ({@code struct proto}: {@code udp_prot},
 * {@code tcp_prot}). {@link InetDgramOps} and {@link InetStreamOps} call it after their
 * generic checks, with the socket locked (except {@link #poll}); every method is
 * non-blocking, saying EAGAIN (or EINPROGRESS) where it cannot finish now: the data path's
 * {@code try*} forms ({@link #trySendmsg}, {@link #tryRecvmsg}, {@link #tryAccept}) return it
 * as a value and are what the inet operations call; the throwing forms are the older
 * contract, which the defaults of the {@code try*} forms bridge (see {@link ProtoOps}).
 *
 * @param <S> the transport's socket state
 */
@ConsumerType
public interface InetProto<S extends InetSock> extends Proto {
    /** {@code sk_alloc} and {@code sk->sk_prot->init}: the state of a new socket. */
    S create() throws ErrnoException;

    /** {@code close}: the application closed the socket; release what it holds. */
    void close(S sk);

    /**
     * {@code get_port}: claims local port {@code port} for {@code sk} (0: an ephemeral one)
     * and sets {@link InetSock#num}; EADDRINUSE when taken, EAGAIN when no ephemeral port is
     * free. The bound address is in {@link InetSock#rcvSaddr} already.
     */
    void getPort(S sk, int port) throws ErrnoException;

    /**
     * Whether sending or connecting binds an ephemeral port first ({@code inet_autobind});
     * true for UDP, false for TCP, which binds in its own connect.
     */
    default boolean autobind() {
        return true;
    }

    /**
     * {@code connect}: a datagram socket associates with {@code address} at once
     * ({@code ip4_datagram_connect}: route, source address, state ESTABLISHED); a stream
     * socket starts connecting ({@code tcp_v4_connect}: state SYN_SENT) and reports the
     * outcome through its state, its pending error and wake-ups.
     */
    void connect(S sk, InetSockAddr address) throws ErrnoException;

    /**
     * {@code tcp_v6_connect}, {@code ip6_datagram_connect}: {@link #connect} for a socket of the
     * AF_INET6 family. EAFNOSUPPORT unless the transport serves IPv6.
     *
     * @since 1.9
     */
    default void connect6(S sk, Inet6SockAddr address) throws ErrnoException {
        throw new ErrnoException(Errno.EAFNOSUPPORT, "connect(" + address + "): " + name() + " does not serve AF_INET6");
    }

    /** {@code disconnect}: dissolves the association (AF_UNSPEC connect), aborting a stream connection. */
    void disconnect(S sk) throws ErrnoException;

    /** {@code inet_csk_listen_start}: start (or re-size) listening; binds a port if none. */
    default void listen(S sk, int backlog) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, name() + " does not listen");
    }

    /** {@code accept}: the next established connection, ungrafted; EAGAIN when none waits, EINVAL when not listening. */
    default S accept(S sk, int flags) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP, name() + " does not accept");
    }

    /**
     * {@code sk_backlog_rcv}: a packet that arrived while another thread owned {@code sk},
     * queued with {@link InetSock#addBacklog} and run now by the owner as it lets go, the
     * socket locked. Takes ownership of the packet. The default drops it.
     *
     * @since 1.8
     */
    default void backlogRcv(S sk, Packet packet) {
        packet.release();
    }

    /** {@code udp_poll} / {@code tcp_poll}: the readiness mask. Called without the socket lock. */
    int poll(S sk);

    /**
     * {@code sk_stream_closing}: after {@code close}, whether the socket still sends what it had
     * queued (see {@link net.tern.spi.proto.ProtoOps#lingering}). Called without the socket lock.
     *
     * @since 1.1
     */
    default boolean lingering(S sk) {
        return false;
    }

    /** {@code shutdown}: the bits in {@code how} ({@link InetSock#RCV_SHUTDOWN}, ...) were just set. */
    default void shutdown(S sk, int how) throws ErrnoException {
    }

    /** A generic option changed that the transport acts on ({@code SO_KEEPALIVE}, {@code SO_RCVBUF}, ...). */
    /**
     * The transport's {@code ioctl} requests ({@code sk_prot->ioctl}), socket locked: the value
     * written through the {@code int *} argument. ENOTTY for one it does not know (the default).
     *
     * @since 1.7
     */
    default int ioctl(S sk, int request, int arg) throws ErrnoException {
        throw new ErrnoException(Errno.ENOTTY, "ioctl(" + SocketConstants.ioctlName(request) + "): not a request of "
                + name() + " sockets");
    }

    default void optionChanged(S sk, int level, int name) {
    }

    /** The transport's own options ({@code SOL_UDP}, {@code SOL_TCP}); ENOPROTOOPT for others. */
    default void setsockopt(S sk, int level, int name, Object value) throws ErrnoException {
        throw new ErrnoException(Errno.ENOPROTOOPT, name() + " has no option " + name + " at level " + level);
    }

    default Object getsockopt(S sk, int level, int name) throws ErrnoException {
        throw new ErrnoException(Errno.ENOPROTOOPT, name() + " has no option " + name + " at level " + level);
    }

    /**
     * The transport's struct-valued options ({@code TCP_INFO}), or its other options read as
     * {@code type}; EINVAL when the value is not a {@code type}. The default has no struct
     * options: it reads {@link #getsockopt(InetSock, int, int)} and checks the type.
     *
     * @since 1.1
     */
    default <T> T getsockopt(S sk, int level, int name, Class<T> type) throws ErrnoException {
        return ProtoOps.optionAs(getsockopt(sk, level, name), type, level, name);
    }

    /** {@code sendmsg}: {@code to} is null to use the connected peer. */
    int sendmsg(S sk, ByteBuffer data, InetSockAddr to, int flags) throws ErrnoException;

    /** {@code recvmsg}: fills {@code msg.from} and {@code msg.flags}. */
    int recvmsg(S sk, ByteBuffer dst, int flags, MsgHeader msg) throws ErrnoException;

    /**
     * {@link #sendmsg} with its outcome as a value: the bytes taken, or a negative errno
     * ({@code -EAGAIN} when nothing fits now, the connection's error).
     *
     * @since 1.3
     */
    default int trySendmsg(S sk, ByteBuffer data, InetSockAddr to, int flags) throws ErrnoException {
        try {
            return sendmsg(sk, data, to, flags);
        } catch (ErrnoException e) {
            return ProtoOps.wouldBlockAsValue(e);
        }
    }

    /**
     * {@code udpv6_sendmsg}: {@link #trySendmsg} for a socket of the AF_INET6 family
     * ({@code to} null for the connected peer). EAFNOSUPPORT unless the transport serves IPv6.
     *
     * @since 1.9
     */
    default int trySendmsg6(S sk, ByteBuffer data, Inet6SockAddr to, int flags) throws ErrnoException {
        throw new ErrnoException(Errno.EAFNOSUPPORT, "sendmsg(to " + to + "): " + name() + " does not serve AF_INET6");
    }

    /**
     * {@link #recvmsg} with its outcome as a value: the bytes stored, or a negative errno
     * ({@code -EAGAIN} when nothing is there yet, the connection's error). {@code msg} may be
     * null when the caller wants neither sender nor flags.
     *
     * @since 1.3
     */
    default int tryRecvmsg(S sk, ByteBuffer dst, int flags, net.tern.api.socket.MsgHeader msg) throws ErrnoException {
        MsgHeader header = msg instanceof MsgHeader own ? own : new MsgHeader();
        try {
            int n = recvmsg(sk, dst, flags, header);
            if (msg != null && msg != header) {
                msg.copyFrom(header);
            }
            return n;
        } catch (ErrnoException e) {
            return ProtoOps.wouldBlockAsValue(e);
        }
    }

    /**
     * {@link ProtoOps#tryRecvBuffers} under the socket's lock: the default copies through
     * {@link #tryRecvmsg}; a protocol that keeps received data in packets hands them over.
     *
     * @since 1.11
     */
    default int tryRecvBuffers(S sk, ByteBufAllocator alloc, int maxBytes, int flags, Consumer<? super ByteBuf> sink)
            throws ErrnoException {
        return CopiedReceive.handOver(alloc, maxBytes, sink, dst -> tryRecvmsg(sk, dst, flags, null));
    }

    /**
     * {@link #accept} with would-block as a value: the next established connection, or
     * {@code null} when none waits; EINVAL when not listening.
     *
     * @since 1.3
     */
    default S tryAccept(S sk, int flags) throws ErrnoException {
        try {
            return accept(sk, flags);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN) {
                return null;
            }
            throw e;
        }
    }
}
