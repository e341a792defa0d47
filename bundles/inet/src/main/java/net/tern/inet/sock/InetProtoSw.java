package net.tern.inet.sock;

import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import net.tern.api.socket.SocketConstants;
import net.tern.api.socket.ErrnoException;
import net.tern.spi.proto.Proto;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtoSocket;
import net.tern.spi.proto.ProtoSw;

/**
 * {@code struct inet_protosw}: a socket type and protocol, the generic operations for the
 * type ({@link InetDgramOps}, {@link InetStreamOps}) and the transport behind them.
 * Registered as a {@link ProtoSw} service with {@code family=2}, {@code type} and
 * {@code protocol}; {@code inet_create} calls {@link #init} for each new socket. The same for
 * AF_INET6 ({@code inetsw6[]}, {@code inet6_create}) is made by {@link #inet6}.
 */
public final class InetProtoSw<S extends InetSock> implements ProtoSw {
    private final int type;
    private final int protocol;
    private final InetProto<S> prot;
    private final ProtoOps ops;
    /** What the family does to each new socket before it is grafted (nothing for AF_INET). */
    private final Consumer<? super S> familyInit;

    public InetProtoSw(int type, int protocol, InetProto<S> prot, ProtoOps ops) {
        this(type, protocol, prot, ops, sk -> {
        });
    }

    private InetProtoSw(int type, int protocol, InetProto<S> prot, ProtoOps ops, Consumer<? super S> familyInit) {
        this.type = type;
        this.protocol = protocol;
        this.prot = Objects.requireNonNull(prot, "prot");
        this.ops = Objects.requireNonNull(ops, "ops");
        this.familyInit = familyInit;
    }

    /**
     * An AF_INET6 entry ({@code inet6_register_protosw}): {@code inet6_create} makes each new
     * socket of {@code prot} AF_INET6, with {@code IPV6_V6ONLY} as {@code bindv6only} says now,
     * then lets the transport finish it ({@code init}: TCP's network-layer operations).
     *
     * @since 1.13
     */
    public static <S extends InetSock> InetProtoSw<S> inet6(int type, int protocol, InetProto<S> prot, ProtoOps ops,
            BooleanSupplier bindv6only, Consumer<? super S> init) {
        Objects.requireNonNull(bindv6only, "bindv6only");
        Objects.requireNonNull(init, "init");
        return new InetProtoSw<>(type, protocol, prot, ops, sk -> {
            sk.family(SocketConstants.AF_INET6);
            sk.ipv6only(bindv6only.getAsBoolean());
            init.accept(sk);
        });
    }

    @Override
    public int type() {
        return type;
    }

    @Override
    public int protocol() {
        return protocol;
    }

    @Override
    public ProtoOps ops() {
        return ops;
    }

    @Override
    public Proto proto() {
        return prot;
    }

    /** {@code sk_alloc}, {@code sk->sk_prot->init}, {@code sock_graft}. */
    @Override
    public void init(ProtoSocket sock) throws ErrnoException {
        S sk = prot.create();
        familyInit.accept(sk);
        sk.graft(sock);
        sock.attach(ops, sk, protocol);
    }

    @Override
    public String toString() {
        return "inet_protosw[type " + type + ", protocol " + protocol + ", " + prot.name() + "]";
    }
}
