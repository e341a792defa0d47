package net.tern.spi.proto;

import java.util.Objects;
import net.tern.api.socket.Errno;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A socket as the protocol sees it ({@code struct socket}): its family and type, set by the
 * socket layer; its {@link ProtoOps} and protocol state ({@code sk}), attached by the family's
 * {@code create}; its pending error ({@code sk_err}); and the way to wake the socket layer
 * when readiness changes ({@code sk_data_ready}, {@code sk_write_space}, {@code sk_state_change}).
 *
 * <p>Made only by the socket layer, which implements {@link Owner}.
 */
public final class ProtoSocket {

    /** The socket layer's side of a socket: waiters to wake, and the record of withdrawal. */
    @ProviderType
    public interface Owner {
        /** Readiness may have changed: wake blocked callers and epoll sets whose interest matches {@code mask}. */
        void wakeUp(ProtoSocket sock, int mask);

        /** The protocol abandoned the socket; every later call fails with {@code errno}. */
        void withdrawn(ProtoSocket sock, Errno errno, String reason);

        /** The descriptor this socket is open as, or -1 when the owner has none (diagnostics, traces). */
        default int fd() {
            return -1;
        }
    }

    private final int family;
    private final int type;
    private final Owner owner;
    private volatile ProtoOps ops;
    private volatile Object sk;
    private volatile int protocol;
    private volatile Errno error;

    public ProtoSocket(int family, int type, Owner owner) {
        this.family = family;
        this.type = type;
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    public int family() {
        return family;
    }

    /**
     * The file descriptor the socket layer gave this socket, or -1 when it has none: what
     * {@code ss -p} and traces show as the socket's owner.
     */
    public int fd() {
        return owner.fd();
    }

    /** The socket type ({@code SOCK_STREAM}, ...), without creation flags. */
    public int type() {
        return type;
    }

    /** The protocol number the family chose (never 0 once attached). */
    public int protocol() {
        return protocol;
    }

    /** The operations for this socket; {@code null} until {@link #attach}. */
    public ProtoOps ops() {
        return ops;
    }

    /** The protocol's own state for this socket ({@code struct sock}). */
    public Object sk() {
        return sk;
    }

    /** The protocol state, cast to what the protocol knows it to be. */
    public <T> T sk(Class<T> type) {
        return type.cast(sk);
    }

    /** Called by {@code create} (and by {@code accept} for the new socket): binds ops and state. */
    public void attach(ProtoOps ops, Object sk, int protocol) {
        this.ops = Objects.requireNonNull(ops, "ops");
        this.sk = sk;
        this.protocol = protocol;
    }

    /** Sets the pending error ({@code sk->sk_err}) and wakes waiters with EPOLLERR. */
    public void setError(Errno errno) {
        this.error = errno;
        owner.wakeUp(this, net.tern.api.socket.SocketConstants.EPOLLERR);
    }

    /** The pending error, without clearing it. */
    public Errno peekError() {
        return error;
    }

    /** {@code sock_error}: reads and clears the pending error ({@code SO_ERROR}). */
    public Errno takeError() {
        Errno e = error;
        error = null;
        return e;
    }

    /** Readiness may have changed; {@code mask} names what changed ({@code EPOLLIN}, ...). */
    public void wakeUp(int mask) {
        owner.wakeUp(this, mask);
    }

    /**
     * The protocol gives the socket up (its bundle is leaving, say): it has already released
     * its own state; every later call but {@code close} fails with {@code errno}.
     */
    public void withdraw(Errno errno, String reason) {
        owner.withdrawn(this, errno, reason);
    }

    @Override
    public String toString() {
        return "ProtoSocket[family=" + family + ", type=" + type + ", protocol=" + protocol + "]";
    }
}
