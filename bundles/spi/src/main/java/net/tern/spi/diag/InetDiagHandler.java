package net.tern.spi.diag;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A transport's socket dumper ({@code struct inet_diag_handler}: {@code tcp_diag_handler},
 * {@code udp_diag_handler}), registered as a service with the property {@value #PROTOCOL}
 * (6 for TCP, 17 for UDP), as {@code inet_diag_register} adds a handler per protocol.
 */
@ConsumerType
public interface InetDiagHandler {
    /** The service property holding the IP protocol number, an Integer. */
    String PROTOCOL = "protocol";

    /**
     * {@code inet_diag_dump}: a snapshot of every socket of the protocol now, in no particular
     * order; for TCP also the requests in SYN-RECV and the TIME-WAIT entries. Callable from
     * any thread; it never blocks on the network, and each record is consistent in itself
     * (read under its socket's lock), though not with the others.
     */
    List<InetDiagMsg> dump();
}
