package net.tern.spi.proto;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A protocol switch entry ({@code struct inet_protosw}, registered with
 * {@code inet_register_protosw}): a (type, protocol) pair and the {@link ProtoOps} and
 * {@link Proto} that serve it. Registered as a service with the properties {@value #FAMILY},
 * {@value #TYPE} and {@value #PROTOCOL}; its family's {@code create} picks among them.
 */
@ConsumerType
public interface ProtoSw {
    String FAMILY = "family";
    String TYPE = "type";
    String PROTOCOL = "protocol";

    /** {@code SOCK_STREAM}, {@code SOCK_DGRAM}, ... */
    int type();

    /** The protocol number ({@code IPPROTO_TCP}, ...). */
    int protocol();

    ProtoOps ops();

    Proto proto();

    /**
     * Creates the protocol state for a new socket of this entry ({@code sk_alloc} followed by
     * {@code sk->sk_prot->init}) and attaches it with {@link #ops()} to {@code sock}.
     */
    void init(ProtoSocket sock) throws net.tern.api.socket.ErrnoException;
}
