package net.tern.spi.proto;

import java.util.List;
import net.tern.api.socket.ErrnoException;
import net.tern.api.socket.ProtocolInfo;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A protocol family ({@code struct net_proto_family}). Registering one as a service with the
 * property {@value #FAMILY} is {@code sock_register}; the socket layer finds it when
 * {@code socket()} names that family, as {@code __sock_create} looks up {@code net_families[]}.
 */
@ConsumerType
public interface ProtocolFamily {
    /** The service property holding the family number, an Integer such as 2 for AF_INET. */
    String FAMILY = "family";

    /** The family number ({@code AF_*}). */
    int family();

    /** A short name: {@code "inet"}. */
    String name();

    /**
     * {@code pf->create} ({@code inet_create}): finds the protocol for {@code sock.type()}
     * and {@code protocol} (0 picks the type's default) and {@link ProtoSocket#attach attaches}
     * its operations and state to {@code sock}. Fails with ESOCKTNOSUPPORT for a type the
     * family lacks, EPROTONOSUPPORT for a protocol it lacks, or EPROTOTYPE for a protocol
     * of another type.
     */
    void create(ProtoSocket sock, int protocol) throws ErrnoException;

    /** The protocols offered now (the family's protosw entries), for {@code net:families}. */
    List<ProtocolInfo> protocols();

    /**
     * The family is leaving the stack: the socket layer has already withdrawn its open
     * sockets. A family that drains connections before leaving does so in its own
     * deactivation, before it unregisters.
     */
    default void unregistered() {
    }
}
