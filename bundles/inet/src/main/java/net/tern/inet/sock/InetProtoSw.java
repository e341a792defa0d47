package net.tern.inet.sock;

import java.util.Objects;
import net.tern.api.socket.ErrnoException;
import net.tern.spi.proto.Proto;
import net.tern.spi.proto.ProtoOps;
import net.tern.spi.proto.ProtoSocket;
import net.tern.spi.proto.ProtoSw;

/**
 * {@code struct inet_protosw}: a socket type and protocol, the generic operations for the
 * type ({@link InetDgramOps}, {@link InetStreamOps}) and the transport behind them.
 * Registered as a {@link ProtoSw} service with {@code family=2}, {@code type} and
 * {@code protocol}; {@code inet_create} calls {@link #init} for each new socket.
 */
public final class InetProtoSw<S extends InetSock> implements ProtoSw {
    private final int type;
    private final int protocol;
    private final InetProto<S> prot;
    private final ProtoOps ops;

    public InetProtoSw(int type, int protocol, InetProto<S> prot, ProtoOps ops) {
        this.type = type;
        this.protocol = protocol;
        this.prot = Objects.requireNonNull(prot, "prot");
        this.ops = Objects.requireNonNull(ops, "ops");
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
        sk.graft(sock);
        sock.attach(ops, sk, protocol);
    }

    @Override
    public String toString() {
        return "inet_protosw[type " + type + ", protocol " + protocol + ", " + prot.name() + "]";
    }
}
