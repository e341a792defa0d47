package net.tern.spi.proto;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A transport protocol's own side ({@code struct proto}, like {@code tcp_prot} and
 * {@code udp_prot}): what {@code /proc/net/protocols} shows of it. The operations a family's
 * {@link ProtoOps} call on it are the family's business (inet defines them for TCP and UDP).
 */
@ConsumerType
public interface Proto {
    /** {@code "TCP"}, {@code "UDP"}. */
    String name();

    /** Sockets of this protocol in use now. */
    int socketsInUse();

    /** The most header bytes this protocol puts in front of its data, for headroom. */
    int maxHeader();
}
